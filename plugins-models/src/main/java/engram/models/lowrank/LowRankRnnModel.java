package engram.models.lowrank;

import engram.api.Cell;
import engram.api.Model;
import engram.api.NetworkSpec;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A leaky rate RNN whose recurrence has rank r, after Mastrogiuseppe and Ostojic, "Linking
 * connectivity, dynamics, and computations in low-rank recurrent neural networks", Neuron 2018: the
 * rank-two networks of the delayed-cue task of Haputhanthri et al. 2025 (arXiv 2502.07256) are r =
 * 2. It generalises {@code rank-one-rnn} (same equations, same draws for r = 1).
 *
 * <p>With row vectors (one row per sequence), φ = tanh, α = dt/τ and the loadings M, N {@code [H,
 * r]}:
 *
 * <pre>
 *   κ_{t−1} = φ(x_{t−1})·N / H                                   [B, r]
 *   x_t     = (1 − α) x_{t−1} + α ( κ_{t−1}·Mᵀ + s_t·W_inᵀ + b )
 * </pre>
 *
 * i.e. the recurrent matrix is W = M Nᵀ / H. The state exposed as {@code Trajectory.hidden()} is
 * the pre-activation x_t. Extras: {@code "rates"} = φ(x_t) {@code [T, B, H]} and {@code "kappa"} =
 * κ_t = φ(x_t)·N/H {@code [T, B, r]}, the r latent coordinates the recurrence sees (read by the
 * {@code low-rank-flow} analyzer).
 *
 * <p>Parameters (names as in checkpoints and gradient maps; H units, I inputs), all trainable:
 * {@code m [H, r]} (column k is the k-th output loading m_k), {@code n [H, r]} (column k is the
 * input-selection loading n_k), {@code w_in [H, I]}, {@code b [H]}. The time constant is a fixed
 * scalar (config). An ablated unit has its x_i held at 0 by core's clamp (so φ(x_i) = 0 and it adds
 * nothing to κ); κ keeps its 1/H with the full H.
 *
 * <p><b>Init and randomness.</b> Drawn from the caller's generator in this order: M, then N (each
 * i.i.d. N(0, loading-std²), C order over [H, r]), then W_in ~ U(−1/√I, 1/√I) (PyTorch's {@code
 * Linear}); b = 0. With r = 1 these are exactly rank-one-rnn's draws, so the same seed gives the
 * same network. The initial state is zero, h0-scale·U(0, 1) or h0-scale·N(0, 1) per unit and
 * sequence (row-major over [B, H], from the generator {@code initialState} is given). No noise.
 *
 * <p>Shapes: inputs {@code [T, B, I]}, x_0 {@code [B, H]}, hidden states and rates {@code [T, B,
 * H]}, kappa {@code [T, B, r]}. The step and its VJP are {@link LowRankRnnCell}; there is no fused
 * kernel, so core runs the cell step by step (slower than rank-one-rnn's kernel).
 */
public final class LowRankRnnModel implements Model<LowRankRnnModel.Config> {

  /** How {@code Cell.initialState} fills x_0. */
  public enum InitialState {
    /** x_0 = 0. */
    ZERO,
    /** x_0 = h0-scale·U(0, 1) per unit and sequence, drawn from the caller's generator. */
    RANDOM,
    /**
     * x_0 = h0-scale·N(0, 1) per unit and sequence, so the rates are tanh(N(0, h0-scale²)): the r_0
     * of the group's delayed-cue networks (h0-scale 0.3).
     */
    GAUSSIAN
  }

  /** Configuration of the rank-r RNN (YAML keys are the kebab-case component names). */
  public record Config(
      @Doc("Number of units H (count).") int hiddenSize,
      @Doc("Rank r of the recurrence W = M Nᵀ/H (count, ≥ 1, ≤ hidden-size); default 2.") int rank,
      @Doc("Integration step dt (time steps, > 0, ≤ tau); α = dt/tau; default 1.") double dt,
      @Doc("Time constant τ of every unit (time steps, > 0, ≥ dt); default 2.") double tau,
      @Doc(
              "Standard deviation of the N(0, σ²) init of the loadings M and N (dimensionless,"
                  + " ≥ 0); default 1.")
          double loadingStd,
      @Doc(
              "Initial state x_0: zero (default), random (h0-scale·U(0, 1) per unit) or gaussian"
                  + " (h0-scale·N(0, 1) per unit, rates tanh(N(0, h0-scale²))).")
          InitialState initialState,
      @Doc(
              "Scale of the random or gaussian initial state (activation units, ≥ 0); ignored for"
                  + " a zero initial state.")
          double h0Scale) {

    /** Validates every component; messages start with the kebab-case key. */
    public Config {
      Check.atLeast("hidden-size", hiddenSize, 1);
      Check.atLeast("rank", rank, 1);
      if (rank > hiddenSize) {
        throw new IllegalArgumentException(
            "rank must be ≤ hidden-size (was "
                + rank
                + " > "
                + hiddenSize
                + "); lower rank or raise hidden-size");
      }
      Check.positive("dt", dt);
      Check.positive("tau", tau);
      if (dt > tau) {
        throw new IllegalArgumentException(
            "dt must be ≤ tau so that α = dt/tau ≤ 1 (was " + dt + " > " + tau + ")");
      }
      Check.nonNegative("loading-std", loadingStd);
      Check.notNull("initial-state", initialState);
      Check.nonNegative("h0-scale", h0Scale);
    }

    /** 64 units, rank 2, dt = 1, τ = 2 (α = 0.5), M, N ~ N(0, 1), x_0 = 0. */
    public static Config defaults() {
      return new Config(64, 2, 1.0, 2.0, 1.0, InitialState.ZERO, 0.1);
    }
  }

  private static final PluginInfo INFO =
      new PluginInfo(
          "low-rank-rnn",
          "Leaky tanh RNN with rank-r recurrence M Nᵀ/H",
          "x_t = (1−α)·x_{t−1} + α·(M·Nᵀtanh(x_{t−1})/H + W_in·s_t + b) with α = dt/τ and loadings"
              + " M, N [H, r] (rank r, default 2); the latent κ_t = Nᵀtanh(x_t)/H [r] is exposed"
              + " (extra 'kappa') for the low-rank-flow analyzer. Mastrogiuseppe & Ostojic 2018;"
              + " the rank-two RNN of Haputhanthri et al. 2025, arXiv 2502.07256.");

  /** Does nothing: plugins are instantiated by discovery whether used or not. */
  public LowRankRnnModel() {}

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
    return new LowRankRnnCell(config, spec, rng);
  }
}
