package engram.models.gru;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.api.Network;
import engram.api.Trajectory;
import engram.models.gru.TestSupport.Leak;
import engram.testkit.TestArrays;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Two steps of a tiny GRU cell (H = 2, I = 1, B = 1, float64, run step by step by core) with
 * weights written out below, against values computed here by hand from the equations with Math.exp
 * and Math.tanh (row blocks r, z, n as in PyTorch; the reset gate multiplies W_hn·h + b_hn).
 */
class GruStepReferenceTest {
  // Rows: r_0, r_1, z_0, z_1, n_0, n_1.
  private static final double[][] W_IH = {{0.5}, {-0.3}, {0.8}, {0.2}, {-0.6}, {0.4}};
  private static final double[][] W_HH = {
    {0.1, -0.2}, {0.3, 0.4}, {-0.5, 0.6}, {0.7, -0.1}, {0.2, 0.3}, {-0.4, 0.5}
  };
  private static final double[] B_IH = {0.05, -0.1, 0.15, -0.2, 0.25, -0.3};
  private static final double[] B_HH = {-0.05, 0.1, 0.2, 0.1, -0.15, 0.35};
  private static final double[] H0 = {0.3, -0.2};
  private static final double X1 = 0.7;
  private static final double X2 = -1.2;

  @Test
  void twoStepsWithoutLeakMatchTheHandComputation() {
    Network net = tinyNetwork(Leak.OFF);
    Trajectory traj =
        net.forward(
            Nd4j.createFromArray(X1, X2).reshape(2, 1, 1),
            Nd4j.createFromArray(new double[][] {H0}));
    assertEquals(Set.of("r", "z", "n"), traj.extras().keySet());

    // Step 1, unit 0.
    double r0 = sigmoid(0.5 * X1 + 0.05 + (0.1 * 0.3 + -0.2 * -0.2) + -0.05);
    double z0 = sigmoid(0.8 * X1 + 0.15 + (-0.5 * 0.3 + 0.6 * -0.2) + 0.2);
    double n0 = Math.tanh(-0.6 * X1 + 0.25 + r0 * ((0.2 * 0.3 + 0.3 * -0.2) + -0.15));
    double h0 = (1 - z0) * n0 + z0 * 0.3;
    // Step 1, unit 1.
    double r1 = sigmoid(-0.3 * X1 + -0.1 + (0.3 * 0.3 + 0.4 * -0.2) + 0.1);
    double z1 = sigmoid(0.2 * X1 + -0.2 + (0.7 * 0.3 + -0.1 * -0.2) + 0.1);
    double n1 = Math.tanh(0.4 * X1 + -0.3 + r1 * ((-0.4 * 0.3 + 0.5 * -0.2) + 0.35));
    double h1 = (1 - z1) * n1 + z1 * -0.2;
    assertStep(
        traj,
        0,
        new double[] {r0, r1},
        new double[] {z0, z1},
        new double[] {n0, n1},
        new double[] {h0, h1});

    // Step 2 from (h0, h1).
    double r0b = sigmoid(0.5 * X2 + 0.05 + (0.1 * h0 + -0.2 * h1) + -0.05);
    double z0b = sigmoid(0.8 * X2 + 0.15 + (-0.5 * h0 + 0.6 * h1) + 0.2);
    double n0b = Math.tanh(-0.6 * X2 + 0.25 + r0b * ((0.2 * h0 + 0.3 * h1) + -0.15));
    double r1b = sigmoid(-0.3 * X2 + -0.1 + (0.3 * h0 + 0.4 * h1) + 0.1);
    double z1b = sigmoid(0.2 * X2 + -0.2 + (0.7 * h0 + -0.1 * h1) + 0.1);
    double n1b = Math.tanh(0.4 * X2 + -0.3 + r1b * ((-0.4 * h0 + 0.5 * h1) + 0.35));
    assertStep(
        traj,
        1,
        new double[] {r0b, r1b},
        new double[] {z0b, z1b},
        new double[] {n0b, n1b},
        new double[] {(1 - z0b) * n0b + z0b * h0, (1 - z1b) * n1b + z1b * h1});
  }

  @Test
  void oneStepWithLeakMixesTheCellIntoTheOldState() {
    Network net = tinyNetwork(Leak.TRAINED);
    TestArrays.param(net, "taus").assign(Nd4j.createFromArray(1.5, 3.0));
    Trajectory traj =
        net.forward(
            Nd4j.createFromArray(X1).reshape(1, 1, 1), Nd4j.createFromArray(new double[][] {H0}));

    // The gates do not depend on τ; the cell is the plain GRU's.
    double r0 = sigmoid(0.5 * X1 + 0.05 + (0.1 * 0.3 + -0.2 * -0.2) + -0.05);
    double z0 = sigmoid(0.8 * X1 + 0.15 + (-0.5 * 0.3 + 0.6 * -0.2) + 0.2);
    double n0 = Math.tanh(-0.6 * X1 + 0.25 + r0 * ((0.2 * 0.3 + 0.3 * -0.2) + -0.15));
    double cell0 = (1 - z0) * n0 + z0 * 0.3;
    double r1 = sigmoid(-0.3 * X1 + -0.1 + (0.3 * 0.3 + 0.4 * -0.2) + 0.1);
    double z1 = sigmoid(0.2 * X1 + -0.2 + (0.7 * 0.3 + -0.1 * -0.2) + 0.1);
    double n1 = Math.tanh(0.4 * X1 + -0.3 + r1 * ((-0.4 * 0.3 + 0.5 * -0.2) + 0.35));
    double cell1 = (1 - z1) * n1 + z1 * -0.2;
    // h = (1 − 1/τ)·h_prev + (1/τ)·cell with τ = 1.5 and 3.
    double h0 = (1 - 1 / 1.5) * 0.3 + (1 / 1.5) * cell0;
    double h1 = (1 - 1 / 3.0) * -0.2 + (1 / 3.0) * cell1;
    assertStep(
        traj,
        0,
        new double[] {r0, r1},
        new double[] {z0, z1},
        new double[] {n0, n1},
        new double[] {h0, h1});

    // τ below 1 is clamped to 1: the plain GRU step.
    TestArrays.param(net, "taus").assign(Nd4j.createFromArray(0.25, 1.0));
    traj =
        net.forward(
            Nd4j.createFromArray(X1).reshape(1, 1, 1), Nd4j.createFromArray(new double[][] {H0}));
    assertArrayEquals(
        new double[] {cell0, cell1}, traj.hidden().slice(0).getRow(0).toDoubleVector(), 1e-12);
  }

  private static void assertStep(
      Trajectory traj, int t, double[] r, double[] z, double[] n, double[] h) {
    assertArrayEquals(r, traj.extras().get("r").slice(t).getRow(0).toDoubleVector(), 1e-12, "r");
    assertArrayEquals(z, traj.extras().get("z").slice(t).getRow(0).toDoubleVector(), 1e-12, "z");
    assertArrayEquals(n, traj.extras().get("n").slice(t).getRow(0).toDoubleVector(), 1e-12, "n");
    assertArrayEquals(h, traj.hidden().slice(t).getRow(0).toDoubleVector(), 1e-12, "h");
  }

  private static Network tinyNetwork(Leak leak) {
    Network net = TestSupport.cellNetwork(TestSupport.config(2, leak), 1, DataType.DOUBLE, 1);
    TestArrays.param(net, "w_ih").assign(Nd4j.createFromArray(W_IH));
    TestArrays.param(net, "w_hh").assign(Nd4j.createFromArray(W_HH));
    TestArrays.param(net, "b_ih").assign(Nd4j.createFromArray(B_IH));
    TestArrays.param(net, "b_hh").assign(Nd4j.createFromArray(B_HH));
    return net;
  }

  private static double sigmoid(double a) {
    return 1 / (1 + Math.exp(-a));
  }
}
