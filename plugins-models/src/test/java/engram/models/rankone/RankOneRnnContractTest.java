package engram.models.rankone;

import engram.api.Model;
import engram.models.rankone.RankOneRnnModel.Config;
import engram.models.rankone.RankOneRnnModel.InitialState;
import engram.testkit.ModelContract;
import engram.testkit.PluginContract.ConfigError;
import java.util.List;

/**
 * The testkit's model contract for the rank-one RNN: a leak (dt &lt; τ) with a random initial
 * state, and no leak (dt = τ) from zero.
 */
class RankOneRnnContractTest extends ModelContract<Config> {
  @Override
  protected Model<Config> model() {
    return new RankOneRnnModel();
  }

  @Override
  protected List<Config> configs() {
    return List.of(
        new Config(7, 1.0, 2.5, 1.0, InitialState.RANDOM, 0.1),
        new Config(6, 1.0, 1.0, 1.5, InitialState.ZERO, 0.1));
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    return List.of(
        ConfigError.of("hidden-size", () -> new Config(0, 1, 2.5, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("dt", () -> new Config(7, 0, 2.5, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("dt", () -> new Config(7, 3, 2.5, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("tau", () -> new Config(7, 1, -1, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("loading-std", () -> new Config(7, 1, 2.5, -1, InitialState.RANDOM, 0.1)),
        ConfigError.of("initial-state", () -> new Config(7, 1, 2.5, 1, null, 0.1)),
        ConfigError.of("h0-scale", () -> new Config(7, 1, 2.5, 1, InitialState.RANDOM, -1)));
  }
}
