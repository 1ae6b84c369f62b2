package engram.api;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A named tensor of a network. Names are unique within a network; a trainable parameter's gradient
 * array (see {@link Network#backward}) has the same name and shape.
 *
 * @param name stable name, used in checkpoints and gradient maps (e.g. {@code w_rec}, {@code taus})
 * @param value the live array, C-order; optimizers update trainable ones in place
 * @param trainable whether gradients are computed for it and an optimizer updates it; a
 *     non-trainable tensor (a fixed τ) is still saved in checkpoints
 * @param constraint the values it may take, enforced by core (see {@link Constraint})
 */
public record Parameter(String name, INDArray value, boolean trainable, Constraint constraint) {
  /**
   * Checks that every component is set; the array is kept, not copied.
   *
   * @param name stable name
   * @param value the live array
   * @param trainable whether it is trained
   * @param constraint the values it may take
   * @throws NullPointerException when {@code name}, {@code value} or {@code constraint} is null
   * @throws IllegalArgumentException when a {@link Constraint.Mask} does not have the value's shape
   */
  public Parameter {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(constraint, "constraint");
    if (constraint instanceof Constraint.Mask m
        && !java.util.Arrays.equals(m.free().shape(), value.shape())) {
      throw new IllegalArgumentException(
          "the mask of parameter '"
              + name
              + "' has shape "
              + java.util.Arrays.toString(m.free().shape())
              + " but the parameter has "
              + java.util.Arrays.toString(value.shape()));
    }
  }

  /**
   * An unconstrained parameter.
   *
   * @param name stable name
   * @param value the live array
   * @param trainable whether it is trained
   */
  public Parameter(String name, INDArray value, boolean trainable) {
    this(name, value, trainable, Constraint.NONE);
  }
}
