package org.example.engram.l1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Plugin;
import engram.api.Regularizer;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class L1ActivityRegularizerTest {
  private final L1ActivityRegularizer reg = new L1ActivityRegularizer();

  private double term(L1ActivityRegularizer.Config config, INDArray h, INDArray dLdh) {
    return reg.onHidden(config, new Regularizer.HiddenInput(h, dLdh, null, 0));
  }

  @Test
  void valueIsLambdaTimesMeanAbsoluteActivityComputedByHand() {
    INDArray h = Nd4j.create(new double[] {1, -2, 3, 0.5, 0, -1}, new long[] {3, 1, 2}, DataType.DOUBLE);
    INDArray g = Nd4j.zeros(DataType.DOUBLE, 3, 1, 2);
    double value = term(new L1ActivityRegularizer.Config(0.5), h, g);
    assertEquals(0.5 * (1 + 2 + 3 + 0.5 + 0 + 1) / 6, value, 1e-15);
    // the subgradient at h = 0 is 0
    assertEquals(0, g.getDouble(4), 0);
    assertEquals(-0.5 / 6, g.getDouble(1), 1e-15);
  }

  @Test
  void gradientMatchesCentralDifferencesAndIsAddedNotOverwritten() {
    Nd4j.getRandom().setSeed(7);
    INDArray h = Nd4j.rand(DataType.DOUBLE, 4, 3, 5).subi(0.5);
    for (int i = 0; i < h.length(); i++) { // keep |h| away from the kink at 0
      double x = h.getDouble(i);
      h.putScalar(i, x + Math.copySign(0.01, x));
    }
    INDArray before = Nd4j.rand(DataType.DOUBLE, 4, 3, 5);
    INDArray g = before.dup();
    var config = new L1ActivityRegularizer.Config(0.3);
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
  void zeroLambdaLeavesTheGradientAlone() {
    INDArray h = Nd4j.ones(DataType.DOUBLE, 2, 2, 2);
    INDArray g = Nd4j.ones(DataType.DOUBLE, 2, 2, 2);
    assertEquals(0, term(new L1ActivityRegularizer.Config(0), h, g));
    assertEquals(8, g.sumNumber().doubleValue());
  }

  @Test
  void negativeOrNanLambdaIsRejectedNamingTheKey() {
    var e = assertThrows(IllegalArgumentException.class, () -> new L1ActivityRegularizer.Config(-1));
    assertEquals("lambda must be a finite number ≥ 0 (was -1.0)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new L1ActivityRegularizer.Config(Double.NaN));
    assertTrue(e.getMessage().startsWith("lambda must be"), e.getMessage());
  }

  @Test
  @SuppressWarnings("rawtypes")
  void isRegisteredForServiceLoader() {
    assertTrue(ServiceLoader.load(Regularizer.class).stream().map(ServiceLoader.Provider::get)
        .map(Plugin::info).anyMatch(info -> info.id().equals("l1-activity")));
  }
}
