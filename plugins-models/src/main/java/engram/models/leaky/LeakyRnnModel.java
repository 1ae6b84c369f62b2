package engram.models.leaky;

import engram.api.Cell;
import engram.api.Model;
import engram.api.NetworkSpec;
import engram.api.PluginInfo;
import engram.api.SequenceKernel;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.kernels.Blas;
import engram.models.common.ConfigChecks;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The leaky RNN with one trainable timescale τ per neuron of Khajehabdollahi, Zeraati, Giannakakis,
 * Schäfer, Martius and Levina, "Emergent mechanisms for long timescales depend on training
 * curriculum and affect performance in memory tasks", ICLR 2024 (arXiv 2309.12927).
 *
 * <p>With τ̃ = max(τ, 1) per neuron, α = 1/τ̃, W the recurrent matrix with its diagonal held at 0
 * (no self-connections) and row vectors (one row per sequence):
 *
 * <pre>
 *   φ outside (the paper's):
 *     h_t = φ( (1−α)⊙h_{t−1} + α⊙(h_{t−1}·Wᵀ + b_rec + x_t·W_inᵀ + b_in + ξ_t) )
 *   φ inside:
 *     h_t = (1−α)⊙h_{t−1} + α⊙φ(h_{t−1}·Wᵀ + b_rec + x_t·W_inᵀ + b_in + ξ_t)
 * </pre>
 *
 * <p>ξ_t is the optional additive drive {@code [T, B, H]} of the three-argument {@code
 * Network.forward} (recurrent noise; 0 without one), treated as a constant by the backward pass.
 *
 * <p>φ is leaky-ReLU (slope 0.01, the paper's), ReLU or tanh. Because of the clamp, a τ below 1
 * gets zero gradient; above 1, dα/dτ = −1/τ².
 *
 * <p>Parameters (names as in checkpoints and gradient maps; H hidden units, I inputs): {@code w_in
 * [H, I]}, {@code b_in [H]}, {@code w_rec [H, H]}, {@code b_rec [H]}, {@code taus [H]}. Weights and
 * biases start like PyTorch's {@code Linear}: U(−1/√fan_in, 1/√fan_in) with fan_in = I for the
 * input and H for the recurrent layer; the diagonal of {@code w_rec} starts (and stays effectively)
 * at 0. τ starts U(tau-init-min, tau-init-max) when trainable; otherwise every neuron has {@code
 * fixed-tau} and {@code taus} is a non-trainable parameter. The initial state is h_0 =
 * h0-scale·U(0, 1) per unit and sequence.
 *
 * <p>Shapes: inputs {@code [T, B, I]}, h_0 {@code [B, H]}, hidden states {@code [T, B, H]}.
 *
 * <p><b>Extras.</b> {@link engram.api.Trajectory#extras()} holds {@code pre} {@code [T, B, H]}, the
 * argument of φ at every step: (1−α)⊙h_{t−1} + α⊙(h_{t−1}·Wᵀ + b_rec + x_t·W_inᵀ + b_in + ξ_t) for
 * φ outside, h_{t−1}·Wᵀ + b_rec + x_t·W_inᵀ + b_in + ξ_t for φ inside. It is differentiable ({@code
 * Network.differentiableExtras()} = {pre}): the four-argument {@code Network.backward} accepts
 * dL/dpre next to dL/dh (for regularizers on the pre-activations); any other name is an {@link
 * IllegalArgumentException}. Like the hidden states it is valid until the next forward call.
 */
public final class LeakyRnnModel implements Model<LeakyRnnModel.Config>, SequenceKernel.Provider {

  /** The pointwise nonlinearity φ. */
  public enum Nonlinearity {
    /** max(x, 0) + slope·min(x, 0). */
    LEAKY_RELU,
    /** max(x, 0). */
    RELU,
    /** tanh(x). */
    TANH
  }

  /** Where φ is applied relative to the leak. */
  public enum Phi {
    /** φ of the whole leaky update (the paper's model). */
    OUTSIDE,
    /** The leak mixes h_{t−1} with φ of the drive (the paper's robustness check). */
    INSIDE
  }

  /** How the recurrent weights start. */
  public enum RecurrentInit {
    /** U(−1/√H, 1/√H), like PyTorch's Linear (the timescales paper's model). */
    UNIFORM,
    /**
     * N(0, g²/H) off the diagonal (Sompolinsky et al. 1988; the rate RNNs of the geometry paper).
     */
    GAUSSIAN
  }

  /** Configuration of the leaky RNN (YAML keys are the kebab-case component names). */
  public record Config(
      @Doc("Number of hidden units H (count).") int hiddenSize,
      @Doc("Pointwise nonlinearity φ: leaky-relu (the paper's), relu or tanh.")
          Nonlinearity nonlinearity,
      @Doc("Slope of leaky-relu for negative arguments (dimensionless, ≥ 0); ignored otherwise.")
          double leakySlope,
      @Doc("Where φ is applied: outside the leak (the paper's model) or inside it.") Phi phi,
      @Doc(
              "Whether each neuron's timescale τ (in time steps) is trained; false fixes all at"
                  + " fixed-tau.")
          boolean trainTau,
      @Doc("Lower end of the uniform initial distribution of a trainable τ (time steps).")
          double tauInitMin,
      @Doc("Upper end of the uniform initial distribution of a trainable τ (time steps).")
          double tauInitMax,
      @Doc("The timescale of every neuron when train-tau is false (time steps, ≥ 1).")
          double fixedTau,
      @Doc("Scale of the random initial state h_0 = h0-scale·U(0, 1) per unit (activation units).")
          double h0Scale,
      @Doc(
              "Initial recurrent weights: uniform U(−1/√H, 1/√H) (PyTorch's, the timescales"
                  + " paper's) or gaussian N(0, gain²/H) (the classic rate-RNN init; gain > 1 is"
                  + " the chaotic regime).")
          RecurrentInit recurrentInit,
      @Doc(
              "Gain g of the gaussian recurrent init, W ~ N(0, g²/H) (dimensionless, ≥ 0); ignored"
                  + " for uniform.")
          double gain) {

    /** Validates every component; messages start with the kebab-case key. */
    public Config {
      Check.atLeast("hidden-size", hiddenSize, 1);
      Check.notNull("nonlinearity", nonlinearity);
      Check.nonNegative("leaky-slope", leakySlope);
      Check.notNull("phi", phi);
      ConfigChecks.tauInitRange(tauInitMin, tauInitMax);
      ConfigChecks.atLeast("fixed-tau", fixedTau, 1.0);
      Check.nonNegative("h0-scale", h0Scale);
      Check.notNull("recurrent-init", recurrentInit);
      Check.nonNegative("gain", gain);
    }

    /** The paper's settings: 500 units, leaky-ReLU outside the leak, trainable τ ~ U(1, 2). */
    public static Config defaults() {
      return new Config(
          500,
          Nonlinearity.LEAKY_RELU,
          0.01,
          Phi.OUTSIDE,
          true,
          1.0,
          2.0,
          1.0,
          0.1,
          RecurrentInit.UNIFORM,
          1.0);
    }
  }

  private static final PluginInfo INFO =
      new PluginInfo(
          "leaky-rnn",
          "Leaky RNN with per-neuron trainable timescales",
          "h_t = φ((1−α)⊙h_{t−1} + α⊙(W_rec·h_{t−1} + b_rec + W_in·x_t + b_in + ξ_t)) with"
              + " α = 1/max(τ, 1) per neuron, ξ_t an optional additive drive (recurrent noise, 0 by"
              + " default), no self-connections (diagonal of W_rec held at 0) and φ = leaky-ReLU;"
              + " φ may also be placed inside the leak. τ is trained per neuron (or fixed for all)."
              + " Khajehabdollahi et al., ICLR 2024, arXiv 2309.12927.");

  /** Does nothing: plugins are instantiated by discovery whether used or not. */
  public LeakyRnnModel() {}

  @Override
  public PluginInfo info() {
    return INFO;
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return Config.defaults();
  }

  @Override
  public Cell create(Config config, NetworkSpec spec, RandomGenerator rng) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(rng, "rng");
    return new LeakyRnnCell(config, spec, rng);
  }

  /**
   * The fused kernel ({@link LeakyRnnKernel}) on ND4J's CPU backend, for φ outside with leaky-ReLU
   * or ReLU (float32 and float64) and for φ inside in float32; tanh outside the leak and φ inside
   * in float64 run the cell step by step.
   */
  @Override
  public Optional<SequenceKernel> kernel(Cell cell) {
    if (!(cell instanceof LeakyRnnCell c) || !Blas.AVAILABLE) {
      return Optional.empty();
    }
    Config k = c.config();
    boolean outsideRelu = k.phi() == Phi.OUTSIDE && k.nonlinearity() != Nonlinearity.TANH;
    boolean insideFloat = k.phi() == Phi.INSIDE && c.dataType() == DataType.FLOAT;
    return outsideRelu || insideFloat
        ? Optional.of(new LeakyRnnKernel(c, c.inputSize()))
        : Optional.empty();
  }
}
