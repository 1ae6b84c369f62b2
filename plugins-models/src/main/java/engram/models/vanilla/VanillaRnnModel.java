package engram.models.vanilla;

import engram.api.Cell;
import engram.api.Model;
import engram.api.NetworkSpec;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The vanilla (Elman) RNN of Elman, "Finding structure in time", Cognitive Science 1990, exactly as
 * PyTorch's {@code torch.nn.RNN} computes it with one layer.
 *
 * <p>Row vectors (one row per sequence), φ = tanh (PyTorch's default) or ReLU:
 *
 * <pre>
 *   h_t = φ(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)
 * </pre>
 *
 * <p>With a per-neuron trainable timescale τ this becomes the leaky RNN, {@code leaky-rnn}: its
 * {@code phi: inside} form is h_t = (1 − α)⊙h_{t−1} + α⊙φ(…the same argument…) with α = 1/max(τ,
 * 1), which is this cell where every τ = 1, except that the leaky RNN holds the diagonal of its
 * recurrent matrix at 0 (no self-connections) and by default applies φ outside the leak.
 *
 * <p>Parameters (names as in checkpoints and gradient maps; H hidden units, I inputs), all
 * trainable, named and shaped like PyTorch's {@code weight_ih_l0}, {@code weight_hh_l0}, {@code
 * bias_ih_l0}, {@code bias_hh_l0}: {@code w_ih [H, I]}, {@code w_hh [H, H]}, {@code b_ih [H]},
 * {@code b_hh [H]}. All four start U(−1/√H, 1/√H), PyTorch's default, drawn in that order. The two
 * biases are redundant (only their sum matters) but kept, so that PyTorch's state dicts map one to
 * one. The initial state is 0 (PyTorch's default) or, with initial-state random, h0-scale·U(0, 1)
 * per unit and sequence.
 *
 * <p>Shapes: inputs {@code [T, B, I]}, h_0 {@code [B, H]}, hidden states {@code [T, B, H]}; there
 * are no extras. The step and its VJP are {@link VanillaRnnCell}; core runs it over the sequence.
 */
public final class VanillaRnnModel implements Model<VanillaRnnModel.Config> {

  /** The pointwise nonlinearity φ (PyTorch's {@code nonlinearity} argument). */
  public enum Nonlinearity {
    /** tanh(u) (PyTorch's default). */
    TANH,
    /** max(u, 0). */
    RELU
  }

  /** How h_0 is drawn. */
  public enum InitialState {
    /** h_0 = 0 (PyTorch's default). */
    ZERO,
    /** h_0 = h0-scale·U(0, 1) per unit and sequence, drawn from the caller's generator. */
    RANDOM
  }

  /** Configuration of the vanilla RNN (YAML keys are the kebab-case component names). */
  public record Config(
      @Doc("Number of hidden units H (count).") int hiddenSize,
      @Doc("Pointwise nonlinearity φ: tanh (PyTorch's default) or relu.") Nonlinearity nonlinearity,
      @Doc(
              "Initial hidden state h_0: zero (PyTorch's default) or random, h0-scale·U(0, 1)"
                  + " per unit (activation units).")
          InitialState initialState,
      @Doc(
              "Scale of the random initial state h_0 = h0-scale·U(0, 1) per unit (activation"
                  + " units, ≥ 0); used with initial-state random only.")
          double h0Scale) {

    /** Validates every component; messages start with the kebab-case key. */
    public Config {
      Check.atLeast("hidden-size", hiddenSize, 1);
      Check.notNull("nonlinearity", nonlinearity);
      Check.notNull("initial-state", initialState);
      Check.nonNegative("h0-scale", h0Scale);
    }

    /**
     * PyTorch's {@code nn.RNN} defaults (tanh, h_0 = 0) at the size of the other built-in models
     * (500 units, the timescales paper's), so it can stand in for them in the same experiments.
     */
    public static Config defaults() {
      return new Config(500, Nonlinearity.TANH, InitialState.ZERO, 0.1);
    }
  }

  private static final PluginInfo INFO =
      new PluginInfo(
          "vanilla-rnn",
          "Vanilla (Elman) RNN (PyTorch's nn.RNN): tanh or ReLU, two biases",
          "h_t = φ(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh) with φ = tanh (default) or ReLU: the"
              + " Elman RNN (Elman 1990) in PyTorch's nn.RNN conventions (one layer; parameters"
              + " w_ih, w_hh, b_ih, b_hh; U(−1/√H, 1/√H) init; h_0 = 0, or random). With a"
              + " per-neuron trainable timescale τ, h_t = (1 − α)⊙h_{t−1} + α⊙φ(…) with"
              + " α = 1/max(τ, 1), it becomes the leaky RNN, leaky-rnn (which also holds its"
              + " recurrent diagonal at 0).");

  /** Does nothing: plugins are instantiated by discovery whether used or not. */
  public VanillaRnnModel() {}

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
    return new VanillaRnnCell(config, spec, rng);
  }
}
