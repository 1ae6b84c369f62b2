package engram.regularizers.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Regularizer;
import engram.testkit.PluginContract.ConfigError;
import engram.testkit.RegularizerContract;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The testkit's regularizer contract (no loss terms; a perturbation that is deterministic given its
 * stream, of the right shape and type) and the noise's spread.
 */
class NoiseInjectionRegularizerTest extends RegularizerContract<NoiseInjectionRegularizer.Config> {
  @Override
  protected Regularizer<NoiseInjectionRegularizer.Config> regularizer() {
    return new NoiseInjectionRegularizer();
  }

  @Override
  protected List<NoiseInjectionRegularizer.Config> configs() {
    return List.of(
        new NoiseInjectionRegularizer.Config(0, 0.3),
        new NoiseInjectionRegularizer.Config(0.5, 0),
        new NoiseInjectionRegularizer.Config(0.2, 1));
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    return List.of(
        ConfigError.of("input-std", () -> new NoiseInjectionRegularizer.Config(-1, 0)),
        ConfigError.of("recurrent-std", () -> new NoiseInjectionRegularizer.Config(0, -1)));
  }

  private final NoiseInjectionRegularizer reg = new NoiseInjectionRegularizer();

  private static Regularizer.PerturbationInput input(INDArray x, int hidden, long seed) {
    return new Regularizer.PerturbationInput(x, hidden, null, 0, new SplittableRandom(seed));
  }

  @Test
  void recurrentDriveHasTheHiddenShapeTheInputsTypeAndTheConfiguredSpread() {
    INDArray x = Nd4j.zeros(DataType.FLOAT, 50, 20, 3);
    INDArray drive = reg.perturb(new NoiseInjectionRegularizer.Config(0, 0.3), input(x, 40, 1));
    assertArrayEquals(new long[] {50, 20, 40}, drive.shape());
    assertEquals(DataType.FLOAT, drive.dataType());
    assertEquals(0.3, drive.stdNumber().doubleValue(), 0.01);
    assertEquals(0.0, drive.meanNumber().doubleValue(), 0.01);
    assertEquals(0.0, x.sumNumber().doubleValue(), 0.0, "inputs untouched without input noise");
  }

  @Test
  void inputNoiseIsAddedInPlaceAndNoDriveWithoutRecurrentNoise() {
    INDArray x = Nd4j.ones(DataType.DOUBLE, 100, 10, 2);
    assertNull(reg.perturb(new NoiseInjectionRegularizer.Config(0.5, 0), input(x, 8, 2)));
    assertEquals(1.0, x.meanNumber().doubleValue(), 0.05);
    assertEquals(0.5, x.stdNumber().doubleValue(), 0.03);
  }

  @Test
  void theSameStreamGivesTheSameNoise() {
    INDArray a =
        reg.perturb(new NoiseInjectionRegularizer.Config(0, 1), input(Nd4j.zeros(4, 3, 1), 5, 7));
    INDArray b =
        reg.perturb(new NoiseInjectionRegularizer.Config(0, 1), input(Nd4j.zeros(4, 3, 1), 5, 7));
    INDArray c =
        reg.perturb(new NoiseInjectionRegularizer.Config(0, 1), input(Nd4j.zeros(4, 3, 1), 5, 8));
    assertEquals(a, b);
    assertTrue(a.sub(c).norm2Number().doubleValue() > 0.1);
  }

  @Test
  void negativeSpreadsAreRefusedNamingTheKey() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new NoiseInjectionRegularizer.Config(0, -1));
    assertTrue(e.getMessage().startsWith("recurrent-std must be"), e.getMessage());
  }
}
