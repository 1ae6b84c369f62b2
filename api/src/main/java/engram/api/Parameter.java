package engram.api;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A named tensor of a network. Names are unique within a network; a trainable parameter's
 * gradient array (see {@link Network#backward}) has the same name and shape.
 *
 * @param name stable name, used in checkpoints and gradient maps (e.g. {@code w_rec}, {@code taus})
 * @param value the live array; optimizers update trainable ones in place
 * @param trainable whether gradients are computed for it and an optimizer updates it; a
 *     non-trainable tensor (a fixed τ) is still saved in checkpoints
 */
public record Parameter(String name, INDArray value, boolean trainable) {
  /**
   * Checks that name and value are set; the array is kept, not copied.
   *
   * @param name stable name
   * @param value the live array
   * @param trainable whether it is trained
   * @throws NullPointerException when {@code name} or {@code value} is null
   */
  public Parameter {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
