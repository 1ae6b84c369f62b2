package engram.models.rankone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.api.Network;
import engram.api.Trajectory;
import engram.models.common.ModelTestSupport;
import engram.models.rankone.RankOneRnnModel.Config;
import engram.models.rankone.RankOneRnnModel.InitialState;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** One step of a 2-unit rank-one RNN against the equations worked out by hand. */
class RankOneStepTest {

  @Test
  void oneStepMatchesAHandComputation() {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      // dt = 1, τ = 4: α = 0.25.
      Network net = RankOneTestSupport.network(new Config(2, 1.0, 4.0, 1.0, InitialState.ZERO, 0.1), 1, type, 1);
      ModelTestSupport.param(net, "m").assign(Nd4j.createFromArray(1.0, -0.5));
      ModelTestSupport.param(net, "n").assign(Nd4j.createFromArray(0.8, 0.6));
      ModelTestSupport.param(net, "w_in").assign(Nd4j.createFromArray(new double[][] {{0.3}, {-0.2}}));
      ModelTestSupport.param(net, "b").assign(Nd4j.createFromArray(0.1, -0.05));
      INDArray x0 = Nd4j.createFromArray(new double[][] {{0.5, -1.0}}).castTo(type);
      INDArray s = Nd4j.createFromArray(new double[][][] {{{2.0}}}).castTo(type);

      // κ_0 = (0.8·tanh(0.5) + 0.6·tanh(−1)) / 2
      double kappa0 = (0.8 * Math.tanh(0.5) + 0.6 * Math.tanh(-1.0)) / 2;
      // x_1 = 0.75·x_0 + 0.25·(m κ_0 + w_in·s_1 + b)
      double x11 = 0.75 * 0.5 + 0.25 * (1.0 * kappa0 + 0.3 * 2.0 + 0.1);
      double x12 = 0.75 * -1.0 + 0.25 * (-0.5 * kappa0 + -0.2 * 2.0 - 0.05);
      double kappa1 = (0.8 * Math.tanh(x11) + 0.6 * Math.tanh(x12)) / 2;

      Trajectory traj = net.forward(s, x0);
      double tol = type == DataType.DOUBLE ? 1e-12 : 1e-6;
      assertArrayEquals(new long[] {1, 1, 2}, traj.hidden().shape());
      assertArrayEquals(new double[] {x11, x12}, traj.hidden().slice(0).getRow(0).toDoubleVector(), tol);
      assertArrayEquals(new double[] {Math.tanh(x11), Math.tanh(x12)},
          traj.extras().get("rates").slice(0).getRow(0).toDoubleVector(), tol);
      INDArray kappa = traj.extras().get("kappa");
      assertArrayEquals(new long[] {1, 1, 1}, kappa.shape());
      assertEquals(kappa1, kappa.getDouble(0, 0, 0), tol);
      ModelTestSupport.assertIdentical(x0, traj.initialState(), "x0");
    }
  }
}
