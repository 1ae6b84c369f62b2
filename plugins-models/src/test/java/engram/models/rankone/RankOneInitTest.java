package engram.models.rankone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.Constraint;
import engram.api.Parameter;
import engram.models.rankone.RankOneRnnModel.Config;
import engram.models.rankone.RankOneRnnModel.InitialState;
import engram.testkit.TestArrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Initialisation, determinism, initial states and configuration checks of the rank-one RNN. */
class RankOneInitTest {
  private static final int I = 3;

  /**
   * The parameters and random initial state for seed 42 (H = 3, I = 2, loading-std 1.3), as printed
   * by the whole-sequence RankOneRnnNetwork this cell replaced (commit 495a421): the cell draws in
   * the same order, so every run keeps its parameters bit for bit.
   */
  @Test
  void parametersForASeedAreThoseOfThePreviousImplementation() {
    Config config = new Config(3, 1.0, 2.5, 1.3, InitialState.RANDOM, 0.3);
    double[] m = {-0.9323147355943205, 1.3347880208472316, 1.3476934807556085};
    double[] n = {1.2476536446370472, 0.0573363512587747, -1.0336155950803891};
    double[] wIn = {
      -0.39823519414605335,
      0.4251576773299126,
      -0.2263716956785206,
      0.16755894513883485,
      -0.4173318317016284,
      -0.00991478853242389
    };
    double[] x0 = {
      0.1160304137951802,
      0.22569210475146717,
      0.06981274970323854,
      0.02980182339798075,
      0.056388036510726644,
      0.11418267828558645
    };
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      Cell cell = RankOneTestSupport.cell(config, 2, type, 42);
      assertPinned(m, RankOneTestSupport.param(cell, "m"), "m");
      assertPinned(n, RankOneTestSupport.param(cell, "n"), "n");
      assertPinned(wIn, RankOneTestSupport.param(cell, "w_in"), "w_in");
      assertPinned(new double[3], RankOneTestSupport.param(cell, "b"), "b");
      assertPinned(x0, cell.initialState(2, new SplittableRandom(5)), "x_0");
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
  void parametersHaveTheDocumentedShapesAndDistributions() {
    int hh = 2000;
    double sdInit = 1.7;
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Cell net =
          RankOneTestSupport.cell(new Config(hh, 1, 2, sdInit, InitialState.ZERO, 0.1), I, type, 5);
      assertEquals(hh, net.hiddenSize());
      assertEquals(hh, net.stateSize());
      assertEquals(List.of("rates", "kappa"), List.copyOf(net.extras().keySet()));
      assertEquals(Map.of("rates", hh, "kappa", 1), net.extras());
      List<Parameter> ps = net.parameters();
      assertTrue(ps.stream().allMatch(p -> p.constraint() == Constraint.NONE));
      assertEquals(List.of("m", "n", "w_in", "b"), ps.stream().map(Parameter::name).toList());
      assertTrue(ps.stream().allMatch(Parameter::trainable));
      long[][] shapes = {{hh}, {hh}, {hh, I}, {hh}};
      for (int k = 0; k < ps.size(); k++) {
        assertArrayEquals(shapes[k], ps.get(k).value().shape(), ps.get(k).name());
        assertEquals(type, ps.get(k).value().dataType(), ps.get(k).name());
      }
      for (String name : List.of("m", "n")) {
        INDArray v = RankOneTestSupport.param(net, name).castTo(DataType.DOUBLE);
        double mean = v.meanNumber().doubleValue();
        double sd = Math.sqrt(v.sub(mean).muli(v.sub(mean)).meanNumber().doubleValue());
        assertEquals(sdInit, sd, 0.1 * sdInit, name + " std");
        assertEquals(0.0, mean, 0.1 * sdInit, name + " mean");
      }
      // m and n are drawn independently.
      assertNotEquals(RankOneTestSupport.param(net, "m"), RankOneTestSupport.param(net, "n"));
      assertEquals(0.0, RankOneTestSupport.param(net, "b").amaxNumber().doubleValue(), 0.0);
      INDArray w = RankOneTestSupport.param(net, "w_in");
      double bound = 1 / Math.sqrt(I);
      assertTrue(w.minNumber().doubleValue() >= -bound && w.maxNumber().doubleValue() <= bound);
      assertTrue(
          w.maxNumber().doubleValue() - w.minNumber().doubleValue() > 1.6 * bound,
          "w_in fills its range");
    }
  }

  @Test
  void initialStateIsZeroOrScaledUniform() {
    Cell zero =
        RankOneTestSupport.cell(
            new Config(20, 1, 2, 1, InitialState.ZERO, 0.5), I, DataType.FLOAT, 1);
    INDArray x0 = zero.initialState(4, new SplittableRandom(9));
    assertArrayEquals(new long[] {4, 20}, x0.shape());
    assertEquals(DataType.FLOAT, x0.dataType());
    assertEquals(0.0, x0.amaxNumber().doubleValue(), 0.0);
    var random =
        RankOneTestSupport.network(
            new Config(20, 1, 2, 1, InitialState.RANDOM, 0.5), I, DataType.DOUBLE, 1);
    INDArray r = random.initialState(50, new SplittableRandom(9));
    assertTrue(r.minNumber().doubleValue() >= 0 && r.maxNumber().doubleValue() <= 0.5);
    assertTrue(r.maxNumber().doubleValue() > 0.4 && r.minNumber().doubleValue() < 0.1);
    TestArrays.assertIdentical(r, random.initialState(50, new SplittableRandom(9)), "same seed");
  }

  @Test
  void defaultsAndInfo() {
    RankOneRnnModel model = new RankOneRnnModel();
    assertEquals(new Config(64, 1.0, 2.0, 1.0, InitialState.ZERO, 0.1), model.defaults());
    assertEquals(Config.class, model.configType());
    assertEquals("rank-one-rnn", model.info().id());
    assertTrue(model.info().description().contains("2502.07256"));
  }

  @Test
  void invalidConfigsNameTheKebabCaseKey() {
    assertMessage(
        "hidden-size must be ≥ 1 (was 0)", () -> new Config(0, 1, 2, 1, InitialState.ZERO, 0.1));
    assertMessage(
        "dt must be a finite number > 0 (was 0.0)",
        () -> new Config(8, 0, 2, 1, InitialState.ZERO, 0.1));
    assertMessage(
        "tau must be a finite number > 0 (was -2.0)",
        () -> new Config(8, 1, -2, 1, InitialState.ZERO, 0.1));
    assertMessage(
        "dt must be ≤ tau so that α = dt/tau ≤ 1 (was 3.0 > 2.0)",
        () -> new Config(8, 3, 2, 1, InitialState.ZERO, 0.1));
    assertMessage(
        "loading-std must be a finite number ≥ 0 (was -1.0)",
        () -> new Config(8, 1, 2, -1, InitialState.ZERO, 0.1));
    assertMessage("initial-state must be set", () -> new Config(8, 1, 2, 1, null, 0.1));
    assertMessage(
        "h0-scale must be a finite number ≥ 0 (was Infinity)",
        () -> new Config(8, 1, 2, 1, InitialState.RANDOM, Double.POSITIVE_INFINITY));
    // Edge values that are valid.
    new Config(1, 2.0, 2.0, 0.0, InitialState.RANDOM, 0.0);
  }

  private static void assertMessage(String expected, Supplier<Config> make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
    assertEquals(expected, e.getMessage());
  }
}
