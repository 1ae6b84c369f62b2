package engram.testkit;

import java.util.List;

/** The task contract on the testkit's own tiny task. */
class EchoTaskContractTest extends TaskContract<EchoTask.Config> {
  @Override
  protected EchoTask task() {
    return new EchoTask();
  }

  @Override
  protected boolean hasStream() {
    return true;
  }

  @Override
  protected List<EchoTask.Config> configs() {
    return List.of(new EchoTask.Config(0), new EchoTask.Config(3));
  }

  @Override
  protected List<PluginContract.ConfigError> invalidConfigs() {
    return List.of(PluginContract.ConfigError.of("extra", () -> new EchoTask.Config(-1)));
  }
}
