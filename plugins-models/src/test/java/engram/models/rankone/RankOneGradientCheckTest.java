package engram.models.rankone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.Network;
import engram.models.rankone.RankOneRnnModel.Config;
import engram.models.rankone.RankOneRnnModel.InitialState;
import engram.testkit.GradientCheck;
import engram.testkit.TestArrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The cell's VJP and the runtime's BPTT over it against central finite differences of the forward
 * pass, in float64, for every parameter (testkit {@link GradientCheck}, tolerance 1e-6 relative);
 * the forward pass itself against a plain-Java reference of the equations.
 */
class RankOneGradientCheckTest {
  private static final int H = 5;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 24;
  private static final double TOLERANCE = 1e-6;

  @ParameterizedTest
  @EnumSource(InitialState.class)
  void stepVjpMatchesCentralDifferences(InitialState initialState) {
    Cell cell =
        RankOneTestSupport.cell(RankOneTestSupport.config(H, initialState), I, DataType.DOUBLE, 11);
    RankOneTestSupport.param(cell, "m").muli(3.0); // so that the rank-one path matters
    RankOneTestSupport.param(cell, "b").addi(0.2);
    GradientCheck.checkStep(cell, I, B, 5, TOLERANCE);
    GradientCheck.checkStep(cell, I, 1, 6, TOLERANCE);
  }

  @ParameterizedTest
  @EnumSource(InitialState.class)
  void backwardMatchesCentralDifferences(InitialState initialState) {
    Network net =
        RankOneTestSupport.network(
            RankOneTestSupport.config(H, initialState), I, DataType.DOUBLE, 11);
    SplittableRandom rng = new SplittableRandom(2024);
    // Stronger loadings than the default so that the rank-one path matters, and a non-zero bias.
    TestArrays.param(net, "m").muli(3.0);
    TestArrays.param(net, "n").muli(3.0);
    TestArrays.param(net, "b").assign(TestArrays.gaussian(rng, DataType.DOUBLE, H).muli(0.3));
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray x0 = net.initialState(B, new SplittableRandom(3));
    assertEquals(initialState == InitialState.ZERO, x0.amaxNumber().doubleValue() == 0.0);

    assertMatchesReference(net, x, x0, 0.4);
    Map<String, INDArray> grads = GradientCheck.checkNetwork(net, x, x0, 12, TOLERANCE);
    assertEquals(4, grads.size());
    assertTrue(grads.get("m").norm2Number().doubleValue() > 1e-2);
    assertTrue(grads.get("n").norm2Number().doubleValue() > 1e-2);
  }

  @Test
  void singleStepAndAlphaOneAreHandled() {
    // T = 1; then dt = τ (α = 1, no leak) over a few steps.
    Network net = RankOneTestSupport.network(RankOneTestSupport.config(H), I, DataType.DOUBLE, 12);
    SplittableRandom rng = new SplittableRandom(7);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, 1, B, I);
    INDArray x0 = TestArrays.gaussian(rng, DataType.DOUBLE, B, H);
    GradientCheck.checkNetwork(net, x, x0, 13, TOLERANCE);

    Config config = new Config(H, 3.0, 3.0, 2.0, InitialState.ZERO, 0.1);
    Network noLeak = RankOneTestSupport.network(config, I, DataType.DOUBLE, 13);
    INDArray x2 = TestArrays.gaussian(rng, DataType.DOUBLE, 7, B, I);
    assertMatchesReference(noLeak, x2, x0, 1.0);
    GradientCheck.checkNetwork(noLeak, x2, x0, 14, TOLERANCE);
    GradientCheck.checkStep(noLeak.cell(), I, B, 15, TOLERANCE);
  }

  /** States, rates and κ equal a plain-Java forward pass from the equations. */
  private static void assertMatchesReference(Network net, INDArray x, INDArray x0, double alpha) {
    double[] m = TestArrays.param(net, "m").toDoubleVector();
    double[] n = TestArrays.param(net, "n").toDoubleVector();
    double[][] wIn = TestArrays.param(net, "w_in").toDoubleMatrix();
    double[] b = TestArrays.param(net, "b").toDoubleVector();
    double[][][] s = TestArrays.to3d(x);
    int steps = s.length;
    var traj = net.forward(x, x0);
    INDArray hidden = traj.hidden();
    INDArray rates = traj.extras().get("rates");
    INDArray kappa = traj.extras().get("kappa");
    assertArrayEquals(new long[] {steps, B, 1}, kappa.shape());
    double[][] prev = x0.toDoubleMatrix();
    for (int t = 0; t < steps; t++) {
      double[][] next = new double[B][H];
      for (int bb = 0; bb < B; bb++) {
        double k = 0;
        for (int j = 0; j < H; j++) {
          k += n[j] * Math.tanh(prev[bb][j]) / H;
        }
        double kNext = 0;
        for (int i = 0; i < H; i++) {
          double drive = m[i] * k + b[i];
          for (int c = 0; c < I; c++) {
            drive += wIn[i][c] * s[t][bb][c];
          }
          next[bb][i] = (1 - alpha) * prev[bb][i] + alpha * drive;
          assertEquals(Math.tanh(next[bb][i]), rates.getDouble(t, bb, i), 1e-12, "rates");
          kNext += n[i] * Math.tanh(next[bb][i]) / H;
        }
        assertArrayEquals(next[bb], hidden.slice(t).getRow(bb).toDoubleVector(), 1e-12);
        assertEquals(kNext, kappa.getDouble(t, bb, 0), 1e-12, "kappa");
      }
      prev = next;
    }
  }
}
