package engram.models.vanilla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.Constraint;
import engram.api.Parameter;
import engram.api.config.Doc;
import engram.models.vanilla.VanillaRnnModel.Config;
import engram.models.vanilla.VanillaRnnModel.InitialState;
import engram.models.vanilla.VanillaRnnModel.Nonlinearity;
import engram.testkit.TestArrays;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Initialisation, determinism, initial states and configuration of the vanilla RNN. */
class VanillaRnnInitTest {
  private static final int I = 3;

  /**
   * For a seed, every parameter is exactly U(−1/√H, 1/√H) drawn from the generator in PyTorch's
   * parameter order w_ih, w_hh, b_ih, b_hh, each in C order (replayed here draw by draw).
   */
  @Test
  void parametersForASeedAreDrawnInPyTorchsOrder() {
    int h = 4;
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      Cell cell =
          VanillaTestSupport.cell(
              VanillaTestSupport.config(h, Nonlinearity.TANH, InitialState.ZERO), I, type, 42);
      SplittableRandom replay = new SplittableRandom(42);
      double bound = 0.5; // 1/√4
      long[][] shapes = {{h, I}, {h, h}, {h}, {h}};
      List<String> names = List.of("w_ih", "w_hh", "b_ih", "b_hh");
      for (int k = 0; k < names.size(); k++) {
        INDArray value = VanillaTestSupport.param(cell, names.get(k));
        assertArrayEquals(shapes[k], value.shape(), names.get(k));
        double[] actual = value.dup().data().asDouble();
        for (int i = 0; i < actual.length; i++) {
          double want = -bound + 2 * bound * replay.nextDouble();
          assertEquals(
              type == DataType.FLOAT ? (float) want : want,
              actual[i],
              0.0,
              names.get(k) + "[" + i + "] " + type);
        }
      }
    }
  }

  @Test
  void parametersHaveTheDocumentedShapesAndDistributions() {
    int hh = 400;
    double bound = 1 / Math.sqrt(hh);
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Cell cell =
          VanillaTestSupport.cell(
              VanillaTestSupport.config(hh, Nonlinearity.RELU, InitialState.ZERO), I, type, 5);
      assertEquals(hh, cell.hiddenSize());
      assertEquals(hh, cell.stateSize());
      assertTrue(cell.extras().isEmpty());
      List<Parameter> ps = cell.parameters();
      assertEquals(
          List.of("w_ih", "w_hh", "b_ih", "b_hh"), ps.stream().map(Parameter::name).toList());
      long[][] shapes = {{hh, I}, {hh, hh}, {hh}, {hh}};
      for (int k = 0; k < ps.size(); k++) {
        Parameter p = ps.get(k);
        assertTrue(p.trainable(), p.name());
        assertEquals(Constraint.NONE, p.constraint(), p.name());
        assertArrayEquals(shapes[k], p.value().shape(), p.name());
        assertEquals(type, p.value().dataType(), p.name());
        INDArray v = p.value();
        assertTrue(
            v.minNumber().doubleValue() >= -bound && v.maxNumber().doubleValue() <= bound,
            p.name() + " within ±1/√H");
        assertTrue(
            v.maxNumber().doubleValue() - v.minNumber().doubleValue() > 1.6 * bound,
            p.name() + " fills its range");
      }
      INDArray w = VanillaTestSupport.param(cell, "w_hh").castTo(DataType.DOUBLE);
      // U(−b, b) has mean 0 and variance b²/3; 160 000 draws pin both closely.
      assertEquals(0.0, w.meanNumber().doubleValue(), 0.01 * bound);
      assertEquals(bound * bound / 3, w.mul(w).meanNumber().doubleValue(), 0.02 * bound * bound);
    }
  }

  @Test
  void sameSeedSameParametersOtherSeedOthers() {
    var config = VanillaTestSupport.config(8, Nonlinearity.TANH, InitialState.ZERO);
    Cell a = VanillaTestSupport.cell(config, I, DataType.DOUBLE, 7);
    Cell b = VanillaTestSupport.cell(config, I, DataType.DOUBLE, 7);
    Cell c = VanillaTestSupport.cell(config, I, DataType.DOUBLE, 8);
    for (int k = 0; k < 4; k++) {
      INDArray va = a.parameters().get(k).value();
      TestArrays.assertIdentical(va, b.parameters().get(k).value(), "same seed");
      assertFalse(va.equals(c.parameters().get(k).value()), "another seed");
      assertTrue(va != b.parameters().get(k).value(), "no shared arrays");
    }
  }

  @Test
  void initialStateIsZeroOrScaledUniform() {
    Cell zero =
        VanillaTestSupport.cell(
            new Config(20, Nonlinearity.TANH, InitialState.ZERO, 0.5), I, DataType.FLOAT, 1);
    INDArray h0 = zero.initialState(4, new SplittableRandom(9));
    assertArrayEquals(new long[] {4, 20}, h0.shape());
    assertEquals(DataType.FLOAT, h0.dataType());
    assertEquals(0.0, h0.amaxNumber().doubleValue(), 0.0);

    var random =
        VanillaTestSupport.network(
            new Config(20, Nonlinearity.RELU, InitialState.RANDOM, 0.5), I, DataType.DOUBLE, 1);
    INDArray r = random.initialState(50, new SplittableRandom(9));
    assertArrayEquals(new long[] {50, 20}, r.shape());
    assertTrue(r.minNumber().doubleValue() >= 0 && r.maxNumber().doubleValue() <= 0.5);
    assertTrue(r.maxNumber().doubleValue() > 0.4 && r.minNumber().doubleValue() < 0.1);
    SplittableRandom replay = new SplittableRandom(9);
    assertEquals(0.5 * replay.nextDouble(), r.getDouble(0, 0), 0.0, "h0-scale·U(0, 1), C order");
    assertEquals(0.5 * replay.nextDouble(), r.getDouble(0, 1), 0.0, "h0-scale·U(0, 1), C order");
    TestArrays.assertIdentical(r, random.initialState(50, new SplittableRandom(9)), "same seed");
    assertThrows(
        IllegalArgumentException.class, () -> random.initialState(0, new SplittableRandom(9)));
  }

  @Test
  void defaultsAndInfo() {
    VanillaRnnModel model = new VanillaRnnModel();
    assertEquals(new Config(500, Nonlinearity.TANH, InitialState.ZERO, 0.1), model.defaults());
    assertEquals(Config.defaults(), model.defaults());
    assertEquals(Config.class, model.configType());
    assertEquals("vanilla-rnn", model.info().id());
    String description = model.info().description();
    assertTrue(description.contains("nn.RNN"), description);
    assertTrue(description.contains("leaky-rnn"), "names the leaky RNN it becomes with τ");
    assertTrue(description.contains("τ"), description);
  }

  @Test
  void everyConfigKeyIsDocumented() {
    for (RecordComponent c : Config.class.getRecordComponents()) {
      Doc doc = c.getAnnotation(Doc.class);
      assertNotNull(doc, c.getName() + " has no @Doc");
      assertFalse(doc.value().isBlank(), c.getName());
    }
  }

  @Test
  void invalidConfigsNameTheKebabCaseKey() {
    assertMessage(
        "hidden-size must be ≥ 1 (was 0)",
        () -> new Config(0, Nonlinearity.TANH, InitialState.ZERO, 0.1));
    assertMessage("nonlinearity must be set", () -> new Config(8, null, InitialState.ZERO, 0.1));
    assertMessage("initial-state must be set", () -> new Config(8, Nonlinearity.TANH, null, 0.1));
    assertMessage(
        "h0-scale must be a finite number ≥ 0 (was -0.5)",
        () -> new Config(8, Nonlinearity.TANH, InitialState.RANDOM, -0.5));
    assertMessage(
        "h0-scale must be a finite number ≥ 0 (was NaN)",
        () -> new Config(8, Nonlinearity.RELU, InitialState.RANDOM, Double.NaN));
    // Edge values that are valid.
    new Config(1, Nonlinearity.RELU, InitialState.RANDOM, 0.0);
  }

  private static void assertMessage(String expected, Supplier<Config> make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
    assertEquals(expected, e.getMessage());
  }
}
