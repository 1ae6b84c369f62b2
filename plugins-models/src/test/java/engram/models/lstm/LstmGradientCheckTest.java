package engram.models.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.common.ModelTestSupport;
import engram.models.lstm.LstmModel.Config;
import engram.models.lstm.LstmModel.InitialState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Backward pass against central finite differences of our own forward pass, in float64, for every
 * trainable parameter, with and without the τ leak and from a zero and a random initial state.
 * The loss is Σ w ⊙ h over all steps with random weights w, so dL/dh is dense and random at every
 * step. The forward pass itself is first checked against the plain-Java reference.
 */
class LstmGradientCheckTest {
  private static final int H = 5;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 20;
  private static final double EPS = 1e-6;
  /** Two τ below 1 (clamped: zero gradient), the rest above 1; none within 0.05 of 1. */
  private static final double[] TAUS = {0.6, 1.4, 0.9, 2.2, 3.5};

  static Stream<Arguments> variants() {
    List<Arguments> list = new ArrayList<>();
    for (boolean leak : new boolean[] {false, true}) {
      for (InitialState init : InitialState.values()) {
        list.add(Arguments.of(leak, init));
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "leak {0}, initial state {1}")
  @MethodSource("variants")
  void backwardMatchesCentralDifferences(boolean leak, InitialState init) {
    Config config = LstmTestSupport.config(H, leak, init);
    Network net = LstmTestSupport.network(config, I, DataType.DOUBLE, 11);
    if (leak) {
      ModelTestSupport.param(net, "taus").assign(Nd4j.createFromArray(TAUS));
    }
    // Stronger weights than the default init, so that the recurrence and saturation matter.
    ModelTestSupport.param(net, "w_hh").muli(2.5);
    ModelTestSupport.param(net, "w_ih").muli(2.0);
    SplittableRandom rng = new SplittableRandom(2024);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = net.initialState(B, rng);
    if (init == InitialState.RANDOM) {
      assertTrue(h0.norm2Number().doubleValue() > 0);
    }
    INDArray weights = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, H);

    Trajectory traj = net.forward(x, h0);
    LstmTestSupport.Reference ref = LstmTestSupport.referenceForward(net, x, h0);
    assertTrue(LstmTestSupport.maxAbsDifference(ref.h(), traj.hidden()) < 1e-12, "hidden vs reference");
    assertTrue(LstmTestSupport.maxAbsDifference(ref.c(), traj.extras().get("c")) < 1e-12, "c vs reference");

    Map<String, INDArray> grads = ModelTestSupport.gradientArrays(net);
    net.backward(traj, weights.dup(), grads);
    assertEquals(leak ? 5 : 4, grads.size());

    for (Parameter p : net.parameters()) {
      INDArray analytic = grads.get(p.name());
      INDArray numeric = numericGradient(net, p.value(), x, h0, weights);
      assertClose(p.name(), analytic, numeric);
    }
    // The two biases enter only through their sum: equal gradients.
    ModelTestSupport.assertIdentical(grads.get("b_ih"), grads.get("b_hh"), "db_ih = db_hh");
    if (leak) {
      INDArray gTau = grads.get("taus");
      for (int i = 0; i < H; i++) {
        if (TAUS[i] < 1) {
          assertEquals(0.0, gTau.getDouble(i), 0.0, "τ < 1 is clamped: its gradient must be exactly 0");
        } else {
          assertTrue(Math.abs(gTau.getDouble(i)) > 1e-6, "τ ≥ 1 should get a real gradient");
        }
      }
    }
  }

  /** Size-1 dimensions (one unit, one input, one sequence, one step) and small mixed shapes. */
  @ParameterizedTest(name = "H={0}, I={1}, B={2}, T={3}, leak {4}")
  @CsvSource({"1, 1, 1, 1, true", "1, 1, 2, 3, false", "3, 1, 1, 2, true", "2, 4, 1, 5, true"})
  void edgeShapes(int hidden, int inputs, int batch, int steps, boolean leak) {
    Network net = LstmTestSupport.network(LstmTestSupport.config(hidden, leak, InitialState.RANDOM), inputs, DataType.DOUBLE, 21);
    if (leak) {
      ModelTestSupport.param(net, "taus").addi(0.5); // U(1.5, 2.5): away from the clamp
    }
    SplittableRandom rng = new SplittableRandom(3);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, steps, batch, inputs);
    INDArray h0 = net.initialState(batch, rng).addi(0.2);
    INDArray weights = ModelTestSupport.gaussian(rng, DataType.DOUBLE, steps, batch, hidden);
    Trajectory traj = net.forward(x, h0);
    LstmTestSupport.Reference ref = LstmTestSupport.referenceForward(net, x, h0);
    assertTrue(LstmTestSupport.maxAbsDifference(ref.h(), traj.hidden()) < 1e-12, "hidden vs reference");
    assertTrue(LstmTestSupport.maxAbsDifference(ref.f(), traj.extras().get("f")) < 1e-12, "f vs reference");
    Map<String, INDArray> grads = ModelTestSupport.gradientArrays(net);
    net.backward(traj, weights.dup(), grads);
    for (Parameter p : net.parameters()) {
      assertClose(p.name(), grads.get(p.name()), numericGradient(net, p.value(), x, h0, weights));
    }
  }

  /** A fixed τ (leak on, train-tau false) has no gradient array, and the rest is still right. */
  @Test
  void fixedTauLeakHasCorrectGradientsWithoutTaus() {
    Config config = new Config(H, true, 1.0, 2.0, false, 2.5, InitialState.RANDOM, 0.3);
    Network net = LstmTestSupport.network(config, I, DataType.DOUBLE, 12);
    Parameter taus = net.parameters().get(4);
    assertEquals("taus", taus.name());
    assertFalse(taus.trainable());
    SplittableRandom rng = new SplittableRandom(7);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = net.initialState(B, rng);
    INDArray weights = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, H);
    Trajectory traj = net.forward(x, h0);
    assertTrue(LstmTestSupport.maxAbsDifference(LstmTestSupport.referenceForward(net, x, h0).h(), traj.hidden()) < 1e-12);
    Map<String, INDArray> grads = ModelTestSupport.gradientArrays(net);
    assertFalse(grads.containsKey("taus"));
    net.backward(traj, weights.dup(), grads);
    for (Parameter p : net.parameters()) {
      if (p.trainable()) {
        assertClose(p.name(), grads.get(p.name()), numericGradient(net, p.value(), x, h0, weights));
      }
    }
  }

  /**
   * At τ = 1 exactly the clamp passes the gradient (as torch.clamp does): it equals the one-sided
   * derivative from above, and a τ just below 1 gets none.
   */
  @Test
  void atTauOneTheGradientPasses() {
    Network net = LstmTestSupport.network(LstmTestSupport.config(H, true, InitialState.RANDOM), I, DataType.DOUBLE, 13);
    INDArray taus = ModelTestSupport.param(net, "taus");
    taus.assign(Nd4j.createFromArray(1.0, 0.999, 1.8, 1.0, 2.5));
    SplittableRandom rng = new SplittableRandom(8);
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, 10, B, I);
    INDArray h0 = net.initialState(B, rng);
    INDArray weights = ModelTestSupport.gaussian(rng, DataType.DOUBLE, 10, B, H);
    Map<String, INDArray> grads = ModelTestSupport.gradientArrays(net);
    net.backward(net.forward(x, h0), weights.dup(), grads);
    INDArray g = grads.get("taus");
    assertEquals(0.0, g.getDouble(1), 0.0);
    for (int i : new int[] {0, 3}) {
      double eps = 1e-7;
      double base = loss(net, x, h0, weights);
      taus.putScalar(i, 1.0 + eps);
      double up = loss(net, x, h0, weights);
      taus.putScalar(i, 1.0);
      double oneSided = (up - base) / eps;
      assertTrue(Math.abs(g.getDouble(i)) > 1e-4, "gradient at τ = 1 must pass");
      assertEquals(oneSided, g.getDouble(i), 1e-5 * Math.abs(oneSided) + 1e-8, "τ[" + i + "] = 1");
    }
  }

  /** Central differences of L = Σ w ⊙ h, element by element. */
  static INDArray numericGradient(Network net, INDArray p, INDArray x, INDArray h0, INDArray weights) {
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

  static double loss(Network net, INDArray x, INDArray h0, INDArray weights) {
    return net.forward(x, h0).hidden().mul(weights).sumNumber().doubleValue();
  }

  /** Relative error ≤ 1e-6, norm-wise and element-wise (with an absolute floor of 1e-8). */
  static void assertClose(String name, INDArray analytic, INDArray numeric) {
    double diff = analytic.sub(numeric).norm2Number().doubleValue();
    double scale = Math.max(analytic.norm2Number().doubleValue(), numeric.norm2Number().doubleValue());
    assertTrue(scale > 1e-3, name + ": gradient is (nearly) zero: " + scale);
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
