package engram.core.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * The directory of one run, {@code <runs-root>/<name>-<yyyyMMdd-HHmmss>} (UTC), holding {@code
 * config.resolved.yaml}, {@code provenance.json}, {@code metrics.csv}, {@code run.log} and {@code
 * checkpoints/}. A run directory is created fresh, never reused; files in it are written once and
 * never overwritten.
 */
public final class RunDirectory {
  /** File names inside a run directory. */
  public static final String CONFIG = "config.resolved.yaml";

  public static final String PROVENANCE = "provenance.json";
  public static final String METRICS = "metrics.csv";
  public static final String LOG = "run.log";
  public static final String CHECKPOINTS = "checkpoints";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final int MAX_ATTEMPTS = 10_000;

  private final Path path;

  private RunDirectory(Path path) {
    this.path = path;
  }

  /**
   * Creates a new run directory and its {@code checkpoints/}. If {@code <name>-<stamp>} exists, the
   * next free of {@code -2}, {@code -3}, ... is taken; an existing directory is never reused.
   *
   * @param runsRoot parent directory, created if missing
   * @param name experiment name; characters other than letters, digits, '.', '_' and '-' become '-'
   * @param now start time, formatted in UTC
   */
  public static RunDirectory create(Path runsRoot, String name, Instant now) throws IOException {
    Objects.requireNonNull(runsRoot, "runsRoot");
    Objects.requireNonNull(now, "now");
    String base = safeName(name) + "-" + STAMP.format(now);
    Files.createDirectories(runsRoot);
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Path candidate = runsRoot.resolve(attempt == 1 ? base : base + "-" + attempt);
      try {
        Files.createDirectory(candidate);
      } catch (FileAlreadyExistsException e) {
        continue;
      }
      Files.createDirectory(candidate.resolve(CHECKPOINTS));
      return new RunDirectory(candidate);
    }
    throw new IOException(
        "cannot create a run directory: "
            + runsRoot.resolve(base)
            + " and "
            + MAX_ATTEMPTS
            + " numbered variants exist");
  }

  /**
   * Creates {@code parent/base}, or the first free of {@code base-2}, {@code base-3}, ...: a new,
   * empty directory that nothing else has written to (analysis results, comparisons, reports).
   */
  public static Path fresh(Path parent, String base) throws IOException {
    Files.createDirectories(parent);
    for (int k = 1; k <= MAX_ATTEMPTS; k++) {
      Path candidate = parent.resolve(k == 1 ? base : base + "-" + k);
      try {
        return Files.createDirectory(candidate);
      } catch (FileAlreadyExistsException e) {
        // taken: try the next suffix
      }
    }
    throw new IOException(
        "cannot create "
            + parent.resolve(base)
            + ": it and "
            + MAX_ATTEMPTS
            + " numbered variants exist");
  }

  /**
   * Removes {@code dir} if it exists and is empty (an output directory a failed step never wrote
   * to); anything else is left alone.
   */
  public static void deleteIfEmpty(Path dir) {
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    try (var children = Files.list(dir)) {
      if (children.findAny().isEmpty()) {
        Files.delete(dir);
      }
    } catch (IOException ignored) {
      // leaving an empty directory behind is harmless
    }
  }

  /** {@code <name>-<yyyyMMdd-HHmmss>} in UTC, as run directories are named. */
  public static String stamped(String name, Instant now) {
    return safeName(name) + "-" + STAMP.format(now);
  }

  /** An existing run directory (for analysis, reproduce, diff); it must be a directory. */
  public static RunDirectory open(Path existing) throws IOException {
    if (!Files.isDirectory(existing)) {
      throw new IOException("not a run directory: " + existing);
    }
    return new RunDirectory(existing);
  }

  /** {@code name} with characters other than letters, digits, '.', '_' and '-' as '-'. */
  public static String safeName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("run name must not be blank");
    }
    String safe = name.strip().replaceAll("[^A-Za-z0-9._-]", "-");
    return safe.startsWith(".") ? "-" + safe.substring(1) : safe;
  }

  /** The directory. */
  public Path path() {
    return path;
  }

  /** {@code checkpoints/}. */
  public Path checkpoints() {
    return path.resolve(CHECKPOINTS);
  }

  /** {@code run.log}. */
  public Path logFile() {
    return path.resolve(LOG);
  }

  /** {@code metrics.csv}. */
  public Path metricsFile() {
    return path.resolve(METRICS);
  }

  /** {@code trace.csv} beside {@code metrics.csv} ({@link engram.api.table.TrainingTrace}). */
  public Path traceFile() {
    return path.resolve(engram.api.table.TrainingTrace.FILE);
  }

  /**
   * A path inside the run directory.
   *
   * @throws IllegalArgumentException if {@code file} is absolute or leaves the directory
   */
  public Path resolve(String file) {
    Path resolved = path.resolve(file).normalize();
    if (Path.of(file).isAbsolute()
        || !resolved.startsWith(path.normalize())
        || resolved.equals(path.normalize())) {
      throw new IllegalArgumentException("'" + file + "' is not a file inside " + path);
    }
    return resolved;
  }

  /**
   * Writes a new UTF-8 text file (parent directories are created).
   *
   * @throws FileAlreadyExistsException if the file exists: nothing is ever overwritten
   */
  public Path writeNew(String file, String content) throws IOException {
    Path target = resolve(file);
    Files.createDirectories(target.getParent());
    Files.writeString(
        target,
        content,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    return target;
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
