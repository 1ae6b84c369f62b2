package engram.testkit;

import engram.api.Cell;
import engram.api.Model;
import engram.api.NetworkSpec;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;

/** The testkit's {@link TinyRnnCell} as a model plugin, to run the contracts on themselves. */
public final class TinyRnnModel implements Model<TinyRnnModel.Config> {

  /**
   * Configuration.
   *
   * @param hiddenSize H
   * @param taus whether the cell has per-unit timescales
   */
  public record Config(
      @Doc("Hidden units H (count, ≥ 1).") int hiddenSize,
      @Doc("Whether each unit has a trainable timescale τ (steps).") boolean taus) {
    /** Validates; messages start with the key. */
    public Config {
      Check.atLeast("hidden-size", hiddenSize, 1);
    }
  }

  /** Does nothing. */
  public TinyRnnModel() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        "tiny-rnn",
        "The testkit's tiny rate RNN",
        "h_t = (1 − α)⊙h_{t−1} + α⊙tanh(W_rec·h_{t−1} + W_in·x_t), α = 1/max(τ, 1).");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(8, true);
  }

  @Override
  public Cell create(Config config, NetworkSpec spec, RandomGenerator rng) {
    TinyRnnCell cell =
        TinyRnnCell.random(
            config.hiddenSize(), spec.inputSize(), config.taus(), DataType.DOUBLE, rng);
    if (spec.dataType() == DataType.DOUBLE) {
      return cell;
    }
    var p = cell.parameters();
    return new TinyRnnCell(
        p.get(0).value().castTo(spec.dataType()),
        p.get(1).value().castTo(spec.dataType()),
        config.taus() ? p.get(2).value().castTo(spec.dataType()) : null);
  }
}
