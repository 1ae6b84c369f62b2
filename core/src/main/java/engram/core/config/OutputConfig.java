package engram.core.config;

import engram.api.config.Check;
import engram.api.config.Doc;
import java.util.Locale;

/**
 * Where results go and when checkpoints are written, section {@code output}. Checkpoints are always
 * written at every curriculum advance and at the end; {@code checkpoint-every} and {@code
 * checkpoint-log-spaced} add a schedule by epoch, {@code checkpoint-steps} one by optimizer step
 * (for geometry analyses over training, which need states before, during and after an abrupt drop
 * of the loss). {@code trace-every} writes {@code trace.csv}, one row per that many steps.
 *
 * <p>{@code resume-every}, {@code resume-minutes} and {@code resume-keep} schedule the resume
 * checkpoints ({@code resume/} of the run directory) from which {@code engram resume} continues a
 * stopped or killed run exactly: one after every {@code resume-every}-th epoch, and one after any
 * step once {@code resume-minutes} have passed since the last one (so {@code kill -9} loses at most
 * the smaller of the two intervals), and one when the run is stopped (Ctrl-C, SIGTERM); after each,
 * all but the newest {@code resume-keep} are deleted.
 */
public record OutputConfig(
    @Doc(
            "Directory in which run directories are created; relative paths are resolved against"
                + " the working directory.")
        String runsDir,
    @Doc(
            "Also write a checkpoint every this many epochs (an epoch is training.steps-per-epoch"
                + " steps, then an evaluation); 0 = off.")
        int checkpointEvery,
    @Doc("Also write checkpoints at log-spaced epochs 1, 2, 4, 8, ...") boolean checkpointLogSpaced,
    @Doc(
            "Write trace.csv (step, epoch, level, loss, accuracy, grad_norm_rec, weight_norm_rec"
                + " of the training batch) every this many optimizer steps; 0 = off.")
        int traceEvery,
    @Doc(
            "Also write checkpoints at optimizer steps: 'every:K' (steps K, 2K, ...), 'log:N' (N"
                + " log-spaced steps per decade: 1, ..., 10, ..., 100, ...), both joined by a"
                + " comma, or '' (off). Named step-<8 digits>.")
        String checkpointSteps,
    @Doc(
            "Write a resume checkpoint (resume/, for 'engram resume') after every this many"
                + " epochs; 0 = not by epoch.")
        int resumeEvery,
    @Doc(
            "Also write a resume checkpoint after any training step once this many minutes have"
                + " passed since the last one (or the start); 0 = not by time.")
        double resumeMinutes,
    @Doc(
            "Resume checkpoints to keep: after one is written, all but the newest this many are"
                + " deleted; ≥ 1.")
        int resumeKeep) {
  /** Default of {@code resume-every}. */
  public static final int RESUME_EVERY = 10;

  /** Default of {@code resume-minutes}. */
  public static final double RESUME_MINUTES = 10;

  /** Default of {@code resume-keep}. */
  public static final int RESUME_KEEP = 2;

  public OutputConfig {
    if (runsDir == null || runsDir.isBlank()) {
      throw new IllegalArgumentException(
          "runs-dir must be a non-empty path (was '" + runsDir + "')");
    }
    Check.atLeast("checkpoint-every", checkpointEvery, 0);
    Check.atLeast("trace-every", traceEvery, 0);
    checkpointSteps = checkpointSteps == null ? "" : checkpointSteps.trim();
    StepSchedule.parse(checkpointSteps); // fails with a message that starts with the key
    Check.atLeast("resume-every", resumeEvery, 0);
    if (!(resumeMinutes >= 0 && resumeMinutes < 1e9)) {
      throw new IllegalArgumentException(
          "resume-minutes must be ≥ 0 (0 = off; was " + resumeMinutes + ")");
    }
    Check.atLeast("resume-keep", resumeKeep, 1);
  }

  /** Resume checkpoints every {@value #RESUME_EVERY} epochs and every 10 minutes, newest 2 kept. */
  public OutputConfig(
      String runsDir,
      int checkpointEvery,
      boolean checkpointLogSpaced,
      int traceEvery,
      String checkpointSteps) {
    this(
        runsDir,
        checkpointEvery,
        checkpointLogSpaced,
        traceEvery,
        checkpointSteps,
        RESUME_EVERY,
        RESUME_MINUTES,
        RESUME_KEEP);
  }

  /** No trace, no checkpoints by step, and the default resume schedule. */
  public OutputConfig(String runsDir, int checkpointEvery, boolean checkpointLogSpaced) {
    this(runsDir, checkpointEvery, checkpointLogSpaced, 0, "");
  }

  public static OutputConfig defaults() {
    return new OutputConfig("runs", 0, false, 0, "");
  }

  /** This output without resume checkpoints (a copy retrained in memory has nothing to resume). */
  public OutputConfig withoutResume() {
    return new OutputConfig(
        runsDir,
        checkpointEvery,
        checkpointLogSpaced,
        traceEvery,
        checkpointSteps,
        0,
        0,
        resumeKeep);
  }

  /** Whether the schedule asks for a checkpoint after this (1-based) epoch. */
  public boolean scheduled(int epoch) {
    return (checkpointEvery > 0 && epoch % checkpointEvery == 0)
        || (checkpointLogSpaced && Integer.bitCount(epoch) == 1);
  }

  /** The schedule of {@code checkpoint-steps}. */
  public StepSchedule stepSchedule() {
    return StepSchedule.parse(checkpointSteps);
  }

  /**
   * Optimizer steps (1-based) at which checkpoints are due: every K steps and/or N log-spaced steps
   * per decade, the step ⌊10^(i/N) + ½⌋ for i = 0, 1, ... (duplicates at small steps fall
   * together).
   *
   * @param every K ≥ 1, or 0 for none
   * @param perDecade N ≥ 1, or 0 for none
   */
  public record StepSchedule(long every, int perDecade) {
    /** Parses {@code ''}, {@code every:K}, {@code log:N} or both joined by a comma. */
    static StepSchedule parse(String text) {
      long every = 0;
      int perDecade = 0;
      if (text.isEmpty()) {
        return new StepSchedule(0, 0);
      }
      for (String part : text.split(",")) {
        String p = part.trim().toLowerCase(Locale.ROOT);
        try {
          if (p.startsWith("every:") && every == 0) {
            every = Long.parseLong(p.substring(6).trim());
            if (every < 1) {
              throw new NumberFormatException();
            }
            continue;
          }
          if (p.startsWith("log:") && perDecade == 0) {
            perDecade = Integer.parseInt(p.substring(4).trim());
            if (perDecade < 1 || perDecade > 1000) {
              throw new NumberFormatException();
            }
            continue;
          }
        } catch (NumberFormatException e) {
          // the message below
        }
        throw new IllegalArgumentException(
            "checkpoint-steps must be 'every:K' (K ≥ 1), 'log:N' (1 ≤ N ≤ 1000), both joined by"
                + " a comma, or '' (was '"
                + text
                + "')");
      }
      return new StepSchedule(every, perDecade);
    }

    /** Whether a checkpoint is due after optimizer step {@code step} (1-based). */
    public boolean due(long step) {
      if (every > 0 && step % every == 0) {
        return true;
      }
      if (perDecade == 0 || step < 1) {
        return false;
      }
      // step is on the grid when some i has round(10^(i/N)) == step; i ≈ N·log10(step)
      long i = Math.round(perDecade * Math.log10(step));
      for (long j = Math.max(0, i - 1); j <= i + 1; j++) {
        if (Math.round(Math.pow(10, (double) j / perDecade)) == step) {
          return true;
        }
      }
      return false;
    }
  }
}
