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
 * fixed-tau} and {@code taus} is a non-trainable parameter. {@code recurrent-init} may instead draw
 * w_rec from N(0, g²/H) or Xavier-uniform U(±g·√(3/H)). The initial state is h_0 = h0-scale·U(0, 1)
 * per unit and sequence, or tanh(h0-scale·N(0, 1)) with {@code initial-state: tanh-normal}.
 *
 * <p>The rate RNN of Dinc et al. 2025 (arXiv 2501.02378), r_{t+1} = (1−α)r_t + α·tanh(W r_t + W_in
 * u_t + b), is {@code nonlinearity: tanh, phi: inside, train-tau: false, fixed-tau: 2} (α = ½),
 * {@code recurrent-init: xavier-uniform, gain: 1}, {@code initial-state: tanh-normal, h0-scale:
 * 0.1}, with private noise from the {@code noise-injection} regularizer's recurrent drive.
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
    GAUSSIAN,
    /**
     * Xavier (Glorot) uniform with gain g, U(−a, a) with a = g·√(6/(H + H)) = g·√(3/H), off the
     * diagonal: PyTorch's {@code xavier_uniform_}, the rate RNNs of Dinc et al. 2025 (arXiv
     * 2501.02378; their W has no zero diagonal, which this model always keeps).
     */
    XAVIER_UNIFORM
  }

  /** How a sequence's initial state h_0 is drawn, per unit and sequence, with s = h0-scale. */
  public enum InitialState {
    /** h_0 = s·U(0, 1) (the timescales paper's). */
    UNIFORM,
    /** h_0 = tanh(s·N(0, 1)), i.e. r_0 = tanh(N(0, s²)) of Dinc et al. 2025 (s = 0.1 to 0.3). */
    TANH_NORMAL
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
      @Doc(
              "Scale s of the random initial state: h_0 = s·U(0, 1) (initial-state uniform) or"
                  + " tanh(s·N(0, 1)) (tanh-normal), per unit and sequence (activation units).")
          double h0Scale,
      @Doc(
              "Initial recurrent weights: uniform U(−1/√H, 1/√H) (PyTorch's, the timescales"
                  + " paper's), gaussian N(0, gain²/H) (the classic rate-RNN init; gain > 1 is"
                  + " the chaotic regime) or xavier-uniform U(±gain·√(3/H)).")
          RecurrentInit recurrentInit,
      @Doc(
              "Gain g of the gaussian recurrent init, W ~ N(0, g²/H), or of xavier-uniform"
                  + " (dimensionless, ≥ 0); ignored for uniform.")
          double gain,
      @Doc(
              "Initial state h_0 per unit and sequence: uniform, h0-scale·U(0, 1) (the default),"
                  + " or tanh-normal, tanh(h0-scale·N(0, 1)).")
          InitialState initialState) {

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
      Check.notNull("initial-state", initialState);
    }

    /** The configuration with the uniform initial state h_0 = h0-scale·U(0, 1). */
    public Config(
        int hiddenSize,
        Nonlinearity nonlinearity,
        double leakySlope,
        Phi phi,
        boolean trainTau,
        double tauInitMin,
        double tauInitMax,
        double fixedTau,
        double h0Scale,
        RecurrentInit recurrentInit,
        double gain) {
      this(
          hiddenSize,
          nonlinearity,
          leakySlope,
          phi,
          trainTau,
          tauInitMin,
          tauInitMax,
          fixedTau,
          h0Scale,
          recurrentInit,
          gain,
          InitialState.UNIFORM);
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
          1.0,
          InitialState.UNIFORM);
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
