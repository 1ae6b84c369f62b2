package engram.models.rankone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.api.Cell;
import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.rankone.RankOneRnnModel.Config;
import engram.models.rankone.RankOneRnnModel.InitialState;
import engram.testkit.TestArrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One step and its VJP of a 2-unit rank-one RNN against the equations worked out by hand. */
class RankOneStepTest {
  // dt = 1, τ = 4: α = 0.25.
  private static final Config CONFIG = new Config(2, 1.0, 4.0, 1.0, InitialState.ZERO, 0.1);
  private static final double KAPPA0 = (0.8 * Math.tanh(0.5) + 0.6 * Math.tanh(-1.0)) / 2;
  // x_1 = 0.75·x_0 + 0.25·(m κ_0 + w_in·s_1 + b)
  private static final double X11 = 0.75 * 0.5 + 0.25 * (1.0 * KAPPA0 + 0.3 * 2.0 + 0.1);
  private static final double X12 = 0.75 * -1.0 + 0.25 * (-0.5 * KAPPA0 + -0.2 * 2.0 - 0.05);

  @Test
  void oneStepMatchesAHandComputation() {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      Network net = RankOneTestSupport.network(CONFIG, 1, type, 1);
      TestArrays.param(net, "m").assign(Nd4j.createFromArray(1.0, -0.5));
      TestArrays.param(net, "n").assign(Nd4j.createFromArray(0.8, 0.6));
      TestArrays.param(net, "w_in").assign(Nd4j.createFromArray(new double[][] {{0.3}, {-0.2}}));
      TestArrays.param(net, "b").assign(Nd4j.createFromArray(0.1, -0.05));
      INDArray x0 = Nd4j.createFromArray(new double[][] {{0.5, -1.0}}).castTo(type);
      INDArray s = Nd4j.createFromArray(new double[][][] {{{2.0}}}).castTo(type);
      double kappa1 = (0.8 * Math.tanh(X11) + 0.6 * Math.tanh(X12)) / 2;

      Trajectory traj = net.forward(s, x0);
      double tol = type == DataType.DOUBLE ? 1e-12 : 1e-6;
      assertArrayEquals(new long[] {1, 1, 2}, traj.hidden().shape());
      assertArrayEquals(
          new double[] {X11, X12}, traj.hidden().slice(0).getRow(0).toDoubleVector(), tol);
      assertArrayEquals(
          new double[] {Math.tanh(X11), Math.tanh(X12)},
          traj.extras().get("rates").slice(0).getRow(0).toDoubleVector(),
          tol);
      INDArray kappa = traj.extras().get("kappa");
      assertArrayEquals(new long[] {1, 1, 1}, kappa.shape());
      assertEquals(kappa1, kappa.getDouble(0, 0, 0), tol);
      TestArrays.assertIdentical(x0, traj.initialState(), "x0");
    }
  }

  @Test
  void oneVjpMatchesAHandComputation() {
    Cell cell = RankOneTestSupport.cell(CONFIG, 1, DataType.DOUBLE, 1);
    Map<String, INDArray> p = new LinkedHashMap<>();
    for (Parameter q : cell.parameters()) {
      p.put(q.name(), q.value());
    }
    p.get("m").assign(Nd4j.createFromArray(1.0, -0.5));
    p.get("n").assign(Nd4j.createFromArray(0.8, 0.6));
    p.get("w_in").assign(Nd4j.createFromArray(new double[][] {{0.3}, {-0.2}}));
    p.get("b").assign(Nd4j.createFromArray(0.1, -0.05));
    Cell.Step step =
        cell.step(
            Nd4j.createFromArray(new double[][] {{0.5, -1.0}}),
            Nd4j.createFromArray(new double[][] {{2.0}}),
            null);
    assertArrayEquals(new double[] {X11, X12}, step.next().toDoubleVector(), 1e-12);

    // g = dL/dx_1 = (2, −1); u = α·g = (0.5, −0.25); dκ = u·m = 0.5 + 0.125; r_0 = tanh(x_0)
    double u1 = 0.5;
    double u2 = -0.25;
    double dk = 0.625;
    double r1 = Math.tanh(0.5);
    double r2 = Math.tanh(-1.0);
    Map<String, INDArray> grads = new LinkedHashMap<>();
    p.forEach((k, v) -> grads.put(k, v.ulike().assign(0.25))); // must be added to, not overwritten
    Cell.StepGradients out =
        cell.vjp(step, Nd4j.createFromArray(new double[][] {{2.0, -1.0}}), Map.of(), grads);
    // dL/dx_0 = (1−α)·g + dκ·(n/H)⊙(1 − r_0²)
    assertArrayEquals(
        new double[] {
          0.75 * 2.0 + dk * 0.8 / 2 * (1 - r1 * r1), 0.75 * -1.0 + dk * 0.6 / 2 * (1 - r2 * r2)
        },
        out.previous().toDoubleVector(),
        1e-12);
    // dL/ds = u·w_in
    assertArrayEquals(new double[] {u1 * 0.3 + u2 * -0.2}, out.input().toDoubleVector(), 1e-12);
    // dm = u·κ_0, dn = r_0·dκ/H, dw_in = uᵀ·s, db = u; each on top of the 0.25 already there
    assertArrayEquals(
        new double[] {0.25 + u1 * KAPPA0, 0.25 + u2 * KAPPA0},
        grads.get("m").toDoubleVector(),
        1e-12);
    assertArrayEquals(
        new double[] {0.25 + r1 * dk / 2, 0.25 + r2 * dk / 2},
        grads.get("n").toDoubleVector(),
        1e-12);
    assertArrayEquals(
        new double[] {0.25 + u1 * 2.0, 0.25 + u2 * 2.0},
        grads.get("w_in").dup().data().asDouble(),
        1e-12);
    assertArrayEquals(new double[] {0.25 + u1, 0.25 + u2}, grads.get("b").toDoubleVector(), 1e-12);
  }
}
