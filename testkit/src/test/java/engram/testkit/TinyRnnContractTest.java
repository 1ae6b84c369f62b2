package engram.testkit;

import java.util.List;

/** The model contract on the testkit's own tiny cell: it must pass every check it imposes. */
class TinyRnnContractTest extends ModelContract<TinyRnnModel.Config> {
  @Override
  protected TinyRnnModel model() {
    return new TinyRnnModel();
  }

  @Override
  protected List<TinyRnnModel.Config> configs() {
    return List.of(new TinyRnnModel.Config(5, true), new TinyRnnModel.Config(4, false));
  }

  @Override
  protected List<PluginContract.ConfigError> invalidConfigs() {
    return List.of(
        PluginContract.ConfigError.of("hidden-size", () -> new TinyRnnModel.Config(0, true)));
  }
}
