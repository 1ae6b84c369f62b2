package engram.models.gru;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.common.ModelTestSupport;
import engram.models.gru.GruModel.Config;
import engram.models.gru.GruModel.InitialState;
import engram.models.gru.TestSupport.Leak;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Backward pass against central finite differences of our own forward pass, in float64, for every
 * trainable parameter: without the leak and with a trainable τ, each from a zero and from a random
 * initial state, and with a fixed τ from a random one. The loss is Σ w ⊙ h over all steps with
 * random weights w, so dL/dh is a dense random tensor.
 */
class GruGradientCheckTest {
  private static final int H = 5;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 20;
  private static final double EPS = 1e-6;
  /** Two τ below 1 (clamped: zero gradient), the rest above; none within 0.05 of the kink at 1. */
  private static final double[] TAUS = {0.6, 1.3, 0.95, 2.2, 3.5};

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
  void backwardMatchesCentralDifferences(Leak leak, InitialState init) {
    Config config = TestSupport.config(H, leak, init, 0.8);
    Network net = TestSupport.network(config, I, DataType.DOUBLE, 11);
    if (leak == Leak.TRAINED) {
      ModelTestSupport.param(net, "taus").assign(Nd4j.createFromArray(TAUS));
    }
    // Stronger recurrence than the default init, so that the recurrent path matters.
    ModelTestSupport.param(net, "w_hh").muli(2.0);
    SplittableRandom rng = new SplittableRandom(2024);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = net.initialState(B, rng);
    assertEquals(init == InitialState.ZERO, h0.amaxNumber().doubleValue() == 0.0);
    INDArray weights = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, H);

    // Our forward pass is the plain-Java reference's (so the differences below check the GRU).
    double[] taus = leak == Leak.OFF ? null : ModelTestSupport.param(net, "taus").toDoubleVector();
    double[][][] ref =
        TestSupport.referenceForward(net, taus, ModelTestSupport.to3d(x), h0.toDoubleMatrix(), null);
    Trajectory traj = net.forward(x, h0);
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        assertArrayEquals(ref[t][b], traj.hidden().slice(t).getRow(b).toDoubleVector(), 1e-12);
      }
    }

    Map<String, INDArray> grads = ModelTestSupport.gradientArrays(net);
    net.backward(traj, weights.dup(), grads);
    assertEquals(leak == Leak.TRAINED ? 5 : 4, grads.size());
    assertEquals(leak == Leak.TRAINED, grads.containsKey("taus"));

    for (Parameter p : net.parameters()) {
      if (!p.trainable()) {
        assertFalse(grads.containsKey(p.name()));
        continue;
      }
      INDArray analytic = grads.get(p.name());
      INDArray numeric = numericGradient(net, p.value(), x, h0, weights);
      assertClose(p.name(), analytic, numeric);
    }
    if (leak == Leak.TRAINED) {
      INDArray gTau = grads.get("taus");
      for (int i = 0; i < H; i++) {
        if (TAUS[i] < 1) {
          assertEquals(0.0, gTau.getDouble(i), 0.0, "τ < 1 is clamped: its gradient must be exactly 0");
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
    Network net = TestSupport.network(TestSupport.config(H, Leak.TRAINED), I, DataType.DOUBLE, 3);
    double[] taus = {1.0, 1.0, 0.5, 1.8, 1.0};
    INDArray tau = ModelTestSupport.param(net, "taus");
    tau.assign(Nd4j.createFromArray(taus));
    SplittableRandom rng = new SplittableRandom(8);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = net.initialState(B, rng);
    INDArray weights = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, H);
    Map<String, INDArray> grads = ModelTestSupport.gradientArrays(net);
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
      assertEquals(right, analytic, 1e-6 * Math.abs(right) + 1e-8, "dL/dτ[" + i + "] at τ = " + taus[i]);
    }
  }

  /** Central differences of L = Σ w ⊙ h, element by element. */
  private static INDArray numericGradient(
      Network net, INDArray p, INDArray x, INDArray h0, INDArray weights) {
    INDArray flat = p.reshape(p.length()); // a view: parameters are contiguous
    INDArray out = Nd4j.create(DataType.DOUBLE, p.shape());
    INDArray outFlat = out.reshape(out.length());
    for (long i = 0; i < flat.length(); i++) {
      double orig = flat.getDouble(i);
      flat.putScalar(i, orig + EPS);
      double plus = loss(net, x, h0, weights);
      flat.putScalar(i, orig - EPS);
      double minus = loss(net, x, h0, weights);
      flat.putScalar(i, orig);
      outFlat.putScalar(i, (plus - minus) / (2 * EPS));
    }
    return out;
  }

  private static double loss(Network net, INDArray x, INDArray h0, INDArray weights) {
    return net.forward(x, h0).hidden().mul(weights).sumNumber().doubleValue();
  }

  /** Norm-wise relative error ≤ 1e-6, and element-wise with an absolute floor of 1e-8. */
  private static void assertClose(String name, INDArray analytic, INDArray numeric) {
    double diff = analytic.sub(numeric).norm2Number().doubleValue();
    double scale = Math.max(analytic.norm2Number().doubleValue(), numeric.norm2Number().doubleValue());
    assertTrue(scale > 1e-3, name + ": gradient is (nearly) identically zero");
    assertTrue(diff / scale <= 1e-6, name + ": relative error " + diff / scale);
    double[] a = analytic.dup().data().asDouble();
    double[] n = numeric.dup().data().asDouble();
    for (int i = 0; i < a.length; i++) {
      double tol = 1e-6 * Math.max(Math.abs(a[i]), Math.abs(n[i])) + 1e-8;
      assertTrue(Math.abs(a[i] - n[i]) <= tol,
          name + "[" + i + "]: analytic " + a[i] + " vs numeric " + n[i]);
    }
  }
}
