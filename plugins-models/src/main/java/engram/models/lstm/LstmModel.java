package engram.models.lstm;

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
 * The long short-term memory cell of Hochreiter and Schmidhuber, "Long short-term memory", Neural
 * Computation 9(8), 1997, in the form and with the conventions of PyTorch's {@code nn.LSTM} (forget
 * gate, no peepholes, two bias vectors), with an optional per-neuron trainable τ leak on the hidden
 * state.
 *
 * <p>With row vectors (one row per sequence), σ the logistic function and ⊙ the elementwise
 * product:
 *
 * <pre>
 *   i_t = σ(x_t·W_iiᵀ + b_ii + h_{t−1}·W_hiᵀ + b_hi)      input gate
 *   f_t = σ(x_t·W_ifᵀ + b_if + h_{t−1}·W_hfᵀ + b_hf)      forget gate
 *   g_t = tanh(x_t·W_igᵀ + b_ig + h_{t−1}·W_hgᵀ + b_hg)   candidate
 *   o_t = σ(x_t·W_ioᵀ + b_io + h_{t−1}·W_hoᵀ + b_ho)      output gate
 *   c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
 *   h'_t = o_t ⊙ tanh(c_t)
 *   h_t = h'_t                                   (tau-leak: false, the default: exactly nn.LSTM)
 *   h_t = (1 − α) ⊙ h_{t−1} + α ⊙ h'_t,  α = 1/max(τ, 1) per neuron   (tau-leak: true)
 * </pre>
 *
 * <p><b>Parameters</b> (names as in checkpoints and gradient maps; H hidden units, I inputs), named
 * and laid out like PyTorch's {@code weight_ih_l0}, {@code weight_hh_l0}, {@code bias_ih_l0},
 * {@code bias_hh_l0}, with the row blocks in PyTorch's order i, f, g, o: {@code w_ih [4H, I]},
 * {@code w_hh [4H, H]}, {@code b_ih [4H]}, {@code b_hh [4H]}, and with the leak only, {@code taus
 * [H]}. All four start U(−1/√H, 1/√H), as in PyTorch. A checkpoint of this model therefore loads
 * into {@code torch.nn.LSTM(I, H)} by renaming the tensors (the two biases are kept separate, as
 * PyTorch keeps them, although only their sum matters; their gradients are equal).
 *
 * <p><b>The τ leak acts on h only.</b> The spec's formula leaks the hidden state, h_t = (1 −
 * 1/τ̃)·h_{t−1} + (1/τ̃)·cell(h_{t−1}, x_t). The cell state c already has a learned,
 * input-dependent leak, the forget gate (c_t = f_t ⊙ c_{t−1} + …); leaking c as well would give τ
 * and f two knobs for the same thing and would muddy the forget-gate timescale τ_forget = 1/(1 −
 * ⟨f_t⟩) that analyses read off the LSTM. So the c recursion is the plain LSTM's with or without
 * the leak, and τ only slows down what the rest of the network (and the readout) sees. As in the
 * leaky RNN, τ̃ = max(τ, 1): a τ below 1 gets zero gradient; at τ = 1 the gradient passes (as
 * {@code torch.clamp} does). With {@code train-tau: false} every neuron has {@code fixed-tau} and
 * {@code taus} is a non-trainable parameter; a trainable τ starts U(tau-init-min, tau-init-max).
 * With the leak off (the default) there is no {@code taus} parameter at all.
 *
 * <p><b>State.</b> The cell's state is s = [h | c] ({@code [B, 2H]}: the hidden state, which
 * readout heads see, then the cell state). Its initial state has {@code initial-state: zero} (the
 * spec's, the default) h_0 = 0 or with {@code random} h_0 = h0-scale·U(0, 1) per unit and sequence,
 * and always c_0 = 0; a forward pass accepts any s_0, a non-zero c_0 included. Ablating a unit
 * holds both its h and its c at 0.
 *
 * <p><b>Extras.</b> {@link engram.api.Trajectory#extras()} holds, each {@code [T, B, H]}: {@code c}
 * (cell states c_1 … c_T) and the gate activations {@code i}, {@code f}, {@code g}, {@code o} used
 * at every step — everything an analyzer needs for the single-unit timescale τ_forget = 1/(1 −
 * ⟨f_t⟩) of the timescales spec (mean of f over steps and sequences, per unit). Like the
 * trajectory, they are valid until the next forward call. None of them is differentiable.
 *
 * <p><b>Implementations.</b> {@link #create} returns the cell ({@code LstmCell}: one step and its
 * VJP in plain ND4J, the reference); in float32 on ND4J's CPU backend {@link #kernel} adds the
 * fused whole-sequence kernel {@code lstm/fused} ({@code LstmKernel}), tested against the cell.
 *
 * <p>Shapes: inputs {@code [T, B, I]}, s_0 {@code [B, 2H]}, hidden states {@code [T, B, H]}.
 */
public final class LstmModel implements Model<LstmModel.Config>, SequenceKernel.Provider {

  /** How the hidden state h_0 of every sequence is chosen. */
  public enum InitialState {
    /** h_0 = 0 (the spec's setting for the LSTM). */
    ZERO,
    /** h_0 = h0-scale·U(0, 1) per unit and sequence. */
    RANDOM
  }

  /** Configuration of the LSTM (YAML keys are the kebab-case component names). */
  public record Config(
      @Doc("Number of hidden units H (count); the cell state has H units too.") int hiddenSize,
      @Doc(
              "Whether the hidden state gets a per-neuron τ leak h = (1−1/τ)·h_prev + (1/τ)·cell"
                  + " (h only, not c); false is plain nn.LSTM.")
          boolean tauLeak,
      @Doc(
              "Lower end of the uniform initial distribution of a trainable τ (time steps); used"
                  + " only with tau-leak.")
          double tauInitMin,
      @Doc(
              "Upper end of the uniform initial distribution of a trainable τ (time steps); used"
                  + " only with tau-leak.")
          double tauInitMax,
      @Doc(
              "Whether each neuron's τ (time steps) is trained when tau-leak is on; false fixes all"
                  + " at fixed-tau.")
          boolean trainTau,
      @Doc(
              "The τ of every neuron when tau-leak is on and train-tau is false (time steps, ≥ 1; 1"
                  + " means no leak).")
          double fixedTau,
      @Doc(
              "Initial hidden state h_0: zero (the spec's) or random = h0-scale·U(0, 1); the"
                  + " initial cell state c_0 is 0.")
          InitialState initialState,
      @Doc(
              "Scale of the random initial state h_0 = h0-scale·U(0, 1) per unit (activation"
                  + " units); used only with initial-state: random.")
          double h0Scale) {

    /** Validates every component; messages start with the kebab-case key. */
    public Config {
      Check.atLeast("hidden-size", hiddenSize, 1);
      ConfigChecks.tauInitRange(tauInitMin, tauInitMax);
      ConfigChecks.atLeast("fixed-tau", fixedTau, 1.0);
      Check.notNull("initial-state", initialState);
      Check.nonNegative("h0-scale", h0Scale);
    }

    /** The spec's LSTM: 500 units, zero initial state, no τ leak (τ options as the leaky RNN's). */
    public static Config defaults() {
      return new Config(500, false, 1.0, 2.0, true, 1.0, InitialState.ZERO, 0.1);
    }
  }

  private static final PluginInfo INFO =
      new PluginInfo(
          "lstm",
          "LSTM (PyTorch nn.LSTM conventions) with an optional per-neuron τ leak",
          "i, f, o = σ(x·W_i*ᵀ + b_i* + h·W_h*ᵀ + b_h*), g = tanh(…), c_t = f⊙c_{t−1} + i⊙g,"
              + " h_t = o⊙tanh(c_t); parameters w_ih [4H, I], w_hh [4H, H], b_ih, b_hh [4H] with"
              + " row blocks i, f, g, o as in PyTorch's nn.LSTM, init U(−1/√H, 1/√H). Optionally"
              + " h_t = (1−α)⊙h_{t−1} + α⊙h'_t with α = 1/max(τ, 1) trained per neuron (the leak"
              + " acts on h, never on c). Extras: c and the gates i, f, g, o per step, for the"
              + " forget-gate timescale τ_forget = 1/(1 − ⟨f⟩). Hochreiter & Schmidhuber, Neural"
              + " Computation 1997.");

  /** Does nothing: plugins are instantiated by discovery whether used or not. */
  public LstmModel() {}

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
    return new LstmCell(config, spec, rng);
  }

  /**
   * The fused kernel {@code lstm/fused} for float32 cells on ND4J's CPU backend (every
   * configuration); float64 cells run step by step.
   */
  @Override
  public Optional<SequenceKernel> kernel(Cell cell) {
    return cell instanceof LstmCell c && c.dataType() == DataType.FLOAT && Blas.AVAILABLE
        ? Optional.of(new LstmKernel(c))
        : Optional.empty();
  }
}
