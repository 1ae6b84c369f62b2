package engram.models.lstm;

import engram.api.Model;
import engram.models.lstm.LstmModel.Config;
import engram.models.lstm.LstmModel.InitialState;
import engram.testkit.ModelContract;
import engram.testkit.PluginContract.ConfigError;
import java.util.List;
import org.junit.jupiter.api.Tag;

/** The testkit's model contract for the LSTM, with and without the τ leak on h. */
@Tag("slow") // excluded by -Pfast; CI runs it (docs/perf/test-times.md)
class LstmContractTest extends ModelContract<Config> {
  @Override
  protected Model<Config> model() {
    return new LstmModel();
  }

  @Override
  protected List<Config> configs() {
    return List.of(
        new Config(7, false, 1.0, 2.0, true, 1.0, InitialState.RANDOM, 0.1),
        new Config(7, true, 1.0, 2.0, true, 1.0, InitialState.RANDOM, 0.1));
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    return List.of(
        ConfigError.of(
            "hidden-size", () -> new Config(0, false, 1, 2, true, 1, InitialState.ZERO, 0.1)),
        ConfigError.of(
            "h0-scale", () -> new Config(7, false, 1, 2, true, 1, InitialState.ZERO, -1)));
  }
}
