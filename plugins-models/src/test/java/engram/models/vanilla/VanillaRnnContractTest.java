package engram.models.vanilla;

import engram.api.Model;
import engram.models.vanilla.VanillaRnnModel.Config;
import engram.models.vanilla.VanillaRnnModel.InitialState;
import engram.models.vanilla.VanillaRnnModel.Nonlinearity;
import engram.testkit.ModelContract;
import engram.testkit.PluginContract.ConfigError;
import java.util.List;

/** The testkit's model contract for the vanilla RNN: tanh and ReLU, zero and random h_0. */
class VanillaRnnContractTest extends ModelContract<Config> {
  @Override
  protected Model<Config> model() {
    return new VanillaRnnModel();
  }

  @Override
  protected List<Config> configs() {
    return List.of(
        new Config(7, Nonlinearity.TANH, InitialState.RANDOM, 0.1),
        new Config(6, Nonlinearity.RELU, InitialState.ZERO, 0.1),
        new Config(5, Nonlinearity.RELU, InitialState.RANDOM, 0.5));
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    return List.of(
        ConfigError.of(
            "hidden-size", () -> new Config(0, Nonlinearity.TANH, InitialState.ZERO, 0.1)),
        ConfigError.of("nonlinearity", () -> new Config(7, null, InitialState.ZERO, 0.1)),
        ConfigError.of("initial-state", () -> new Config(7, Nonlinearity.TANH, null, 0.1)),
        ConfigError.of("h0-scale", () -> new Config(7, Nonlinearity.TANH, InitialState.ZERO, -1)));
  }
}
