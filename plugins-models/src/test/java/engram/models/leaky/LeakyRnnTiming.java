package engram.models.leaky;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Timing harness (not a test; surefire does not run it): median and spread of forward and
 * backward of the paper's leaky RNN (H, B, T of issue 7) on one thread, for the direct path
 * (OpenBLAS called straight, input drive folded into the step loops) and the same network with
 * every product through ND4J, alternating repeat by repeat so their ratio is measured under the
 * same load. Run with {@code OMP_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX java [-Dcpu=true] -cp
 * <test class path> engram.models.leaky.LeakyRnnTiming [reps] [S|M|L|Md ...]} (Md: M in float64;
 * -Dcpu=true times thread CPU time instead of wall time; leave OPENBLAS_CORETYPE unset to see
 * OpenBLAS's own choice). It also prints the floor of T recurrent gemms alone (through ND4J). dL/dh
 * is nonzero at the last step only, as a last-step readout gives it.
 */
public final class LeakyRnnTiming {
  private LeakyRnnTiming() {}

  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    String[] shapes = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
        : new String[] {"S", "M", "L"};
    for (String s : shapes) {
      switch (s) {
        case "S" -> time("S", 128, 64, 50, reps, DataType.FLOAT);
        case "M" -> time("M", 256, 128, 100, reps, DataType.FLOAT);
        case "L" -> time("L", 500, 256, 100, reps, DataType.FLOAT);
        case "Md" -> time("M/f64", 256, 128, 100, reps, DataType.DOUBLE);
        default -> throw new IllegalArgumentException(s);
      }
    }
  }

  /** One network and its inputs; {@link #step} times a forward and a backward pass. */
  private static final class Case {
    final Network net;
    final INDArray x;
    final INDArray h0;
    final INDArray lastStep;
    final INDArray dLdh;
    final Map<String, INDArray> grads = new LinkedHashMap<>();
    final int t;

    Case(int h, int b, int t, DataType type, boolean allowDirect) {
      this.t = t;
      SplittableRandom rng = new SplittableRandom(7);
      net = new LeakyRnnNetwork(new LeakyRnnModel.Config(h, LeakyRnnModel.Nonlinearity.LEAKY_RELU,
          0.01, LeakyRnnModel.Phi.OUTSIDE, true, 1.0, 2.0, 1.0, 0.1,
          LeakyRnnModel.RecurrentInit.UNIFORM, 1.0), new NetworkSpec(1, type), rng, allowDirect);
      double[] xs = new double[t * b];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = rng.nextBoolean() ? 1 : 0;
      }
      x = Nd4j.create(xs, new long[] {t, b, 1}, DataType.DOUBLE).castTo(type);
      h0 = net.initialState(b, rng);
      for (Parameter p : net.parameters()) {
        grads.put(p.name(), p.value().ulike());
      }
      double[] last = new double[b * h];
      for (int i = 0; i < last.length; i++) {
        last[i] = (rng.nextDouble() - 0.5) / b;
      }
      lastStep = Nd4j.create(last, new long[] {b, h}, DataType.DOUBLE).castTo(type);
      dLdh = Nd4j.create(type, t, b, h);
    }

    /** {forward ms, backward ms}. */
    double[] step() {
      long t0 = now();
      Trajectory tr = net.forward(x, h0);
      long t1 = now();
      dLdh.assign(0);
      dLdh.slice(t - 1).assign(lastStep);
      long t2 = now();
      net.backward(tr, dLdh, grads);
      long t3 = now();
      return new double[] {(t1 - t0) / 1e6, (t3 - t2) / 1e6};
    }
  }

  static void time(String name, int h, int b, int t, int reps, DataType type) {
    Case direct = new Case(h, b, t, type, true);
    Case nd4j = new Case(h, b, t, type, false);
    int warm = 5;
    double[][] fw = new double[2][reps];
    double[][] bw = new double[2][reps];
    double[][] tot = new double[2][reps];
    for (int r = -warm; r < reps; r++) {
      double[] a = direct.step();
      double[] c = nd4j.step();
      if (r >= 0) {
        fw[0][r] = a[0];
        bw[0][r] = a[1];
        tot[0][r] = a[0] + a[1];
        fw[1][r] = c[0];
        bw[1][r] = c[1];
        tot[1][r] = c[0] + c[1];
      }
    }
    double[] ratio = new double[reps];
    for (int r = 0; r < reps; r++) {
      ratio[r] = tot[0][r] / tot[1][r];
    }
    // Floor: T recurrent gemms alone (forward orientation A·Bᵀ, backward A·B) through ND4J.
    INDArray hs = Nd4j.rand(type, b, h).subi(0.5);
    INDArray w = Nd4j.rand(type, h, h).subi(0.5).divi(Math.sqrt(h));
    INDArray out = Nd4j.create(type, b, h);
    double[] gf = new double[reps];
    double[] gb = new double[reps];
    for (int r = -warm; r < reps; r++) {
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
    System.out.printf("%-6s H=%d B=%d T=%d floors: %d gemms NT %s, NN %s%n", name, h, b, t, t,
        stats(gf), stats(gb));
    String[] labels = {"direct", "nd4j"};
    Case[] cases = {direct, nd4j};
    for (int k = 0; k < 2; k++) {
      System.out.printf("%-6s %-6s forward %s  backward %s  total %s  (gW_rec sum %.6g)%n", name,
          labels[k], stats(fw[k]), stats(bw[k]), stats(tot[k]),
          cases[k].grads.get("w_rec").sumNumber().doubleValue());
    }
    System.out.printf("%-6s direct/nd4j per repeat: %s%n", name, stats(ratio).replace(" ms", ""));
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();
  /** Thread CPU time (ns) with -Dcpu=true, else wall time. */
  private static final boolean CPU = Boolean.getBoolean("cpu");

  static long now() {
    return CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  static String stats(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    double med = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    return String.format("%7.2f ms [%.2f–%.2f]", med, s[0], s[s.length - 1]);
  }
}
