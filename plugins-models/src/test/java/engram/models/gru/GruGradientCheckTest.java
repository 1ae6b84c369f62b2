package engram.models.gru;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.models.gru.GruModel.Config;
import engram.models.gru.GruModel.InitialState;
import engram.models.gru.TestSupport.Leak;
import engram.runtime.CellNetwork;
import engram.testkit.GradientCheck;
import engram.testkit.TestArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The cell's VJP against central finite differences of its own step, in float64 (the testkit's
 * {@link GradientCheck}): one step (dL/dh_{t−1}, dL/dx_t and every trainable parameter) and BPTT
 * over a whole sequence run step by step by core, without the leak, with a trainable τ and with a
 * fixed τ. Two τ lie below 1 (clamped: zero gradient), none within 0.05 of the kink at 1; the
 * recurrent weights are doubled so that the recurrent path matters. The clamp's derivative at τ = 1
 * exactly is checked on its own.
 */
@Tag("slow") // excluded by -Pfast; CI runs it (docs/perf/test-times.md)
class GruGradientCheckTest {
  private static final int H = 5;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 12;

  /** Relative tolerance of the finite-difference checks (central differences, float64). */
  private static final double TOLERANCE = 1e-6;

  /** Two τ below 1 (clamped: zero gradient), the rest above; none within 0.05 of the kink at 1. */
  private static final double[] TAUS = {0.6, 1.3, 0.95, 2.2, 3.5};

  @ParameterizedTest(name = "leak {0}")
  @EnumSource(Leak.class)
  void stepVjpMatchesCentralDifferences(Leak leak) {
    GruCell cell = TestSupport.cell(TestSupport.config(H, leak), I, DataType.DOUBLE, 11);
    cell.wHh.muli(2.0);
    if (leak == Leak.TRAINED) {
      cell.taus.assign(Nd4j.createFromArray(TAUS));
    }
    for (long seed = 1; seed <= 3; seed++) {
      GradientCheck.checkStep(cell, I, B, seed, TOLERANCE);
    }
  }

  static Stream<Arguments> variants() {
    List<Arguments> list = new ArrayList<>();
    for (Leak leak : new Leak[] {Leak.OFF, Leak.TRAINED}) {
      for (InitialState init : InitialState.values()) {
        list.add(Arguments.of(leak, init));
      }
    }
    list.add(Arguments.of(Leak.FIXED, InitialState.RANDOM));
    return list.stream();
  }

  @ParameterizedTest(name = "leak {0}, h0 {1}")
  @MethodSource("variants")
  void bpttMatchesCentralDifferences(Leak leak, InitialState init) {
    Config config = TestSupport.config(H, leak, init, 0.8);
    CellNetwork net = TestSupport.cellNetwork(config, I, DataType.DOUBLE, 11);
    assertEquals("cell", net.implementation());
    if (leak == Leak.TRAINED) {
      TestArrays.param(net, "taus").assign(Nd4j.createFromArray(TAUS));
    }
    TestArrays.param(net, "w_hh").muli(2.0);
    SplittableRandom rng = new SplittableRandom(2024);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = net.initialState(B, rng);
    assertEquals(init == InitialState.ZERO, h0.amaxNumber().doubleValue() == 0.0);

    // The forward pass is the plain-Java reference's (so the differences below check the GRU).
    double[] taus = leak == Leak.OFF ? null : TestArrays.param(net, "taus").toDoubleVector();
    double[][][] ref =
        TestSupport.referenceForward(net, taus, TestArrays.to3d(x), h0.toDoubleMatrix(), null);
    INDArray hidden = net.forward(x, h0).hidden();
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        assertArrayEquals(ref[t][b], hidden.slice(t).getRow(b).toDoubleVector(), 1e-12);
      }
    }

    Map<String, INDArray> grads = GradientCheck.checkNetwork(net, x, h0, 7, TOLERANCE);
    assertEquals(
        leak == Leak.TRAINED
            ? List.of("w_ih", "w_hh", "b_ih", "b_hh", "taus")
            : List.of("w_ih", "w_hh", "b_ih", "b_hh"),
        new ArrayList<>(grads.keySet()));
    if (leak == Leak.TRAINED) {
      INDArray gTau = grads.get("taus");
      for (int i = 0; i < H; i++) {
        if (TAUS[i] < 1) {
          assertEquals(0.0, gTau.getDouble(i), 0.0, "τ < 1 is clamped: its gradient must be 0");
        } else {
          assertTrue(Math.abs(gTau.getDouble(i)) > 1e-4, "τ ≥ 1 should get a real gradient");
        }
      }
    }
    // The recurrent gradient is not trivially small (else the check above proves little).
    assertTrue(grads.get("w_hh").norm2Number().doubleValue() > 1e-1);
  }

  /**
   * At τ = 1 exactly the clamp passes the gradient (as torch.clamp): the analytic dL/dτ equals the
   * derivative from the right (a second-order one-sided difference), not the central difference
   * across the kink.
   */
  @Test
  void tauExactlyOneGetsTheRightDerivative() {
    Network net =
        TestSupport.cellNetwork(TestSupport.config(H, Leak.TRAINED), I, DataType.DOUBLE, 3);
    double[] taus = {1.0, 1.0, 0.5, 1.8, 1.0};
    INDArray tau = TestArrays.param(net, "taus");
    tau.assign(Nd4j.createFromArray(taus));
    SplittableRandom rng = new SplittableRandom(8);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = net.initialState(B, rng);
    INDArray weights = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, H);
    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    net.backward(net.forward(x, h0), weights.dup(), grads);
    double e = 1e-5;
    for (int i = 0; i < H; i++) {
      double l0 = loss(net, x, h0, weights);
      tau.putScalar(i, taus[i] + e);
      double l1 = loss(net, x, h0, weights);
      tau.putScalar(i, taus[i] + 2 * e);
      double l2 = loss(net, x, h0, weights);
      tau.putScalar(i, taus[i] - e);
      double left = (l0 - loss(net, x, h0, weights)) / e;
      tau.putScalar(i, taus[i]);
      double right = (-3 * l0 + 4 * l1 - l2) / (2 * e);
      double analytic = grads.get("taus").getDouble(i);
      if (taus[i] == 1.0) {
        assertEquals(0.0, left, 1e-9, "the left derivative at τ = 1 is 0 (clamped)");
        assertTrue(Math.abs(right) > 1e-3, "τ = 1 must have a real right derivative");
      }
      assertEquals(
          right, analytic, 1e-6 * Math.abs(right) + 1e-8, "dL/dτ[" + i + "] at τ = " + taus[i]);
    }
  }

  private static double loss(Network net, INDArray x, INDArray h0, INDArray weights) {
    return net.forward(x, h0).hidden().mul(weights).sumNumber().doubleValue();
  }
}
