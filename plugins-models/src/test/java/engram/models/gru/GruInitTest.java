package engram.models.gru;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.Model;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.gru.GruModel.Config;
import engram.models.gru.GruModel.InitialState;
import engram.models.gru.TestSupport.Leak;
import engram.testkit.TestArrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Initialisation, the τ options, initial states, determinism, configuration and discovery. */
class GruInitTest {
  private static final int H = 40;
  private static final int I = 3;

  @Test
  void parametersHaveTheTorchNamesShapesRangesAndOrder() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Network net = TestSupport.network(TestSupport.config(H, Leak.OFF), I, type, 5);
      assertEquals(H, net.hiddenSize());
      List<Parameter> ps = net.parameters();
      assertEquals(
          List.of("w_ih", "w_hh", "b_ih", "b_hh"), ps.stream().map(Parameter::name).toList());
      assertTrue(ps.stream().allMatch(Parameter::trainable));
      long[][] shapes = {{3 * H, I}, {3 * H, H}, {3 * H}, {3 * H}};
      double bound = 1 / Math.sqrt(H); // PyTorch's bound for every GRU tensor, inputs included
      for (int k = 0; k < ps.size(); k++) {
        assertArrayEquals(shapes[k], ps.get(k).value().shape(), ps.get(k).name());
        assertEquals(type, ps.get(k).value().dataType(), ps.get(k).name());
        assertUniform(ps.get(k).value(), -bound, bound);
      }
      assertFalse(TestArrays.hasParam(net, "taus"), "no taus without the leak");
      assertEquals(4, TestArrays.gradientArrays(net).size());
    }
  }

  @Test
  void leakAddsTrainableTausDrawnFromTheirRange() {
    Config c = new Config(H, true, 0.5, 4.0, true, 1.0, InitialState.ZERO, 0.1);
    Network net = TestSupport.network(c, I, DataType.FLOAT, 5);
    assertEquals(5, net.parameters().size());
    Parameter taus = net.parameters().get(4);
    assertEquals("taus", taus.name());
    assertTrue(taus.trainable());
    assertArrayEquals(new long[] {H}, taus.value().shape());
    assertEquals(DataType.FLOAT, taus.value().dataType());
    assertUniform(taus.value(), 0.5, 4.0);
    // The weights are drawn first, in the same order as without the leak.
    Network plain =
        TestSupport.network(
            new Config(H, false, 0.5, 4.0, true, 1.0, InitialState.ZERO, 0.1),
            I,
            DataType.FLOAT,
            5);
    for (Parameter p : plain.parameters()) {
      TestArrays.assertIdentical(p.value(), TestArrays.param(net, p.name()), p.name());
    }
  }

  /**
   * The same seed gives the same parameters, bit for bit, as every GRU of this project so far: one
   * generator's draws U(lo, hi) = lo + (hi − lo)·u in C order, for w_ih, w_hh, b_ih, b_hh (bound
   * 1/√H) and then τ, rounded to the data type.
   */
  @Test
  void parametersAreTheSeedsDrawsInOrder() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      Config c = new Config(H, true, 0.5, 4.0, true, 1.0, InitialState.ZERO, 0.1);
      Network net = TestSupport.network(c, I, type, 77);
      SplittableRandom rng = new SplittableRandom(77);
      double bound = 1 / Math.sqrt(H);
      for (String name : new String[] {"w_ih", "w_hh", "b_ih", "b_hh", "taus"}) {
        double lo = name.equals("taus") ? 0.5 : -bound;
        double hi = name.equals("taus") ? 4.0 : bound;
        INDArray p = TestArrays.param(net, name);
        double[] actual = p.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < actual.length; i++) {
          double draw = lo + (hi - lo) * rng.nextDouble();
          double expected = type == DataType.FLOAT ? (double) (float) draw : draw;
          assertEquals(expected, actual[i], 0.0, name + "[" + i + "] (" + type + ")");
        }
      }
    }
  }

  /** Within [lo, hi], and spread over most of it (so a wrong bound such as 1/H would fail). */
  private static void assertUniform(INDArray a, double lo, double hi) {
    double min = a.minNumber().doubleValue();
    double max = a.maxNumber().doubleValue();
    String values = "values in [" + min + ", " + max + "]";
    assertTrue(min >= lo && max <= hi, values + " not within [" + lo + ", " + hi + "]");
    assertTrue(max - min > 0.8 * (hi - lo), values + " do not fill [" + lo + ", " + hi + "]");
  }

  @Test
  void randomInitialStateIsScaledUniform() {
    Network net =
        TestSupport.network(
            TestSupport.config(H, Leak.OFF, InitialState.RANDOM, 0.25), I, DataType.FLOAT, 1);
    INDArray h0 = net.initialState(50, new SplittableRandom(9));
    assertArrayEquals(new long[] {50, H}, h0.shape());
    assertEquals(DataType.FLOAT, h0.dataType());
    assertUniform(h0, 0.0, 0.25);
    assertThrows(
        IllegalArgumentException.class, () -> net.initialState(0, new SplittableRandom(9)));
  }

  @Test
  void zeroInitialStateIsZeroAndDrawsNothing() {
    Network net =
        TestSupport.network(
            TestSupport.config(H, Leak.OFF, InitialState.ZERO, 0.25), I, DataType.DOUBLE, 1);
    SplittableRandom rng = new SplittableRandom(9);
    INDArray h0 = net.initialState(6, rng);
    assertArrayEquals(new long[] {6, H}, h0.shape());
    assertEquals(DataType.DOUBLE, h0.dataType());
    assertEquals(0.0, h0.amaxNumber().doubleValue(), 0.0);
    assertEquals(new SplittableRandom(9).nextLong(), rng.nextLong(), "the generator was used");
    assertThrows(IllegalArgumentException.class, () -> net.initialState(0, rng));
  }

  @Test
  void fixedTauIsANonTrainableParameterWithoutGradient() {
    Config c = new Config(H, true, 1, 2, false, 3.0, InitialState.RANDOM, 0.1);
    Network net = TestSupport.network(c, I, DataType.DOUBLE, 5);
    Parameter taus = net.parameters().get(4);
    assertEquals("taus", taus.name());
    assertFalse(taus.trainable());
    assertEquals(3.0, taus.value().minNumber().doubleValue(), 0.0);
    assertEquals(3.0, taus.value().maxNumber().doubleValue(), 0.0);

    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    assertFalse(grads.containsKey("taus"));
    SplittableRandom rng = new SplittableRandom(1);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, 5, 2, I);
    INDArray h0 = net.initialState(2, rng);
    Trajectory traj = net.forward(x, h0);
    net.backward(traj, TestArrays.gaussian(rng, DataType.DOUBLE, 5, 2, H), grads);
    assertTrue(grads.get("w_hh").norm2Number().doubleValue() > 0);
    double[][][] ref =
        TestSupport.referenceForward(
            net, new double[H], TestArrays.to3d(x), h0.toDoubleMatrix(), null); // τ = 0 → α = 1
    double[][][] leaky =
        TestSupport.referenceForward(
            net, taus.value().toDoubleVector(), TestArrays.to3d(x), h0.toDoubleMatrix(), null);
    assertArrayEquals(leaky[4][1], traj.hidden().slice(4).getRow(1).toDoubleVector(), 1e-12);
    assertTrue(Math.abs(ref[4][1][0] - leaky[4][1][0]) > 1e-3, "τ = 3 must change the dynamics");
  }

  @Test
  void trainableTauRequiresItsGradientArray() {
    Network net = TestSupport.network(TestSupport.config(4, Leak.TRAINED), 1, DataType.DOUBLE, 5);
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
  void extrasAreTheGatesOfEveryStep() {
    Network net = TestSupport.network(TestSupport.config(H, Leak.TRAINED), I, DataType.DOUBLE, 5);
    SplittableRandom rng = new SplittableRandom(2);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, 6, 3, I);
    INDArray h0 = net.initialState(3, rng);
    Trajectory traj = net.forward(x, h0);
    double[][][][] gates = new double[3][6][3][H];
    TestSupport.referenceForward(
        net,
        TestArrays.param(net, "taus").toDoubleVector(),
        TestArrays.to3d(x),
        h0.toDoubleMatrix(),
        gates);
    String[] names = {"r", "z", "n"};
    assertEquals(3, traj.extras().size());
    for (int g = 0; g < 3; g++) {
      INDArray a = traj.extras().get(names[g]);
      assertArrayEquals(new long[] {6, 3, H}, a.shape(), names[g]);
      for (int t = 0; t < 6; t++) {
        for (int b = 0; b < 3; b++) {
          assertArrayEquals(gates[g][t][b], a.slice(t).getRow(b).toDoubleVector(), 1e-12, names[g]);
        }
      }
    }
  }

  @Test
  void configDefaultsAndInfo() {
    GruModel model = new GruModel();
    Config d = model.defaults();
    assertEquals(new Config(500, false, 1.0, 2.0, true, 1.0, InitialState.ZERO, 0.1), d);
    assertEquals(Config.class, model.configType());
    assertEquals("gru", model.info().id());
    assertTrue(model.info().description().contains("Cho et al. 2014"));
    assertTrue(model.info().description().contains("PyTorch"));
    Cell cell = model.create(d, new NetworkSpec(2, DataType.FLOAT), new SplittableRandom(1));
    assertEquals(GruCell.class, cell.getClass());
    assertEquals(500, cell.hiddenSize());
    assertEquals(500, cell.stateSize());
    assertEquals(4, cell.parameters().size());
    assertEquals(Map.of("r", 500, "z", 500, "n", 500), cell.extras());
    assertFalse(cell instanceof Cell.AcceptsDrive, "the GRU takes no drive");
    assertFalse(cell instanceof Cell.DifferentiableExtras, "no extra of the GRU is differentiable");
  }

  @Test
  // Model.class: the SPI is generic in its config record
  @SuppressWarnings({"rawtypes", "unchecked"})
  void serviceLoaderFindsTheGru() {
    Model model =
        ServiceLoader.load(Model.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(m -> m.info().id().equals("gru"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no model with id gru"));
    assertEquals(GruModel.class, model.getClass());
    Cell cell =
        model.create(
            model.defaults(), new NetworkSpec(1, DataType.DOUBLE), new SplittableRandom(1));
    assertEquals(500, cell.hiddenSize());
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
