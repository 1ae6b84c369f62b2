package engram.models.plrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.models.common.GradientCheck;
import engram.models.common.ModelTestSupport;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Backward pass against central finite differences of our own forward pass, in float64, for every
 * parameter. The loss is Σ w ⊙ z over all steps with random weights, so dL/dz is dense and random.
 */
class PlrnnGradientCheckTest {
  private static final int H = 5;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 24;

  @Test
  void backwardMatchesCentralDifferences() {
    Network net = PlrnnTestSupport.network(PlrnnTestSupport.config(H), I, DataType.DOUBLE, 11);
    // Distinct a_i (one negative), a non-zero bias, and a non-zero diagonal in the w parameter
    // that the model must ignore (masked in the forward pass, zero gradient).
    ModelTestSupport.param(net, "a").assign(Nd4j.createFromArray(0.9, 0.5, -0.3, 0.7, 0.95));
    SplittableRandom rng = new SplittableRandom(2024);
    ModelTestSupport.param(net, "h").assign(ModelTestSupport.gaussian(rng, DataType.DOUBLE, H).muli(0.3));
    INDArray w = ModelTestSupport.param(net, "w");
    w.muli(1.2);
    for (int i = 0; i < H; i++) {
      w.putScalar(i, i, 3.0 + i);
    }
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray z0 = ModelTestSupport.gaussian(rng, DataType.DOUBLE, B, H).muli(0.5);
    INDArray weights = ModelTestSupport.gaussian(rng, DataType.DOUBLE, T, B, H);

    assertMatchesReferenceAndAwayFromKinks(net, x, z0);

    Map<String, INDArray> grads = GradientCheck.check(net, x, z0, weights, 1e-6);
    assertEquals(4, grads.size());
    INDArray gW = grads.get("w");
    for (int i = 0; i < H; i++) {
      assertEquals(0.0, gW.getDouble(i, i), 0.0, "w diagonal gradient must be exactly 0");
    }
    // The recurrent path through ReLU is exercised: the off-diagonal gradient is not tiny.
    assertTrue(gW.norm2Number().doubleValue() > 1e-2);
    assertTrue(grads.get("a").norm2Number().doubleValue() > 1e-2);
  }

  @Test
  void singleStepAndZeroInitialStateAreHandled() {
    // T = 1 (no "rest" views) and z_0 = 0 (all rates 0 at step 1: dW gets only later steps).
    Network net = PlrnnTestSupport.network(PlrnnTestSupport.config(H), I, DataType.DOUBLE, 12);
    SplittableRandom rng = new SplittableRandom(7);
    ModelTestSupport.param(net, "h").assign(ModelTestSupport.gaussian(rng, DataType.DOUBLE, H).muli(0.3));
    INDArray x = ModelTestSupport.gaussian(rng, DataType.DOUBLE, 1, B, I);
    INDArray z0 = ModelTestSupport.gaussian(rng, DataType.DOUBLE, B, H).muli(0.5);
    assertMatchesReferenceAndAwayFromKinks(net, x, z0);
    GradientCheck.check(net, x, z0, ModelTestSupport.gaussian(rng, DataType.DOUBLE, 1, B, H), 1e-6);

    INDArray x2 = ModelTestSupport.gaussian(rng, DataType.DOUBLE, 6, B, I);
    INDArray zero = Nd4j.zeros(DataType.DOUBLE, B, H);
    var traj = net.forward(x2, zero);
    Map<String, INDArray> g = ModelTestSupport.gradientArrays(net);
    INDArray weights = ModelTestSupport.gaussian(rng, DataType.DOUBLE, 6, B, H);
    net.backward(traj, weights.dup(), g);
    for (var e : g.entrySet()) {
      INDArray numeric = GradientCheck.numericGradient(net, ModelTestSupport.param(net, e.getKey()), x2, zero, weights);
      GradientCheck.assertClose(e.getKey(), e.getValue(), numeric, 1e-6);
    }
  }

  /**
   * Our states equal the plain-Java reference, and no ReLU argument z_t (t = 0..T−1) lies within
   * 1e-4 of the kink, so that ±EPS on a parameter cannot cross it.
   */
  private static void assertMatchesReferenceAndAwayFromKinks(Network net, INDArray x, INDArray z0) {
    int steps = (int) x.size(0);
    double[][][] ref =
        PlrnnTestSupport.referenceForward(
            ModelTestSupport.param(net, "a").toDoubleVector(),
            ModelTestSupport.param(net, "w").toDoubleMatrix(),
            ModelTestSupport.param(net, "c").toDoubleMatrix(),
            ModelTestSupport.param(net, "h").toDoubleVector(),
            ModelTestSupport.to3d(x),
            z0.toDoubleMatrix());
    INDArray hidden = net.forward(x, z0).hidden();
    for (double[] row : z0.toDoubleMatrix()) {
      for (double v : row) {
        assertTrue(Math.abs(v) > 1e-4, "z_0 too close to the kink; change the seed");
      }
    }
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < B; b++) {
        assertArrayEquals(ref[t][b], hidden.slice(t).getRow(b).toDoubleVector(), 1e-12);
        for (int i = 0; i < H; i++) {
          if (t < steps - 1) {
            assertTrue(Math.abs(ref[t][b][i]) > 1e-4, "too close to the kink; change the seed");
          }
        }
      }
    }
  }
}
