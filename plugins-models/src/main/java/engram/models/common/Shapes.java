package engram.models.common;

import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The argument checks of {@code Network.forward} and {@code Network.backward}, and their messages.
 */
public final class Shapes {
  private Shapes() {}

  /** Inputs must be {@code [T ≥ 1, B ≥ 1, inputs]}. */
  public static void checkInputs(INDArray x, int inputs) {
    if (x == null || x.rank() != 3 || x.size(2) != inputs || x.size(0) < 1 || x.size(1) < 1) {
      throw new IllegalArgumentException(
          "inputs must be [T ≥ 1, B ≥ 1, " + inputs + "], was " + shapeOf(x));
    }
  }

  /** h_0 must be {@code [batch, hidden]}. */
  public static void checkInitialState(INDArray h0, int batch, int hidden) {
    if (h0 == null || h0.rank() != 2 || h0.size(0) != batch || h0.size(1) != hidden) {
      throw new IllegalArgumentException(
          "h0 must be [" + batch + ", " + hidden + "], was " + shapeOf(h0));
    }
  }

  /** backward takes only the trajectory of the latest forward call. */
  public static void checkLatest(Object trajectory, Object latest) {
    if (trajectory == null || trajectory != latest) {
      throw new IllegalStateException(
          "backward needs the trajectory of this network's latest forward call");
    }
  }

  /** dL/dh must be {@code [steps, batch, hidden]}. */
  public static void checkDLdh(INDArray dLdh, int steps, int batch, int hidden) {
    if (dLdh == null
        || dLdh.rank() != 3
        || dLdh.size(0) != steps
        || dLdh.size(1) != batch
        || dLdh.size(2) != hidden) {
      throw new IllegalArgumentException(
          "dLdh must be [" + steps + ", " + batch + ", " + hidden + "], was " + shapeOf(dLdh));
    }
  }

  /** The gradient array of parameter {@code name}, which must exist and have the shape of p. */
  public static INDArray gradientArray(Map<String, INDArray> gradients, String name, INDArray p) {
    INDArray g = gradients.get(name);
    if (g == null) {
      throw new IllegalArgumentException("gradients has no array for '" + name + "'");
    }
    if (!Arrays.equals(g.shape(), p.shape())) {
      throw new IllegalArgumentException(
          "gradient '"
              + name
              + "' must have shape "
              + Arrays.toString(p.shape())
              + ", was "
              + Arrays.toString(g.shape()));
    }
    return g;
  }

  /** The shape of {@code a} as text, "null" for none. */
  public static String shapeOf(INDArray a) {
    return a == null ? "null" : Arrays.toString(a.shape());
  }
}
