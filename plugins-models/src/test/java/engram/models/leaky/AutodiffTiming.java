package engram.models.leaky;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Timing harness for issue 12 (not a test; surefire does not run it): the hand-written leaky RNN
 * cell against the same step written forward-only for SameDiff ({@link LeakyRnnAutodiffCell}),
 * tanh, φ outside, τ trained, I = 4 inputs. Per repeat and size, in alternating order: one forward
 * step, one forward step + VJP (each the mean over {@code N} calls), and a forward + backward pass
 * over T = 50 steps through {@link Networks#wrap} (the step-by-step runner, no kernel). Prints
 * medians with the 10th–90th percentile range over repeats, in wall and in this thread's CPU time,
 * the paired ratio autodiff / hand-written of every repeat, and the ratio of the 10th percentiles
 * (the least disturbed repeats, on a shared machine). Run with {@code OMP_NUM_THREADS=1 java -cp
 * <test class path> engram.models.leaky.AutodiffTiming [reps] [float|double]}; the results are in
 * {@code docs/autodiff-step.md}.
 */
public final class AutodiffTiming {
  private static final int INPUTS = 4;
  private static final int STEPS = 50;
  private static final int[][] SIZES = {{64, 32}, {256, 128}};

  private AutodiffTiming() {}

  /** One cell at one size, with fixed arrays to run it on. */
  private static final class Case {
    final String name;
    final Cell cell;
    final CellNetwork net;
    final INDArray h;
    final INDArray x;
    final INDArray g;
    final INDArray xs;
    final INDArray s0;
    final INDArray dLdh;
    final Map<String, INDArray> grads = new HashMap<>();
    final int calls;

    Case(String name, Cell cell, int hidden, int batch, DataType type, int calls) {
      this.name = name;
      this.cell = cell;
      this.calls = calls;
      this.net = Networks.wrap(name, cell, null, new NetworkSpec(INPUTS, type));
      Nd4j.getRandom().setSeed(3);
      h = Nd4j.rand(type, batch, hidden).subi(0.5);
      x = Nd4j.rand(type, batch, INPUTS).subi(0.5);
      g = Nd4j.rand(type, batch, hidden).subi(0.5);
      xs = Nd4j.rand(type, STEPS, batch, INPUTS).subi(0.5);
      s0 = Nd4j.rand(type, batch, hidden).muli(0.1);
      dLdh = Nd4j.rand(type, STEPS, batch, hidden).subi(0.5).muli(0.01);
      for (Parameter p : cell.parameters()) {
        grads.put(p.name(), p.value().ulike());
      }
    }

    /** Mean µs of one forward step: {wall, thread CPU}. */
    double[] forward() {
      long[] t0 = now();
      for (int i = 0; i < calls; i++) {
        cell.step(h, x, null);
      }
      return since(t0, 1e3 * calls);
    }

    /** Mean µs of one forward step and its VJP: {wall, thread CPU}. */
    double[] forwardVjp() {
      long[] t0 = now();
      for (int i = 0; i < calls; i++) {
        Cell.Step s = cell.step(h, x, null);
        cell.vjp(s, g, Map.of(), grads);
      }
      return since(t0, 1e3 * calls);
    }

    /** ms of a forward and backward pass over T steps through the runtime: {wall, CPU}. */
    double[] pass() {
      long[] t0 = now();
      Trajectory t = net.forward(xs, s0);
      net.backward(t, dLdh, Map.of(), grads);
      return since(t0, 1e6);
    }
  }

  // This thread's CPU time (ns resolution; not GC or JIT threads), reflectively: the test
  // sources compile as part of module engram.models, which does not read java.management.
  private static final Object THREADS;
  private static final Method CPU;

  static {
    try {
      THREADS =
          Class.forName("java.lang.management.ManagementFactory")
              .getMethod("getThreadMXBean")
              .invoke(null);
      CPU = Class.forName("java.lang.management.ThreadMXBean").getMethod("getCurrentThreadCpuTime");
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Wall and thread CPU time, ns. */
  static long[] now() {
    try {
      return new long[] {System.nanoTime(), (Long) CPU.invoke(THREADS)};
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  static double[] since(long[] t0, double unit) {
    long[] t1 = now();
    return new double[] {(t1[0] - t0[0]) / unit, (t1[1] - t0[1]) / unit};
  }

  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 61;
    DataType type = args.length > 1 && args[1].equals("double") ? DataType.DOUBLE : DataType.FLOAT;
    String[] what = {"step fwd (us)", "step fwd+vjp (us)", "T=50 fwd+bwd (ms)"};
    for (int[] size : SIZES) {
      int hidden = size[0];
      int batch = size[1];
      LeakyRnnModel.Config config =
          new LeakyRnnModel.Config(
              hidden,
              LeakyRnnModel.Nonlinearity.TANH,
              0.01,
              LeakyRnnModel.Phi.OUTSIDE,
              true,
              1.0,
              2.0,
              1.0,
              0.1,
              LeakyRnnModel.RecurrentInit.UNIFORM,
              1.0);
      LeakyRnnCell handCell =
          (LeakyRnnCell)
              new LeakyRnnModel()
                  .create(config, new NetworkSpec(INPUTS, type), new SplittableRandom(7));
      int calls = hidden <= 64 ? 20 : 10;
      Case hand = new Case("hand", handCell, hidden, batch, type, calls);
      Case auto =
          new Case("autodiff", new LeakyRnnAutodiffCell(handCell), hidden, batch, type, calls);
      // t[clock][cell][measure][repeat], clock 0 wall, 1 thread CPU; cell 0 hand, 1 autodiff
      double[][][][] t = new double[2][2][3][reps];
      for (int r = -10; r < reps; r++) { // ten warm-up repeats
        Case[] order = (r & 1) == 0 ? new Case[] {hand, auto} : new Case[] {auto, hand};
        for (Case c : order) {
          int k = c == hand ? 0 : 1;
          double[][] m = {c.forward(), c.forwardVjp(), c.pass()};
          for (int j = 0; r >= 0 && j < 3; j++) {
            t[0][k][j][r] = m[j][0];
            t[1][k][j][r] = m[j][1];
          }
        }
      }
      System.out.printf(
          "%s H %d B %d I %d, %d repeats, %d calls per step timing;" + " median [p10, p90]%n",
          type, hidden, batch, INPUTS, reps, calls);
      String[] clocks = {"wall", "cpu"};
      for (int clock = 0; clock < 2; clock++) {
        for (int m = 0; m < 3; m++) {
          double[] ratio = new double[reps];
          for (int r = 0; r < reps; r++) {
            ratio[r] = t[clock][1][m][r] / t[clock][0][m][r];
          }
          System.out.printf(
              "  %-4s %-18s hand %s  autodiff %s  ratio %s  p10/p10 %.2f%n",
              clocks[clock],
              what[m],
              stats(t[clock][0][m]),
              stats(t[clock][1][m]),
              stats(ratio),
              p10(t[clock][1][m]) / p10(t[clock][0][m]));
        }
      }
    }
  }

  /** Median [p10, p90]. */
  static String stats(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return String.format("%8.2f [%.2f, %.2f]", q(s, 0.5), q(s, 0.1), q(s, 0.9));
  }

  private static double p10(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return q(s, 0.1);
  }

  private static double q(double[] sorted, double p) {
    double i = p * (sorted.length - 1);
    int lo = (int) Math.floor(i);
    int hi = (int) Math.ceil(i);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
  }
}
