package engram.models.leaky;

import static engram.models.common.FastPathTiming.now;
import static engram.models.common.FastPathTiming.stats;

import engram.models.common.FastPathTiming;
import engram.runtime.Networks;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Timing harness (not a test; surefire does not run it): the paper's leaky RNN (leaky-ReLU, φ
 * outside, trainable τ) at the bench's shapes, its fast path (OpenBLAS called straight, input drive
 * folded into the step loops) against every product through ND4J ({@link FastPathTiming}), plus the
 * floor of T recurrent gemms alone. Run with {@code OMP_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX
 * java [-Dcpu=true] -cp <test class path> engram.models.leaky.LeakyRnnTiming [reps] [S|M|L|Md ...]}
 * (Md: M in float64; leave OPENBLAS_CORETYPE unset to see OpenBLAS's own choice).
 */
public final class LeakyRnnTiming {
  private LeakyRnnTiming() {}

  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    String[] shapes =
        args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[] {"S", "M", "L"};
    for (String s : shapes) {
      DataType type = s.equals("Md") ? DataType.DOUBLE : DataType.FLOAT;
      int[] hbt = FastPathTiming.shape(s.equals("Md") ? "M" : s);
      FastPathTiming.compare(
          "leaky " + s,
          fast ->
              TestSupport.network(
                  new LeakyRnnModel.Config(
                      hbt[0],
                      LeakyRnnModel.Nonlinearity.LEAKY_RELU,
                      0.01,
                      LeakyRnnModel.Phi.OUTSIDE,
                      true,
                      1.0,
                      2.0,
                      1.0,
                      0.1,
                      LeakyRnnModel.RecurrentInit.UNIFORM,
                      1.0),
                  1,
                  type,
                  7,
                  fast ? Networks.Kernels.AUTO : Networks.Kernels.OFF),
          hbt,
          reps);
      floor("leaky " + s, hbt, type, reps);
    }
  }

  /** T recurrent gemms alone through ND4J (forward orientation A·Bᵀ, backward A·B). */
  static void floor(String name, int[] hbt, DataType type, int reps) {
    int h = hbt[0];
    int b = hbt[1];
    int t = hbt[2];
    INDArray hs = Nd4j.rand(type, b, h).subi(0.5);
    INDArray w = Nd4j.rand(type, h, h).subi(0.5).divi(Math.sqrt(h));
    INDArray out = Nd4j.create(type, b, h);
    double[] gf = new double[reps];
    double[] gb = new double[reps];
    for (int r = -3; r < reps; r++) {
      long t0 = now();
      for (int k = 0; k < t; k++) {
        Nd4j.gemm(hs, w, out, false, true, 1.0, 0.0);
      }
      long t1 = now();
      for (int k = 0; k < t; k++) {
        Nd4j.gemm(hs, w, out, false, false, 1.0, 0.0);
      }
      long t2 = now();
      if (r >= 0) {
        gf[r] = (t1 - t0) / 1e6;
        gb[r] = (t2 - t1) / 1e6;
      }
    }
    System.out.printf("%-10s floor: %d gemms NT %s, NN %s%n", name, t, stats(gf), stats(gb));
  }
}
