package engram.models.lstm;

import static engram.testkit.TestArrays.param;
import static engram.testkit.TestArrays.to3d;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.models.lstm.LstmModel.Config;
import engram.models.lstm.LstmModel.InitialState;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Helpers of the LSTM tests, including a plain-Java reference forward pass (the model-independent
 * ones are in the testkit's TestArrays).
 */
final class LstmTestSupport {
  private LstmTestSupport() {}

  /** Plain LSTM (no leak), zero initial state. */
  static Config config(int hidden) {
    return new Config(hidden, false, 1.0, 2.0, true, 1.0, InitialState.ZERO, 0.1);
  }

  static Config config(int hidden, boolean leak, InitialState initial) {
    return new Config(hidden, leak, 1.0, 2.0, true, 1.0, initial, 0.1);
  }

  /** The network core builds: the fused kernel in float32, the cell step by step in float64. */
  static CellNetwork network(Config config, int inputs, DataType type, long seed) {
    return Networks.create(
        new LstmModel(), config, new NetworkSpec(inputs, type), new SplittableRandom(seed));
  }

  /** The cell run step by step (no kernel), whatever the data type. */
  static CellNetwork cellNetwork(Config config, int inputs, DataType type, long seed) {
    return Networks.create(
        new LstmModel(),
        config,
        new NetworkSpec(inputs, type),
        new SplittableRandom(seed),
        Networks.Kernels.OFF);
  }

  /** s_0 = [h_0 | c_0] {@code [B, 2H]} from its two blocks. */
  static INDArray state(INDArray h0, INDArray c0) {
    return Nd4j.hstack(h0, c0);
  }

  /** Block k (0: h, 1: c) of a {@code [B, 2H]} state, as a copy. */
  static INDArray block(INDArray s, int k) {
    long h = s.size(1) / 2;
    return s.get(all(), interval(k * h, (k + 1) * h)).dup();
  }

  static double sigmoid(double z) {
    return 1.0 / (1.0 + Math.exp(-z));
  }

  /** Everything the reference forward pass computes, indexed [t][b][unit]. */
  record Reference(
      double[][][] h,
      double[][][] c,
      double[][][] i,
      double[][][] f,
      double[][][] g,
      double[][][] o) {}

  /**
   * An independent forward pass in plain Java doubles, straight from the equations (PyTorch layout:
   * row blocks i, f, g, o; {@code taus} null for the plain LSTM), from h_0 and c_0.
   */
  static Reference referenceForward(
      double[][] wIh,
      double[][] wHh,
      double[] bIh,
      double[] bHh,
      double[] taus,
      double[][][] x,
      double[][] h0,
      double[][] c0) {
    int hid = wHh[0].length;
    int steps = x.length;
    int batch = x[0].length;
    double[][][] h = new double[steps][batch][hid];
    double[][][] c = new double[steps][batch][hid];
    double[][][] gi = new double[steps][batch][hid];
    double[][][] gf = new double[steps][batch][hid];
    double[][][] gg = new double[steps][batch][hid];
    double[][][] go = new double[steps][batch][hid];
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < batch; b++) {
        double[] hPrev = t == 0 ? h0[b] : h[t - 1][b];
        double[] cPrev = t == 0 ? c0[b] : c[t - 1][b];
        double[] pre = new double[4 * hid];
        for (int r = 0; r < 4 * hid; r++) {
          double z = bIh[r] + bHh[r];
          for (int k = 0; k < x[t][b].length; k++) {
            z += wIh[r][k] * x[t][b][k];
          }
          for (int j = 0; j < hid; j++) {
            z += wHh[r][j] * hPrev[j];
          }
          pre[r] = z;
        }
        for (int u = 0; u < hid; u++) {
          double i = sigmoid(pre[u]);
          double f = sigmoid(pre[hid + u]);
          double g = Math.tanh(pre[2 * hid + u]);
          double o = sigmoid(pre[3 * hid + u]);
          double cell = f * cPrev[u] + i * g;
          double out = o * Math.tanh(cell);
          if (taus != null) {
            double a = 1.0 / Math.max(taus[u], 1.0);
            out = (1 - a) * hPrev[u] + a * out;
          }
          gi[t][b][u] = i;
          gf[t][b][u] = f;
          gg[t][b][u] = g;
          go[t][b][u] = o;
          c[t][b][u] = cell;
          h[t][b][u] = out;
        }
      }
    }
    return new Reference(h, c, gi, gf, gg, go);
  }

  /** {@link #referenceForward} with the parameters of {@code net}, from s_0 = [h_0 | c_0]. */
  static Reference referenceForward(Network net, INDArray x, INDArray s0) {
    boolean leak = net.parameters().stream().anyMatch(p -> p.name().equals("taus"));
    return referenceForward(
        param(net, "w_ih").toDoubleMatrix(),
        param(net, "w_hh").toDoubleMatrix(),
        param(net, "b_ih").toDoubleVector(),
        param(net, "b_hh").toDoubleVector(),
        leak ? param(net, "taus").toDoubleVector() : null,
        to3d(x),
        block(s0, 0).toDoubleMatrix(),
        block(s0, 1).toDoubleMatrix());
  }

  /** max |expected − actual| over a [T, B, H] array. */
  static double maxAbsDifference(double[][][] expected, INDArray actual) {
    double m = 0;
    for (int t = 0; t < expected.length; t++) {
      for (int b = 0; b < expected[t].length; b++) {
        for (int u = 0; u < expected[t][b].length; u++) {
          m = Math.max(m, Math.abs(expected[t][b][u] - actual.getDouble(t, b, u)));
        }
      }
    }
    return m;
  }
}
