package engram.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Growable flat buffers of one data type and C-order views into their allocations, for scratch
 * reused across steps and for the operands of {@link Blas} and {@code Nd4j.gemm}. Views are made
 * with {@code Nd4j.create(data, shape, strides, offset, 'c', type)}; ND4J 1.0.0-M2.1 reads a
 * non-zero {@code offset} as absolute in the underlying allocation (even when the array passed is
 * itself a view), and 0 as the start of that array, so callers pass either 0 or absolute offsets
 * (the tests pin this). An instance only holds its data type.
 */
public final class Buffers {

  private final DataType dataType;

  public Buffers(DataType dataType) {
    this.dataType = dataType;
  }

  /**
   * A flat buffer of at least {@code n} elements: the old one if large enough, else a new one
   * filled with {@code fill}.
   */
  public INDArray ensure(INDArray flat, long n, double fill) {
    if (flat != null && flat.length() >= n) {
      return flat;
    }
    return Nd4j.valueArrayOf(new long[] {n}, fill, dataType);
  }

  /** A flat buffer of at least {@code n} elements: the old one if large enough, else a new one. */
  public INDArray ensure(INDArray flat, long n) {
    if (flat != null && flat.length() >= n) {
      return flat;
    }
    return Nd4j.create(dataType, n);
  }

  /** A C-order view of {@code shape} into the allocation of {@code flat} at {@code offset}. */
  public INDArray view(INDArray flat, long offset, long... shape) {
    return view(flat, offset, shape, Nd4j.getStrides(shape, 'c'));
  }

  /** A view of {@code shape} with explicit {@code strides} into the allocation of {@code flat}. */
  public INDArray view(INDArray flat, long offset, long[] shape, long[] strides) {
    return Nd4j.create(flat.data(), shape, strides, offset, 'c', dataType);
  }

  /**
   * {@code steps} consecutive C-order {@code [rows, cols]} blocks of {@code flat}, block t at
   * offset t·rows·cols.
   */
  public INDArray[] steps(INDArray flat, int steps, int rows, int cols) {
    long block = (long) rows * cols;
    INDArray[] out = new INDArray[steps];
    for (int t = 0; t < steps; t++) {
      out[t] = view(flat, t * block, rows, cols);
    }
    return out;
  }

  /** Columns [from, from+count) of a C-order matrix, as a strided view. */
  public INDArray columns(INDArray m, int from, int count) {
    long r = m.size(0);
    long c = m.size(1);
    return Nd4j.create(
        m.data(), new long[] {r, count}, new long[] {c, 1}, m.offset() + from, 'c', dataType);
  }

  /** Column j of a C-order matrix, as a strided [rows] view. */
  public INDArray column(INDArray m, int j) {
    return Nd4j.create(
        m.data(), new long[] {m.size(0)}, new long[] {m.size(1)}, m.offset() + j, 'c', dataType);
  }

  /** The diagonal of a C-order square matrix, as a strided view. */
  public INDArray diagonal(INDArray m) {
    long n = m.size(0);
    return Nd4j.create(m.data(), new long[] {n}, new long[] {n + 1}, m.offset(), 'c', dataType);
  }

  /** Rows [r0, r0+rows) and columns [c0, c0+cols) of a C-order matrix (or matrix view). */
  public INDArray block(INDArray m, long r0, long rows, long c0, long cols) {
    long rs = m.stride(0);
    long cs = m.stride(1);
    return Nd4j.create(
        m.data(),
        new long[] {rows, cols},
        new long[] {rs, cs},
        m.offset() + r0 * rs + c0 * cs,
        'c',
        dataType);
  }

  /** Elements [from, from+count) of a (possibly strided) vector. */
  public INDArray segment(INDArray v, long from, long count) {
    long s = v.stride(0);
    return Nd4j.create(
        v.data(), new long[] {count}, new long[] {s}, v.offset() + from * s, 'c', dataType);
  }

  /**
   * Rows {@code [from, from+count)} of a {@link HostLoops#contiguous} array {@code a} seen as a
   * matrix of {@code columns} columns (for {@code [T, B, H]}: rows are (t, b) pairs, {@code columns
   * = H}), as a C-order {@code [count, columns]} view in {@code a}'s data type that gemm can read
   * and write; {@code a} may itself be a view at an offset.
   */
  public static INDArray rows(INDArray a, long from, long count, long columns) {
    // Absolute offset in the allocation; 0 only when a starts the allocation and from = 0, where
    // "absolute" and "relative to a" agree.
    long offset = a.offset() + from * columns;
    return Nd4j.create(
        a.data(), new long[] {count, columns}, new long[] {columns, 1}, offset, 'c', a.dataType());
  }

  /**
   * A C-order {@code [rows, columns]} matrix over the first elements of {@code flat}, a buffer that
   * starts its allocation (one from {@link #ensure}), in its data type.
   *
   * @throws IllegalArgumentException when {@code flat} is a view at an offset or too short
   */
  public static INDArray matrix(INDArray flat, long rows, long columns) {
    if (flat.offset() != 0 || flat.length() < rows * columns) {
      throw new IllegalArgumentException(
          "scratch buffer of "
              + flat.length()
              + " elements at offset "
              + flat.offset()
              + " cannot hold ["
              + rows
              + ", "
              + columns
              + "]");
    }
    return Nd4j.create(
        flat.data(), new long[] {rows, columns}, new long[] {columns, 1}, 0, 'c', flat.dataType());
  }

  /** z = x ⊙ vector broadcast along {@code dimension} (one op). */
  public static void broadcastMul(INDArray x, INDArray vector, INDArray z, int dimension) {
    Nd4j.exec(new BroadcastMulOp(x, vector, z, dimension));
  }
}
