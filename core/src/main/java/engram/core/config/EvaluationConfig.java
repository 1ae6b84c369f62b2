package engram.core.config;

import engram.api.config.Check;
import engram.api.config.Doc;

/** The evaluation after each epoch, section {@code evaluation}. */
public record EvaluationConfig(
    @Doc("Fresh batches sampled per evaluation, ≥ 1.") int batches,
    @Doc("Sequences per evaluation batch, ≥ 1.") int batchSize) {

  public EvaluationConfig {
    Check.atLeast("batches", batches, 1);
    Check.atLeast("batch-size", batchSize, 1);
  }

  public static EvaluationConfig defaults() {
    return new EvaluationConfig(50, 256);
  }
}
