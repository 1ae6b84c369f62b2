package engram.models.leaky;

import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.testkit.GradientCheck;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The leaky RNN's step written forward-only for SameDiff ({@link LeakyRnnAutodiffCell}) against the
 * hand-written cell, in float64: the same state, pre-activations and VJP (to 1e-12, with and
 * without the drive and dL/dpre, as the batch size changes and the weights are updated in place),
 * and central differences on its own.
 */
class LeakyRnnAutodiffCellTest {

  static LeakyRnnCell cell(Phi phi, Nonlinearity nl, boolean trainTau, int h, int in) {
    // Slope 0.25, exact in float32: SameDiff's leaky-ReLU gradient rounds its slope to float32
    // (with 0.2 the gradients differ from the hand-written ones by ~3e-9 relative).
    Config config =
        new Config(
            h,
            nl,
            0.25,
            phi,
            trainTau,
            1.05,
            3.0,
            2.0,
            0.1,
            LeakyRnnModel.RecurrentInit.GAUSSIAN,
            1.5);
    return (LeakyRnnCell)
        new LeakyRnnModel()
            .create(config, new NetworkSpec(in, DataType.DOUBLE), new SplittableRandom(17));
  }

  @ParameterizedTest(name = "phi {0}, {1}")
  @CsvSource({"OUTSIDE, TANH", "INSIDE, TANH", "OUTSIDE, LEAKY_RELU", "INSIDE, RELU"})
  void matchesTheHandWrittenCell(Phi phi, Nonlinearity nl) {
    LeakyRnnCell hand = cell(phi, nl, true, 6, 3);
    LeakyRnnAutodiffCell auto = new LeakyRnnAutodiffCell(hand);
    SplittableRandom rng = new SplittableRandom(5);
    for (int batch : new int[] {4, 1, 7}) {
      INDArray h = GradientCheck.gaussian(rng, 0.5, batch, 6);
      INDArray x = GradientCheck.gaussian(rng, 1.0, batch, 3);
      INDArray xi = GradientCheck.gaussian(rng, 0.3, batch, 6);
      INDArray g = GradientCheck.gaussian(rng, 1.0, batch, 6);
      INDArray gp = GradientCheck.gaussian(rng, 1.0, batch, 6);
      for (INDArray drive : new INDArray[] {null, xi}) {
        for (Map<String, INDArray> ge : List.of(Map.<String, INDArray>of(), Map.of("pre", gp))) {
          Cell.Step a = hand.step(h, x, drive);
          Cell.Step b = auto.step(h, x, drive);
          close("next", a.next(), b.next());
          close("pre", a.extras().get("pre"), b.extras().get("pre"));
          Map<String, INDArray> ga = grads(hand);
          Map<String, INDArray> gb = grads(hand);
          Cell.StepGradients da = hand.vjp(a, g, ge, ga);
          Cell.StepGradients db = auto.vjp(b, g, ge, gb);
          close("dprev", da.previous(), db.previous());
          close("dx", da.input(), db.input());
          for (String k : ga.keySet()) {
            close(k, ga.get(k), gb.get(k));
          }
        }
      }
      hand.wRec.muli(0.9); // an in-place update, as an optimizer makes (the diagonal stays 0)
    }
  }

  @ParameterizedTest(name = "phi {0}")
  @CsvSource({"OUTSIDE", "INSIDE"})
  void stepVjpMatchesCentralDifferences(Phi phi) {
    LeakyRnnAutodiffCell auto = new LeakyRnnAutodiffCell(cell(phi, Nonlinearity.TANH, true, 5, 3));
    GradientCheck.checkStep(auto, 3, 4, 23, 1e-6);
  }

  private static Map<String, INDArray> grads(Cell c) {
    Map<String, INDArray> m = new HashMap<>();
    for (Parameter p : c.parameters()) {
      m.put(p.name(), Nd4j.zeros(p.value().dataType(), p.value().shape()));
    }
    return m;
  }

  private static void close(String what, INDArray a, INDArray b) {
    double d = a.sub(b).norm2Number().doubleValue();
    double s = Math.max(a.norm2Number().doubleValue(), 1e-300);
    assertTrue(d <= 1e-12 * s + 1e-14, what + ": rel diff " + d / s);
  }
}
