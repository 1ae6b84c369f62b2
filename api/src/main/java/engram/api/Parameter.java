package engram.api;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A named tensor of a network.
 *
 * @param name stable name, used in checkpoints and gradient maps (e.g. {@code w_rec}, {@code taus})
 * @param value the live array; optimizers update trainable ones in place
 * @param trainable whether gradients are computed for it and an optimizer updates it; a
 *     non-trainable tensor (a fixed τ) is still saved in checkpoints
 */
public record Parameter(String name, INDArray value, boolean trainable) {
  public Parameter {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
