package engram.models.vanilla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import engram.api.Cell;
import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.vanilla.VanillaRnnModel.InitialState;
import engram.models.vanilla.VanillaRnnModel.Nonlinearity;
import engram.testkit.TestArrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Two steps and one VJP of a 2-unit vanilla RNN against the equations worked out by hand, with W_ih
 * = (0.5, −1)ᵀ, W_hh = [[0.2, −0.3], [0.4, 0.1]], b_ih = (0.1, −0.2), b_hh = (0.05, 0.3), h_0 =
 * (0.5, −1) and inputs 2, then −1.
 */
class VanillaRnnStepTest {
  // u_1 = W_ih·2 + b_ih + W_hh·h_0 + b_hh
  private static final double U11 = 0.5 * 2 + 0.1 + 0.2 * 0.5 + -0.3 * -1.0 + 0.05; // 1.55
  private static final double U12 = -1.0 * 2 - 0.2 + 0.4 * 0.5 + 0.1 * -1.0 + 0.3; // −1.8

  @Test
  void twoStepsMatchAHandComputation() {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      double tol = type == DataType.DOUBLE ? 1e-12 : 1e-6;
      INDArray h0 = Nd4j.createFromArray(new double[][] {{0.5, -1.0}}).castTo(type);
      INDArray x = Nd4j.createFromArray(new double[][][] {{{2.0}}, {{-1.0}}}).castTo(type);

      Trajectory relu = network(Nonlinearity.RELU, type).forward(x, h0);
      // h_1 = ReLU(1.55, −1.8) = (1.55, 0); u_2 = W_ih·(−1) + b_ih + W_hh·h_1 + b_hh
      double u21 = 0.5 * -1.0 + 0.1 + 0.2 * 1.55 + 0.05; // −0.04
      double u22 = -1.0 * -1.0 - 0.2 + 0.4 * 1.55 + 0.3; // 1.72
      assertArrayEquals(new double[] {1.55, 0.0, 0.0, 1.72}, flat(relu.hidden()), tol);
      assertArrayEquals(new double[] {-0.04, 1.72}, new double[] {u21, u22}, 1e-15);

      Trajectory tanh = network(Nonlinearity.TANH, type).forward(x, h0);
      double t1 = Math.tanh(U11);
      double t2 = Math.tanh(U12);
      double v1 = Math.tanh(0.5 * -1.0 + 0.1 + 0.2 * t1 + -0.3 * t2 + 0.05);
      double v2 = Math.tanh(-1.0 * -1.0 - 0.2 + 0.4 * t1 + 0.1 * t2 + 0.3);
      assertArrayEquals(new double[] {t1, t2, v1, v2}, flat(tanh.hidden()), tol);
      TestArrays.assertIdentical(h0, tanh.initialState(), "h0");
    }
  }

  @Test
  void oneVjpMatchesAHandComputation() {
    // g = dL/dh_1 = (1, 2); δ = g ⊙ φ′(u_1)
    double t1 = Math.tanh(U11);
    double t2 = Math.tanh(U12);
    check(Nonlinearity.RELU, new double[] {1.55, 0.0}, 1.0, 0.0);
    check(Nonlinearity.TANH, new double[] {t1, t2}, 1 - t1 * t1, 2 * (1 - t2 * t2));
  }

  /** Step 1 gives {@code next}; its VJP for δ = (d1, d2), on gradient arrays holding 0.25. */
  private static void check(Nonlinearity phi, double[] next, double d1, double d2) {
    Cell cell =
        VanillaTestSupport.cell(
            VanillaTestSupport.config(2, phi, InitialState.ZERO), 1, DataType.DOUBLE, 1);
    assign(cell);
    Cell.Step step =
        cell.step(
            Nd4j.createFromArray(new double[][] {{0.5, -1.0}}),
            Nd4j.createFromArray(new double[][] {{2.0}}),
            null);
    assertArrayEquals(next, step.next().toDoubleVector(), 1e-12, phi.toString());
    Map<String, INDArray> g = new LinkedHashMap<>();
    for (Parameter p : cell.parameters()) {
      g.put(p.name(), p.value().ulike().assign(0.25)); // must be added to, not overwritten
    }
    Cell.StepGradients out =
        cell.vjp(step, Nd4j.createFromArray(new double[][] {{1.0, 2.0}}), Map.of(), g);
    // dL/dh_0 = δ·W_hh, dL/dx = δ·W_ih
    assertArrayEquals(
        new double[] {0.2 * d1 + 0.4 * d2, -0.3 * d1 + 0.1 * d2},
        out.previous().toDoubleVector(),
        1e-12,
        phi + " dL/dh_0");
    assertArrayEquals(
        new double[] {0.5 * d1 - d2}, out.input().toDoubleVector(), 1e-12, phi + " dL/dx");
    // dW_ih = δᵀ·x, dW_hh = δᵀ·h_0, db_ih = db_hh = δ
    assertArrayEquals(new double[] {0.25 + 2 * d1, 0.25 + 2 * d2}, flat(g.get("w_ih")), 1e-12);
    assertArrayEquals(
        new double[] {0.25 + 0.5 * d1, 0.25 - d1, 0.25 + 0.5 * d2, 0.25 - d2},
        flat(g.get("w_hh")),
        1e-12);
    for (String b : List.of("b_ih", "b_hh")) {
      assertArrayEquals(new double[] {0.25 + d1, 0.25 + d2}, flat(g.get(b)), 1e-12, b);
    }
  }

  private static Network network(Nonlinearity phi, DataType type) {
    Network net =
        VanillaTestSupport.network(
            VanillaTestSupport.config(2, phi, InitialState.ZERO), 1, type, 1);
    assign(net.cell());
    return net;
  }

  private static void assign(Cell cell) {
    VanillaTestSupport.param(cell, "w_ih")
        .assign(Nd4j.createFromArray(new double[][] {{0.5}, {-1.0}}));
    VanillaTestSupport.param(cell, "w_hh")
        .assign(Nd4j.createFromArray(new double[][] {{0.2, -0.3}, {0.4, 0.1}}));
    VanillaTestSupport.param(cell, "b_ih").assign(Nd4j.createFromArray(0.1, -0.2));
    VanillaTestSupport.param(cell, "b_hh").assign(Nd4j.createFromArray(0.05, 0.3));
  }

  private static double[] flat(INDArray a) {
    return a.dup().data().asDouble();
  }
}
