package engram.models.rankone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Parameter;
import engram.models.common.ModelTestSupport;
import engram.models.rankone.RankOneRnnModel.Config;
import engram.models.rankone.RankOneRnnModel.InitialState;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Initialisation, determinism, initial states and configuration checks of the rank-one RNN. */
class RankOneInitTest {
  private static final int I = 3;

  @Test
  void parametersHaveTheDocumentedShapesAndDistributions() {
    int hh = 2000;
    double sdInit = 1.7;
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Network net = RankOneTestSupport.network(new Config(hh, 1, 2, sdInit, InitialState.ZERO, 0.1), I, type, 5);
      assertEquals(hh, net.hiddenSize());
      List<Parameter> ps = net.parameters();
      assertEquals(List.of("m", "n", "w_in", "b"), ps.stream().map(Parameter::name).toList());
      assertTrue(ps.stream().allMatch(Parameter::trainable));
      long[][] shapes = {{hh}, {hh}, {hh, I}, {hh}};
      for (int k = 0; k < ps.size(); k++) {
        assertArrayEquals(shapes[k], ps.get(k).value().shape(), ps.get(k).name());
        assertEquals(type, ps.get(k).value().dataType(), ps.get(k).name());
      }
      for (String name : List.of("m", "n")) {
        INDArray v = ModelTestSupport.param(net, name).castTo(DataType.DOUBLE);
        double mean = v.meanNumber().doubleValue();
        double sd = Math.sqrt(v.sub(mean).muli(v.sub(mean)).meanNumber().doubleValue());
        assertEquals(sdInit, sd, 0.1 * sdInit, name + " std");
        assertEquals(0.0, mean, 0.1 * sdInit, name + " mean");
      }
      // m and n are drawn independently.
      assertNotEquals(ModelTestSupport.param(net, "m"), ModelTestSupport.param(net, "n"));
      assertEquals(0.0, ModelTestSupport.param(net, "b").amaxNumber().doubleValue(), 0.0);
      INDArray w = ModelTestSupport.param(net, "w_in");
      double bound = 1 / Math.sqrt(I);
      assertTrue(w.minNumber().doubleValue() >= -bound && w.maxNumber().doubleValue() <= bound);
      assertTrue(w.maxNumber().doubleValue() - w.minNumber().doubleValue() > 1.6 * bound, "w_in fills its range");
    }
  }

  @Test
  void initialStateIsZeroOrScaledUniform() {
    Network zero = RankOneTestSupport.network(new Config(20, 1, 2, 1, InitialState.ZERO, 0.5), I, DataType.FLOAT, 1);
    INDArray x0 = zero.initialState(4, new SplittableRandom(9));
    assertArrayEquals(new long[] {4, 20}, x0.shape());
    assertEquals(DataType.FLOAT, x0.dataType());
    assertEquals(0.0, x0.amaxNumber().doubleValue(), 0.0);
    Network random = RankOneTestSupport.network(new Config(20, 1, 2, 1, InitialState.RANDOM, 0.5), I, DataType.DOUBLE, 1);
    INDArray r = random.initialState(50, new SplittableRandom(9));
    assertTrue(r.minNumber().doubleValue() >= 0 && r.maxNumber().doubleValue() <= 0.5);
    assertTrue(r.maxNumber().doubleValue() > 0.4 && r.minNumber().doubleValue() < 0.1);
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
    assertMessage("hidden-size must be ≥ 1 (was 0)", () -> new Config(0, 1, 2, 1, InitialState.ZERO, 0.1));
    assertMessage("dt must be a finite number > 0 (was 0.0)", () -> new Config(8, 0, 2, 1, InitialState.ZERO, 0.1));
    assertMessage("tau must be a finite number > 0 (was -2.0)", () -> new Config(8, 1, -2, 1, InitialState.ZERO, 0.1));
    assertMessage("dt must be ≤ tau so that α = dt/tau ≤ 1 (was 3.0 > 2.0)",
        () -> new Config(8, 3, 2, 1, InitialState.ZERO, 0.1));
    assertMessage("loading-std must be a finite number ≥ 0 (was -1.0)", () -> new Config(8, 1, 2, -1, InitialState.ZERO, 0.1));
    assertMessage("initial-state must be set", () -> new Config(8, 1, 2, 1, null, 0.1));
    assertMessage("h0-scale must be a finite number ≥ 0 (was Infinity)",
        () -> new Config(8, 1, 2, 1, InitialState.RANDOM, Double.POSITIVE_INFINITY));
    // Edge values that are valid.
    new Config(1, 2.0, 2.0, 0.0, InitialState.RANDOM, 0.0);
  }

  private static void assertMessage(String expected, Supplier<Config> make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
    assertEquals(expected, e.getMessage());
  }
}
