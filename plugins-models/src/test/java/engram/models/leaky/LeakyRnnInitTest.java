package engram.models.leaky;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.testkit.TestArrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Initialisation, the fixed-τ variant, determinism and configuration checks. */
class LeakyRnnInitTest {
  private static final int H = 40;
  private static final int I = 3;

  @Test
  void parametersHaveTheTorchShapesRangesAndOrder() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Network net =
          TestSupport.network(
              TestSupport.config(H, Nonlinearity.LEAKY_RELU, 0.01, Phi.OUTSIDE), I, type, 5);
      assertEquals(H, net.hiddenSize());
      List<Parameter> ps = net.parameters();
      assertEquals(
          List.of("w_in", "b_in", "w_rec", "b_rec", "taus"),
          ps.stream().map(Parameter::name).toList());
      assertTrue(ps.stream().allMatch(Parameter::trainable));
      long[][] shapes = {{H, I}, {H}, {H, H}, {H}, {H}};
      for (int k = 0; k < ps.size(); k++) {
        assertArrayEquals(shapes[k], ps.get(k).value().shape(), ps.get(k).name());
        assertEquals(type, ps.get(k).value().dataType(), ps.get(k).name());
      }
      assertUniform(TestArrays.param(net, "w_in"), -1 / Math.sqrt(I), 1 / Math.sqrt(I));
      assertUniform(TestArrays.param(net, "b_in"), -1 / Math.sqrt(I), 1 / Math.sqrt(I));
      assertUniform(TestArrays.param(net, "b_rec"), -1 / Math.sqrt(H), 1 / Math.sqrt(H));
      assertUniform(TestArrays.param(net, "taus"), 1.0, 2.0);
      INDArray wRec = TestArrays.param(net, "w_rec");
      INDArray offDiagonal = wRec.mul(Nd4j.ones(type, H, H).subi(Nd4j.eye(H).castTo(type)));
      assertUniform(offDiagonal, -1 / Math.sqrt(H), 1 / Math.sqrt(H));
      for (int i = 0; i < H; i++) {
        assertEquals(0.0, wRec.getDouble(i, i), 0.0, "w_rec diagonal");
      }
    }
  }

  @Test
  void xavierUniformDrawsWithinGainTimesRootThreeOverHAndTanhNormalStatesHaveTheirSpread() {
    double gain = 1.5;
    Config config =
        new Config(
            H,
            Nonlinearity.TANH,
            0,
            Phi.INSIDE,
            false,
            1.0,
            2.0,
            2.0,
            0.3,
            LeakyRnnModel.RecurrentInit.XAVIER_UNIFORM,
            gain,
            LeakyRnnModel.InitialState.TANH_NORMAL);
    Network net = TestSupport.network(config, I, DataType.DOUBLE, 7);
    INDArray wRec = TestArrays.param(net, "w_rec");
    double bound = gain * Math.sqrt(6.0 / (H + H));
    INDArray offDiagonal =
        wRec.mul(Nd4j.ones(DataType.DOUBLE, H, H).subi(Nd4j.eye(H).castTo(DataType.DOUBLE)));
    assertUniform(offDiagonal, -bound, bound);
    for (int i = 0; i < H; i++) {
      assertEquals(0.0, wRec.getDouble(i, i), 0.0, "w_rec diagonal");
    }
    // h_0 = tanh(0.3·ε): E[h_0] = 0, E[h_0²] = E[tanh²(0.3ε)] ≈ 0.0769 (numerically, 10⁷ draws)
    INDArray h0 = net.initialState(500, new java.util.SplittableRandom(3));
    double[] v = h0.data().asDouble();
    double mean = 0;
    double square = 0;
    for (double x : v) {
      assertTrue(Math.abs(x) < 1, "tanh keeps h_0 inside (−1, 1)");
      mean += x / v.length;
      square += x * x / v.length;
    }
    assertEquals(0, mean, 0.005, "mean of tanh(N(0, 0.09))"); // s.e. ≈ 0.0013
    assertEquals(0.0769, square, 0.003, "mean square of tanh(N(0, 0.09))"); // s.e. ≈ 0.0004
  }

  /** Within [lo, hi], and spread over most of it (so a wrong bound such as 1/H would fail). */
  private static void assertUniform(INDArray a, double lo, double hi) {
    double min = a.minNumber().doubleValue();
    double max = a.maxNumber().doubleValue();
    assertTrue(
        min >= lo && max <= hi,
        "values in [" + min + ", " + max + "] not within [" + lo + ", " + hi + "]");
    assertTrue(
        max - min > 0.8 * (hi - lo),
        "values in [" + min + ", " + max + "] do not fill [" + lo + ", " + hi + "]");
  }

  @Test
  void initialStateIsScaledUniform() {
    Config c =
        new Config(
            H,
            Nonlinearity.LEAKY_RELU,
            0.01,
            Phi.OUTSIDE,
            true,
            1,
            2,
            1,
            0.25,
            LeakyRnnModel.RecurrentInit.UNIFORM,
            1.0);
    Network net = TestSupport.network(c, I, DataType.FLOAT, 1);
    INDArray h0 = net.initialState(50, new SplittableRandom(9));
    assertArrayEquals(new long[] {50, H}, h0.shape());
    assertEquals(DataType.FLOAT, h0.dataType());
    assertUniform(h0, 0.0, 0.25);
    assertThrows(
        IllegalArgumentException.class, () -> net.initialState(0, new SplittableRandom(9)));
  }

  @Test
  void fixedTauIsANonTrainableParameterWithoutGradient() {
    Config c =
        new Config(
            H,
            Nonlinearity.LEAKY_RELU,
            0.01,
            Phi.OUTSIDE,
            false,
            1,
            2,
            3.0,
            0.1,
            LeakyRnnModel.RecurrentInit.UNIFORM,
            1.0);
    Network net = TestSupport.network(c, I, DataType.DOUBLE, 5);
    Parameter taus = net.parameters().get(4);
    assertEquals("taus", taus.name());
    assertFalse(taus.trainable());
    assertArrayEquals(new long[] {H}, taus.value().shape());
    assertEquals(3.0, taus.value().minNumber().doubleValue(), 0.0);
    assertEquals(3.0, taus.value().maxNumber().doubleValue(), 0.0);

    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    assertFalse(grads.containsKey("taus"));
    SplittableRandom rng = new SplittableRandom(1);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, 5, 2, I);
    Trajectory traj = net.forward(x, net.initialState(2, rng));
    net.backward(traj, TestArrays.gaussian(rng, DataType.DOUBLE, 5, 2, H), grads);
    assertTrue(grads.get("w_rec").norm2Number().doubleValue() > 0);

    // With a fixed τ = 3 the update is h_t = φ(h_{t−1} + (drive − h_{t−1})/3): check one unit.
    INDArray h = traj.hidden();
    double[] wIn = TestArrays.param(net, "w_in").getRow(0).toDoubleVector();
    double[] wRec = TestArrays.param(net, "w_rec").getRow(0).toDoubleVector();
    double drive =
        TestArrays.param(net, "b_in").getDouble(0) + TestArrays.param(net, "b_rec").getDouble(0);
    for (int k = 0; k < I; k++) {
      drive += wIn[k] * x.getDouble(1, 0, k);
    }
    for (int j = 1; j < H; j++) {
      drive += wRec[j] * h.getDouble(0, 0, j);
    }
    double pre = h.getDouble(0, 0, 0) + (drive - h.getDouble(0, 0, 0)) / 3.0;
    assertEquals(pre > 0 ? pre : 0.01 * pre, h.getDouble(1, 0, 0), 1e-12);
  }

  @Test
  void trainableTauRequiresItsGradientArray() {
    Network net =
        TestSupport.network(
            TestSupport.config(4, Nonlinearity.RELU, 0, Phi.OUTSIDE), 1, DataType.DOUBLE, 5);
    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    grads.remove("taus");
    Trajectory traj =
        net.forward(Nd4j.ones(DataType.DOUBLE, 3, 2, 1), Nd4j.zeros(DataType.DOUBLE, 2, 4));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> net.backward(traj, Nd4j.ones(DataType.DOUBLE, 3, 2, 4), grads));
    assertTrue(e.getMessage().contains("taus"), e.getMessage());
  }

  @Test
  void configDefaultsAreThePapers() {
    LeakyRnnModel model = new LeakyRnnModel();
    Config d = model.defaults();
    assertEquals(
        new Config(
            500,
            Nonlinearity.LEAKY_RELU,
            0.01,
            Phi.OUTSIDE,
            true,
            1.0,
            2.0,
            1.0,
            0.1,
            LeakyRnnModel.RecurrentInit.UNIFORM,
            1.0),
        d);
    assertEquals(Config.class, model.configType());
    assertEquals("leaky-rnn", model.info().id());
    assertTrue(model.info().description().contains("2309.12927"));
  }

  @Test
  void invalidConfigsNameTheKebabCaseKey() {
    assertMessage(
        "hidden-size must be ≥ 1 (was 0)",
        () ->
            new Config(
                0,
                Nonlinearity.LEAKY_RELU,
                0.01,
                Phi.OUTSIDE,
                true,
                1,
                2,
                1,
                0.1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0));
    assertMessage(
        "fixed-tau must be a finite number ≥ 1 (was 0.5)",
        () ->
            new Config(
                10,
                Nonlinearity.LEAKY_RELU,
                0.01,
                Phi.OUTSIDE,
                false,
                1,
                2,
                0.5,
                0.1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0));
    assertPrefix(
        "nonlinearity",
        () ->
            new Config(
                10,
                null,
                0.01,
                Phi.OUTSIDE,
                true,
                1,
                2,
                1,
                0.1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0));
    assertPrefix(
        "phi",
        () ->
            new Config(
                10,
                Nonlinearity.TANH,
                0.01,
                null,
                true,
                1,
                2,
                1,
                0.1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0));
    assertPrefix(
        "leaky-slope",
        () ->
            new Config(
                10,
                Nonlinearity.LEAKY_RELU,
                -0.1,
                Phi.OUTSIDE,
                true,
                1,
                2,
                1,
                0.1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0));
    assertPrefix(
        "tau-init-min",
        () ->
            new Config(
                10,
                Nonlinearity.LEAKY_RELU,
                0.01,
                Phi.OUTSIDE,
                true,
                0,
                2,
                1,
                0.1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0));
    assertPrefix(
        "tau-init-max",
        () ->
            new Config(
                10,
                Nonlinearity.LEAKY_RELU,
                0.01,
                Phi.OUTSIDE,
                true,
                2,
                1.5,
                1,
                0.1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0));
    assertPrefix(
        "fixed-tau",
        () ->
            new Config(
                10,
                Nonlinearity.LEAKY_RELU,
                0.01,
                Phi.OUTSIDE,
                true,
                1,
                2,
                Double.NaN,
                0.1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0));
    assertPrefix(
        "h0-scale",
        () ->
            new Config(
                10,
                Nonlinearity.LEAKY_RELU,
                0.01,
                Phi.OUTSIDE,
                true,
                1,
                2,
                1,
                -1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0));
    // Edge values that are valid.
    new Config(
        1,
        Nonlinearity.RELU,
        0,
        Phi.INSIDE,
        true,
        1.5,
        1.5,
        1,
        0,
        LeakyRnnModel.RecurrentInit.UNIFORM,
        1.0);
  }

  private static void assertMessage(String expected, Supplier<Config> make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
    assertEquals(expected, e.getMessage());
  }

  private static void assertPrefix(String key, Supplier<Config> make) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
    assertTrue(e.getMessage().startsWith(key + " "), e.getMessage());
  }

  @Test
  void gaussianRecurrentInitHasStdGainOverRootHAndNoSelfConnections() {
    int h = 200;
    double gain = 1.5;
    Config c =
        new Config(
            h,
            Nonlinearity.TANH,
            0.01,
            Phi.INSIDE,
            false,
            1,
            2,
            4.0,
            0.1,
            LeakyRnnModel.RecurrentInit.GAUSSIAN,
            gain);
    INDArray w =
        TestSupport.network(c, 1, DataType.DOUBLE, 3).parameters().stream()
            .filter(p -> p.name().equals("w_rec"))
            .findFirst()
            .orElseThrow()
            .value();
    double sum = 0;
    double sumSq = 0;
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < h; j++) {
        double v = w.getDouble(i, j);
        if (i == j) {
          assertEquals(0.0, v, 0.0, "no self-connections");
        } else {
          sum += v;
          sumSq += v * v;
        }
      }
    }
    int n = h * (h - 1);
    double mean = sum / n;
    double std = Math.sqrt(sumSq / n - mean * mean);
    double expected = gain / Math.sqrt(h);
    assertEquals(expected, std, 0.05 * expected, "std of N(0, g²/H)");
    assertEquals(0.0, mean, 0.1 * expected, "mean of N(0, g²/H)");
    // and it is not the uniform init, whose std is 1/√(3H)
    assertTrue(std > 2 / Math.sqrt(3.0 * h));
  }
}
