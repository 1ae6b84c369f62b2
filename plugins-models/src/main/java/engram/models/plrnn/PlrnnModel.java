package engram.models.plrnn;

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
 * The piecewise-linear RNN (PLRNN) of Durstewitz, "A state space approach for piecewise-linear
 * recurrent neural networks for identifying computational dynamics from neural measurements", PLoS
 * Comput. Biol. 2017, and Koppe, Toutounji, Kirsch, Lis and Durstewitz, PLoS Comput. Biol. 2019, as
 * used by Haputhanthri et al. 2025 (arXiv 2502.07256) to compare memory geometries.
 *
 * <p>With row vectors (one row per sequence), A = diag(a), W the recurrent matrix with its diagonal
 * held at 0 (self-coupling is carried by A alone) and ReLU(z) = max(z, 0):
 *
 * <pre>
 *   z_t = a ⊙ z_{t−1} + W·ReLU(z_{t−1}) + C·s_t + h
 * </pre>
 *
 * <p>The state exposed as {@code Trajectory.hidden()} is the latent z_t (not the rectified rates),
 * because z_t is the PLRNN's state: the map z_{t−1} ↦ z_t is what fixed-point and geometry analyses
 * study, and ReLU(z_t) is not invertible. The rates ReLU(z_t) are exposed as the extra {@code
 * "rates"} {@code [T, B, H]}.
 *
 * <p>Parameters (names as in checkpoints and gradient maps; H latent units, I inputs), all
 * trainable: {@code a [H]}, {@code w [H, H]} (its diagonal held at exactly 0 by a {@link
 * engram.api.Constraint#zeroDiagonal zero-diagonal constraint}, so it gets a zero gradient), {@code
 * c [H, I]}, {@code h [H]}. An ablated unit has its z_i held at 0 (so ReLU(z_i) = 0 and it sends
 * nothing through W).
 *
 * <p>Shapes: inputs {@code [T, B, I]}, z_0 {@code [B, H]}, hidden states and rates {@code [T, B,
 * H]}. The step and its VJP are {@link PlrnnCell}; on ND4J's CPU backend core runs the whole
 * sequence with the kernel {@code plrnn/fused} ({@link #kernel}), tested against the cell, in
 * float32 and float64, ablated units included.
 *
 * <p><b>Reconstructed settings.</b> The paper released no code; everything below except the
 * equation is our choice and a configuration key: the size ({@code hidden-size}, default 64); a
 * starts at the constant {@code a-init} (default 0.9, a slow linear decay); the off-diagonal of W
 * starts N(0, gain²/H) ({@code gain}, default 1.0); C starts like PyTorch's {@code Linear},
 * U(−1/√I, 1/√I), and h at 0; the initial state is zero ({@code initial-state: zero}, default) or
 * h0-scale·U(0, 1) per unit and sequence ({@code initial-state: random}). No observation model,
 * noise or regularisation of the original PLRNN papers is included.
 */
public final class PlrnnModel implements Model<PlrnnModel.Config>, SequenceKernel.Provider {

  /** How {@code Cell.initialState} fills z_0. */
  public enum InitialState {
    /** z_0 = 0. */
    ZERO,
    /** z_0 = h0-scale·U(0, 1) per unit and sequence, drawn from the caller's generator. */
    RANDOM
  }

  /** Configuration of the PLRNN (YAML keys are the kebab-case component names). */
  public record Config(
      @Doc("Number of latent units H (count).") int hiddenSize,
      @Doc(
              "Initial value of every diagonal (auto-regressive) weight a_i (dimensionless,"
                  + " in [−1, 1]); reconstructed, default 0.9.")
          double aInit,
      @Doc(
              "Gain g of the off-diagonal init W_ij ~ N(0, g²/H) (dimensionless, ≥ 0);"
                  + " reconstructed, default 1.")
          double gain,
      @Doc("Initial state z_0: zero (default) or random (h0-scale·U(0, 1) per unit).")
          InitialState initialState,
      @Doc(
              "Scale of the random initial state z_0 = h0-scale·U(0, 1) (activation units, ≥ 0);"
                  + " ignored for a zero initial state.")
          double h0Scale) {

    /** Validates every component; messages start with the kebab-case key. */
    public Config {
      Check.atLeast("hidden-size", hiddenSize, 1);
      Check.inRange("a-init", aInit, -1.0, 1.0);
      Check.nonNegative("gain", gain);
      Check.notNull("initial-state", initialState);
      Check.nonNegative("h0-scale", h0Scale);
    }

    /** 64 units, a = 0.9, g = 1, z_0 = 0 (all reconstructed). */
    public static Config defaults() {
      return new Config(64, 0.9, 1.0, InitialState.ZERO, 0.1);
    }
  }

  private static final PluginInfo INFO =
      new PluginInfo(
          "plrnn",
          "Piecewise-linear RNN (diagonal A, off-diagonal W, ReLU)",
          "z_t = A·z_{t−1} + W·ReLU(z_{t−1}) + C·s_t + h with A diagonal and W off-diagonal (its"
              + " diagonal held at 0); the hidden state is z_t, ReLU(z_t) is the 'rates' extra."
              + " Durstewitz 2017; Koppe et al. 2019; settings reconstructed for Haputhanthri et"
              + " al. 2025, arXiv 2502.07256.");

  /** Does nothing: plugins are instantiated by discovery whether used or not. */
  public PlrnnModel() {}

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
    return new PlrnnCell(config, spec, rng);
  }

  /**
   * The whole-sequence kernel {@code plrnn/fused} ({@link PlrnnKernel}) for every PLRNN cell on
   * ND4J's CPU backend, float32 and float64; empty on another backend (core then runs the cell).
   */
  @Override
  public Optional<SequenceKernel> kernel(Cell cell) {
    if (cell instanceof PlrnnCell p
        && Blas.AVAILABLE
        && (p.dataType() == DataType.FLOAT || p.dataType() == DataType.DOUBLE)) {
      return Optional.of(new PlrnnKernel(p));
    }
    return Optional.empty();
  }
}
