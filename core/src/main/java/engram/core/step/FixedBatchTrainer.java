package engram.core.step;

import engram.api.curriculum.Stage;
import engram.api.task.Batch;
import java.util.function.IntConsumer;

/**
 * Trains one experiment's network on a single fixed batch, with the trainer's own step code, for
 * measuring a training step apart from sampling, evaluation and the curriculum. Obtained from
 * {@link engram.core.cli.CommandContext#fixedBatchTrainer}, with the {@link StepObserver} that
 * receives the phases of its steps.
 */
@FunctionalInterface
public interface FixedBatchTrainer {

  /**
   * Initialises a fresh network and fresh readout heads from the experiment's seed, as a run does,
   * then takes {@code steps} ordinary training steps (inputs, forward, heads and loss,
   * regularizers, BPTT, clip, optimizer update) all on {@code batch} with the heads of {@code
   * stage}: no evaluation, no curriculum decision, no checkpoint; nothing is written. Each call
   * starts afresh (new network, new optimizer state); one call at a time per instance.
   *
   * @param batch the batch every step trains on; its input width must be the task's
   * @param stage the levels and heads the batch's targets are scored with
   * @param steps how many steps, ≥ 0
   * @param afterStep called after each step with its index (0-based), outside the step's phases
   * @throws RuntimeException when the loss stops being finite (the message names the step, the term
   *     that diverged and the fix)
   */
  void train(Batch batch, Stage stage, int steps, IntConsumer afterStep);
}
