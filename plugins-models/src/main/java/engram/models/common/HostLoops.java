package engram.models.common;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bulk copies between ND4J's native buffers and Java arrays, for elementwise work done in plain
 * Java loops: C2 compiles a loop over {@code float[]}/{@code double[]} made of +, ×, min and max
 * (no branches) into vector code, which on the sizes of a time step ({@code [B, H]}) is several
 * times faster than one ND4J op, let alone the several ops a fused loop replaces. Loops over
 * {@code FloatBuffer}s are not vectorised; a bulk copy in and out costs about as much as one pass.
 *
 * <p>A pointer from {@link #pointer(INDArray)} addresses the array's first element (views at a
 * non-zero offset included); indices are element indices from there, so the array must be
 * C-contiguous for them to mean row-major positions. Pointers are mutable (their position moves);
 * one owner, one thread.
 */
public final class HostLoops {
  private HostLoops() {}

  /** A pointer to the first element of {@code a} (FLOAT or DOUBLE). */
  public static Pointer pointer(INDArray a) {
    DataType type = a.dataType();
    if (type == DataType.FLOAT) {
      return new FloatPointer(a.data().addressPointer());
    }
    if (type == DataType.DOUBLE) {
      return new DoublePointer(a.data().addressPointer());
    }
    throw new IllegalArgumentException("only FLOAT and DOUBLE arrays, was " + type);
  }

  /** {@code dst[0..n)} ← elements {@code [index, index+n)}. */
  public static void get(Pointer p, long index, float[] dst, int n) {
    ((FloatPointer) p).position(index).get(dst, 0, n);
  }

  /** Elements {@code [index, index+n)} ← {@code src[0..n)}. */
  public static void put(Pointer p, long index, float[] src, int n) {
    ((FloatPointer) p).position(index).put(src, 0, n);
  }

  /** {@code dst[0..n)} ← elements {@code [index, index+n)}. */
  public static void get(Pointer p, long index, double[] dst, int n) {
    ((DoublePointer) p).position(index).get(dst, 0, n);
  }

  /** Elements {@code [index, index+n)} ← {@code src[0..n)}. */
  public static void put(Pointer p, long index, double[] src, int n) {
    ((DoublePointer) p).position(index).put(src, 0, n);
  }

  /**
   * Whether {@code a} is C-ordered with the default strides of its shape and of {@code type}, so
   * that {@link #pointer(INDArray)} plus a row-major index addresses its elements.
   */
  public static boolean dense(INDArray a, DataType type) {
    return a.dataType() == type && a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a);
  }

  /**
   * {@code dst[0..n)} ← the n = {@code a.length()} elements of {@code a} in C order, widened to
   * double (exact for FLOAT). For parameter-sized arrays: a FLOAT array is staged through a fresh
   * {@code float[]}, and an array that is not {@link #dense} (or of another type) through a dense
   * copy.
   */
  public static void read(INDArray a, double[] dst) {
    int n = Math.toIntExact(a.length());
    INDArray d = a;
    if (!dense(a, DataType.FLOAT) && !dense(a, DataType.DOUBLE)) {
      d = a.castTo(DataType.DOUBLE).dup('c');
    }
    if (d.dataType() == DataType.FLOAT) {
      float[] stage = new float[n];
      get(pointer(d), 0, stage, n);
      for (int i = 0; i < n; i++) {
        dst[i] = stage[i];
      }
    } else {
      get(pointer(d), 0, dst, n);
    }
  }

  /**
   * The n = {@code a.length()} elements of {@code a} in C order ← {@code src[0..n)}, rounded to
   * float for a FLOAT array. Writes a {@link #dense} FLOAT or DOUBLE array directly, any other
   * through {@code assign} from a new array.
   */
  public static void write(INDArray a, double[] src) {
    int n = Math.toIntExact(a.length());
    if (dense(a, DataType.FLOAT)) {
      float[] stage = new float[n];
      for (int i = 0; i < n; i++) {
        stage[i] = (float) src[i];
      }
      put(pointer(a), 0, stage, n);
    } else if (dense(a, DataType.DOUBLE)) {
      put(pointer(a), 0, src, n);
    } else {
      double[] copy = Arrays.copyOf(src, n);
      a.assign(Nd4j.createFromArray(copy).castTo(a.dataType()).reshape('c', a.shape()));
    }
  }
}
