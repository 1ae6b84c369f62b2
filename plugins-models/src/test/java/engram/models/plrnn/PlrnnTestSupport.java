package engram.models.plrnn;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.models.plrnn.PlrnnModel.Config;
import engram.models.plrnn.PlrnnModel.InitialState;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/** Helpers of the PLRNN tests (the model-independent ones are in ModelTestSupport). */
final class PlrnnTestSupport {
  private PlrnnTestSupport() {}

  static Config config(int hidden) {
    return new Config(hidden, 0.9, 1.0, InitialState.RANDOM, 0.1);
  }

  static Network network(Config config, int inputs, DataType type, long seed) {
    return new PlrnnModel().create(config, new NetworkSpec(inputs, type), new SplittableRandom(seed));
  }

  /**
   * An independent forward pass in plain Java doubles, straight from the equations (the diagonal
   * of w is skipped): returns z_1..z_T as [t][b][i].
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
