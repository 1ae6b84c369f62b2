package engram.regularizers.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Regularizer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ActivityL2RegularizerTest {
  private final ActivityL2Regularizer reg = new ActivityL2Regularizer();

  private double term(ActivityL2Regularizer.Config config, INDArray h, INDArray dLdh) {
    return reg.onHidden(config, new Regularizer.HiddenInput(h, dLdh, null, 0));
  }

  @Test
  void valueIsLambdaTimesMeanSquareComputedByHand() {
    INDArray h = Nd4j.create(new double[] {1, -2, 3, 0.5, 0, -1}, new long[] {3, 1, 2}, DataType.DOUBLE);
    INDArray g = Nd4j.zeros(DataType.DOUBLE, 3, 1, 2);
    double value = term(new ActivityL2Regularizer.Config(0.5), h, g);
    assertEquals(0.5 * (1 + 4 + 9 + 0.25 + 0 + 1) / 6, value, 1e-15);
  }

  @Test
  void gradientMatchesCentralDifferencesAndIsAddedNotOverwritten() {
    Nd4j.getRandom().setSeed(7);
    INDArray h = Nd4j.rand(DataType.DOUBLE, 4, 3, 5).subi(0.5);
    INDArray before = Nd4j.rand(DataType.DOUBLE, 4, 3, 5);
    INDArray g = before.dup();
    var config = new ActivityL2Regularizer.Config(0.3);
    term(config, h, g);
    INDArray analytic = g.sub(before);
    double eps = 1e-6;
    for (int i = 0; i < h.length(); i++) {
      double x = h.getDouble(i);
      h.putScalar(i, x + eps);
      double up = term(config, h, Nd4j.zeros(DataType.DOUBLE, 4, 3, 5));
      h.putScalar(i, x - eps);
      double down = term(config, h, Nd4j.zeros(DataType.DOUBLE, 4, 3, 5));
      h.putScalar(i, x);
      double numeric = (up - down) / (2 * eps);
      assertEquals(numeric, analytic.getDouble(i), 1e-6 * Math.max(1e-3, Math.abs(numeric)),
          "element " + i);
    }
  }

  @Test
  void negativeLambdaIsRejectedNamingTheKey() {
    var e = assertThrows(IllegalArgumentException.class, () -> new ActivityL2Regularizer.Config(-1));
    assertTrue(e.getMessage().startsWith("lambda must be"), e.getMessage());
  }
}
