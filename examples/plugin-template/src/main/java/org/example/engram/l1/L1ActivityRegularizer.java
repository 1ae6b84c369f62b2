package org.example.engram.l1;

import engram.api.PluginInfo;
import engram.api.Regularizer;
import engram.api.config.Check;
import engram.api.config.Doc;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Activity L1: {@code λ · mean|h|} over every step, sequence and unit of the hidden trajectory
 * (n = T·B·H values). Its gradient {@code dL/dh = λ·sign(h)/n} (0 where h = 0, a subgradient) is
 * added to {@link Regularizer.HiddenInput#dLdh()}, as the SPI requires. Pushes units towards
 * sparse, silent activity. Stateless and thread-safe.
 */
public final class L1ActivityRegularizer implements Regularizer<L1ActivityRegularizer.Config> {

  /**
   * Configuration of the term.
   *
   * @param lambda strength λ, ≥ 0; 0 switches the term off
   */
  public record Config(@Doc("strength λ of λ·mean|h|, ≥ 0 (0 = off)") double lambda) {
    /** Checks the values; a message starts with the offending key. */
    public Config {
      Check.nonNegative("lambda", lambda);
    }
  }

  @Override
  public PluginInfo info() {
    return new PluginInfo("l1-activity", "Activity L1 penalty λ·mean|h|",
        "Adds lambda times the mean absolute hidden activity over all steps, sequences and units;"
            + " its gradient lambda*sign(h)/(T*B*H) goes into dL/dh.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(1e-4);
  }

  @Override
  public double onHidden(Config config, HiddenInput input) {
    if (config.lambda() == 0) {
      return 0;
    }
    INDArray hidden = input.hidden();
    double n = hidden.length();
    double sumAbs = hidden.norm1Number().doubleValue();
    // add, never overwrite: other terms and the task loss share dLdh
    input.dLdh().addi(Transforms.sign(hidden, true).muli(config.lambda() / n));
    return config.lambda() * sumAbs / n;
  }
}
