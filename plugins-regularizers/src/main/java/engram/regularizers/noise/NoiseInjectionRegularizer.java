package engram.regularizers.noise;

import engram.api.PluginInfo;
import engram.api.Regularizer;
import engram.api.config.Check;
import engram.api.config.Doc;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Noise injection during training: Gaussian noise on the inputs, x_t ← x_t + σ_in·ε, and on every
 * unit's recurrent input, a drive ξ_t = σ_rec·ε' that the network adds next to W_in·x_t (for the
 * leaky rate RNN: r ← (1 − α)r + α·tanh(W r + W_in u + b + ξ), the "private noise" of rate-RNN
 * models). ε, ε' ~ N(0, 1) i.i.d. per step, sequence and channel/unit, drawn from the run's noise
 * stream. It adds no loss term (its column in metrics.csv stays 0). Evaluation is noise-free.
 * Recurrent noise needs a model that accepts a drive (leaky-rnn); others stop before the run with a
 * message.
 */
public final class NoiseInjectionRegularizer
    implements Regularizer<NoiseInjectionRegularizer.Config> {

  /**
   * @param inputStd σ_in
   * @param recurrentStd σ_rec
   */
  public record Config(
      @Doc(
              "standard deviation σ_in of Gaussian noise added to every input value (input units),"
                  + " ≥ 0")
          double inputStd,
      @Doc(
              "standard deviation σ_rec of Gaussian noise added to every unit's recurrent input at"
                  + " every step (units of the pre-activation), ≥ 0")
          double recurrentStd) {
    public Config {
      Check.nonNegative("input-std", inputStd);
      Check.nonNegative("recurrent-std", recurrentStd);
    }
  }

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        "noise-injection",
        "Gaussian noise on inputs and recurrent inputs",
        "During training, adds N(0, input-std²) to every input value and N(0, recurrent-std²) to"
            + " every unit's recurrent input at every step (private noise of rate RNNs).");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(0.0, 0.1);
  }

  @Override
  public INDArray perturb(Config config, PerturbationInput input) {
    RandomGenerator rng = input.rng();
    INDArray x = input.inputs();
    if (config.inputStd() > 0) {
      x.addi(gaussian(rng, config.inputStd(), x.shape(), x));
    }
    if (config.recurrentStd() == 0) {
      return null;
    }
    return gaussian(
        rng, config.recurrentStd(), new long[] {x.size(0), x.size(1), input.hiddenSize()}, x);
  }

  private static INDArray gaussian(RandomGenerator rng, double std, long[] shape, INDArray like) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    double[] values = new double[Math.toIntExact(n)];
    for (int i = 0; i < values.length; i++) {
      values[i] = std * rng.nextGaussian();
    }
    return Nd4j.create(values, shape, like.dataType());
  }
}
