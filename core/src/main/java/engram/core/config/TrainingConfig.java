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
    @Doc("The optimizer.") OptimizerConfig optimizer) {

  public TrainingConfig {
    Check.atLeast("batch-size", batchSize, 1);
    Check.atLeast("steps-per-epoch", stepsPerEpoch, 1);
    Check.atLeast("max-epochs", maxEpochs, 1);
    Check.nonNegative("clip", clip);
    Check.notNull("optimizer", optimizer);
  }

  public static TrainingConfig defaults() {
    return new TrainingConfig(64, 100, 200, 2.0, OptimizerConfig.defaults());
  }
}
