package engram.core.train;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bulk copies between ND4J's native buffers and Java arrays, so the trainer's elementwise work
 * (loss, clipping, optimizer updates) runs as plain Java loops instead of one ND4J op per
 * operation: each op costs 5–40 µs of overhead whatever its size, while C2 compiles branch-free
 * loops over {@code float[]}/{@code double[]} into vector code.
 *
 * <p>In ND4J 1.0.0-M2.1 {@code a.data().addressPointer()} addresses the array's first element,
 * views at a non-zero offset included, so element indices here count from there; they are
 * row-major positions only when the array is {@link #contiguous}. {@link #rows} builds views from
 * the allocation directly, because {@code Nd4j.create(data, shape, strides, offset, ...)} reads a
 * non-zero offset as absolute in the underlying allocation (the tests pin both facts).
 */
final class HostArrays {
  private HostArrays() {}

  /**
   * Whether {@code a} is FLOAT or DOUBLE and C-contiguous (row-major with no gaps), so its
   * elements are {@code [0, length)} from its first element's address.
   */
  static boolean contiguous(INDArray a) {
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

  /**
   * Sets every element of {@code a} to 0: one memset over a contiguous array (about 30% faster
   * than {@code assign(0)} on the 51 MB dL/dh buffer of H 500, B 256, T 100), {@code assign(0)}
   * otherwise.
   *
   * @return {@code a}
   */
  static INDArray zero(INDArray a) {
    if (!contiguous(a)) {
      return a.assign(0);
    }
    Pointer.memset(a.data().addressPointer(), 0, a.length() * a.dataType().width());
    return a;
  }

  static FloatPointer floats(INDArray a) {
    return new FloatPointer(a.data().addressPointer());
  }

  static DoublePointer doubles(INDArray a) {
    return new DoublePointer(a.data().addressPointer());
  }

  /** {@code into[0..n)} ← elements {@code [from, from+n)} of a contiguous FLOAT array. */
  static void read(FloatPointer p, long from, float[] into, int n) {
    p.position(from).get(into, 0, n);
  }

  /** Elements {@code [from, from+n)} of a contiguous FLOAT array ← {@code values[0..n)}. */
  static void write(FloatPointer p, long from, float[] values, int n) {
    p.position(from).put(values, 0, n);
  }

  /** {@code into[0..n)} ← elements {@code [from, from+n)} of a contiguous DOUBLE array. */
  static void read(DoublePointer p, long from, double[] into, int n) {
    p.position(from).get(into, 0, n);
  }

  /** Elements {@code [from, from+n)} of a contiguous DOUBLE array ← {@code values[0..n)}. */
  static void write(DoublePointer p, long from, double[] values, int n) {
    p.position(from).put(values, 0, n);
  }

  /**
   * Rows {@code [from, from+count)} of a contiguous array seen as a matrix of {@code columns}
   * columns (for {@code [T, B, H]}: rows are (t, b) pairs, {@code columns = H}), as a C-order
   * {@code [count, columns]} view that gemm can read and write.
   */
  static INDArray rows(INDArray a, long from, long count, long columns) {
    // Absolute offset in the allocation; 0 only when a starts the allocation and from = 0, where
    // "absolute" and "relative to a" agree.
    long offset = a.offset() + from * columns;
    return Nd4j.create(a.data(), new long[] {count, columns}, new long[] {columns, 1}, offset,
        'c', a.dataType());
  }

  /**
   * A C-order {@code [rows, columns]} matrix over the first elements of {@code flat} (a buffer
   * this class's callers allocated, so it starts its allocation), for scratch reused across steps.
   */
  static INDArray matrix(INDArray flat, long rows, long columns) {
    if (flat.offset() != 0 || flat.length() < rows * columns) {
      throw new IllegalArgumentException("scratch buffer of " + flat.length() + " elements at offset "
          + flat.offset() + " cannot hold [" + rows + ", " + columns + "]");
    }
    return Nd4j.create(flat.data(), new long[] {rows, columns}, new long[] {columns, 1}, 0, 'c',
        flat.dataType());
  }

  /**
   * Copies between contiguous FLOAT or DOUBLE arrays and Java {@code double[]}: float32 values
   * widened (exactly) on the way in, rounded to float32 on the way out. Keeps a float buffer for
   * the float32 side; one owner, one thread.
   */
  static final class Staging {
    private float[] floats = new float[0];

    /** {@code into[at..at+n)} ← elements {@code [from, from+n)} of {@code a}. */
    void read(INDArray a, long from, double[] into, int at, int n) {
      if (a.dataType() == DataType.DOUBLE) {
        HostArrays.doubles(a).position(from).get(into, at, n);
        return;
      }
      float[] buffer = floatBuffer(n);
      HostArrays.floats(a).position(from).get(buffer, 0, n);
      for (int i = 0; i < n; i++) {
        into[at + i] = buffer[i];
      }
    }

    /** Elements {@code [from, from+n)} of {@code a} ← {@code values[at..at+n)}. */
    void write(INDArray a, long from, double[] values, int at, int n) {
      if (a.dataType() == DataType.DOUBLE) {
        HostArrays.doubles(a).position(from).put(values, at, n);
        return;
      }
      float[] buffer = floatBuffer(n);
      for (int i = 0; i < n; i++) {
        buffer[i] = (float) values[at + i];
      }
      HostArrays.floats(a).position(from).put(buffer, 0, n);
    }

    private float[] floatBuffer(int n) {
      if (floats.length < n) {
        floats = new float[Math.max(n, 2 * floats.length)];
      }
      return floats;
    }
  }
}
