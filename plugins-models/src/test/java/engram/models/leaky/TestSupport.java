package engram.models.leaky;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/** Helpers of the leaky RNN tests (the model-independent ones are in the testkit's TestArrays). */
final class TestSupport {
  private TestSupport() {}

  static Config config(int hidden, Nonlinearity nonlinearity, double slope, Phi phi) {
    return new Config(
        hidden,
        nonlinearity,
        slope,
        phi,
        true,
        1.0,
        2.0,
        1.0,
        0.1,
        LeakyRnnModel.RecurrentInit.UNIFORM,
        1.0);
  }

  /** The network core would build: the fused kernel where one applies, else the cell. */
  static Network network(Config config, int inputs, DataType type, long seed) {
    return network(config, inputs, type, seed, Networks.Kernels.AUTO);
  }

  static CellNetwork network(
      Config config, int inputs, DataType type, long seed, Networks.Kernels kernels) {
    return Networks.create(
        new LeakyRnnModel(),
        config,
        new NetworkSpec(inputs, type),
        new SplittableRandom(seed),
        kernels);
  }

  /**
   * An independent forward pass in plain Java doubles, straight from the equations: returns the
   * hidden states [t][b][i] and, in {@code drives}, the argument of φ at every step.
   */
  static double[][][] referenceForward(
      Config c,
      double[][] wIn,
      double[] bIn,
      double[][] wRec,
      double[] bRec,
      double[] taus,
      double[][][] x,
      double[][] h0,
      double[][][] drives) {
    return referenceForward(c, wIn, bIn, wRec, bRec, taus, x, h0, null, drives);
  }

  /** As above with the additive drive ξ [t][b][i] next to the input (null for none). */
  static double[][][] referenceForward(
      Config c,
      double[][] wIn,
      double[] bIn,
      double[][] wRec,
      double[] bRec,
      double[] taus,
      double[][][] x,
      double[][] h0,
      double[][][] xi,
      double[][][] drives) {
    int h = c.hiddenSize();
    int steps = x.length;
    int batch = x[0].length;
    double[][][] out = new double[steps][batch][h];
    double[][] prev = h0;
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < batch; b++) {
        for (int i = 0; i < h; i++) {
          double a = 1.0 / Math.max(taus[i], 1.0);
          double drive = bRec[i] + bIn[i];
          if (xi != null) {
            drive += xi[t][b][i];
          }
          for (int j = 0; j < h; j++) {
            if (j != i) {
              drive += wRec[i][j] * prev[b][j];
            }
          }
          for (int k = 0; k < wIn[i].length; k++) {
            drive += wIn[i][k] * x[t][b][k];
          }
          if (c.phi() == Phi.OUTSIDE) {
            double pre = (1 - a) * prev[b][i] + a * drive;
            drives[t][b][i] = pre;
            out[t][b][i] = phi(c, pre);
          } else {
            drives[t][b][i] = drive;
            out[t][b][i] = (1 - a) * prev[b][i] + a * phi(c, drive);
          }
        }
      }
      prev = out[t];
    }
    return out;
  }

  static double phi(Config c, double z) {
    return switch (c.nonlinearity()) {
      case LEAKY_RELU -> z > 0 ? z : c.leakySlope() * z;
      case RELU -> Math.max(z, 0);
      case TANH -> Math.tanh(z);
    };
  }
}
