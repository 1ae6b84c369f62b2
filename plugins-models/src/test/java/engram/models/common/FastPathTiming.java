package engram.models.common;

import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The measurement behind the models' timing harnesses (LeakyRnnTiming, GruTiming, LstmTiming; not
 * tests, surefire does not run them): forward and backward of a network's fast path against its
 * ND4J path at the bench's shapes on one thread, alternating repeat by repeat in one process so
 * their ratio is measured under the same load. -Dcpu=true times thread CPU time instead of wall
 * time, which a shared machine disturbs less (OpenBLAS runs on the calling thread with one OpenMP
 * thread). dL/dh is nonzero at the last step only, as a last-step readout gives it; I = 1 with
 * Bernoulli(0.5) inputs, in the network's data type.
 */
public final class FastPathTiming {
  private FastPathTiming() {}

  /** H, B, T of the bench's shapes S, M, L. */
  public static int[] shape(String name) {
    return switch (name) {
      case "S" -> new int[] {128, 64, 50};
      case "M" -> new int[] {256, 128, 100};
      case "L" -> new int[] {500, 256, 100};
      default -> throw new IllegalArgumentException(name);
    };
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

    Case(Network net, int h, int b, int t) {
      this.net = net;
      this.t = t;
      SplittableRandom rng = new SplittableRandom(11);
      double[] xs = new double[t * b];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = rng.nextBoolean() ? 1 : 0;
      }
      DataType type = net.parameters().get(0).value().dataType();
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

  /**
   * Times networks made by {@code factory} (argument: whether the fast path is allowed) at {@code
   * hbt} = (H, B, T), fast and ND4J path alternating, and prints medians with [min–max].
   */
  public static void compare(String name, Function<Boolean, Network> factory, int[] hbt, int reps) {
    int h = hbt[0];
    int b = hbt[1];
    int t = hbt[2];
    Case[] cases = {
      new Case(factory.apply(true), h, b, t), new Case(factory.apply(false), h, b, t)
    };
    int warm = 3;
    double[][] fw = new double[2][reps];
    double[][] bw = new double[2][reps];
    double[][] tot = new double[2][reps];
    double[] ratio = new double[reps];
    for (int r = -warm; r < reps; r++) {
      for (int k = 0; k < 2; k++) {
        double[] m = cases[k].step();
        if (r >= 0) {
          fw[k][r] = m[0];
          bw[k][r] = m[1];
          tot[k][r] = m[0] + m[1];
        }
      }
      if (r >= 0) {
        ratio[r] = tot[0][r] / tot[1][r];
      }
    }
    String[] labels = {"fast", "nd4j"};
    for (int k = 0; k < 2; k++) {
      System.out.printf(
          "%-10s H=%d B=%d T=%d %-4s forward %s  backward %s  total %s%n",
          name, h, b, t, labels[k], stats(fw[k]), stats(bw[k]), stats(tot[k]));
    }
    System.out.printf("%-10s fast/nd4j per repeat: %s%n", name, stats(ratio).replace(" ms", ""));
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** Thread CPU time (ns) with -Dcpu=true (less sensitive to a shared machine), else wall time. */
  private static final boolean CPU = Boolean.getBoolean("cpu");

  public static long now() {
    return CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  public static String stats(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    double med = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    return String.format("%7.2f ms [%.2f–%.2f]", med, s[0], s[s.length - 1]);
  }
}
