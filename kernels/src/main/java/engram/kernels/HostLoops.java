package engram.kernels;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bulk copies between ND4J's native buffers and Java arrays, for elementwise work done in plain
 * Java loops: C2 compiles a loop over {@code float[]}/{@code double[]} made of +, ×, min and max
 * (no branches) into vector code, which on the sizes of a time step ({@code [B, H]}) is several
 * times faster than one ND4J op (each has a fixed overhead whatever its size), let alone the
 * several ops a fused loop replaces. Loops over {@code FloatBuffer}s are not vectorised; a bulk
 * copy in and out costs about as much as one pass. Used by the models' fused kernels and by the
 * trainer's loss, clipping and optimizer updates.
 *
 * <p>In ND4J 1.0.0-M2.1 a pointer from {@link #pointer(INDArray)} addresses the array's first
 * element, views at a non-zero offset included, so indices here are element indices from there;
 * they are row-major positions only when the array is {@link #contiguous} (the tests pin this).
 * Pointers are mutable (their position moves); one owner, one thread.
 */
public final class HostLoops {
  private HostLoops() {}

  /**
   * A pointer to the first element of {@code a}: a {@link FloatPointer} for FLOAT, a {@link
   * DoublePointer} for DOUBLE.
   *
   * @throws IllegalArgumentException for any other data type
   */
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

  /** {@code dst[0..n)} ← elements {@code [index, index+n)} of a FLOAT array's pointer. */
  public static void get(Pointer p, long index, float[] dst, int n) {
    ((FloatPointer) p).position(index).get(dst, 0, n);
  }

  /** Elements {@code [index, index+n)} of a FLOAT array's pointer ← {@code src[0..n)}. */
  public static void put(Pointer p, long index, float[] src, int n) {
    ((FloatPointer) p).position(index).put(src, 0, n);
  }

  /** {@code dst[0..n)} ← elements {@code [index, index+n)} of a DOUBLE array's pointer. */
  public static void get(Pointer p, long index, double[] dst, int n) {
    ((DoublePointer) p).position(index).get(dst, 0, n);
  }

  /** Elements {@code [index, index+n)} of a DOUBLE array's pointer ← {@code src[0..n)}. */
  public static void put(Pointer p, long index, double[] src, int n) {
    ((DoublePointer) p).position(index).put(src, 0, n);
  }

  /**
   * Whether {@code a} is FLOAT or DOUBLE and C-contiguous (row-major with no gaps; a dimension of
   * size 1 may have any stride), so that its elements are {@code [0, length)} from the address of
   * {@link #pointer(INDArray)}. False for an empty array.
   */
  public static boolean contiguous(INDArray a) {
    DataType type = a.dataType();
    if (type != DataType.FLOAT && type != DataType.DOUBLE) {
      return false;
    }
    if (a.length() == 0 || a.data().length() < a.length()) {
      return false;
    }
    long expected = 1;
    long[] shape = a.shape();
    long[] stride = a.stride();
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= shape[d];
    }
    return true;
  }

  /** Whether {@code a} is of {@code type} and {@link #contiguous}. */
  public static boolean dense(INDArray a, DataType type) {
    return a.dataType() == type && contiguous(a);
  }

  /**
   * {@code dst[0..n)} ← the n = {@code a.length()} elements of {@code a} in C order, widened to
   * double (exact for FLOAT). For parameter-sized arrays: a FLOAT array is staged through a fresh
   * {@code float[]}, and an array that is not {@link #contiguous} (or of another type) through a
   * dense copy.
   */
  public static void read(INDArray a, double[] dst) {
    int n = Math.toIntExact(a.length());
    INDArray d = a;
    if (!contiguous(a)) {
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
   * float for a FLOAT array. Writes a {@link #contiguous} array directly, any other through {@code
   * assign} from a new array.
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

  /**
   * Sets every element of {@code a} to 0: one memset over a {@link #contiguous} array (about 30%
   * faster than {@code assign(0)} on the 51 MB dL/dh buffer of H 500, B 256, T 100), {@code
   * assign(0)} otherwise.
   *
   * @return {@code a}
   */
  public static INDArray zero(INDArray a) {
    if (!contiguous(a)) {
      return a.assign(0);
    }
    Pointer.memset(a.data().addressPointer(), 0, a.length() * a.dataType().width());
    return a;
  }

  /**
   * Copies between {@link #contiguous} FLOAT or DOUBLE arrays and Java {@code double[]}: float32
   * values widened (exactly) on the way in, rounded to float32 on the way out. Keeps a float buffer
   * for the float32 side, grown as needed; one owner, one thread.
   */
  public static final class Staging {
    private float[] floats = new float[0];

    /** {@code into[at..at+n)} ← elements {@code [from, from+n)} of {@code a}. */
    public void read(INDArray a, long from, double[] into, int at, int n) {
      if (a.dataType() == DataType.DOUBLE) {
        ((DoublePointer) pointer(a)).position(from).get(into, at, n);
        return;
      }
      float[] buffer = floatBuffer(n);
      get(pointer(a), from, buffer, n);
      for (int i = 0; i < n; i++) {
        into[at + i] = buffer[i];
      }
    }

    /** Elements {@code [from, from+n)} of {@code a} ← {@code values[at..at+n)}. */
    public void write(INDArray a, long from, double[] values, int at, int n) {
      if (a.dataType() == DataType.DOUBLE) {
        ((DoublePointer) pointer(a)).position(from).put(values, at, n);
        return;
      }
      float[] buffer = floatBuffer(n);
      for (int i = 0; i < n; i++) {
        buffer[i] = (float) values[at + i];
      }
      put(pointer(a), from, buffer, n);
    }

    private float[] floatBuffer(int n) {
      if (floats.length < n) {
        floats = new float[Math.max(n, 2 * floats.length)];
      }
      return floats;
    }
  }
}
