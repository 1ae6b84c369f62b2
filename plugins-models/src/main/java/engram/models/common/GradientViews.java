package engram.models.common;

import engram.kernels.Buffers;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Per-step {@code [B, H]} views of dL/dh {@code [T, B, H]}, used in place when it is a C-order
 * array of the network's type (the API lets backward overwrite it), else of a copy in an internal
 * buffer that grows to the largest T·B seen. Views are rebuilt only when the array changes.
 */
public final class GradientViews {

  private final int hidden;
  private final DataType dataType;
  private final Buffers buffers;

  private INDArray copyFlat; // a copy of dLdh when it cannot be used in place
  private INDArray last;
  private INDArray[] steps;
  private INDArray all;
  private INDArray rest;

  public GradientViews(int hidden, DataType dataType, Buffers buffers) {
    this.hidden = hidden;
    this.dataType = dataType;
    this.buffers = buffers;
  }

  /** Points the views at {@code dLdh} (or at a copy of it). */
  public void bind(INDArray dLdh, int steps, int batch) {
    long bh = (long) batch * hidden;
    boolean inPlace =
        dLdh.dataType() == dataType
            && dLdh.ordering() == 'c'
            && Shape.hasDefaultStridesForShape(dLdh);
    INDArray g;
    if (inPlace) {
      g = dLdh;
    } else {
      INDArray before = copyFlat;
      copyFlat = buffers.ensure(copyFlat, steps * bh, 0.0);
      boolean reuse =
          copyFlat == before
              && last != null
              && last.data() == copyFlat.data()
              && Arrays.equals(last.shape(), dLdh.shape());
      g = reuse ? last : buffers.view(copyFlat, 0, steps, batch, hidden);
      g.assign(dLdh);
    }
    if (g == last) {
      return; // same array (and so same shape) as last time: the views are still right
    }
    this.steps = new INDArray[steps];
    for (int t = 0; t < steps; t++) {
      this.steps[t] = buffers.view(g, g.offset() + t * bh, batch, hidden);
    }
    all = buffers.view(g, g.offset(), (long) steps * batch, hidden);
    rest = steps > 1 ? buffers.view(g, g.offset() + bh, (long) (steps - 1) * batch, hidden) : null;
    last = g;
  }

  /** δh_t, t = 0..T−1, each {@code [B, H]}. */
  public INDArray[] steps() {
    return steps;
  }

  /** All steps as {@code [T·B, H]}. */
  public INDArray all() {
    return all;
  }

  /** Steps 2..T as {@code [(T−1)·B, H]} (null if T = 1). */
  public INDArray rest() {
    return rest;
  }
}
