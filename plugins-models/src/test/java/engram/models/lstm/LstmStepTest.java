package engram.models.lstm;

import static engram.models.lstm.LstmTestSupport.sigmoid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.api.Cell;
import engram.api.Network;
import engram.api.Trajectory;
import engram.models.lstm.LstmModel.Config;
import engram.models.lstm.LstmModel.InitialState;
import engram.testkit.TestArrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Two steps of a tiny LSTM (H = 2, I = 1, B = 1) with explicit weights, against values computed
 * here by hand from the equations with Math.exp and Math.tanh, in float64, from c_0 = 0 and from a
 * non-zero c_0; and one step of the cell itself, whose state is [h | c].
 */
class LstmStepTest {
  private static final double TOL = 1e-12;

  // PyTorch layout, row blocks i (rows 0-1), f (2-3), g (4-5), o (6-7).
  private static final double[] W_IH = {0.5, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2, -0.4};
  private static final double[][] W_HH = {
    {0.1, -0.2}, {0.3, 0.4}, {-0.5, 0.2}, {0.6, -0.1},
    {0.7, 0.3}, {-0.2, -0.8}, {0.4, 0.5}, {-0.3, 0.2}
  };
  private static final double[] B_IH = {0.05, -0.1, 1.0, 0.8, 0.0, 0.2, -0.15, 0.1};
  private static final double[] B_HH = {0.02, 0.03, 0.5, -0.2, -0.1, 0.05, 0.1, 0.0};
  private static final double[] H0 = {0.3, -0.2};
  private static final double[] X = {0.5, -1.0};

  /** Pre-activation of row r at input x and previous hidden state h. */
  private static double pre(int r, double x, double[] h) {
    return W_IH[r] * x + B_IH[r] + B_HH[r] + W_HH[r][0] * h[0] + W_HH[r][1] * h[1];
  }

  private static Network network(boolean leak) {
    Config c = new Config(2, leak, 1.0, 2.0, true, 1.0, InitialState.ZERO, 0.1);
    Network net = LstmTestSupport.cellNetwork(c, 1, DataType.DOUBLE, 1);
    TestArrays.param(net, "w_ih").assign(Nd4j.create(W_IH, new long[] {8, 1}, DataType.DOUBLE));
    TestArrays.param(net, "w_hh").assign(Nd4j.create(W_HH));
    TestArrays.param(net, "b_ih").assign(Nd4j.createFromArray(B_IH));
    TestArrays.param(net, "b_hh").assign(Nd4j.createFromArray(B_HH));
    return net;
  }

  private static Trajectory run(Network net, double[] c0) {
    INDArray x = Nd4j.create(X, new long[] {2, 1, 1}, DataType.DOUBLE);
    INDArray s0 =
        Nd4j.create(new double[] {H0[0], H0[1], c0[0], c0[1]}, new long[] {1, 4}, DataType.DOUBLE);
    return net.forward(x, s0);
  }

  private static Trajectory run(Network net) {
    return run(net, new double[] {0, 0});
  }

  @ParameterizedTest(name = "c_0 = {0}, {1}")
  @CsvSource({"0, 0", "0.7, -1.3"})
  void plainStepsMatchHandComputation(double c00, double c01) {
    Trajectory traj = run(network(false), new double[] {c00, c01});
    Map<String, INDArray> ex = traj.extras();
    double[] hPrev = H0;
    double[] cPrev = {c00, c01};
    for (int t = 0; t < 2; t++) {
      double[] h = new double[2];
      double[] c = new double[2];
      for (int u = 0; u < 2; u++) {
        double i = 1 / (1 + Math.exp(-pre(u, X[t], hPrev)));
        double f = 1 / (1 + Math.exp(-pre(2 + u, X[t], hPrev)));
        double g = Math.tanh(pre(4 + u, X[t], hPrev));
        double o = 1 / (1 + Math.exp(-pre(6 + u, X[t], hPrev)));
        c[u] = f * cPrev[u] + i * g;
        h[u] = o * Math.tanh(c[u]);
        String at = " at t=" + t + ", unit " + u;
        assertEquals(i, ex.get("i").getDouble(t, 0, u), TOL, "i" + at);
        assertEquals(f, ex.get("f").getDouble(t, 0, u), TOL, "f" + at);
        assertEquals(g, ex.get("g").getDouble(t, 0, u), TOL, "g" + at);
        assertEquals(o, ex.get("o").getDouble(t, 0, u), TOL, "o" + at);
        assertEquals(c[u], ex.get("c").getDouble(t, 0, u), TOL, "c" + at);
        assertEquals(h[u], traj.hidden().getDouble(t, 0, u), TOL, "h" + at);
      }
      hPrev = h;
      cPrev = c;
    }
    // Spot value, so that a wrong row-block order cannot pass by symmetry: unit 0, step 1.
    double i0 = sigmoid(0.5 * 0.5 + 0.05 + 0.02 + 0.1 * 0.3 + (-0.2) * (-0.2));
    assertEquals(i0, ex.get("i").getDouble(0, 0, 0), TOL);
  }

  /**
   * With τ = (1.5, 3.0): h_t = (1 − 1/τ)·h_{t−1} + (1/τ)·o⊙tanh(c_t), while c follows the plain
   * recursion (from the leaky h_{t−1} at the second step): the leak acts on h only.
   */
  @Test
  void leakActsOnHiddenStateOnly() {
    Network net = network(true);
    double[] taus = {1.5, 3.0};
    TestArrays.param(net, "taus").assign(Nd4j.createFromArray(taus));
    Trajectory traj = run(net);
    Map<String, INDArray> ex = traj.extras();
    Trajectory plain = run(network(false));
    double[] hPrev = H0;
    double[] cPrev = {0, 0};
    for (int t = 0; t < 2; t++) {
      double[] h = new double[2];
      double[] c = new double[2];
      for (int u = 0; u < 2; u++) {
        double i = 1 / (1 + Math.exp(-pre(u, X[t], hPrev)));
        double f = 1 / (1 + Math.exp(-pre(2 + u, X[t], hPrev)));
        double g = Math.tanh(pre(4 + u, X[t], hPrev));
        double o = 1 / (1 + Math.exp(-pre(6 + u, X[t], hPrev)));
        c[u] = f * cPrev[u] + i * g;
        double a = 1 / taus[u];
        h[u] = (1 - a) * hPrev[u] + a * o * Math.tanh(c[u]);
        String at = " at t=" + t + ", unit " + u;
        assertEquals(f, ex.get("f").getDouble(t, 0, u), TOL, "f" + at);
        assertEquals(c[u], ex.get("c").getDouble(t, 0, u), TOL, "c" + at);
        assertEquals(h[u], traj.hidden().getDouble(t, 0, u), TOL, "h" + at);
      }
      hPrev = h;
      cPrev = c;
    }
    // The first step's cell state does not see the leak at all; its hidden state does.
    for (int u = 0; u < 2; u++) {
      assertEquals(plain.extras().get("c").getDouble(0, 0, u), ex.get("c").getDouble(0, 0, u), TOL);
      double hPlain = plain.hidden().getDouble(0, 0, u);
      assertEquals(H0[u] + (hPlain - H0[u]) / taus[u], traj.hidden().getDouble(0, 0, u), TOL);
    }
  }

  /** The cell's step returns s_t = [h_t | c_t] and the same c_t as its extra "c". */
  @Test
  void stepReturnsHiddenThenCellState() {
    Network net = network(true);
    TestArrays.param(net, "taus").assign(Nd4j.createFromArray(1.5, 3.0));
    Cell cell = net.cell();
    assertEquals(4, cell.stateSize());
    INDArray s0 =
        Nd4j.create(new double[] {H0[0], H0[1], 0.4, -0.2}, new long[] {1, 4}, DataType.DOUBLE);
    INDArray x = Nd4j.create(new double[] {X[0]}, new long[] {1, 1}, DataType.DOUBLE);
    INDArray before = s0.dup();
    Cell.Step step = cell.step(s0, x, null);
    TestArrays.assertIdentical(before, s0, "the step does not modify its state argument");
    TestArrays.assertIdentical(
        step.extras().get("c"), LstmTestSupport.block(step.next(), 1), "second block = c_t");
    Trajectory traj = net.forward(x.reshape(1, 1, 1), s0);
    TestArrays.assertIdentical(
        traj.hidden().slice(0), LstmTestSupport.block(step.next(), 0), "first block = h_t");
  }

  /**
   * Core's Jacobian of the one-step map (from the cell's VJP) against central differences of the
   * step, and its c-block: ∂c'/∂c = diag(f).
   */
  @Test
  void jacobianOfTheStepMatchesCentralDifferences() {
    Network net = network(true);
    TestArrays.param(net, "taus").assign(Nd4j.createFromArray(1.5, 3.0));
    Cell cell = net.cell();
    INDArray s = Nd4j.createFromArray(0.3, -0.2, 0.4, -0.7).reshape(1, 4);
    INDArray x = Nd4j.createFromArray(X[0]).reshape(1, 1);
    INDArray jacobian = net.jacobian(s.reshape(4), x.reshape(1));
    assertArrayEquals(new long[] {4, 4}, jacobian.shape());
    double eps = 1e-6;
    for (int j = 0; j < 4; j++) {
      INDArray plus = s.dup();
      INDArray minus = s.dup();
      plus.putScalar(0, j, s.getDouble(0, j) + eps);
      minus.putScalar(0, j, s.getDouble(0, j) - eps);
      INDArray column =
          cell.step(plus, x, null).next().sub(cell.step(minus, x, null).next()).divi(2 * eps);
      for (int i = 0; i < 4; i++) {
        assertEquals(
            column.getDouble(0, i), jacobian.getDouble(i, j), 1e-8, "J[" + i + ", " + j + "]");
      }
    }
    INDArray f = cell.step(s, x, null).extras().get("f");
    for (int u = 0; u < 2; u++) {
      for (int v = 0; v < 2; v++) {
        assertEquals(
            u == v ? f.getDouble(0, u) : 0.0,
            jacobian.getDouble(2 + u, 2 + v),
            1e-15,
            "∂c'_" + u + "/∂c_" + v);
      }
    }
  }
}
