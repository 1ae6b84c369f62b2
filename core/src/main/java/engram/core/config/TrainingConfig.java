package engram.core.config;

import engram.api.config.Check;
import engram.api.config.Doc;

/** The training loop, section {@code training}. */
public record TrainingConfig(
    @Doc("Sequences per training batch, ≥ 1.") int batchSize,
    @Doc("Training steps (batches) per epoch; the curriculum decides after each epoch. ≥ 1.")
        int stepsPerEpoch,
    @Doc("Upper bound on the number of epochs, ≥ 1.") int maxEpochs,
    @Doc("Global L2 norm to which gradients are clipped, ≥ 0; 0 turns clipping off.") double clip,
    @Doc("The optimizer.") OptimizerConfig optimizer,
    @Doc(
            "Full-batch training: when > 0, every training step uses the task's whole set of"
                + " conditions, each repeated this many times (2 × 500 for delayed-cue in Dinc et"
                + " al. 2025), instead of batch-size sampled trials; the task must have a finite"
                + " set of conditions (delayed-cue, dmts). 0 = off. Evaluation still samples.")
        int fullBatchCopies) {

  public TrainingConfig {
    Check.atLeast("batch-size", batchSize, 1);
    Check.atLeast("steps-per-epoch", stepsPerEpoch, 1);
    Check.atLeast("max-epochs", maxEpochs, 1);
    Check.nonNegative("clip", clip);
    Check.notNull("optimizer", optimizer);
    Check.atLeast("full-batch-copies", fullBatchCopies, 0);
  }

  /** Sampled batches, no full batch (full-batch-copies 0). */
  public TrainingConfig(
      int batchSize, int stepsPerEpoch, int maxEpochs, double clip, OptimizerConfig optimizer) {
    this(batchSize, stepsPerEpoch, maxEpochs, clip, optimizer, 0);
  }

  public static TrainingConfig defaults() {
    return new TrainingConfig(64, 100, 200, 2.0, OptimizerConfig.defaults(), 0);
  }
}
