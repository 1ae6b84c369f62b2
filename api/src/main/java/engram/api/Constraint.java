package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What values a parameter may take. Enforcing it is core's job, never the cell's: core projects
 * every constrained parameter onto its set after initialisation, after restoring a checkpoint,
 * after every optimizer update and before every forward pass, and zeroes the gradient of every
 * entry a constraint holds fixed. So optimizers, regularizers and analyses all see constrained
 * values, and a cell's step may rely on them (the leaky RNN reads {@code w_rec} as it is, knowing
 * its diagonal is exactly 0).
 */
@API(status = EXPERIMENTAL, since = "0.2")
public sealed interface Constraint {

  /** No constraint: every entry is free. */
  Constraint NONE = new Free();

  /**
   * Holds the diagonal of a square matrix at exactly 0 (no self-connections).
   *
   * @param size n of the {@code [n, n]} parameter
   * @param like an array of the parameter's data type (for the mask's type)
   * @return a {@link Mask} that is 0 on the diagonal and 1 elsewhere
   */
  static Constraint zeroDiagonal(int size, INDArray like) {
    INDArray free = Nd4j.ones(like.dataType(), size, size);
    for (int i = 0; i < size; i++) {
      free.putScalar(i, i, 0.0);
    }
    return new Mask(free);
  }

  /** Every entry is free. */
  record Free() implements Constraint {}

  /**
   * Entries where {@code free} is 0 are held at exactly 0; entries where it is 1 are free.
   *
   * @param free an array of 0s and 1s of the parameter's shape and data type; not modified
   */
  record Mask(INDArray free) implements Constraint {
    /**
     * Checks that the mask is set.
     *
     * @param free the mask
     * @throws NullPointerException when {@code free} is null
     */
    public Mask {
      Objects.requireNonNull(free, "free");
    }
  }
}
