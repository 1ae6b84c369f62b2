package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Parameter;
import engram.api.PluginInfo;
import engram.api.Regularizer;
import engram.api.config.Doc;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.opentest4j.AssertionFailedError;

/**
 * {@link GradientCheck#checkRegularizer} passes a term whose gradient is right and fails one that
 * is wrong, overwrites its buffer, forgets an extra or touches its inputs.
 */
class GradientCheckRegularizerTest {
  /** How the term under test goes wrong. */
  enum Bug {
    NONE,
    WRONG_FACTOR,
    OVERWRITES,
    FORGETS_EXTRA,
    WRITES_HIDDEN
  }

  /**
   * λ·Σh³ + λ·Σpre² on the hidden side (pre when present), λ·Σ w_in² on the parameters.
   *
   * @param lambda strength
   * @param bug the bug to plant
   */
  public record Config(@Doc("λ") double lambda, @Doc("bug") Bug bug) {}

  /** The term, with a planted bug. */
  static final class Cubic implements Regularizer<Config> {
    @Override
    public PluginInfo info() {
      return new PluginInfo("cubic", "cubic", "test");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config(1, Bug.NONE);
    }

    @Override
    public double onHidden(Config c, HiddenInput in) {
      INDArray h = in.hidden();
      INDArray g = h.mul(h).muli(3 * c.lambda() * (c.bug() == Bug.WRONG_FACTOR ? 1.01 : 1));
      if (c.bug() == Bug.OVERWRITES) {
        in.dLdh().assign(g);
      } else {
        in.dLdh().addi(g);
      }
      double value = c.lambda() * Transforms.pow(h, 3).sumNumber().doubleValue();
      INDArray pre = in.extras().get("pre");
      if (pre != null) {
        value += c.lambda() * pre.mul(pre).sumNumber().doubleValue();
        if (c.bug() != Bug.FORGETS_EXTRA) {
          in.extraGradients().of("pre").addi(pre.mul(2 * c.lambda()));
        }
      }
      if (c.bug() == Bug.WRITES_HIDDEN) {
        h.putScalar(0, h.getDouble(0));
        h.putScalar(1, h.getDouble(1) + 1e-3);
      }
      return value;
    }

    @Override
    public double onParameters(Config c, ParameterInput in) {
      for (Parameter p : in.parameters()) {
        if (p.name().equals("w_in")) {
          in.gradients().get("w_in").addi(p.value().mul(2 * c.lambda()));
          return c.lambda() * p.value().mul(p.value()).sumNumber().doubleValue();
        }
      }
      return 0;
    }
  }

  private static final RegularizerProbe PROBE =
      RegularizerProbe.random(4, 2, 3, 5).withExtra("pre", 3, 6);

  @Test
  void aCorrectTermPassesAndReturnsItsValues() {
    GradientCheck.RegularizerTerms terms =
        GradientCheck.checkRegularizer(new Cubic(), new Config(0.7, Bug.NONE), PROBE, 1e-6);
    assertTrue(terms.hidden() != 0 && terms.parameters() > 0, terms.toString());
    double wIn = TestArrays.param(PROBE.parameters(), "w_in").norm2Number().doubleValue();
    assertEquals(0.7 * wIn * wIn, terms.parameters(), 1e-12);
  }

  @Test
  void eachPlantedBugFails() {
    for (Bug bug :
        new Bug[] {Bug.WRONG_FACTOR, Bug.OVERWRITES, Bug.FORGETS_EXTRA, Bug.WRITES_HIDDEN}) {
      RegularizerProbe fresh = RegularizerProbe.random(4, 2, 3, 5).withExtra("pre", 3, 6);
      assertThrows(
          AssertionFailedError.class,
          () -> GradientCheck.checkRegularizer(new Cubic(), new Config(0.7, bug), fresh, 1e-6),
          bug.name());
    }
  }
}
