package engram.runtime;

import engram.api.Constraint;
import engram.api.Parameter;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Keeps parameters within their {@link Constraint}s: the one place that enforces them, so no cell,
 * kernel, optimizer or regularizer has to.
 */
public final class Constraints {
  private Constraints() {}

  /**
   * Projects every parameter's value onto its constraint, in place (a masked entry to exactly 0).
   *
   * @param parameters the parameters; unconstrained ones are left as they are
   */
  public static void project(List<Parameter> parameters) {
    for (Parameter p : parameters) {
      if (p.constraint() instanceof Constraint.Mask m) {
        p.value().muli(m.free());
      }
    }
  }

  /**
   * Zeroes the gradient of every entry a constraint holds fixed, in place, so an optimizer (whose
   * momentum or moments would otherwise move it) leaves it where it is.
   *
   * @param parameters the parameters
   * @param gradients gradient per parameter name; names without a gradient are skipped
   */
  public static void projectGradients(List<Parameter> parameters, Map<String, INDArray> gradients) {
    for (Parameter p : parameters) {
      INDArray g = gradients.get(p.name());
      if (g != null && p.constraint() instanceof Constraint.Mask m) {
        g.muli(m.free());
      }
    }
  }

  /**
   * As {@link #projectGradients(List, Map)} for parallel lists of parameters and gradients.
   *
   * @param parameters parameters, some of them constrained
   * @param gradients their gradients, in the same order
   */
  public static void projectGradients(List<Parameter> parameters, List<INDArray> gradients) {
    for (int i = 0; i < parameters.size(); i++) {
      if (parameters.get(i).constraint() instanceof Constraint.Mask m) {
        gradients.get(i).muli(m.free());
      }
    }
  }
}
