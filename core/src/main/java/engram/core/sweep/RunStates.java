package engram.core.sweep;

import engram.core.run.Checkpoints;
import engram.core.run.ResumeCheckpoints;
import engram.core.run.RunDirectory;
import engram.core.run.RunLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The state of a sweep's run, read from its run directory alone (so it is right whichever executor,
 * machine or process wrote it): the newest directory {@code runs/<name>-<yyyyMMdd-HHmmss>[-k]} of
 * the entry decides.
 */
public final class RunStates {
  private RunStates() {}

  /** Where a run stands. */
  public enum State {
    /** No run directory yet: the run starts when the sweep runs. */
    PENDING,
    /**
     * A live process holds the run's {@code run.lock}, or the directory is under a minute old and
     * has no lock file yet (its process is still writing the config and provenance).
     */
    RUNNING,
    /** Stopped or killed after a resume checkpoint: the sweep resumes it. */
    STOPPED,
    /** Started, then killed before its first resume checkpoint: the sweep starts it again. */
    ABANDONED,
    /** Its last attempt logged an error (diverged, out of memory, a bug): reported, not retried. */
    FAILED,
    /** Trained to its end (curriculum finished or max epochs). */
    FINISHED;

    /** Lower case, as printed. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A run's state.
   *
   * @param state where it stands
   * @param run its newest run directory, or null when {@link State#PENDING}
   * @param detail what decided it, for {@code sweep status} (e.g. "epoch 12, step 1200" or the
   *     logged error), or "" when there is nothing to add
   */
  public record Status(State state, Path run, String detail) {}

  private static final String STAMP = "-\\d{8}-\\d{6}(?:-(\\d+))?";

  /** The state of {@code entry} in the sweep directory {@code sweep}. */
  public static Status of(Path sweep, SweepEntry entry) throws IOException {
    Path run = newest(sweep.resolve(SweepIndex.RUNS), RunDirectory.safeName(entry.name()));
    if (run == null) {
      return new Status(State.PENDING, null, "");
    }
    String holder = RunLock.heldBy(run);
    if (holder != null) {
      return new Status(State.RUNNING, run, holder);
    }
    if (!Files.exists(run.resolve(RunLock.FILE)) && young(run)) {
      // a process writes the config and provenance (hashing plugin jars) before it takes the lock
      return new Status(State.RUNNING, run, "starting");
    }
    String finished = finished(run);
    if (finished != null) {
      return new Status(State.FINISHED, run, finished);
    }
    String error = lastError(run.resolve(RunDirectory.LOG));
    if (error != null) {
      return new Status(State.FAILED, run, error);
    }
    String resumable = newestResume(run);
    if (resumable != null) {
      return new Status(State.STOPPED, run, resumable);
    }
    return new Status(State.ABANDONED, run, "no resume checkpoint yet");
  }

  /** How long a run directory without {@code run.lock} counts as starting rather than abandoned. */
  static final java.time.Duration STARTING = java.time.Duration.ofSeconds(60);

  private static boolean young(Path run) throws IOException {
    java.time.Instant changed = Files.getLastModifiedTime(run).toInstant();
    return changed.plus(STARTING).isAfter(java.time.Instant.now());
  }

  /** The newest run directory of {@code name} under {@code runs}, or null. */
  static Path newest(Path runs, String name) throws IOException {
    if (!Files.isDirectory(runs)) {
      return null;
    }
    Pattern own = Pattern.compile(Pattern.quote(name) + STAMP);
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(runs)) {
      for (Path child : children) {
        if (own.matcher(child.getFileName().toString()).matches() && Files.isDirectory(child)) {
          found.add(child);
        }
      }
    }
    // the stamp orders by time; a "-k" suffix orders runs of the same second
    return found.stream()
        .max(
            Comparator.comparing((Path p) -> stampOf(p, own))
                .thenComparingInt(p -> suffixOf(p, own)))
        .orElse(null);
  }

  private static String stampOf(Path p, Pattern own) {
    String s = p.getFileName().toString();
    Matcher m = own.matcher(s);
    m.matches();
    return m.group(1) == null ? s : s.substring(0, s.length() - m.group(1).length() - 1);
  }

  private static int suffixOf(Path p, Pattern own) {
    Matcher m = own.matcher(p.getFileName().toString());
    m.matches();
    return m.group(1) == null ? 1 : Integer.parseInt(m.group(1));
  }

  /**
   * "max_epochs at epoch 60, step 6000" when the run's final checkpoint was not written by a stop.
   */
  static String finished(Path run) {
    Path last = run.resolve(RunDirectory.CHECKPOINTS).resolve("final");
    if (!Files.isRegularFile(last.resolve(Checkpoints.INDEX))) {
      return null;
    }
    try {
      Checkpoints.Index index = Checkpoints.readIndex(last);
      Object reason = index.extra().get("reason");
      if (reason == null || "stopped".equals(reason)) {
        return null;
      }
      return reason + " at epoch " + index.epoch() + ", step " + index.step();
    } catch (IOException | RuntimeException e) {
      return null; // a damaged final: a resume rewrites it
    }
  }

  /**
   * The message of the last ERROR line of {@code run.log} after the run's last start or resume, or
   * null.
   */
  static String lastError(Path log) throws IOException {
    if (!Files.isRegularFile(log)) {
      return null;
    }
    String error = null;
    try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
      for (String line : (Iterable<String>) lines::iterator) {
        String[] parts = line.split(" ", 3);
        if (parts.length < 3) {
          continue;
        }
        if (parts[1].equals("ERROR")) {
          int dash = line.indexOf(" - ");
          error = dash < 0 ? line : line.substring(dash + 3);
        } else if (parts[1].equals("INFO") && START.matcher(line).find()) {
          error = null; // a later attempt: only its errors count
        }
      }
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    return error;
  }

  private static final Pattern START = Pattern.compile(" - Run .* (started: |resumed from )");

  /**
   * "resume checkpoint at epoch E, step S" of the newest resume checkpoint with an index, or null.
   */
  static String newestResume(Path run) throws IOException {
    Path dir = run.resolve(ResumeCheckpoints.DIRECTORY);
    if (!Files.isDirectory(dir)) {
      return null;
    }
    Checkpoints.Index best = null;
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, "resume-s*")) {
      for (Path child : children) {
        try {
          Checkpoints.Index index = Checkpoints.readIndex(child);
          if (best == null || index.step() > best.step()) {
            best = index;
          }
        } catch (IOException | RuntimeException e) {
          // incomplete: 'engram resume' names it when it skips it
        }
      }
    }
    return best == null
        ? null
        : "resume checkpoint at epoch " + best.epoch() + ", step " + best.step();
  }
}
