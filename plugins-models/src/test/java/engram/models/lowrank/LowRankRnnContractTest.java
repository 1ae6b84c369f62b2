package engram.models.lowrank;

import engram.api.Model;
import engram.models.lowrank.LowRankRnnModel.Config;
import engram.models.lowrank.LowRankRnnModel.InitialState;
import engram.testkit.ModelContract;
import engram.testkit.PluginContract.ConfigError;
import java.util.List;

/**
 * The testkit's model contract for the rank-r RNN: rank 2 with a leak and a random initial state,
 * rank 3 without a leak from zero, and rank 1 from a gaussian state.
 */
class LowRankRnnContractTest extends ModelContract<Config> {
  @Override
  protected Model<Config> model() {
    return new LowRankRnnModel();
  }

  @Override
  protected List<Config> configs() {
    return List.of(
        new Config(7, 2, 1.0, 2.5, 1.0, InitialState.RANDOM, 0.1),
        new Config(6, 3, 1.0, 1.0, 1.5, InitialState.ZERO, 0.1),
        new Config(5, 1, 1.0, 2.0, 1.0, InitialState.GAUSSIAN, 0.3));
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    return List.of(
        ConfigError.of("hidden-size", () -> new Config(0, 1, 1, 2.5, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("rank", () -> new Config(7, 0, 1, 2.5, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("rank", () -> new Config(3, 4, 1, 2.5, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("dt", () -> new Config(7, 2, 0, 2.5, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("dt", () -> new Config(7, 2, 3, 2.5, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("tau", () -> new Config(7, 2, 1, -1, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("loading-std", () -> new Config(7, 2, 1, 2.5, -1, InitialState.RANDOM, 0.1)),
        ConfigError.of("initial-state", () -> new Config(7, 2, 1, 2.5, 1, null, 0.1)),
        ConfigError.of("h0-scale", () -> new Config(7, 2, 1, 2.5, 1, InitialState.RANDOM, -1)));
  }
}
