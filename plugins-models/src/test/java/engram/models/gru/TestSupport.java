package engram.models.gru;

import static engram.testkit.TestArrays.param;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.models.gru.GruModel.Config;
import engram.models.gru.GruModel.InitialState;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/** Helpers of the GRU tests (the model-independent ones are in the testkit's TestArrays). */
final class TestSupport {
  private TestSupport() {}

  /** The three ways the τ leak can be configured. */
  enum Leak {
    /** No leak: PyTorch's GRU, no {@code taus} parameter. */
    OFF,
    /** Leak with trainable τ. */
    TRAINED,
    /** Leak with τ fixed at 2.5 for every neuron ({@code taus} not trainable). */
    FIXED
  }

  static Config config(int hidden, Leak leak, InitialState initial, double h0Scale) {
    return new Config(
        hidden, leak != Leak.OFF, 1.0, 2.0, leak != Leak.FIXED, 2.5, initial, h0Scale);
  }

  static Config config(int hidden, Leak leak) {
    return config(hidden, leak, InitialState.RANDOM, 0.5);
  }

  /** The network core builds: the kernel for float32, the cell step by step for float64. */
  static CellNetwork network(Config config, int inputs, DataType type, long seed) {
    return Networks.create(
        new GruModel(), config, new NetworkSpec(inputs, type), new SplittableRandom(seed));
  }

  /** The cell run step by step by core's runner (the reference), whatever the data type. */
  static CellNetwork cellNetwork(Config config, int inputs, DataType type, long seed) {
    return Networks.create(
        new GruModel(),
        config,
        new NetworkSpec(inputs, type),
        new SplittableRandom(seed),
        Networks.Kernels.OFF);
  }

  /** The cell itself, as the model creates it. */
  static GruCell cell(Config config, int inputs, DataType type, long seed) {
    return (GruCell)
        new GruModel().create(config, new NetworkSpec(inputs, type), new SplittableRandom(seed));
  }

  /**
   * An independent forward pass in plain Java doubles, straight from PyTorch's GRU equations (plus
   * the optional leak with α = 1/max(τ, 1); {@code taus} null for none). Returns the hidden states
   * [t][b][i]; {@code gates}, if not null, receives r, z and n as gates[0..2][t][b][i].
   */
  static double[][][] referenceForward(
      Network net, double[] taus, double[][][] x, double[][] h0, double[][][][] gates) {
    double[][] wIh = param(net, "w_ih").toDoubleMatrix();
    double[][] wHh = param(net, "w_hh").toDoubleMatrix();
    double[] bIh = param(net, "b_ih").toDoubleVector();
    double[] bHh = param(net, "b_hh").toDoubleVector();
    int h = wHh[0].length;
    int steps = x.length;
    int batch = x[0].length;
    double[][][] out = new double[steps][batch][h];
    double[][] prev = h0;
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < batch; b++) {
        for (int i = 0; i < h; i++) {
          double[] gi = new double[3];
          double[] gh = new double[3];
          for (int g = 0; g < 3; g++) {
            int row = g * h + i;
            gi[g] = bIh[row];
            for (int k = 0; k < wIh[row].length; k++) {
              gi[g] += wIh[row][k] * x[t][b][k];
            }
            gh[g] = bHh[row];
            for (int j = 0; j < h; j++) {
              gh[g] += wHh[row][j] * prev[b][j];
            }
          }
          double r = 1 / (1 + Math.exp(-(gi[0] + gh[0])));
          double z = 1 / (1 + Math.exp(-(gi[1] + gh[1])));
          double n = Math.tanh(gi[2] + r * gh[2]);
          double cell = (1 - z) * n + z * prev[b][i];
          double a = taus == null ? 1.0 : 1.0 / Math.max(taus[i], 1.0);
          out[t][b][i] = (1 - a) * prev[b][i] + a * cell;
          if (gates != null) {
            gates[0][t][b][i] = r;
            gates[1][t][b][i] = z;
            gates[2][t][b][i] = n;
          }
        }
      }
      prev = out[t];
    }
    return out;
  }
}
