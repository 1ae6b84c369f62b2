package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.inject.Invocation;
import engram.core.plugin.PluginRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code engram run --seeds}: independent runs side by side, each as if trained alone. */
class RunSeedsTest {

  @Test
  void seedsTrainSideBySideAndEachRunIsTheRunItWouldBeAlone(@TempDir Path dir) throws IOException {
    Path yaml = CliTest.write(dir, CliTest.TINY);
    Path together = dir.resolve("together");
    CliTest.Result r =
        CliTest.run(
            "run",
            yaml.toString(),
            "--seeds",
            "1..3",
            "--workers",
            "2",
            "--runs-dir",
            together.toString());
    assertEquals(Main.OK, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("3 runs (seeds 1..3), 2 at a time"), r.out());
    List<Path> runs = list(together);
    assertEquals(3, runs.size(), runs.toString());
    Path alone = dir.resolve("alone");
    CliTest.Result single =
        CliTest.run("run", yaml.toString(), "seed=2", "--runs-dir", alone.toString());
    assertEquals(Main.OK, single.code(), single.err());
    Path seed2 = runs.stream().filter(p -> config(p).contains("seed: 2")).findFirst().orElseThrow();
    // Same seed, same numbers: training beside other runs changes nothing but the wall time.
    assertEquals(withoutWallTime(list(alone).get(0)), withoutWallTime(seed2));
  }

  @Test
  void badSeedsAreOneLineAndTrainNothing(@TempDir Path dir) throws IOException {
    Path yaml = CliTest.write(dir, CliTest.TINY);
    CliTest.Result r =
        CliTest.run(
            "run",
            yaml.toString(),
            "--seeds",
            "3..1",
            "--runs-dir",
            dir.resolve("runs").toString());
    assertEquals(Main.USAGE, r.code());
    assertTrue(
        r.err().contains("--seeds must list distinct seeds") && r.err().contains("Fix"), r.err());
    assertFalse(Files.exists(dir.resolve("runs")));
    assertEquals(List.of(1L, 2L, 3L, 9L), RunCommand.parseSeeds("1..3,9"));
    assertThrows(IllegalArgumentException.class, () -> RunCommand.parseSeeds("1,1"));
    assertThrows(IllegalArgumentException.class, () -> RunCommand.parseSeeds("one"));
  }

  @Test
  void afterCtrlCQueuedSeedsAreNotStartedAndLeaveNoRunDirectory(@TempDir Path dir)
      throws Exception {
    Path yaml = CliTest.write(dir, CliTest.TINY);
    Invocation invocation =
        new Invocation(PluginRegistry.discover(RunSeedsTest.class.getClassLoader()));
    List<ParallelRuns.Job> jobs = new ArrayList<>();
    Path runs = dir.resolve("runs");
    for (long seed = 1; seed <= 3; seed++) {
      jobs.add(
          ParallelRuns.Job.fresh(
              "seed " + seed,
              invocation,
              invocation.loader().load(yaml, List.of("seed=" + seed)),
              runs,
              List.of("engram", "run")));
    }
    invocation.stop().request(); // Ctrl-C before the queued runs' turn
    StringWriter err = new StringWriter();
    ParallelRuns.Result result =
        ParallelRuns.train(
            jobs,
            1,
            invocation,
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true));
    assertTrue(result.stopped());
    assertEquals(3, result.outcomes().size());
    for (RunCommand.Outcome o : result.outcomes()) {
      assertEquals(Main.INTERRUPTED, o.code());
      assertNull(o.run(), "no run directory for a run that never started");
    }
    assertFalse(Files.exists(runs) && !list(runs).isEmpty(), "no untrained run directories");
    assertEquals(3, err.toString().split("not started: stopped before its turn", -1).length - 1);
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      return children.sorted().toList();
    }
  }

  private static String config(Path run) {
    try {
      return Files.readString(run.resolve("config.resolved.yaml"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** metrics.csv without its wall_seconds column. */
  private static List<String> withoutWallTime(Path run) throws IOException {
    return Files.readAllLines(run.resolve("metrics.csv")).stream()
        .map(line -> line.replaceAll(",[^,]*$", ""))
        .toList();
  }
}
