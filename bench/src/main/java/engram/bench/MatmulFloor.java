package engram.bench;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The single-core matrix-multiply limit of one leaky-RNN training step: the matrix products BPTT
 * cannot avoid, timed alone with OpenBLAS ({@code cblas_sgemm}, float32, the library and kernels
 * ND4J uses) on buffers of the step's sizes, with nothing else between them.
 *
 * <p>The products: T recurrent products forward, {@code [B, H]·[H, H]ᵀ}; T − 1 backward, {@code [B,
 * H]·[H, H]}; and the recurrent weight gradient, one {@code [H, T·B]·[T·B, H]} product. Everything
 * else in a step (input projection with I = 1, readout heads with 2 outputs, elementwise work,
 * clip, update) is O(T·B·H) and not counted. A step's time over this floor is the remaining gap;
 * PyTorch's autograd does the same products (its weight gradient as T products of K = B).
 */
final class MatmulFloor {
  private MatmulFloor() {}

  /** Floating-point operations of the counted products of one step. */
  static double flops(BenchShape shape) {
    double b = shape.batch();
    double h = shape.hidden();
    double t = shape.steps();
    return 2 * b * h * h * (t + (t - 1) + t);
  }

  /**
   * The median over {@code repeats} of the time of all counted products of one step, in ms (after
   * one untimed pass).
   */
  static double millis(BenchShape shape, int repeats) {
    int b = shape.batch();
    int h = shape.hidden();
    int t = shape.steps();
    // Operands are fixed random values, outputs go to buffers of their own: chaining the products
    // (each step's output the next one's input) without the nonlinearity would shrink the values
    // into float denormals within a few dozen steps, and denormal arithmetic is many times slower.
    INDArray states = Nd4j.rand(DataType.FLOAT, (long) t * b, h).subi(0.5);
    INDArray deltas = Nd4j.rand(DataType.FLOAT, (long) t * b, h).subi(0.5);
    INDArray pre = Nd4j.create(DataType.FLOAT, (long) t * b, h);
    INDArray back = Nd4j.create(DataType.FLOAT, (long) t * b, h);
    INDArray w = Nd4j.rand(DataType.FLOAT, h, h).subi(0.5).divi(Math.sqrt(h));
    INDArray grad = Nd4j.create(DataType.FLOAT, h, h);
    FloatPointer s = new FloatPointer(states.data().addressPointer());
    FloatPointer d = new FloatPointer(deltas.data().addressPointer());
    FloatPointer z = new FloatPointer(pre.data().addressPointer());
    FloatPointer e = new FloatPointer(back.data().addressPointer());
    FloatPointer wp = new FloatPointer(w.data().addressPointer());
    FloatPointer g = new FloatPointer(grad.data().addressPointer());
    double[] ms = new double[repeats];
    for (int r = -1; r < repeats; r++) {
      long t0 = System.nanoTime();
      long bh = (long) b * h;
      // Forward: step k reads the states of step k−1 and writes its pre-activations, as the
      // recurrence does (a cold slot in, another out).
      for (int k = 1; k <= t; k++) {
        gemm(false, true, b, h, h, s, (k - 1) * bh, wp, 0, 0f, z, (k - 1) * bh);
      }
      for (int k = t - 1; k >= 1; k--) {
        gemm(false, false, b, h, h, d, k * bh, wp, 0, 1f, e, (k - 1) * bh);
      }
      gemm(true, false, h, h, t * b, d, 0, s, 0, 0f, g, 0);
      if (r >= 0) {
        ms[r] = (System.nanoTime() - t0) / 1e6;
      }
    }
    Arrays.sort(ms);
    return repeats % 2 == 1 ? ms[repeats / 2] : (ms[repeats / 2 - 1] + ms[repeats / 2]) / 2;
  }

  /** C ← op(A)·op(B) + beta·C, row-major, leading dimensions from the shapes. */
  private static void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      FloatPointer a,
      long aOffset,
      FloatPointer b,
      long bOffset,
      float beta,
      FloatPointer c,
      long cOffset) {
    openblas_nolapack.cblas_sgemm(
        openblas_nolapack.CblasRowMajor,
        transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
        transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
        m,
        n,
        k,
        1f,
        new FloatPointer(a).position(aOffset),
        transA ? m : k,
        new FloatPointer(b).position(bOffset),
        transB ? k : n,
        beta,
        new FloatPointer(c).position(cOffset),
        n);
  }
}
