package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Run directories in the resume tests: copies taken at the instant of a simulated {@code kill -9}
 * (what the disk holds then), and the comparison of a resumed run with the run that never stopped.
 */
final class RunTrees {
  private RunTrees() {}

  /** The one directory under {@code root} (where a test's run was created). */
  static Path only(Path root) {
    try (Stream<Path> runs = Files.list(root)) {
      List<Path> all = runs.filter(Files::isDirectory).toList();
      assertEquals(1, all.size(), "runs under " + root + ": " + all);
      return all.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The run directory that holds {@code path} (the nearest parent with config.resolved.yaml). */
  static Path runOf(Path path) {
    for (Path p = path; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("config.resolved.yaml"))) {
        return p;
      }
    }
    throw new IllegalArgumentException(path + " is in no run directory");
  }

  /** Copies the tree {@code from} to {@code to} (which must not exist), files byte for byte. */
  static void copy(Path from, Path to) {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (Files.exists(p)) {
          Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asserts that {@code resumed} holds the run {@code straight} holds: {@code metrics.csv} equal in
   * every column but {@code wall_seconds} (the only wall-clock column), {@code trace.csv} byte for
   * byte, and the same checkpoints with byte-identical files ({@code final} among them).
   */
  static void assertSameRun(Path straight, Path resumed, String what) throws IOException {
    assertEquals(
        metricsWithoutWallClock(straight), metricsWithoutWallClock(resumed), what + ": metrics");
    Path trace = straight.resolve("trace.csv");
    if (Files.exists(trace)) {
      assertEquals(
          Files.readString(trace),
          Files.readString(resumed.resolve("trace.csv")),
          what + ": trace.csv");
    }
    List<String> names = checkpointNames(straight);
    assertTrue(names.contains("final"), what + ": the straight run has no final checkpoint");
    assertEquals(names, checkpointNames(resumed), what + ": checkpoints");
    for (String name : names) {
      Path a = straight.resolve("checkpoints").resolve(name);
      Path b = resumed.resolve("checkpoints").resolve(name);
      List<String> files = files(a);
      assertEquals(files, files(b), what + ": files of checkpoint " + name);
      for (String file : files) {
        assertArrayEquals(
            Files.readAllBytes(a.resolve(file)),
            Files.readAllBytes(b.resolve(file)),
            what + ": checkpoint " + name + "/" + file);
      }
    }
  }

  /** metrics.csv's lines with the wall_seconds column removed. */
  static List<String> metricsWithoutWallClock(Path run) throws IOException {
    List<String> lines = Files.readAllLines(run.resolve("metrics.csv"), StandardCharsets.UTF_8);
    int wall = Arrays.asList(lines.get(0).split(",", -1)).indexOf("wall_seconds");
    assertTrue(wall >= 0, "metrics.csv has no wall_seconds column: " + lines.get(0));
    List<String> kept = new ArrayList<>();
    for (String line : lines) {
      List<String> cells = new ArrayList<>(Arrays.asList(line.split(",", -1)));
      cells.remove(wall);
      kept.add(String.join(",", cells));
    }
    return kept;
  }

  static List<String> checkpointNames(Path run) throws IOException {
    try (Stream<Path> children = Files.list(run.resolve("checkpoints"))) {
      return children.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      return children.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
