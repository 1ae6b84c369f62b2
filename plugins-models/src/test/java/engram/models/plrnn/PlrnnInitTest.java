package engram.models.plrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.Constraint;
import engram.api.Model;
import engram.api.Parameter;
import engram.models.plrnn.PlrnnModel.Config;
import engram.models.plrnn.PlrnnModel.InitialState;
import engram.testkit.TestArrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Initialisation, determinism, initial states and configuration checks of the PLRNN. */
class PlrnnInitTest {
  private static final int I = 3;

  /**
   * The parameters and random initial state for seed 42 (H = 3, I = 2, a-init 0.8, gain 1.5), as
   * printed by the whole-sequence PlrnnNetwork this cell replaced (commit 495a421): the cell draws
   * in the same order, so every run keeps its parameters bit for bit.
   */
  @Test
  void parametersForASeedAreThoseOfThePreviousImplementation() {
    Config config = new Config(3, 0.8, 1.5, InitialState.RANDOM, 0.3);
    double[] w = {
      0.0,
      -0.6210832656517336,
      0.8892002574775811,
      0.8977975314223318,
      0.0,
      0.8311536549076348,
      0.03819595134646674,
      -0.688567202374913,
      0.0
    };
    double[] c = {
      -0.39823519414605335,
      0.4251576773299126,
      -0.2263716956785206,
      0.16755894513883485,
      -0.4173318317016284,
      -0.00991478853242389
    };
    double[] z0 = {
      0.1160304137951802,
      0.22569210475146717,
      0.06981274970323854,
      0.02980182339798075,
      0.056388036510726644,
      0.11418267828558645
    };
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      Cell cell = PlrnnTestSupport.cell(config, 2, type, 42);
      assertPinned(new double[] {0.8, 0.8, 0.8}, PlrnnTestSupport.param(cell, "a"), "a");
      assertPinned(w, PlrnnTestSupport.param(cell, "w"), "w");
      assertPinned(c, PlrnnTestSupport.param(cell, "c"), "c");
      assertPinned(new double[3], PlrnnTestSupport.param(cell, "h"), "h");
      assertPinned(z0, cell.initialState(2, new SplittableRandom(5)), "z_0");
    }
  }

  /** Exactly {@code expected}, rounded to the array's type as the cast rounds. */
  private static void assertPinned(double[] expected, INDArray actual, String name) {
    double[] want = expected.clone();
    if (actual.dataType() == DataType.FLOAT) {
      for (int i = 0; i < want.length; i++) {
        want[i] = (float) want[i];
      }
    }
    assertArrayEquals(want, actual.dup().data().asDouble(), 0.0, name + " " + actual.dataType());
  }

  @Test
  void theDiagonalOfWIsHeldAtZeroByAConstraint() {
    Cell cell = PlrnnTestSupport.cell(PlrnnTestSupport.config(4), I, DataType.DOUBLE, 3);
    Parameter w = cell.parameters().get(1);
    assertEquals("w", w.name());
    Constraint.Mask mask = assertInstanceOf(Constraint.Mask.class, w.constraint());
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        assertEquals(
            i == j ? 0.0 : 1.0, mask.free().getDouble(i, j), 0.0, "free[" + i + "," + j + "]");
      }
    }
    for (Parameter p : cell.parameters()) {
      if (!p.name().equals("w")) {
        assertEquals(Constraint.NONE, p.constraint(), p.name());
      }
    }
  }

  @Test
  void parametersHaveTheDocumentedShapesAndDistributions() {
    int hh = 200;
    double gain = 1.5;
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Cell net =
          PlrnnTestSupport.cell(new Config(hh, 0.8, gain, InitialState.ZERO, 0.1), I, type, 5);
      assertEquals(hh, net.hiddenSize());
      assertEquals(hh, net.stateSize());
      assertEquals(Map.of("rates", hh), net.extras());
      List<Parameter> ps = net.parameters();
      assertEquals(List.of("a", "w", "c", "h"), ps.stream().map(Parameter::name).toList());
      assertTrue(ps.stream().allMatch(Parameter::trainable));
      long[][] shapes = {{hh}, {hh, hh}, {hh, I}, {hh}};
      for (int k = 0; k < ps.size(); k++) {
        assertArrayEquals(shapes[k], ps.get(k).value().shape(), ps.get(k).name());
        assertEquals(type, ps.get(k).value().dataType(), ps.get(k).name());
      }
      INDArray a = PlrnnTestSupport.param(net, "a");
      assertEquals(0.8, a.minNumber().doubleValue(), 1e-7);
      assertEquals(0.8, a.maxNumber().doubleValue(), 1e-7);
      assertEquals(0.0, PlrnnTestSupport.param(net, "h").amaxNumber().doubleValue(), 0.0);

      double[][] w = PlrnnTestSupport.param(net, "w").toDoubleMatrix();
      double sum = 0;
      double sumSq = 0;
      int count = 0;
      for (int i = 0; i < hh; i++) {
        assertEquals(0.0, w[i][i], 0.0, "w diagonal");
        for (int j = 0; j < hh; j++) {
          if (i != j) {
            sum += w[i][j];
            sumSq += w[i][j] * w[i][j];
            count++;
          }
        }
      }
      double mean = sum / count;
      double sd = Math.sqrt(sumSq / count - mean * mean);
      double expected = gain / Math.sqrt(hh);
      assertEquals(expected, sd, 0.1 * expected, "std of the off-diagonal of w");
      assertEquals(0.0, mean, 0.05 * expected, "mean of the off-diagonal of w");

      INDArray c = PlrnnTestSupport.param(net, "c");
      double bound = 1 / Math.sqrt(I);
      assertTrue(c.minNumber().doubleValue() >= -bound && c.maxNumber().doubleValue() <= bound);
      assertTrue(
          c.maxNumber().doubleValue() - c.minNumber().doubleValue() > 1.6 * bound,
          "c fills its range");
    }
  }

  @Test
  void initialStateIsZeroOrScaledUniform() {
    Cell zero =
        PlrnnTestSupport.cell(new Config(20, 0.9, 1, InitialState.ZERO, 0.5), I, DataType.FLOAT, 1);
    SplittableRandom rng = new SplittableRandom(9);
    INDArray z0 = zero.initialState(4, rng);
    assertArrayEquals(new long[] {4, 20}, z0.shape());
    assertEquals(DataType.FLOAT, z0.dataType());
    assertEquals(0.0, z0.amaxNumber().doubleValue(), 0.0);

    var random =
        PlrnnTestSupport.network(
            new Config(20, 0.9, 1, InitialState.RANDOM, 0.5), I, DataType.DOUBLE, 1);
    INDArray r = random.initialState(50, new SplittableRandom(9));
    assertTrue(r.minNumber().doubleValue() >= 0 && r.maxNumber().doubleValue() <= 0.5);
    assertTrue(r.maxNumber().doubleValue() > 0.4 && r.minNumber().doubleValue() < 0.1);
    TestArrays.assertIdentical(r, random.initialState(50, new SplittableRandom(9)), "same seed");
    assertThrows(
        IllegalArgumentException.class, () -> random.initialState(0, new SplittableRandom(9)));
  }

  @Test
  void defaultsAndInfo() {
    PlrnnModel model = new PlrnnModel();
    assertEquals(new Config(64, 0.9, 1.0, InitialState.ZERO, 0.1), model.defaults());
    assertEquals(Config.class, model.configType());
    assertEquals("plrnn", model.info().id());
    assertTrue(model.info().description().contains("2502.07256"));
  }

  @Test
  @SuppressWarnings("rawtypes")
  void serviceLoaderFindsBothNewModels() {
    Set<String> ids =
        ServiceLoader.load(Model.class).stream()
            .map(p -> p.get().info().id())
            .collect(Collectors.toSet());
    assertTrue(ids.containsAll(Set.of("plrnn", "rank-one-rnn")), ids.toString());
  }

  @Test
  void invalidConfigsNameTheKebabCaseKey() {
    assertMessage(
        "hidden-size must be ≥ 1 (was 0)", () -> new Config(0, 0.9, 1, InitialState.ZERO, 0.1));
    assertMessage(
        "a-init must be in [-1.0, 1.0] (was 1.5)",
        () -> new Config(8, 1.5, 1, InitialState.ZERO, 0.1));
    assertMessage(
        "gain must be a finite number ≥ 0 (was -1.0)",
        () -> new Config(8, 0.9, -1, InitialState.ZERO, 0.1));
    assertMessage("initial-state must be set", () -> new Config(8, 0.9, 1, null, 0.1));
    assertMessage(
        "h0-scale must be a finite number ≥ 0 (was NaN)",
        () -> new Config(8, 0.9, 1, InitialState.RANDOM, Double.NaN));
    assertMessage(
        "a-init must be in [-1.0, 1.0] (was NaN)",
        () -> new Config(8, Double.NaN, 1, InitialState.ZERO, 0.1));
    // Edge values that are valid.
    new Config(1, -1.0, 0.0, InitialState.RANDOM, 0.0);
    new Config(1, 1.0, 0.0, InitialState.ZERO, 0.0);
  }

  private static void assertMessage(String expected, Supplier<Config> make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
    assertEquals(expected, e.getMessage());
  }
}
