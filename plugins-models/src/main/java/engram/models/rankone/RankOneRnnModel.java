package engram.models.rankone;

import engram.api.Cell;
import engram.api.Model;
import engram.api.NetworkSpec;
import engram.api.PluginInfo;
import engram.api.SequenceKernel;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.kernels.Blas;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A leaky rate RNN whose recurrence is rank one, after Mastrogiuseppe and Ostojic, "Linking
 * connectivity, dynamics, and computations in low-rank recurrent neural networks", Neuron 2018, as
 * used by Haputhanthri et al. 2025 (arXiv 2502.07256) to compare memory geometries.
 *
 * <p>With row vectors (one row per sequence), φ = tanh and α = dt/τ:
 *
 * <pre>
 *   κ_{t−1} = nᵀ φ(x_{t−1}) / H
 *   x_t     = (1 − α) x_{t−1} + α ( m κ_{t−1} + W_in s_t + b )
 * </pre>
 *
 * i.e. the recurrent matrix is J = m nᵀ / H. The state exposed as {@code Trajectory.hidden()} is
 * the (pre-activation) x_t. Extras: {@code "rates"} = φ(x_t) {@code [T, B, H]} and {@code "kappa"}
 * = κ_t = nᵀφ(x_t)/H as a {@code [T, B, 1]} array (the one latent coordinate that the recurrence
 * sees, so an analyzer can read the one-dimensional flow κ_t ↦ κ_{t+1} and its fixed points and
 * ghosts directly). Note: the spec writes the latent as κ = nᵀx; the brief asked for κ of the
 * rates, nᵀφ(x)/H, which is the quantity that actually drives the network.
 *
 * <p>Parameters (names as in checkpoints and gradient maps; H units, I inputs), all trainable:
 * {@code m [H]}, {@code n [H]}, {@code w_in [H, I]}, {@code b [H]}. The time constant is a fixed
 * scalar (config), not a parameter. An ablated unit has its x_i held at 0 (so tanh(x_i) = 0 and it
 * adds nothing to κ); κ keeps its 1/H with the full H.
 *
 * <p>Shapes: inputs {@code [T, B, I]}, x_0 {@code [B, H]}, hidden states and rates {@code [T, B,
 * H]}, kappa {@code [T, B, 1]}. The step and its VJP are {@link RankOneRnnCell}; on ND4J's CPU
 * backend core runs the whole sequence with the kernel {@code rank-one-rnn/fused} ({@link
 * #kernel}), tested against the cell, in float32 and float64, ablated units included.
 *
 * <p><b>Reconstructed settings.</b> The paper released no code; everything below except the
 * equation is our choice and a configuration key: the size ({@code hidden-size}, default 64); dt
 * (default 1 step) and τ (default 2 steps), hence α = 0.5; m and n start i.i.d. N(0, loading-std²)
 * ({@code loading-std}, default 1, so that the overlap nᵀm/H is ≈ 0 ± 1/√H and the rank-one
 * structure is learnt rather than built in); W_in starts like PyTorch's {@code Linear}, U(−1/√I,
 * 1/√I), and b at 0; the initial state is zero ({@code initial-state: zero}, default) or
 * h0-scale·U(0, 1) per unit and sequence. No noise term is included.
 */
public final class RankOneRnnModel
    implements Model<RankOneRnnModel.Config>, SequenceKernel.Provider {

  /** How {@code Cell.initialState} fills x_0. */
  public enum InitialState {
    /** x_0 = 0. */
    ZERO,
    /** x_0 = h0-scale·U(0, 1) per unit and sequence, drawn from the caller's generator. */
    RANDOM
  }

  /** Configuration of the rank-one RNN (YAML keys are the kebab-case component names). */
  public record Config(
      @Doc("Number of units H (count).") int hiddenSize,
      @Doc("Integration step dt (time steps, > 0, ≤ tau); α = dt/tau; reconstructed, default 1.")
          double dt,
      @Doc("Time constant τ of every unit (time steps, > 0, ≥ dt); reconstructed, default 2.")
          double tau,
      @Doc(
              "Standard deviation of the N(0, σ²) init of the connectivity vectors m and n"
                  + " (dimensionless, ≥ 0); reconstructed, default 1.")
          double loadingStd,
      @Doc("Initial state x_0: zero (default) or random (h0-scale·U(0, 1) per unit).")
          InitialState initialState,
      @Doc(
              "Scale of the random initial state x_0 = h0-scale·U(0, 1) (activation units, ≥ 0);"
                  + " ignored for a zero initial state.")
          double h0Scale) {

    /** Validates every component; messages start with the kebab-case key. */
    public Config {
      Check.atLeast("hidden-size", hiddenSize, 1);
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

    /** 64 units, dt = 1, τ = 2 (α = 0.5), m, n ~ N(0, 1), x_0 = 0 (all reconstructed). */
    public static Config defaults() {
      return new Config(64, 1.0, 2.0, 1.0, InitialState.ZERO, 0.1);
    }
  }

  private static final PluginInfo INFO =
      new PluginInfo(
          "rank-one-rnn",
          "Leaky tanh RNN with rank-one recurrence m nᵀ/H",
          "x_t = (1−α)·x_{t−1} + α·(m·nᵀtanh(x_{t−1})/H + W_in·s_t + b) with α = dt/τ; the latent"
              + " κ_t = nᵀtanh(x_t)/H is exposed (extra 'kappa') for one-dimensional flow analyses."
              + " Mastrogiuseppe & Ostojic 2018; settings reconstructed for Haputhanthri et al."
              + " 2025, arXiv 2502.07256.");

  /** Does nothing: plugins are instantiated by discovery whether used or not. */
  public RankOneRnnModel() {}

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
    return new RankOneRnnCell(config, spec, rng);
  }

  /**
   * The whole-sequence kernel {@code rank-one-rnn/fused} ({@link RankOneRnnKernel}) for every
   * rank-one RNN cell on ND4J's CPU backend, float32 and float64; empty on another backend (core
   * then runs the cell).
   */
  @Override
  public Optional<SequenceKernel> kernel(Cell cell) {
    if (cell instanceof RankOneRnnCell r
        && Blas.AVAILABLE
        && (r.dataType() == DataType.FLOAT || r.dataType() == DataType.DOUBLE)) {
      return Optional.of(new RankOneRnnKernel(r));
    }
    return Optional.empty();
  }
}
