package engram.core.config;

import engram.api.config.Check;
import engram.api.config.Doc;

/**
 * The optimizer, section {@code training.optimizer}. SGD uses {@code lr}, {@code momentum} and
 * {@code nesterov}; Adam uses {@code lr}, {@code beta1}, {@code beta2} and {@code epsilon}.
 */
public record OptimizerConfig(
    @Doc("Optimizer: sgd or adam.") OptimizerType type,
    @Doc("Learning rate, > 0.") double lr,
    @Doc("SGD momentum coefficient in [0, 1); 0 = plain SGD.") double momentum,
    @Doc("SGD: use Nesterov momentum instead of classical momentum.") boolean nesterov,
    @Doc("Adam: decay rate of the first-moment estimate, in [0, 1).") double beta1,
    @Doc("Adam: decay rate of the second-moment estimate, in [0, 1).") double beta2,
    @Doc("Adam: term added to the denominator for numerical stability, > 0.") double epsilon) {

  public OptimizerConfig {
    Check.notNull("type", type);
    Check.positive("lr", lr);
    unitInterval("momentum", momentum);
    unitInterval("beta1", beta1);
    unitInterval("beta2", beta2);
    Check.positive("epsilon", epsilon);
  }

  public static OptimizerConfig defaults() {
    return new OptimizerConfig(OptimizerType.SGD, 0.05, 0.1, true, 0.9, 0.999, 1.0e-8);
  }

  private static void unitInterval(String key, double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(key + " must be in [0, 1) (was " + value + ")");
    }
  }
}
