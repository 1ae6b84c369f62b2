package engram.models.lowrank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Trajectory;
import engram.models.lowrank.LowRankRnnModel.Config;
import engram.models.lowrank.LowRankRnnModel.InitialState;
import engram.models.rankone.RankOneRnnModel;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import engram.testkit.GradientCheck;
import engram.testkit.TestArrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The rank-r cell's VJP and BPTT over it against central finite differences in float64 (testkit
 * {@link GradientCheck}, 1e-6 relative), its forward pass against a plain-Java reference of the
 * equations, and rank 1 against rank-one-rnn: the same seed draws the same parameters, and the same
 * parameters give the same trajectory (states, rates, κ) to 1e-12.
 */
class LowRankGradientCheckTest {
  private static final int H = 6;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 20;
  private static final double TOLERANCE = 1e-6;

  static CellNetwork network(Config config, long seed) {
    return Networks.create(
        new LowRankRnnModel(),
        config,
        new NetworkSpec(I, DataType.DOUBLE),
        new SplittableRandom(seed),
        Networks.Kernels.OFF);
  }

  @Test
  void stepVjpAndBackwardMatchCentralDifferences() {
    for (int rank : new int[] {1, 2, 3}) {
      Config config = new Config(H, rank, 1.0, 2.5, 1.0, InitialState.RANDOM, 0.1);
      Network net = network(config, 11 + rank);
      SplittableRandom rng = new SplittableRandom(2024);
      // Stronger loadings than the default so that the low-rank path matters, and a bias.
      TestArrays.param(net, "m").muli(3.0);
      TestArrays.param(net, "n").muli(3.0);
      TestArrays.param(net, "b").assign(TestArrays.gaussian(rng, DataType.DOUBLE, H).muli(0.3));
      GradientCheck.checkStep(net.cell(), I, B, 5, TOLERANCE);
      INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
      INDArray x0 = net.initialState(B, new SplittableRandom(3));
      assertMatchesReference(net, x, x0, 0.4, rank);
      Map<String, INDArray> grads = GradientCheck.checkNetwork(net, x, x0, 12, TOLERANCE);
      assertEquals(4, grads.size());
      assertArrayEquals(new long[] {H, rank}, grads.get("m").shape());
      assertTrue(grads.get("m").norm2Number().doubleValue() > 1e-2);
      assertTrue(grads.get("n").norm2Number().doubleValue() > 1e-2);
    }
  }

  @Test
  void rankOneIsTheRankOneRnn() {
    long seed = 17;
    Network low = network(new Config(H, 1, 1.0, 2.5, 1.0, InitialState.RANDOM, 0.2), seed);
    Network one =
        Networks.create(
            new RankOneRnnModel(),
            new RankOneRnnModel.Config(H, 1.0, 2.5, 1.0, RankOneRnnModel.InitialState.RANDOM, 0.2),
            new NetworkSpec(I, DataType.DOUBLE),
            new SplittableRandom(seed),
            Networks.Kernels.OFF);
    // The same seed draws the same loadings; set a bias on both so that b is tested too.
    for (String name : new String[] {"m", "n", "w_in"}) {
      assertArrayEquals(
          TestArrays.param(one, name).data().asDouble(),
          TestArrays.param(low, name).data().asDouble(),
          0.0,
          name);
    }
    INDArray bias = TestArrays.gaussian(new SplittableRandom(5), DataType.DOUBLE, H).muli(0.4);
    TestArrays.param(low, "b").assign(bias);
    TestArrays.param(one, "b").assign(bias);
    TestArrays.param(low, "m").muli(2.5);
    TestArrays.param(one, "m").muli(2.5);
    INDArray x = TestArrays.gaussian(new SplittableRandom(6), DataType.DOUBLE, T, B, I);
    INDArray x0 = one.initialState(B, new SplittableRandom(8));
    Trajectory a = one.forward(x, x0);
    INDArray hiddenOne = a.hidden().dup();
    INDArray ratesOne = a.extras().get("rates").dup();
    INDArray kappaOne = a.extras().get("kappa").dup();
    Trajectory b = low.forward(x, x0);
    assertArrayEquals(hiddenOne.data().asDouble(), b.hidden().data().asDouble(), 1e-12);
    assertArrayEquals(ratesOne.data().asDouble(), b.extras().get("rates").data().asDouble(), 1e-12);
    assertArrayEquals(new long[] {T, B, 1}, b.extras().get("kappa").shape());
    assertArrayEquals(kappaOne.data().asDouble(), b.extras().get("kappa").data().asDouble(), 1e-12);
  }

  @Test
  void aDriveIsRefusedNamingTheModel() {
    Cell cell = network(Config.defaults(), 1).cell();
    INDArray x = TestArrays.gaussian(new SplittableRandom(1), DataType.DOUBLE, B, 64);
    INDArray s = TestArrays.gaussian(new SplittableRandom(2), DataType.DOUBLE, B, I);
    UnsupportedOperationException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            UnsupportedOperationException.class, () -> cell.step(x, s, x));
    assertTrue(e.getMessage().startsWith("low-rank-rnn"), e.getMessage());
  }

  /** States, rates and κ equal a plain-Java forward pass from the equations. */
  private static void assertMatchesReference(
      Network net, INDArray x, INDArray x0, double alpha, int rank) {
    double[][] m = TestArrays.param(net, "m").toDoubleMatrix();
    double[][] n = TestArrays.param(net, "n").toDoubleMatrix();
    double[][] wIn = TestArrays.param(net, "w_in").toDoubleMatrix();
    double[] b = TestArrays.param(net, "b").toDoubleVector();
    double[][][] s = TestArrays.to3d(x);
    Trajectory traj = net.forward(x, x0);
    INDArray kappa = traj.extras().get("kappa");
    assertArrayEquals(new long[] {T, B, rank}, kappa.shape());
    double[][] prev = x0.toDoubleMatrix();
    for (int t = 0; t < T; t++) {
      double[][] next = new double[B][H];
      for (int bb = 0; bb < B; bb++) {
        double[] k = latent(prev[bb], n, rank);
        for (int i = 0; i < H; i++) {
          double drive = b[i];
          for (int q = 0; q < rank; q++) {
            drive += m[i][q] * k[q];
          }
          for (int c = 0; c < I; c++) {
            drive += wIn[i][c] * s[t][bb][c];
          }
          next[bb][i] = (1 - alpha) * prev[bb][i] + alpha * drive;
          assertEquals(
              Math.tanh(next[bb][i]), traj.extras().get("rates").getDouble(t, bb, i), 1e-12);
        }
        assertArrayEquals(next[bb], traj.hidden().slice(t).getRow(bb).toDoubleVector(), 1e-12);
        double[] kNext = latent(next[bb], n, rank);
        for (int q = 0; q < rank; q++) {
          assertEquals(kNext[q], kappa.getDouble(t, bb, q), 1e-12, "kappa");
        }
      }
      prev = next;
    }
  }

  /** κ = Nᵀ tanh(x)/H. */
  private static double[] latent(double[] x, double[][] n, int rank) {
    double[] k = new double[rank];
    for (int q = 0; q < rank; q++) {
      for (int j = 0; j < H; j++) {
        k[q] += n[j][q] * Math.tanh(x[j]) / H;
      }
    }
    return k;
  }
}
