package engram.models.lstm;

import static engram.models.lstm.LstmTestSupport.sigmoid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import engram.api.Network;
import engram.api.Trajectory;
import engram.models.lstm.LstmModel.InitialState;
import engram.runtime.CellNetwork;
import engram.testkit.TestArrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The exposed cell state and gates are the ones the network uses, and τ_forget reads off them. */
class LstmExtrasTest {
  private static final int H = 7;
  private static final int I = 3;
  private static final int B = 4;
  private static final int T = 9;

  /** Every gate at every step, recomputed here from x_t, h_{t−1} and the parameters. */
  @ParameterizedTest(name = "leak {0}")
  @ValueSource(booleans = {false, true})
  void gatesAreRecomputableFromTheTrajectory(boolean leak) {
    Network net =
        LstmTestSupport.cellNetwork(
            LstmTestSupport.config(H, leak, InitialState.RANDOM), I, DataType.DOUBLE, 3);
    SplittableRandom rng = new SplittableRandom(4);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = LstmTestSupport.block(net.initialState(B, rng), 0);
    INDArray c0 = TestArrays.gaussian(rng, DataType.DOUBLE, B, H);
    Trajectory traj = net.forward(x, LstmTestSupport.state(h0, c0));
    Map<String, INDArray> ex = traj.extras();
    assertEquals(List.of("c", "i", "f", "g", "o"), List.copyOf(ex.keySet()));
    for (INDArray a : ex.values()) {
      assertArrayEquals(new long[] {T, B, H}, a.shape());
      assertEquals(DataType.DOUBLE, a.dataType());
    }
    double[][] wIh = TestArrays.param(net, "w_ih").toDoubleMatrix();
    double[][] wHh = TestArrays.param(net, "w_hh").toDoubleMatrix();
    double[] bIh = TestArrays.param(net, "b_ih").toDoubleVector();
    double[] bHh = TestArrays.param(net, "b_hh").toDoubleVector();
    INDArray hidden = traj.hidden();
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        for (int u = 0; u < H; u++) {
          double[] pre = new double[4];
          for (int k = 0; k < 4; k++) {
            int r = k * H + u; // PyTorch row blocks i, f, g, o
            double z = bIh[r] + bHh[r];
            for (int j = 0; j < I; j++) {
              z += wIh[r][j] * x.getDouble(t, b, j);
            }
            for (int j = 0; j < H; j++) {
              z += wHh[r][j] * (t == 0 ? h0.getDouble(b, j) : hidden.getDouble(t - 1, b, j));
            }
            pre[k] = z;
          }
          double f = ex.get("f").getDouble(t, b, u);
          assertEquals(sigmoid(pre[1]), f, 1e-12, "f");
          assertEquals(sigmoid(pre[0]), ex.get("i").getDouble(t, b, u), 1e-12, "i");
          assertEquals(Math.tanh(pre[2]), ex.get("g").getDouble(t, b, u), 1e-12, "g");
          assertEquals(sigmoid(pre[3]), ex.get("o").getDouble(t, b, u), 1e-12, "o");
          double cPrev = t == 0 ? c0.getDouble(b, u) : ex.get("c").getDouble(t - 1, b, u);
          double c = f * cPrev + ex.get("i").getDouble(t, b, u) * ex.get("g").getDouble(t, b, u);
          assertEquals(c, ex.get("c").getDouble(t, b, u), 1e-12, "c recursion");
          if (!leak) {
            assertEquals(
                ex.get("o").getDouble(t, b, u) * Math.tanh(c),
                hidden.getDouble(t, b, u),
                1e-12,
                "h");
          }
        }
      }
    }
  }

  /**
   * With the forget gate's weights at 0 and b_hh's f-block at 5, f = σ(5) everywhere, and the
   * forget-gate timescale τ_forget = 1/(1 − ⟨f⟩) computed from the extras is 1 + e⁵ ≈ 149.4 for
   * every unit; with b_hh's f-block at 0 instead it is 2.
   */
  @Test
  void forgetTimescaleReadsOffTheForgetGate() {
    Network net = LstmTestSupport.cellNetwork(LstmTestSupport.config(H), I, DataType.DOUBLE, 5);
    // PyTorch row block 1 (rows H..2H) is the forget gate.
    TestArrays.param(net, "w_ih").get(interval(H, 2 * H), all()).assign(0.0);
    TestArrays.param(net, "w_hh").get(interval(H, 2 * H), all()).assign(0.0);
    TestArrays.param(net, "b_ih").get(interval(H, 2 * H)).assign(0.0);
    TestArrays.param(net, "b_hh").get(interval(H, 2 * H)).assign(5.0);
    SplittableRandom rng = new SplittableRandom(6);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, 40, B, I);
    Trajectory traj = net.forward(x, net.initialState(B, rng));
    INDArray meanF = traj.extras().get("f").mean(0, 1); // ⟨f⟩ per unit over steps and sequences
    for (int u = 0; u < H; u++) {
      double tauForget = 1.0 / (1.0 - meanF.getDouble(u));
      assertEquals(1.0 + Math.exp(5.0), tauForget, 1e-9 * tauForget, "unit " + u);
    }
    // The cell really uses that gate: c_t − σ(5)·c_{t−1} = i_t⊙g_t.
    INDArray c = traj.extras().get("c");
    INDArray ig = traj.extras().get("i").mul(traj.extras().get("g"));
    double f = sigmoid(5.0);
    for (int t = 1; t < 40; t++) {
      INDArray expected =
          c.get(point(t - 1), all(), all()).mul(f).add(ig.get(point(t), all(), all()));
      assertTrue(TestArrays.maxRelativeDifference(c.get(point(t), all(), all()), expected) < 1e-12);
    }
    // A forget bias of 0 gives f = 1/2 and τ_forget = 2 (changing the parameter is seen).
    TestArrays.param(net, "b_hh").get(interval(H, 2 * H)).assign(0.0);
    INDArray meanF2 = net.forward(x, net.initialState(B, rng)).extras().get("f").mean(0, 1);
    assertEquals(2.0, 1.0 / (1.0 - meanF2.getDouble(0)), 1e-12);
  }

  /**
   * The last step of every extra is reachable with ordinary ND4J indexing (the kernel's buffers
   * start at offset 0), from the kernel and from the cell.
   */
  @ParameterizedTest(name = "kernel {0}")
  @ValueSource(booleans = {true, false})
  void lastStepOfEveryExtraIsReachable(boolean kernel) {
    CellNetwork net =
        kernel
            ? LstmTestSupport.network(LstmTestSupport.config(H), I, DataType.FLOAT, 5)
            : LstmTestSupport.cellNetwork(LstmTestSupport.config(H), I, DataType.FLOAT, 5);
    assertEquals(kernel ? "lstm/fused" : "cell", net.implementation());
    SplittableRandom rng = new SplittableRandom(7);
    Trajectory traj =
        net.forward(TestArrays.gaussian(rng, DataType.FLOAT, T, B, I), net.initialState(B, rng));
    assertEquals(List.of("c", "i", "f", "g", "o"), List.copyOf(traj.extras().keySet()));
    for (Map.Entry<String, INDArray> e : traj.extras().entrySet()) {
      INDArray a = e.getValue();
      assertEquals(DataType.FLOAT, a.dataType());
      INDArray last = a.slice(T - 1);
      assertArrayEquals(new long[] {B, H}, last.shape(), e.getKey());
      TestArrays.assertIdentical(a.get(point(T - 1), all(), all()), last, e.getKey());
      TestArrays.assertIdentical(a.tensorAlongDimension(T - 1, 1, 2), last, e.getKey());
      assertTrue(last.norm2Number().doubleValue() > 0, e.getKey());
    }
  }

  /**
   * Extras are valid until the next forward call, like the trajectory; the kernel, which copies
   * them out of its buffers on first use, refuses those of a stale trajectory.
   */
  @Test
  void kernelRefusesTheExtrasOfAStaleTrajectory() {
    CellNetwork net = LstmTestSupport.network(LstmTestSupport.config(H), I, DataType.FLOAT, 5);
    assertEquals("lstm/fused", net.implementation());
    SplittableRandom rng = new SplittableRandom(8);
    Trajectory first =
        net.forward(TestArrays.gaussian(rng, DataType.FLOAT, T, B, I), net.initialState(B, rng));
    Map<String, INDArray> ex = first.extras();
    assertTrue(first.extras() == ex, "extras are computed once per trajectory");
    net.forward(TestArrays.gaussian(rng, DataType.FLOAT, T, B, I), net.initialState(B, rng));
    assertThrows(IllegalStateException.class, first::extras);
  }
}
