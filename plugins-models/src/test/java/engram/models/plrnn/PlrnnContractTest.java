package engram.models.plrnn;

import engram.api.Model;
import engram.models.plrnn.PlrnnModel.Config;
import engram.models.plrnn.PlrnnModel.InitialState;
import engram.testkit.ModelContract;
import engram.testkit.PluginContract.ConfigError;
import java.util.List;

/** The testkit's model contract for the PLRNN, with a random and a zero initial state. */
class PlrnnContractTest extends ModelContract<Config> {
  @Override
  protected Model<Config> model() {
    return new PlrnnModel();
  }

  @Override
  protected List<Config> configs() {
    return List.of(
        new Config(7, 0.9, 1.0, InitialState.RANDOM, 0.1),
        new Config(5, 0.5, 1.5, InitialState.ZERO, 0.1));
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    return List.of(
        ConfigError.of("hidden-size", () -> new Config(0, 0.9, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("a-init", () -> new Config(7, 1.5, 1, InitialState.RANDOM, 0.1)),
        ConfigError.of("gain", () -> new Config(7, 0.9, -1, InitialState.RANDOM, 0.1)),
        ConfigError.of("initial-state", () -> new Config(7, 0.9, 1, null, 0.1)),
        ConfigError.of("h0-scale", () -> new Config(7, 0.9, 1, InitialState.RANDOM, -0.1)));
  }
}
