package engram.models.plrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.models.plrnn.PlrnnModel.InitialState;
import engram.testkit.GradientCheck;
import engram.testkit.TestArrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The cell's VJP and the runtime's BPTT over it against central finite differences of the forward
 * pass, in float64, for every parameter (testkit {@link GradientCheck}); the forward pass itself
 * against a plain-Java reference of the equations.
 *
 * <p>Tolerances (relative): 1e-6 for one step and for a one-step sequence. Over 24 steps the test's
 * PLRNN is expanding (|z| grows to about 52 and L to about 340), and the rounding noise of the
 * central differences grows with L: 2.3e-7 absolute was seen on an entry of 0.095 of dL/dW (2.4e-6
 * relative), so the whole-sequence check uses the testkit's default {@link GradientCheck#TOLERANCE}
 * (1e-5). A wrong gradient is off by order one, far above either.
 */
class PlrnnGradientCheckTest {
  private static final int H = 5;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 24;
  private static final double TOLERANCE = 1e-6;
  private static final double SEQUENCE_TOLERANCE = GradientCheck.TOLERANCE;

  @ParameterizedTest
  @EnumSource(InitialState.class)
  void stepVjpMatchesCentralDifferences(InitialState initialState) {
    var cell =
        PlrnnTestSupport.cell(PlrnnTestSupport.config(H, initialState), I, DataType.DOUBLE, 11);
    PlrnnTestSupport.param(cell, "a").assign(Nd4j.createFromArray(0.9, 0.5, -0.3, 0.7, 0.95));
    PlrnnTestSupport.param(cell, "h").assign(Nd4j.createFromArray(0.1, -0.2, 0.3, 0.0, -0.1));
    GradientCheck.checkStep(cell, I, B, 5, TOLERANCE);
    GradientCheck.checkStep(cell, I, 1, 6, TOLERANCE);
  }

  @ParameterizedTest
  @EnumSource(InitialState.class)
  void backwardMatchesCentralDifferences(InitialState initialState) {
    Network net =
        PlrnnTestSupport.network(PlrnnTestSupport.config(H, initialState), I, DataType.DOUBLE, 11);
    // Distinct a_i (one negative), a non-zero bias, and a non-zero diagonal in the w parameter
    // that the runtime must project to 0 (the constraint) before the forward pass.
    TestArrays.param(net, "a").assign(Nd4j.createFromArray(0.9, 0.5, -0.3, 0.7, 0.95));
    SplittableRandom rng = new SplittableRandom(2024);
    TestArrays.param(net, "h").assign(TestArrays.gaussian(rng, DataType.DOUBLE, H).muli(0.3));
    INDArray w = TestArrays.param(net, "w");
    w.muli(1.2);
    for (int i = 0; i < H; i++) {
      w.putScalar(i, i, 3.0 + i);
    }
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray z0 = net.initialState(B, new SplittableRandom(3));
    if (initialState == InitialState.ZERO) {
      assertEquals(0.0, z0.amaxNumber().doubleValue(), 0.0);
    } else {
      assertTrue(z0.minNumber().doubleValue() > 1e-4, "z_0 too close to the kink");
    }

    assertMatchesReferenceAndAwayFromKinks(net, x, z0);
    Map<String, INDArray> grads = GradientCheck.checkNetwork(net, x, z0, 12, SEQUENCE_TOLERANCE);
    assertEquals(4, grads.size());
    INDArray gW = grads.get("w");
    for (int i = 0; i < H; i++) {
      assertEquals(0.0, w.getDouble(i, i), 0.0, "w diagonal must be held at 0");
      assertEquals(0.0, gW.getDouble(i, i), 0.0, "w diagonal gradient must be exactly 0");
    }
    // The recurrent path through ReLU is exercised: the off-diagonal gradient is not tiny.
    assertTrue(gW.norm2Number().doubleValue() > 1e-2);
    assertTrue(grads.get("a").norm2Number().doubleValue() > 1e-2);
  }

  @Test
  void singleStepIsHandled() {
    Network net = PlrnnTestSupport.network(PlrnnTestSupport.config(H), I, DataType.DOUBLE, 12);
    SplittableRandom rng = new SplittableRandom(7);
    TestArrays.param(net, "h").assign(TestArrays.gaussian(rng, DataType.DOUBLE, H).muli(0.3));
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, 1, B, I);
    INDArray z0 = TestArrays.gaussian(rng, DataType.DOUBLE, B, H).muli(0.5);
    assertMatchesReferenceAndAwayFromKinks(net, x, z0);
    GradientCheck.checkNetwork(net, x, z0, 13, TOLERANCE);
  }

  /**
   * Our states equal the plain-Java reference, and no ReLU argument z_t (t = 0..T−1) lies within
   * 1e-4 of the kink, so that ±EPS on a parameter cannot cross it.
   */
  private static void assertMatchesReferenceAndAwayFromKinks(Network net, INDArray x, INDArray z0) {
    int steps = (int) x.size(0);
    INDArray hidden = net.forward(x, z0).hidden(); // first: projects w's diagonal to 0
    double[][] w = TestArrays.param(net, "w").toDoubleMatrix();
    for (int i = 0; i < H; i++) {
      w[i][i] = 7.0; // the reference skips the diagonal whatever it holds
    }
    double[][][] ref =
        PlrnnTestSupport.referenceForward(
            TestArrays.param(net, "a").toDoubleVector(),
            w,
            TestArrays.param(net, "c").toDoubleMatrix(),
            TestArrays.param(net, "h").toDoubleVector(),
            TestArrays.to3d(x),
            z0.toDoubleMatrix());
    for (double[] row : z0.toDoubleMatrix()) {
      for (double v : row) {
        assertTrue(v == 0.0 || Math.abs(v) > 1e-4, "z_0 too close to the kink; change the seed");
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
