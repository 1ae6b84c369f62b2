package engram.regularizers.weight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Parameter;
import engram.api.Regularizer;
import engram.testkit.PluginContract.ConfigError;
import engram.testkit.RegularizerContract;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The testkit's regularizer contract (the term against central differences of its value, added to
 * the parameter gradients, float32, perturbation) and values and messages by hand.
 */
class WeightL2RegularizerTest extends RegularizerContract<WeightL2Regularizer.Config> {
  @Override
  protected Regularizer<WeightL2Regularizer.Config> regularizer() {
    return new WeightL2Regularizer();
  }

  /** The probe's parameters are w_in, w_rec (zero diagonal), b_rec and a fixed taus. */
  @Override
  protected List<WeightL2Regularizer.Config> configs() {
    return List.of(
        new WeightL2Regularizer.Config(0.5, List.of("w_rec", "w_hh")),
        new WeightL2Regularizer.Config(0.1, List.of("w_in", "w_rec", "b_rec", "taus")));
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    return List.of(
        ConfigError.of("lambda", () -> new WeightL2Regularizer.Config(-1, List.of("w_rec"))),
        ConfigError.of("parameters", () -> new WeightL2Regularizer.Config(1, List.of())),
        ConfigError.of("parameters", () -> new WeightL2Regularizer.Config(1, null)));
  }

  private final WeightL2Regularizer reg = new WeightL2Regularizer();

  private static INDArray array(double... values) {
    return Nd4j.create(values, new long[] {values.length / 2, 2}, DataType.DOUBLE);
  }

  private final INDArray wRec = array(1, 2, 3, -1);
  private final INDArray wIn = array(5, 6);
  private final INDArray fixed = array(7, 8);
  private final List<Parameter> params =
      List.of(
          new Parameter("w_in", wIn, true),
          new Parameter("w_rec", wRec, true),
          new Parameter("w_hh", fixed, false));

  private Map<String, INDArray> grads() {
    Map<String, INDArray> g = new HashMap<>();
    g.put("w_in", array(0.5, 0.5));
    g.put("w_rec", array(1, 1, 1, 1));
    return g;
  }

  private double term(WeightL2Regularizer.Config c, Map<String, INDArray> g) {
    return reg.onParameters(c, new Regularizer.ParameterInput(params, g, 3));
  }

  @Test
  void valueAndGradientByHandAddedNotOverwritten() {
    Map<String, INDArray> g = grads();
    // Defaults [w_rec, w_hh]: w_hh is not trainable here, so it is skipped; w_in is not listed.
    double value = term(new WeightL2Regularizer.Config(0.5, List.of("w_rec", "w_hh")), g);
    assertEquals(0.5 / 2 * (1 + 4 + 9 + 1), value, 1e-15);
    assertEquals(array(1.5, 2, 2.5, 0.5), g.get("w_rec"));
    assertEquals(array(0.5, 0.5), g.get("w_in"));
    assertEquals(array(7, 8), fixed);
  }

  @Test
  void severalParametersAndMissingNamesSkipped() {
    Map<String, INDArray> g = grads();
    double value = term(new WeightL2Regularizer.Config(0.1, List.of("w_in", "w_rec", "nope")), g);
    assertEquals(0.05 * (25 + 36 + 1 + 4 + 9 + 1), value, 1e-14);
    assertTrue(array(1.0, 1.1).equalsWithEps(g.get("w_in"), 1e-15));
    assertTrue(array(1.1, 1.2, 1.3, 0.9).equalsWithEps(g.get("w_rec"), 1e-15));
  }

  @Test
  void noneOfTheNamesPresentFailsNamingTheNetworksParameters() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> term(new WeightL2Regularizer.Config(0.1, List.of("w_hh", "recurrent")), grads()));
    assertEquals(
        "weight-l2.parameters [w_hh, recurrent] names no trainable parameter of this"
            + " network; its trainable parameters are [w_in, w_rec]",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> term(new WeightL2Regularizer.Config(0, List.of("w_hh")), grads()));
  }

  @Test
  void zeroLambdaLeavesGradientsUnchanged() {
    Map<String, INDArray> g = grads();
    assertEquals(0, term(new WeightL2Regularizer.Config(0, List.of("w_rec")), g));
    assertEquals(grads(), g);
  }

  @Test
  void configValidatedAndDefaults() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new WeightL2Regularizer.Config(-1, List.of("w_rec")))
            .getMessage()
            .startsWith("lambda"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> new WeightL2Regularizer.Config(1, List.of()))
            .getMessage()
            .startsWith("parameters"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new WeightL2Regularizer.Config(1, null))
            .getMessage()
            .startsWith("parameters"));
    assertEquals(List.of("w_rec", "w_hh"), reg.defaults().parameters());
    assertEquals("weight-l2", reg.info().id());
  }
}
