package engram.models.common;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
}
