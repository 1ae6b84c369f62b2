package engram.models.leaky;

import engram.api.Model;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.models.leaky.LeakyRnnModel.RecurrentInit;
import engram.testkit.ModelContract;
import engram.testkit.PluginContract.ConfigError;
import java.util.ArrayList;
import java.util.List;

/**
 * The testkit's model contract for the leaky RNN: every nonlinearity with φ outside and inside the
 * leak (which decides the kernel: fused, fused-inside or none), and a fixed τ.
 */
class LeakyRnnContractTest extends ModelContract<Config> {
  private static final int H = 7;

  @Override
  protected Model<Config> model() {
    return new LeakyRnnModel();
  }

  @Override
  protected List<Config> configs() {
    List<Config> configs = new ArrayList<>();
    for (Nonlinearity nl : Nonlinearity.values()) {
      for (Phi phi : Phi.values()) {
        double slope = nl == Nonlinearity.RELU ? 0 : 0.01;
        configs.add(
            new Config(H, nl, slope, phi, true, 1.0, 2.0, 1.0, 0.1, RecurrentInit.UNIFORM, 1.0));
      }
    }
    configs.add(
        new Config(
            H,
            Nonlinearity.TANH,
            0.01,
            Phi.OUTSIDE,
            false,
            1.0,
            2.0,
            2.5,
            0.1,
            RecurrentInit.GAUSSIAN,
            1.5));
    // the rate RNN of Dinc et al. 2025: tanh inside the leak, α = ½, xavier W, tanh-normal h_0
    configs.add(
        new Config(
            H,
            Nonlinearity.TANH,
            0,
            Phi.INSIDE,
            false,
            1.0,
            2.0,
            2.0,
            0.1,
            RecurrentInit.XAVIER_UNIFORM,
            1.0,
            LeakyRnnModel.InitialState.TANH_NORMAL));
    return configs;
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    Config d = Config.defaults();
    return List.of(
        ConfigError.of(
            "hidden-size",
            () ->
                new Config(
                    0,
                    d.nonlinearity(),
                    d.leakySlope(),
                    d.phi(),
                    d.trainTau(),
                    d.tauInitMin(),
                    d.tauInitMax(),
                    d.fixedTau(),
                    d.h0Scale(),
                    d.recurrentInit(),
                    d.gain())),
        ConfigError.of(
            "nonlinearity",
            () ->
                new Config(
                    H, null, 0.01, Phi.OUTSIDE, true, 1, 2, 1, 0.1, RecurrentInit.UNIFORM, 1)),
        ConfigError.of(
            "leaky-slope",
            () ->
                new Config(
                    H,
                    Nonlinearity.LEAKY_RELU,
                    -0.1,
                    Phi.OUTSIDE,
                    true,
                    1,
                    2,
                    1,
                    0.1,
                    RecurrentInit.UNIFORM,
                    1)),
        ConfigError.of(
            "tau-init-max",
            () ->
                new Config(
                    H,
                    Nonlinearity.LEAKY_RELU,
                    0.01,
                    Phi.OUTSIDE,
                    true,
                    2,
                    1,
                    1,
                    0.1,
                    RecurrentInit.UNIFORM,
                    1)),
        ConfigError.of(
            "fixed-tau",
            () ->
                new Config(
                    H,
                    Nonlinearity.LEAKY_RELU,
                    0.01,
                    Phi.OUTSIDE,
                    false,
                    1,
                    2,
                    0.5,
                    0.1,
                    RecurrentInit.UNIFORM,
                    1)),
        ConfigError.of(
            "h0-scale",
            () ->
                new Config(
                    H,
                    Nonlinearity.LEAKY_RELU,
                    0.01,
                    Phi.OUTSIDE,
                    true,
                    1,
                    2,
                    1,
                    -1,
                    RecurrentInit.UNIFORM,
                    1)),
        ConfigError.of(
            "gain",
            () ->
                new Config(
                    H,
                    Nonlinearity.LEAKY_RELU,
                    0.01,
                    Phi.OUTSIDE,
                    true,
                    1,
                    2,
                    1,
                    0.1,
                    RecurrentInit.GAUSSIAN,
                    Double.NaN)));
  }
}
