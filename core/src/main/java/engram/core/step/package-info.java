/**
 * Training steps seen from outside the trainer, for tools built on core such as {@code engram
 * bench}: the {@link engram.core.step.StepObserver} that receives the wall time of every step's
 * phases, and {@link engram.core.step.FixedBatchTrainer}, which runs a number of steps on one fixed
 * batch. Exported; core's other packages are not.
 */
package engram.core.step;
