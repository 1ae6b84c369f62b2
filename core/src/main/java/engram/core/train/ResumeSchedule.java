package engram.core.train;

import engram.core.config.OutputConfig;

/**
 * When resume checkpoints are due ({@code output.resume-every}, {@code output.resume-minutes}):
 * after every K-th epoch, and after any step once M minutes (wall clock, {@link System#nanoTime})
 * have passed since the last one or since training (re)started. A state at the same step as the
 * last one written is never written twice.
 */
final class ResumeSchedule {
  private final int everyEpochs;
  private final long everyNanos;
  private final boolean enabled;
  private long lastWritten; // nanoTime of the last resume checkpoint, or of the start
  private long lastStep; // step of the last resume checkpoint, -1 for none

  ResumeSchedule(OutputConfig output, long lastStep) {
    this.everyEpochs = output.resumeEvery();
    this.everyNanos =
        output.resumeMinutes() > 0 ? (long) (output.resumeMinutes() * 60e9) : Long.MAX_VALUE;
    this.enabled = everyEpochs > 0 || everyNanos != Long.MAX_VALUE;
    this.lastWritten = System.nanoTime();
    this.lastStep = lastStep;
  }

  /** Whether epoch {@code epoch} (1-based, just ended) is due by the epoch schedule or the time. */
  boolean dueAfterEpoch(int epoch, long step) {
    return step != lastStep && ((everyEpochs > 0 && epoch % everyEpochs == 0) || timeIsUp());
  }

  /** Whether the time schedule is due after a step inside an epoch. */
  boolean dueAfterStep(long step) {
    return step != lastStep && timeIsUp();
  }

  /**
   * Whether a stop at {@code step} needs one: resume checkpoints are on (either schedule) and none
   * was written at this step.
   */
  boolean dueAtStop(long step) {
    return enabled && step != lastStep;
  }

  /** One was written at {@code step}. */
  void written(long step) {
    lastStep = step;
    lastWritten = System.nanoTime();
  }

  private boolean timeIsUp() {
    return everyNanos != Long.MAX_VALUE && System.nanoTime() - lastWritten >= everyNanos;
  }
}
