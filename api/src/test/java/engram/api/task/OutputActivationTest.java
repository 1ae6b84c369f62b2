package engram.api.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OutputActivationTest {

  @Test
  void valuesAreTheFunctionsAndSlopesMatchCentralDifferences() {
    double h = 1e-6;
    for (OutputActivation f : OutputActivation.values()) {
      for (double y : new double[] {-30, -3, -0.7, 0, 0.2, 2.5, 30}) {
        double expected =
            switch (f) {
              case IDENTITY -> y;
              case TANH -> Math.tanh(y);
              case SIGMOID -> 1 / (1 + Math.exp(-y));
            };
        assertEquals(expected, f.apply(y), 1e-15, f + " at " + y);
        double numeric = (f.apply(y + h) - f.apply(y - h)) / (2 * h);
        assertEquals(numeric, f.slopeAt(f.apply(y)), 1e-8, f + "' at " + y);
      }
    }
  }

  @Test
  void onlyRegressionTargetsTakeAnActivation() {
    float[] mask = {1, 1};
    Target tanh =
        new Target(
            1,
            LossKind.REGRESSION,
            1,
            new float[] {1, -1},
            mask,
            Accuracy.binarized(0.33),
            OutputActivation.TANH);
    assertEquals(OutputActivation.TANH, tanh.activation());
    assertEquals(
        OutputActivation.IDENTITY,
        new Target(1, LossKind.REGRESSION, 1, new float[] {1, -1}, mask).activation());
    assertEquals(
        "output activation SIGMOID applies to REGRESSION targets only, not to a MULTI_LABEL target"
            + " (its loss has its own output function)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new Target(
                        1,
                        LossKind.MULTI_LABEL,
                        1,
                        new float[] {1, 0},
                        mask,
                        Accuracy.threshold(),
                        OutputActivation.SIGMOID))
            .getMessage());
  }
}
