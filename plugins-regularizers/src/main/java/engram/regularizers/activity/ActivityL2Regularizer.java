package engram.regularizers.activity;

import engram.api.PluginInfo;
import engram.api.Regularizer;
import engram.api.config.Check;
import engram.api.config.Doc;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Activity L2: {@code λ · mean(h²)} over every step, sequence and unit of the hidden trajectory.
 * Its gradient is {@code dL/dh = 2λ·h / (T·B·H)}. Keeps rates small, a common constraint in
 * neuroscience RNN models.
 */
public final class ActivityL2Regularizer implements Regularizer<ActivityL2Regularizer.Config> {

  /**
   * @param lambda strength λ of the term
   */
  public record Config(@Doc("strength λ of λ·mean(h²), ≥ 0") double lambda) {
    public Config {
      Check.nonNegative("lambda", lambda);
    }
  }

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        "activity-l2",
        "Activity L2 penalty λ·mean(h²)",
        "Adds λ times the mean squared hidden activity over all steps, sequences and units.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(1e-3);
  }

  @Override
  public double onHidden(Config config, HiddenInput input) {
    if (config.lambda() == 0) {
      return 0;
    }
    INDArray hidden = input.hidden();
    INDArray dLdh = input.dLdh();
    double n = hidden.length();
    double sumSquares = hidden.norm2Number().doubleValue();
    sumSquares *= sumSquares;
    dLdh.addi(hidden.mul(2 * config.lambda() / n));
    return config.lambda() * sumSquares / n;
  }
}
