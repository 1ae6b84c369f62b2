package engram.models.gru;

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
 * The gated recurrent unit of Cho et al., "Learning Phrase Representations using RNN
 * Encoder–Decoder for Statistical Machine Translation", EMNLP 2014 (arXiv 1406.1078), exactly as
 * PyTorch's {@code torch.nn.GRU} computes it, with an optional per-neuron trainable timescale.
 *
 * <p>Row vectors (one row per sequence), σ the logistic function:
 *
 * <pre>
 *   r_t = σ(x_t·W_irᵀ + b_ir + h_{t−1}·W_hrᵀ + b_hr)
 *   z_t = σ(x_t·W_izᵀ + b_iz + h_{t−1}·W_hzᵀ + b_hz)
 *   n_t = tanh(x_t·W_inᵀ + b_in + r_t ⊙ (h_{t−1}·W_hnᵀ + b_hn))
 *   cell(h_{t−1}, x_t) = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
 *   h_t = cell(h_{t−1}, x_t)                                  (tau-leak false, the default)
 *   h_t = (1 − α) ⊙ h_{t−1} + α ⊙ cell(h_{t−1}, x_t)          (tau-leak true), α = 1/max(τ, 1)
 * </pre>
 *
 * <p>As in PyTorch (and unlike Cho et al.'s original), the reset gate multiplies the recurrent
 * product after the matrix product, and b_hn sits inside that product. With the leak, a τ below 1
 * is clamped to 1 and gets zero gradient; at τ = 1 the gradient passes (as {@code torch.clamp}).
 *
 * <p>Parameters (names as in checkpoints and gradient maps; H hidden units, I inputs), named and
 * shaped like PyTorch's {@code weight_ih_l0}, {@code weight_hh_l0}, {@code bias_ih_l0}, {@code
 * bias_hh_l0}, with row blocks in the order r, z, n: {@code w_ih [3H, I]}, {@code w_hh [3H, H]},
 * {@code b_ih [3H]}, {@code b_hh [3H]}, and with tau-leak also {@code taus [H]} (trainable unless
 * train-tau is false; then every τ is fixed-tau and the parameter is not trainable). With tau-leak
 * false there is no {@code taus} at all. All four weight tensors start U(−1/√H, 1/√H), PyTorch's
 * default; τ starts U(tau-init-min, tau-init-max). The initial state is 0 (PyTorch's default) or,
 * with initial-state random, h0-scale·U(0, 1) per unit and sequence.
 *
 * <p>Shapes: inputs {@code [T, B, I]}, h_0 {@code [B, H]}, hidden states {@code [T, B, H]}. The
 * trajectory's {@link engram.api.Trajectory#extras() extras} are the gate activations {@code r},
 * {@code z} and {@code n} at every step, each {@code [T, B, H]}; none is differentiable. The GRU
 * takes no recurrent drive.
 *
 * <p>{@link #create} returns the cell ({@link GruCell}: one step and its VJP in plain ND4J, the
 * reference). For float32 cells on ND4J's CPU backend {@link #kernel} offers {@link GruKernel}
 * ({@code gru/fused}: direct OpenBLAS products and fused Java loops over the whole sequence);
 * float64 and other backends run the cell step by step.
 */
public final class GruModel implements Model<GruModel.Config>, SequenceKernel.Provider {

  /** How h_0 is drawn. */
  public enum InitialState {
    /** h_0 = 0 (PyTorch's default). */
    ZERO,
    /** h_0 = h0-scale·U(0, 1) per unit and sequence. */
    RANDOM
  }

  /** Configuration of the GRU (YAML keys are the kebab-case component names). */
  public record Config(
      @Doc("Number of hidden units H (count).") int hiddenSize,
      @Doc(
              "Whether the hidden state leaks with a per-neuron timescale τ (time steps): h_t = (1"
                  + " − α)·h_{t−1} + α·cell, α = 1/max(τ, 1); false is PyTorch's plain GRU.")
          boolean tauLeak,
      @Doc(
              "Lower end of the uniform initial distribution of a trainable τ (time steps);"
                  + " used with tau-leak only.")
          double tauInitMin,
      @Doc(
              "Upper end of the uniform initial distribution of a trainable τ (time steps);"
                  + " used with tau-leak only.")
          double tauInitMax,
      @Doc(
              "Whether each neuron's τ (time steps) is trained when tau-leak is on;"
                  + " false fixes all at fixed-tau.")
          boolean trainTau,
      @Doc(
              "The timescale of every neuron when tau-leak is on and train-tau is false"
                  + " (time steps, ≥ 1).")
          double fixedTau,
      @Doc(
              "Initial hidden state h_0: zero (PyTorch's default) or random, h0-scale·U(0, 1)"
                  + " per unit (activation units).")
          InitialState initialState,
      @Doc(
              "Scale of the random initial state h_0 = h0-scale·U(0, 1) per unit (activation"
                  + " units); used with initial-state random only.")
          double h0Scale) {

    /** Validates every component; messages start with the kebab-case key. */
    public Config {
      Check.atLeast("hidden-size", hiddenSize, 1);
      ConfigChecks.tauInitRange(tauInitMin, tauInitMax);
      ConfigChecks.atLeast("fixed-tau", fixedTau, 1.0);
      Check.notNull("initial-state", initialState);
      Check.nonNegative("h0-scale", h0Scale);
    }

    /**
     * The timescales paper's GRU: 500 units, the plain cell (no leak; if the leak is switched on, τ
     * is trainable and starts U(1, 2)) and a zero initial state.
     */
    public static Config defaults() {
      return new Config(500, false, 1.0, 2.0, true, 1.0, InitialState.ZERO, 0.1);
    }
  }

  private static final PluginInfo INFO =
      new PluginInfo(
          "gru",
          "Gated recurrent unit (PyTorch's nn.GRU), optionally with per-neuron timescales",
          "r_t = σ(W_ir·x_t + b_ir + W_hr·h_{t−1} + b_hr), z_t = σ(W_iz·x_t + b_iz + W_hz·h_{t−1}"
              + " + b_hz), n_t = tanh(W_in·x_t + b_in + r_t⊙(W_hn·h_{t−1} + b_hn)),"
              + " h_t = (1 − z_t)⊙n_t + z_t⊙h_{t−1}: the GRU of Cho et al. 2014 (arXiv 1406.1078)"
              + " in PyTorch's nn.GRU conventions (reset gate after the recurrent product;"
              + " parameters w_ih, w_hh, b_ih, b_hh with row blocks r, z, n; U(−1/√H, 1/√H) init;"
              + " h_0 = 0). Optional per-neuron leak h_t = (1 − α)⊙h_{t−1} + α⊙cell with"
              + " α = 1/max(τ, 1) and trainable τ, off by default.");

  /** Does nothing: plugins are instantiated by discovery whether used or not. */
  public GruModel() {}

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
    return new GruCell(config, spec, rng);
  }

  /**
   * The fused kernel ({@link GruKernel}) for a float32 GRU cell on ND4J's CPU backend, with or
   * without the leak; empty for float64 (or another backend), which runs the cell step by step.
   */
  @Override
  public Optional<SequenceKernel> kernel(Cell cell) {
    if (cell instanceof GruCell gru && gru.dataType() == DataType.FLOAT && Blas.AVAILABLE) {
      return Optional.of(new GruKernel(gru));
    }
    return Optional.empty();
  }
}
