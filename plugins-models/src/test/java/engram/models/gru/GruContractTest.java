package engram.models.gru;

import engram.api.Model;
import engram.models.gru.GruModel.Config;
import engram.models.gru.GruModel.InitialState;
import engram.testkit.ModelContract;
import engram.testkit.PluginContract.ConfigError;
import java.util.List;
import org.junit.jupiter.api.Tag;

/** The testkit's model contract for the GRU: no leak, a trained and a fixed τ leak. */
@Tag("slow") // excluded by -Pfast; CI runs it (docs/perf/test-times.md)
class GruContractTest extends ModelContract<Config> {
  @Override
  protected Model<Config> model() {
    return new GruModel();
  }

  @Override
  protected List<Config> configs() {
    return List.of(
        new Config(7, false, 1.0, 2.0, true, 2.5, InitialState.RANDOM, 0.5),
        new Config(7, true, 1.0, 2.0, true, 2.5, InitialState.RANDOM, 0.5),
        new Config(7, true, 1.0, 2.0, false, 2.5, InitialState.ZERO, 0.5));
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    return List.of(
        ConfigError.of(
            "hidden-size", () -> new Config(0, false, 1, 2, true, 1, InitialState.ZERO, 0.1)),
        ConfigError.of(
            "fixed-tau", () -> new Config(7, true, 1, 2, false, 0.5, InitialState.ZERO, 0.1)),
        ConfigError.of(
            "h0-scale", () -> new Config(7, false, 1, 2, true, 1, InitialState.ZERO, -1)));
  }
}
