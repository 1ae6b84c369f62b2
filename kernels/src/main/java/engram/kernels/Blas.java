package engram.kernels;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products straight through OpenBLAS's {@code cblas_?gemm} on ND4J's host buffers, for the
 * per-step products of a recurrent loop: ND4J's {@code Nd4j.gemm} adds dispatch to every call
 * (shape checks, op objects, the executioner), which at H = 128 and B = 64 was a third of the
 * product itself (docs/perf/code-measurements.md). The library is the one ND4J's CPU backend
 * already loaded (the same {@code libopenblas} from the JavaCPP cache, with its thread count and
 * kernel choice).
 *
 * <p>Operands are row-major matrices addressed by a base pointer from {@link
 * HostLoops#pointer(org.nd4j.linalg.api.ndarray.INDArray)} plus an element offset; FLOAT uses
 * {@code sgemm} and DOUBLE {@code dgemm} (the pointer's class decides). Each call wraps the bases
 * in fresh pointer objects, so one base may serve several operands of a call. Only usable with
 * ND4J's CPU backend ({@link #AVAILABLE}); callers keep their ND4J path for other backends.
 */
public final class Blas {
  private Blas() {}

  /** Whether ND4J runs on its CPU backend and OpenBLAS's bindings load (decided once). */
  public static final boolean AVAILABLE = probe();

  private static boolean probe() {
    try {
      String backend = Nd4j.getBackend().getClass().getSimpleName();
      if (!backend.startsWith("Cpu")) {
        return false;
      }
      // Loads the bindings (and the library, already loaded by the backend) now, not mid-run.
      openblas_nolapack.cblas_sdot(0, (FloatPointer) null, 1, (FloatPointer) null, 1);
      return true;
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * C ← alpha·op(A)·op(B) + beta·C, row-major: op(A) is {@code [m, k]}, op(B) {@code [k, n]}, C
   * {@code [m, n]}; lda, ldb, ldc are the row strides (in elements) of A, B, C as stored.
   */
  public static void gemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      double alpha,
      Pointer a,
      long aOffset,
      int lda,
      Pointer b,
      long bOffset,
      int ldb,
      double beta,
      Pointer c,
      long cOffset,
      int ldc) {
    int ta = transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    int tb = transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
    if (a instanceof FloatPointer fa) {
      openblas_nolapack.cblas_sgemm(
          openblas_nolapack.CblasRowMajor,
          ta,
          tb,
          m,
          n,
          k,
          (float) alpha,
          new FloatPointer(fa).position(aOffset),
          lda,
          new FloatPointer((FloatPointer) b).position(bOffset),
          ldb,
          (float) beta,
          new FloatPointer((FloatPointer) c).position(cOffset),
          ldc);
    } else {
      openblas_nolapack.cblas_dgemm(
          openblas_nolapack.CblasRowMajor,
          ta,
          tb,
          m,
          n,
          k,
          alpha,
          new DoublePointer((DoublePointer) a).position(aOffset),
          lda,
          new DoublePointer((DoublePointer) b).position(bOffset),
          ldb,
          beta,
          new DoublePointer((DoublePointer) c).position(cOffset),
          ldc);
    }
  }
}
