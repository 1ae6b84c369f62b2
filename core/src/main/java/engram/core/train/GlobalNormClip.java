package engram.core.train;

import engram.kernels.HostLoops;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code torch.nn.utils.clip_grad_norm_} over all gradients together, as Java loops over chunks
 * copied from the native buffers ({@link HostLoops}) instead of a norm op and a multiply op per
 * array. Reuses its chunk buffers: one instance per trainer (one thread).
 *
 * <p>The sum of squares of an array is accumulated in {@value #CHUNK} lanes, lane i summing
 * elements i, i + CHUNK, i + 2·CHUNK … in the array's precision (an elementwise loop that C2
 * vectorises; it vectorises neither a running sum nor widening float32 to double), then the lanes
 * are summed in double. ND4J's norm2, used before, summed in its own order, so the norm may differ
 * from the old one by rounding. The scaling multiplies each element by the coefficient rounded to
 * the gradient's precision, as ND4J's scalar multiply did, so it is the same bit for bit.
 */
final class GlobalNormClip {
  private static final int CHUNK = 4096;

  private final float[] floats = new float[CHUNK];
  private final double[] doubles = new double[CHUNK];
  private final float[] floatLanes = new float[CHUNK];
  private final double[] doubleLanes = new double[CHUNK];

  /**
   * Scales all {@code gradients} in place by {@code maxNorm / (norm + 1e-6)} when that is below 1,
   * norm being their global L2 norm.
   *
   * @return the global norm before clipping
   */
  double clip(List<INDArray> gradients, double maxNorm) {
    double squares = 0;
    for (INDArray g : gradients) {
      squares += sumOfSquares(g);
    }
    double total = Math.sqrt(squares);
    double coefficient = maxNorm / (total + 1e-6); // as torch.nn.utils.clip_grad_norm_
    if (coefficient < 1) {
      for (INDArray g : gradients) {
        scale(g, coefficient);
      }
    }
    return total;
  }

  private double sumOfSquares(INDArray g) {
    if (!HostLoops.contiguous(g)) {
      double norm = g.norm2Number().doubleValue();
      return norm * norm;
    }
    long length = g.length();
    int lanes = (int) Math.min(CHUNK, length);
    if (g.dataType() == DataType.FLOAT) {
      Pointer p = HostLoops.pointer(g);
      Arrays.fill(floatLanes, 0, lanes, 0f);
      for (long from = 0; from < length; from += CHUNK) {
        int n = (int) Math.min(CHUNK, length - from);
        HostLoops.get(p, from, floats, n);
        for (int i = 0; i < n; i++) {
          floatLanes[i] += floats[i] * floats[i];
        }
      }
      for (int i = 0; i < lanes; i++) {
        doubles[i] = floatLanes[i];
      }
    } else {
      Pointer p = HostLoops.pointer(g);
      Arrays.fill(doubleLanes, 0, lanes, 0.0);
      for (long from = 0; from < length; from += CHUNK) {
        int n = (int) Math.min(CHUNK, length - from);
        HostLoops.get(p, from, doubles, n);
        for (int i = 0; i < n; i++) {
          doubleLanes[i] += doubles[i] * doubles[i];
        }
      }
      System.arraycopy(doubleLanes, 0, doubles, 0, lanes);
    }
    return sum(doubles, lanes);
  }

  /**
   * The sum of {@code x[0..n)} in eight interleaved partial sums: one running sum would wait on the
   * adder's latency at every element.
   */
  private static double sum(double[] x, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    int i = 0;
    for (; i + 7 < n; i += 8) {
      s0 += x[i];
      s1 += x[i + 1];
      s2 += x[i + 2];
      s3 += x[i + 3];
      s4 += x[i + 4];
      s5 += x[i + 5];
      s6 += x[i + 6];
      s7 += x[i + 7];
    }
    for (; i < n; i++) {
      s0 += x[i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  private void scale(INDArray g, double coefficient) {
    if (!HostLoops.contiguous(g)) {
      g.muli(coefficient);
      return;
    }
    long length = g.length();
    if (g.dataType() == DataType.FLOAT) {
      float c = (float) coefficient;
      Pointer p = HostLoops.pointer(g);
      for (long from = 0; from < length; from += CHUNK) {
        int n = (int) Math.min(CHUNK, length - from);
        HostLoops.get(p, from, floats, n);
        for (int i = 0; i < n; i++) {
          floats[i] = floats[i] * c;
        }
        HostLoops.put(p, from, floats, n);
      }
    } else {
      Pointer p = HostLoops.pointer(g);
      for (long from = 0; from < length; from += CHUNK) {
        int n = (int) Math.min(CHUNK, length - from);
        HostLoops.get(p, from, doubles, n);
        for (int i = 0; i < n; i++) {
          doubles[i] = doubles[i] * coefficient;
        }
        HostLoops.put(p, from, doubles, n);
      }
    }
  }
}
