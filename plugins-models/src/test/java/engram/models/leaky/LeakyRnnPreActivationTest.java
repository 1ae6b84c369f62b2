package engram.models.leaky;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import engram.testkit.GradientCheck;
import engram.testkit.TestArrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

/**
 * The extra {@code "pre"} (the argument of φ at every step) and backward from dL/dpre: values
 * against a plain-Java reference, gradients of L = Σ w_h⊙h + Σ w_p⊙pre against central finite
 * differences in float64 (dτ included), a zero dL/dpre changing nothing, name and shape checks, and
 * the per-step op counts.
 */
class LeakyRnnPreActivationTest {

  /** What ND4J's deprecated ProfilingMode.OPERATIONS set: the profiler sees every op call. */
  private static final ProfilerConfig COUNT_OPS =
      ProfilerConfig.builder().stackTrace(true).checkElapsedTime(true).build();

  private static final int H = 6;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 16;
  private static final double EPS = 1e-6;

  /** Two τ below 1 (clamped: zero gradient), the rest spread above 1; none within 0.05 of 1. */
  private static final double[] TAUS = {0.6, 1.3, 0.9, 1.7, 2.4, 3.1};

  @AfterEach
  void stopProfiling() {
    Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build()); // off
    OpProfiler.getInstance().reset();
  }

  static Stream<Arguments> variants() {
    List<Arguments> list = new ArrayList<>();
    for (Phi phi : Phi.values()) {
      for (Nonlinearity nl : List.of(Nonlinearity.TANH, Nonlinearity.LEAKY_RELU)) {
        for (boolean drive : new boolean[] {false, true}) {
          list.add(Arguments.of(phi, nl, drive));
        }
      }
    }
    return list.stream();
  }

  static Stream<Arguments> allVariants() {
    List<Arguments> list = new ArrayList<>();
    for (Phi phi : Phi.values()) {
      for (Nonlinearity nl : Nonlinearity.values()) {
        for (boolean drive : new boolean[] {false, true}) {
          list.add(Arguments.of(phi, nl, drive));
        }
      }
    }
    return list.stream();
  }

  /** A network with the test's τ (below and above 1) and a strong recurrence. */
  private static Network network(Config config) {
    Network net = TestSupport.network(config, I, DataType.DOUBLE, 11);
    TestArrays.param(net, "taus").assign(Nd4j.createFromArray(TAUS));
    TestArrays.param(net, "w_rec").muli(2.5);
    return net;
  }

  private static double[][][] reference(
      Config config, Network net, INDArray x, INDArray h0, INDArray drive, double[][][] pre) {
    return TestSupport.referenceForward(
        config,
        TestArrays.param(net, "w_in").toDoubleMatrix(),
        TestArrays.param(net, "b_in").toDoubleVector(),
        TestArrays.param(net, "w_rec").toDoubleMatrix(),
        TestArrays.param(net, "b_rec").toDoubleVector(),
        TestArrays.param(net, "taus").toDoubleVector(),
        TestArrays.to3d(x),
        h0.toDoubleMatrix(),
        drive == null ? null : TestArrays.to3d(drive),
        pre);
  }

  @ParameterizedTest(name = "phi {0}, {1}, drive {2}")
  @MethodSource("allVariants")
  void preIsTheArgumentOfPhi(Phi phi, Nonlinearity nl, boolean withDrive) {
    Config config = TestSupport.config(H, nl, 0.2, phi);
    Network net = network(config);
    SplittableRandom rng = new SplittableRandom(99);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = TestArrays.gaussian(rng, DataType.DOUBLE, B, H).muli(0.5);
    INDArray drive =
        withDrive ? TestArrays.gaussian(rng, DataType.DOUBLE, T, B, H).muli(0.3) : null;
    double[][][] ref = new double[T][B][H];
    double[][][] refH = reference(config, net, x, h0, drive, ref);

    Trajectory traj = net.forward(x, h0, drive);
    assertEquals(Set.of("pre"), traj.extras().keySet());
    assertEquals(Set.of("pre"), net.differentiableExtras());
    INDArray pre = traj.extras().get("pre");
    assertArrayEquals(new long[] {T, B, H}, pre.shape());
    assertEquals(0, pre.offset(), "extras start at offset 0");
    assertEquals(DataType.DOUBLE, pre.dataType());
    for (int t = 0; t < T; t++) {
      INDArray preT = pre.slice(t);
      INDArray hT = traj.hidden().slice(t);
      for (int b = 0; b < B; b++) {
        assertArrayEquals(ref[t][b], preT.getRow(b).toDoubleVector(), 1e-12, "pre at t=" + t);
        assertArrayEquals(refH[t][b], hT.getRow(b).toDoubleVector(), 1e-12, "h at t=" + t);
      }
    }
    if (phi == Phi.OUTSIDE) {
      // h = φ(pre), computed by the same op: bit for bit.
      INDArray phiOfPre = pre.dup();
      switch (nl) {
        case TANH ->
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh(phiOfPre, phiOfPre));
        case LEAKY_RELU ->
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU(phiOfPre, phiOfPre, 0.2));
        case RELU ->
            Nd4j.exec(
                new org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear(phiOfPre, phiOfPre, 0.0));
      }
      TestArrays.assertIdentical(phiOfPre, traj.hidden(), "h = φ(pre)");
    }
    // The last step is reachable with the usual ND4J indexing (the view bug).
    assertArrayEquals(new long[] {B, H}, pre.slice(T - 1).shape());
  }

  @ParameterizedTest(name = "phi {0}, {1}, drive {2}")
  @MethodSource("variants")
  void backwardFromPreMatchesCentralDifferences(Phi phi, Nonlinearity nl, boolean withDrive) {
    Config config = TestSupport.config(H, nl, 0.2, phi);
    Network net = network(config);
    SplittableRandom rng = new SplittableRandom(2024);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = TestArrays.gaussian(rng, DataType.DOUBLE, B, H).muli(0.5);
    INDArray wh = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, H);
    INDArray wp = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, H);
    INDArray drive =
        withDrive ? TestArrays.gaussian(rng, DataType.DOUBLE, T, B, H).muli(0.3) : null;

    double[][][] pre = new double[T][B][H];
    reference(config, net, x, h0, drive, pre);
    if (nl != Nonlinearity.TANH) {
      for (double[][] a : pre) {
        for (double[] r : a) {
          for (double v : r) {
            assertTrue(Math.abs(v) > 1e-4, "too close to the kink; change the seed");
          }
        }
      }
    }

    Trajectory traj = net.forward(x, h0, drive);
    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    net.backward(traj, wh.dup(), new HashMap<>(Map.of("pre", wp.dup())), grads);
    for (Parameter p : net.parameters()) {
      INDArray numeric = numericGradient(net, p.value(), x, h0, drive, wh, wp);
      GradientCheck.assertClose(p.name(), grads.get(p.name()), numeric, 1e-6);
    }
    INDArray gTau = grads.get("taus");
    for (int i = 0; i < H; i++) {
      if (TAUS[i] < 1) {
        assertEquals(
            0.0, gTau.getDouble(i), 0.0, "τ < 1 is clamped: its gradient must be exactly 0");
      }
      assertEquals(0.0, grads.get("w_rec").getDouble(i, i), 0.0);
    }

    // The pre term really matters: without it the gradient differs.
    Trajectory again = net.forward(x, h0, drive);
    Map<String, INDArray> hOnly = TestArrays.gradientArrays(net);
    net.backward(again, wh.dup(), hOnly);
    assertTrue(TestArrays.maxRelativeDifference(hOnly.get("w_rec"), grads.get("w_rec")) > 1e-3);
  }

  private static INDArray numericGradient(
      Network net, INDArray p, INDArray x, INDArray h0, INDArray drive, INDArray wh, INDArray wp) {
    INDArray flat = p.reshape(p.length());
    INDArray out = Nd4j.create(DataType.DOUBLE, p.shape());
    INDArray outFlat = out.reshape(out.length());
    for (long i = 0; i < flat.length(); i++) {
      double orig = flat.getDouble(i);
      flat.putScalar(i, orig + EPS);
      double plus = loss(net, x, h0, drive, wh, wp);
      flat.putScalar(i, orig - EPS);
      double minus = loss(net, x, h0, drive, wh, wp);
      flat.putScalar(i, orig);
      outFlat.putScalar(i, (plus - minus) / (2 * EPS));
    }
    return out;
  }

  private static double loss(
      Network net, INDArray x, INDArray h0, INDArray drive, INDArray wh, INDArray wp) {
    Trajectory tr = net.forward(x, h0, drive);
    return tr.hidden().mul(wh).sumNumber().doubleValue()
        + tr.extras().get("pre").mul(wp).sumNumber().doubleValue();
  }

  @ParameterizedTest(name = "phi {0}, {1}, drive {2}")
  @MethodSource("allVariants")
  void zeroGradientOnPreChangesNothing(Phi phi, Nonlinearity nl, boolean withDrive) {
    Config config = TestSupport.config(H, nl, 0.2, phi);
    Network net = network(config);
    SplittableRandom rng = new SplittableRandom(7);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = TestArrays.gaussian(rng, DataType.DOUBLE, B, H).muli(0.5);
    INDArray wh = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, H);
    INDArray drive = withDrive ? TestArrays.gaussian(rng, DataType.DOUBLE, T, B, H) : null;
    Trajectory traj = net.forward(x, h0, drive);
    INDArray preBefore = traj.extras().get("pre").dup();

    Map<String, INDArray> plain = TestArrays.gradientArrays(net);
    net.backward(traj, wh.dup(), plain);
    Map<String, INDArray> empty = TestArrays.gradientArrays(net);
    net.backward(traj, wh.dup(), Map.of(), empty);
    Map<String, INDArray> zero = TestArrays.gradientArrays(net);
    net.backward(traj, wh.dup(), Map.of("pre", Nd4j.zeros(DataType.DOUBLE, T, B, H)), zero);
    Map<String, INDArray> zeroFloatF = TestArrays.gradientArrays(net);
    net.backward(
        traj, wh.dup(), Map.of("pre", Nd4j.zeros(DataType.FLOAT, T, B, H).dup('f')), zeroFloatF);
    for (String name : plain.keySet()) {
      TestArrays.assertIdentical(plain.get(name), empty.get(name), name + " (no extras)");
      TestArrays.assertIdentical(plain.get(name), zero.get(name), name + " (zero dL/dpre)");
      TestArrays.assertIdentical(plain.get(name), zeroFloatF.get(name), name + " (zero, float, f)");
    }
    // backward leaves the extra as it was.
    TestArrays.assertIdentical(preBefore, traj.extras().get("pre"), "pre after backward");
  }

  @ParameterizedTest(name = "phi {0}")
  @EnumSource(Phi.class)
  void dLdPreIsOnlyReadAndMayAliasDldh(Phi phi) {
    Network net = network(TestSupport.config(H, Nonlinearity.TANH, 0.2, phi));
    SplittableRandom rng = new SplittableRandom(8);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = TestArrays.gaussian(rng, DataType.DOUBLE, B, H).muli(0.5);
    INDArray w = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, H);
    Trajectory traj = net.forward(x, h0);
    Map<String, INDArray> separate = TestArrays.gradientArrays(net);
    INDArray wp = w.dup();
    net.backward(traj, w.dup(), Map.of("pre", wp), separate);
    TestArrays.assertIdentical(w, wp, "dL/dpre is not modified");
    Map<String, INDArray> aliased = TestArrays.gradientArrays(net);
    INDArray same = w.dup();
    net.backward(traj, same, Map.of("pre", same), aliased);
    for (String name : separate.keySet()) {
      TestArrays.assertIdentical(separate.get(name), aliased.get(name), name + " (aliased)");
    }
  }

  @ParameterizedTest(name = "phi {0}")
  @EnumSource(Phi.class)
  void unknownExtraAndWrongShapeAreRejected(Phi phi) {
    Network net = network(TestSupport.config(H, Nonlinearity.TANH, 0.2, phi));
    SplittableRandom rng = new SplittableRandom(9);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, 4, B, I);
    INDArray h0 = TestArrays.gaussian(rng, DataType.DOUBLE, B, H);
    Trajectory traj = net.forward(x, h0);
    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                net.backward(
                    traj,
                    Nd4j.zeros(DataType.DOUBLE, 4, B, H),
                    Map.of("z", Nd4j.zeros(DataType.DOUBLE, 4, B, H)),
                    grads));
    assertTrue(e.getMessage().contains("'z'") && e.getMessage().contains("[pre]"), e.getMessage());
    IllegalArgumentException shape =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                net.backward(
                    traj,
                    Nd4j.zeros(DataType.DOUBLE, 4, B, H),
                    Map.of("pre", Nd4j.zeros(DataType.DOUBLE, 3, B, H)),
                    grads));
    assertTrue(shape.getMessage().contains("pre"), shape.getMessage());
  }

  /**
   * Per-step ND4J op counts of the kernel (difference between 20 and 10 steps), float32 on ND4J's
   * CPU backend: a step costs no ND4J op at all, φ outside or inside, with or without dL/dpre (its
   * elementwise work runs as Java loops and its product straight through OpenBLAS), so the kernel's
   * cost does not grow with ND4J's per-op overhead.
   */
  @ParameterizedTest(name = "phi {0}: {1} forward, {2} backward, {3} with dL/dpre")
  @CsvSource({"OUTSIDE, 0, 0, 0", "INSIDE, 0, 0, 0"})
  void opsPerStep(Phi phi, int forwardOps, int backwardOps, int backwardPreOps) {
    CellNetwork net =
        TestSupport.network(
            TestSupport.config(H, Nonlinearity.LEAKY_RELU, 0.01, phi),
            I,
            DataType.FLOAT,
            1,
            Networks.Kernels.AUTO);
    assertNotEquals("cell", net.implementation());
    long[] c10 = count(net, 10);
    long[] c20 = count(net, 20);
    assertEquals(forwardOps * 10L, c20[0] - c10[0], "forward ops for 10 more steps");
    assertEquals(backwardOps * 10L, c20[1] - c10[1], "backward ops for 10 more steps");
    assertEquals(
        backwardOps * 10L, c20[2] - c10[2], "backward ops (empty extras) for 10 more steps");
    assertEquals(
        backwardPreOps * 10L, c20[3] - c10[3], "backward ops with dL/dpre for 10 more steps");
  }

  private static long[] count(Network net, int steps) {
    SplittableRandom rng = new SplittableRandom(steps);
    INDArray x = TestArrays.gaussian(rng, DataType.FLOAT, steps, 3, I);
    INDArray h0 = net.initialState(3, rng);
    INDArray dLdh = TestArrays.gaussian(rng, DataType.FLOAT, steps, 3, H);
    INDArray dLdPre = TestArrays.gaussian(rng, DataType.FLOAT, steps, 3, H);
    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    Trajectory warm = net.forward(x, h0);
    net.backward(warm, dLdh, grads);
    net.backward(warm, dLdh, Map.of("pre", dLdPre), grads);
    OpProfiler profiler = OpProfiler.getInstance();
    Nd4j.getExecutioner().setProfilingConfig(COUNT_OPS);
    long[] out = new long[4];
    profiler.reset();
    Trajectory traj = net.forward(x, h0);
    out[0] = profiler.getInvocationsCount();
    profiler.reset();
    net.backward(traj, dLdh, grads);
    out[1] = profiler.getInvocationsCount();
    profiler.reset();
    net.backward(traj, dLdh, Map.of(), grads);
    out[2] = profiler.getInvocationsCount();
    profiler.reset();
    net.backward(traj, dLdh, Map.of("pre", dLdPre), grads);
    out[3] = profiler.getInvocationsCount();
    Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build()); // off
    return out;
  }
}
