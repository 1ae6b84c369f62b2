package org.example.engram.indrnn;

import engram.api.Model;
import engram.testkit.ModelContract;
import engram.testkit.PluginContract.ConfigError;
import java.util.List;

/**
 * Everything Engram expects of a model, inherited from the testkit: registration, documented and
 * validated configuration, shapes in float32 and float64, determinism, the step's VJP and BPTT
 * against central differences, ablation and the Jacobian.
 */
class IndRnnContractTest extends ModelContract<IndRnnModel.Config> {
  @Override
  protected Model<IndRnnModel.Config> model() {
    return new IndRnnModel();
  }

  @Override
  protected List<IndRnnModel.Config> configs() {
    return List.of(new IndRnnModel.Config(7, 1.0), new IndRnnModel.Config(5, 0.5));
  }

  /** IndRNN's recurrence is diagonal: a unit never reaches another one, ablated or not. */
  @Override
  protected boolean unitsInteract() {
    return false;
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    return List.of(ConfigError.of("hidden-size", () -> new IndRnnModel.Config(0, 1.0)),
        ConfigError.of("u-max", () -> new IndRnnModel.Config(4, 0.0)));
  }
}
