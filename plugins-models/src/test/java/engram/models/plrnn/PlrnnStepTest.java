package engram.models.plrnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.api.Cell;
import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.testkit.TestArrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Steps and one VJP of a 2-unit PLRNN against the equations worked out by hand. */
class PlrnnStepTest {

  @Test
  void twoStepsMatchAHandComputation() {
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      Network net = PlrnnTestSupport.network(PlrnnTestSupport.config(2), 1, type, 1);
      TestArrays.param(net, "a").assign(Nd4j.createFromArray(0.9, 0.5));
      // The diagonal 5.0 must not act: the runtime holds it at 0 (the parameter's constraint).
      INDArray w = TestArrays.param(net, "w");
      w.assign(Nd4j.createFromArray(new double[][] {{5.0, 0.7}, {-0.4, 5.0}}));
      TestArrays.param(net, "c").assign(Nd4j.createFromArray(new double[][] {{0.3}, {-0.2}}));
      TestArrays.param(net, "h").assign(Nd4j.createFromArray(0.1, -0.05));
      INDArray z0 = Nd4j.createFromArray(new double[][] {{0.5, -1.0}}).castTo(type);
      INDArray s = Nd4j.createFromArray(new double[][][] {{{2.0}}, {{-1.0}}}).castTo(type);

      // z_1 = a⊙z_0 + W·ReLU(z_0) + C·s_1 + h, ReLU(z_0) = (0.5, 0)
      double z11 = 0.9 * 0.5 + 0.7 * 0.0 + 0.3 * 2.0 + 0.1; // 1.15
      double z12 = 0.5 * -1.0 + -0.4 * 0.5 + -0.2 * 2.0 - 0.05; // −1.15
      // z_2 with ReLU(z_1) = (1.15, 0)
      double z21 = 0.9 * z11 + 0.7 * 0.0 + 0.3 * -1.0 + 0.1; // 0.835
      double z22 = 0.5 * z12 + -0.4 * z11 + -0.2 * -1.0 - 0.05; // −0.885
      assertEquals(1.15, z11, 1e-15);
      assertEquals(-0.885, z22, 1e-15);

      Trajectory traj = net.forward(s, z0);
      double tol = type == DataType.DOUBLE ? 1e-12 : 1e-6;
      INDArray z = traj.hidden();
      assertArrayEquals(new long[] {2, 1, 2}, z.shape());
      assertArrayEquals(new double[] {z11, z12}, z.slice(0).getRow(0).toDoubleVector(), tol);
      assertArrayEquals(new double[] {z21, z22}, z.slice(1).getRow(0).toDoubleVector(), tol);
      INDArray rates = traj.extras().get("rates");
      assertArrayEquals(new long[] {2, 1, 2}, rates.shape());
      assertArrayEquals(new double[] {z11, 0.0}, rates.slice(0).getRow(0).toDoubleVector(), tol);
      assertArrayEquals(new double[] {z21, 0.0}, rates.slice(1).getRow(0).toDoubleVector(), tol);
      TestArrays.assertIdentical(z0, traj.initialState(), "z0");
      double[] projected = w.dup().data().asDouble();
      assertEquals(0.0, projected[0], 0.0, "the diagonal of w is projected to exactly 0");
      assertEquals(0.0, projected[3], 0.0, "the diagonal of w is projected to exactly 0");
      assertArrayEquals(
          new double[] {0.7, -0.4},
          new double[] {projected[1], projected[2]},
          tol,
          "off the diagonal w is kept");
    }
  }

  @Test
  void oneVjpMatchesAHandComputation() {
    Cell cell = PlrnnTestSupport.cell(PlrnnTestSupport.config(2), 1, DataType.DOUBLE, 1);
    Map<String, INDArray> p = new LinkedHashMap<>();
    for (Parameter q : cell.parameters()) {
      p.put(q.name(), q.value());
    }
    p.get("a").assign(Nd4j.createFromArray(0.9, 0.5));
    p.get("w").assign(Nd4j.createFromArray(new double[][] {{0.0, 0.7}, {-0.4, 0.0}}));
    p.get("c").assign(Nd4j.createFromArray(new double[][] {{0.3}, {-0.2}}));
    p.get("h").assign(Nd4j.createFromArray(0.1, -0.05));
    INDArray z0 = Nd4j.createFromArray(new double[][] {{0.5, -1.0}});
    INDArray x = Nd4j.createFromArray(new double[][] {{2.0}});
    Cell.Step step = cell.step(z0, x, null);
    assertArrayEquals(new double[] {1.15, -1.15}, step.next().toDoubleVector(), 1e-12);

    // g = dL/dz_1 = (1, 2); r_0 = (0.5, 0); [z_0 > 0] = (1, 0)
    INDArray g = Nd4j.createFromArray(new double[][] {{1.0, 2.0}});
    Map<String, INDArray> grads = new LinkedHashMap<>();
    p.forEach((k, v) -> grads.put(k, v.ulike().assign(0.25))); // must be added to, not overwritten
    Cell.StepGradients out = cell.vjp(step, g, Map.of(), grads);
    // dL/dz_0 = a⊙g + (g·W)⊙[z_0 > 0] = (0.9, 1.0) + (−0.8, 0.7)⊙(1, 0)
    assertArrayEquals(new double[] {0.1, 1.0}, out.previous().toDoubleVector(), 1e-12);
    // dL/dx = g·C = 0.3 − 0.4
    assertArrayEquals(new double[] {-0.1}, out.input().toDoubleVector(), 1e-12);
    // da = g⊙z_0, dW = gᵀ·r_0, dC = gᵀ·x, dh = g; each on top of the 0.25 already there
    assertArrayEquals(new double[] {0.75, -1.75}, grads.get("a").toDoubleVector(), 1e-12);
    assertArrayEquals(
        new double[] {0.75, 0.25, 1.25, 0.25}, grads.get("w").dup().data().asDouble(), 1e-12);
    assertArrayEquals(new double[] {2.25, 4.25}, grads.get("c").dup().data().asDouble(), 1e-12);
    assertArrayEquals(new double[] {1.25, 2.25}, grads.get("h").toDoubleVector(), 1e-12);
  }
}
