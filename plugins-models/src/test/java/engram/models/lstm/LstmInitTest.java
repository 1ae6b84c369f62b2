package engram.models.lstm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Parameter;
import engram.models.lstm.LstmModel.Config;
import engram.models.lstm.LstmModel.InitialState;
import engram.testkit.TestArrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Initialisation, the τ options, the initial state, determinism and configuration checks. */
class LstmInitTest {
  private static final int H = 40;
  private static final int I = 3;

  @Test
  void parametersHaveTheTorchNamesShapesRangesAndOrder() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Network net = LstmTestSupport.network(LstmTestSupport.config(H), I, type, 5);
      assertEquals(H, net.hiddenSize());
      List<Parameter> ps = net.parameters();
      assertEquals(
          List.of("w_ih", "w_hh", "b_ih", "b_hh"),
          ps.stream().map(Parameter::name).toList(),
          "no taus without the leak");
      assertTrue(ps.stream().allMatch(Parameter::trainable));
      long[][] shapes = {{4 * H, I}, {4 * H, H}, {4 * H}, {4 * H}};
      double bound = 1 / Math.sqrt(H); // PyTorch: U(−1/√H, 1/√H) for every LSTM tensor
      for (int k = 0; k < ps.size(); k++) {
        assertArrayEquals(shapes[k], ps.get(k).value().shape(), ps.get(k).name());
        assertEquals(type, ps.get(k).value().dataType(), ps.get(k).name());
        assertUniform(ps.get(k).value(), -bound, bound);
      }
      assertFalse(TestArrays.gradientArrays(net).containsKey("taus"));
    }
  }

  /**
   * The parameters are exactly PyTorch's order of draws from the generator, U(−1/√H, 1/√H) for
   * w_ih, w_hh, b_ih, b_hh in C order and then τ ~ U(tau-init-min, tau-init-max): replayed here, so
   * any change of draw order, bound or count (which would change every run's parameters for the
   * same seed) fails, in both data types (float32 rounds the same doubles).
   */
  @Test
  void parametersAreTheGeneratorsDrawsInTorchOrder() {
    Config c = new Config(H, true, 1.5, 4.0, true, 1.0, InitialState.ZERO, 0.1);
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Network net = LstmTestSupport.network(c, I, type, 5);
      SplittableRandom replay = new SplittableRandom(5);
      double bound = 1 / Math.sqrt(H);
      for (Parameter p : net.parameters()) {
        double lo = p.name().equals("taus") ? 1.5 : -bound;
        double hi = p.name().equals("taus") ? 4.0 : bound;
        INDArray flat = p.value().reshape(p.value().length());
        for (long k = 0; k < flat.length(); k++) {
          double expected = lo + (hi - lo) * replay.nextDouble();
          double want = type == DataType.FLOAT ? (float) expected : expected;
          assertEquals(want, flat.getDouble(k), 0.0, p.name() + "[" + k + "] in " + type);
        }
      }
    }
  }

  @Test
  void leakAddsTrainableTausDrawnUniformly() {
    Config c = new Config(H, true, 1.5, 4.0, true, 1.0, InitialState.ZERO, 0.1);
    Network net = LstmTestSupport.network(c, I, DataType.DOUBLE, 5);
    assertEquals(
        List.of("w_ih", "w_hh", "b_ih", "b_hh", "taus"),
        net.parameters().stream().map(Parameter::name).toList());
    Parameter taus = net.parameters().get(4);
    assertTrue(taus.trainable());
    assertArrayEquals(new long[] {H}, taus.value().shape());
    assertUniform(taus.value(), 1.5, 4.0);
    // The four weight tensors are drawn first, so they do not depend on the leak.
    Network plain = LstmTestSupport.network(LstmTestSupport.config(H), I, DataType.DOUBLE, 5);
    for (Parameter p : plain.parameters()) {
      TestArrays.assertIdentical(p.value(), TestArrays.param(net, p.name()), p.name());
    }
  }

  @Test
  void fixedTauIsANonTrainableParameter() {
    Config c = new Config(H, true, 1.0, 2.0, false, 3.0, InitialState.ZERO, 0.1);
    Network net = LstmTestSupport.network(c, I, DataType.FLOAT, 5);
    Parameter taus = net.parameters().get(4);
    assertEquals("taus", taus.name());
    assertFalse(taus.trainable());
    assertEquals(3.0, taus.value().minNumber().doubleValue(), 0.0);
    assertEquals(3.0, taus.value().maxNumber().doubleValue(), 0.0);
    assertFalse(TestArrays.gradientArrays(net).containsKey("taus"));
  }

  @Test
  void trainableTauRequiresItsGradientArray() {
    Network net =
        LstmTestSupport.network(
            LstmTestSupport.config(4, true, InitialState.ZERO), 1, DataType.DOUBLE, 5);
    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    grads.remove("taus");
    var traj =
        net.forward(
            Nd4j.ones(DataType.DOUBLE, 3, 2, 1), net.initialState(2, new SplittableRandom(1)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> net.backward(traj, Nd4j.ones(DataType.DOUBLE, 3, 2, 4), grads));
    assertTrue(e.getMessage().contains("taus"), e.getMessage());
  }

  /** Within [lo, hi], and spread over most of it (so a wrong bound such as 1/H would fail). */
  private static void assertUniform(INDArray a, double lo, double hi) {
    double min = a.minNumber().doubleValue();
    double max = a.maxNumber().doubleValue();
    String range = "values in [" + min + ", " + max + "]";
    assertTrue(min >= lo && max <= hi, range + " not within [" + lo + ", " + hi + "]");
    assertTrue(max - min > 0.8 * (hi - lo), range + " do not fill [" + lo + ", " + hi + "]");
  }

  @Test
  void zeroInitialStateIsZeroAndDrawsNothing() {
    Network net = LstmTestSupport.network(LstmTestSupport.config(H), I, DataType.FLOAT, 1);
    assertEquals(2 * H, net.stateSize(), "the state is [h | c]");
    SplittableRandom rng = new SplittableRandom(9);
    INDArray s0 = net.initialState(5, rng);
    assertArrayEquals(new long[] {5, 2 * H}, s0.shape());
    assertEquals(DataType.FLOAT, s0.dataType());
    assertEquals(0.0, s0.amaxNumber().doubleValue(), 0.0);
    assertEquals(new SplittableRandom(9).nextLong(), rng.nextLong(), "the generator was not used");
    assertThrows(IllegalArgumentException.class, () -> net.initialState(0, rng));
  }

  /** h_0 = h0-scale·U(0, 1), drawn as before the state had a c block; c_0 = 0. */
  @Test
  void randomInitialStateIsScaledUniformHiddenAndZeroCell() {
    Config c = new Config(H, false, 1, 2, true, 1, InitialState.RANDOM, 0.25);
    Network net = LstmTestSupport.network(c, I, DataType.DOUBLE, 1);
    INDArray s0 = net.initialState(50, new SplittableRandom(9));
    assertArrayEquals(new long[] {50, 2 * H}, s0.shape());
    INDArray h0 = LstmTestSupport.block(s0, 0);
    assertUniform(h0, 0.0, 0.25);
    assertEquals(0.0, LstmTestSupport.block(s0, 1).amaxNumber().doubleValue(), 0.0, "c_0 = 0");
    SplittableRandom replay = new SplittableRandom(9);
    for (int b = 0; b < 50; b++) {
      for (int u = 0; u < H; u++) {
        assertEquals(
            0.25 * replay.nextDouble(), h0.getDouble(b, u), 0.0, "h_0[" + b + ", " + u + "]");
      }
    }
  }

  @Test
  void configDefaultsAreTheSpecs() {
    LstmModel model = new LstmModel();
    Config d = model.defaults();
    assertEquals(new Config(500, false, 1.0, 2.0, true, 1.0, InitialState.ZERO, 0.1), d);
    assertEquals(Config.class, model.configType());
    assertEquals("lstm", model.info().id());
    assertTrue(model.info().description().contains("Hochreiter"));
    assertTrue(model.info().description().contains("nn.LSTM"));
  }

  @Test
  void invalidConfigsNameTheKebabCaseKey() {
    assertMessage(
        "hidden-size must be ≥ 1 (was 0)",
        () -> new Config(0, false, 1, 2, true, 1, InitialState.ZERO, 0.1));
    assertMessage(
        "fixed-tau must be a finite number ≥ 1 (was 0.5)",
        () -> new Config(10, true, 1, 2, false, 0.5, InitialState.ZERO, 0.1));
    assertMessage(
        "initial-state must be set", () -> new Config(10, false, 1, 2, true, 1, null, 0.1));
    assertMessage(
        "tau-init-max must be ≥ tau-init-min (was 1.5 < 2.0)",
        () -> new Config(10, true, 2, 1.5, true, 1, InitialState.ZERO, 0.1));
    assertPrefix("tau-init-min", () -> new Config(10, true, 0, 2, true, 1, InitialState.ZERO, 0.1));
    assertPrefix(
        "tau-init-max",
        () -> new Config(10, true, 1, Double.POSITIVE_INFINITY, true, 1, InitialState.ZERO, 0.1));
    assertPrefix(
        "fixed-tau", () -> new Config(10, true, 1, 2, true, Double.NaN, InitialState.ZERO, 0.1));
    assertPrefix(
        "fixed-tau",
        () -> new Config(10, true, 1, 2, true, Double.POSITIVE_INFINITY, InitialState.ZERO, 0.1));
    assertPrefix("h0-scale", () -> new Config(10, false, 1, 2, true, 1, InitialState.RANDOM, -1));
    // Edge values that are valid.
    new Config(1, true, 1.5, 1.5, false, 1, InitialState.RANDOM, 0);
  }

  private static void assertMessage(String expected, Supplier<Config> make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
    assertEquals(expected, e.getMessage());
  }

  private static void assertPrefix(String key, Supplier<Config> make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
    assertTrue(e.getMessage().startsWith(key + " "), e.getMessage());
  }
}
