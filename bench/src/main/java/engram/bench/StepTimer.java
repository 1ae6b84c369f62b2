package engram.bench;

import engram.core.step.StepObserver;

/**
 * The benchmark's stopwatch: records the phases of each step of one fixed-batch run, as the trainer
 * reports them. Pass {@link #stepEnded} as the run's after-step hook, so each step's phases land in
 * its own row. A step's total is the sum of its phases, which follow each other without gaps (see
 * {@link StepObserver}). One run, one thread.
 */
final class StepTimer implements StepObserver {
  private final long[][] nanos; // [step][phase ordinal]
  private int step;

  /** A timer for a run of {@code steps} steps. */
  StepTimer(int steps) {
    nanos = new long[steps][Phase.values().length];
  }

  @Override
  public void phaseEnded(Phase phase, long phaseNanos) {
    nanos[step][phase.ordinal()] += phaseNanos;
  }

  /** The after-step hook: the next phases belong to the next step. */
  void stepEnded(int index) {
    step = index + 1;
  }

  /** Wall time of step {@code s} in nanoseconds. */
  long total(int s) {
    long sum = 0;
    for (long n : nanos[s]) {
      sum += n;
    }
    return sum;
  }

  /** Wall time of the phase with ordinal {@code p} in step {@code s}, in nanoseconds. */
  long phase(int s, int p) {
    return nanos[s][p];
  }
}
