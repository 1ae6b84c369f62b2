package engram.regularizers.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Regularizer;
import engram.testkit.PluginContract.ConfigError;
import engram.testkit.RegularizerContract;
import engram.testkit.RegularizerProbe;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The testkit's regularizer contract (the term against central differences of its value, added to
 * dL/dh and not overwriting it, float32, perturbation) and the value by hand.
 */
class ActivityL2RegularizerTest extends RegularizerContract<ActivityL2Regularizer.Config> {
  private final ActivityL2Regularizer reg = new ActivityL2Regularizer();

  @Override
  protected Regularizer<ActivityL2Regularizer.Config> regularizer() {
    return new ActivityL2Regularizer();
  }

  @Override
  protected List<ActivityL2Regularizer.Config> configs() {
    return List.of(new ActivityL2Regularizer.Config(0.3), new ActivityL2Regularizer.Config(2));
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    return List.of(
        ConfigError.of("lambda", () -> new ActivityL2Regularizer.Config(-1)),
        ConfigError.of("lambda", () -> new ActivityL2Regularizer.Config(Double.NaN)));
  }

  /** [T, B, H] = [4, 3, 5], as the hand-written check this replaces. */
  @Override
  protected RegularizerProbe probe(ActivityL2Regularizer.Config config) {
    return RegularizerProbe.random(4, 3, 5, 7);
  }

  private double term(ActivityL2Regularizer.Config config, INDArray h, INDArray dLdh) {
    return reg.onHidden(config, new Regularizer.HiddenInput(h, dLdh, null, 0));
  }

  @Test
  void valueIsLambdaTimesMeanSquareComputedByHand() {
    INDArray h =
        Nd4j.create(new double[] {1, -2, 3, 0.5, 0, -1}, new long[] {3, 1, 2}, DataType.DOUBLE);
    INDArray g = Nd4j.zeros(DataType.DOUBLE, 3, 1, 2);
    double value = term(new ActivityL2Regularizer.Config(0.5), h, g);
    assertEquals(0.5 * (1 + 4 + 9 + 0.25 + 0 + 1) / 6, value, 1e-15);
  }

  @Test
  void negativeLambdaIsRejectedNamingTheKey() {
    var e =
        assertThrows(IllegalArgumentException.class, () -> new ActivityL2Regularizer.Config(-1));
    assertTrue(e.getMessage().startsWith("lambda must be"), e.getMessage());
  }
}
