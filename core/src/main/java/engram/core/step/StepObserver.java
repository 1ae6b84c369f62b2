package engram.core.step;

/**
 * Receives the wall time of each phase of every training step the trainer takes, in {@link Phase}
 * order, for profiling and benchmarks ({@code engram bench} times steps with one). The trainer
 * calls it from its ordinary step code, during runs and on fixed batches alike, on the thread that
 * trains.
 *
 * <p>The phases of a step follow each other without gaps: each starts when the previous one ended
 * (the first when the step starts), so the times of one step add up to its wall time. A step that
 * stops early because its loss is not finite reports only the phases it finished. The time an
 * observer spends in {@link #phaseEnded} counts toward the next phase, so an observer should do no
 * more than record the number.
 *
 * <p>{@link #NONE} is the default: with it the trainer does not read the clock at all, so a run
 * that nobody observes takes exactly the code path it took before observers existed.
 */
@FunctionalInterface
public interface StepObserver {

  /** Observes nothing; the trainer skips its timing calls entirely when given this instance. */
  StepObserver NONE = (phase, nanos) -> {};

  /**
   * One phase of the current training step ended.
   *
   * @param phase which one
   * @param nanos its wall time in nanoseconds ({@link System#nanoTime()} differences, ≥ 0)
   */
  void phaseEnded(Phase phase, long nanos);

  /** The parts of a training step, in the order they run. */
  enum Phase {
    /** The batch as an array, h0, and the regularizers' perturbations of inputs and drive. */
    INPUTS,
    /** The network's forward pass. */
    FORWARD,
    /** Readout heads, loss and dL/dh, and the regularizers on the hidden states. */
    LOSS,
    /** BPTT through the network and the regularizers on the parameters. */
    BACKWARD,
    /** Gradient clipping, the optimizer update and the parameter constraints. */
    UPDATE
  }
}
