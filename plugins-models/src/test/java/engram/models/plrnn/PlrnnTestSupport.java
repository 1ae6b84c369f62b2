package engram.models.plrnn;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.models.plrnn.PlrnnModel.Config;
import engram.models.plrnn.PlrnnModel.InitialState;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Helpers of the PLRNN tests (the model-independent ones are in the testkit's TestArrays). */
final class PlrnnTestSupport {
  private PlrnnTestSupport() {}

  static Config config(int hidden) {
    return config(hidden, InitialState.RANDOM);
  }

  static Config config(int hidden, InitialState initialState) {
    return new Config(hidden, 0.9, 1.0, initialState, 0.1);
  }

  /** The cell alone, as the model creates it. */
  static Cell cell(Config config, int inputs, DataType type, long seed) {
    return new PlrnnModel()
        .create(config, new NetworkSpec(inputs, type), new SplittableRandom(seed));
  }

  /** The live value of the cell's parameter {@code name}. */
  static INDArray param(Cell cell, String name) {
    return cell.parameters().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no parameter " + name))
        .value();
  }

  /** The cell run step by step by the runtime (kernels off: the reference). */
  static CellNetwork network(Config config, int inputs, DataType type, long seed) {
    return Networks.create(
        new PlrnnModel(),
        config,
        new NetworkSpec(inputs, type),
        new SplittableRandom(seed),
        Networks.Kernels.OFF);
  }

  /**
   * An independent forward pass in plain Java doubles, straight from the equations (the diagonal of
   * w is skipped): returns z_1..z_T as [t][b][i].
   */
  static double[][][] referenceForward(
      double[] a, double[][] w, double[][] c, double[] h, double[][][] x, double[][] z0) {
    int hh = a.length;
    int steps = x.length;
    int batch = x[0].length;
    double[][][] out = new double[steps][batch][hh];
    double[][] prev = z0;
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < batch; b++) {
        for (int i = 0; i < hh; i++) {
          double z = a[i] * prev[b][i] + h[i];
          for (int j = 0; j < hh; j++) {
            if (j != i) {
              z += w[i][j] * Math.max(prev[b][j], 0.0);
            }
          }
          for (int k = 0; k < c[i].length; k++) {
            z += c[i][k] * x[t][b][k];
          }
          out[t][b][i] = z;
        }
      }
      prev = out[t];
    }
    return out;
  }
}
