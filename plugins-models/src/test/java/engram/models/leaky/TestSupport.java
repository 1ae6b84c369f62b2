package engram.models.leaky;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Helpers shared by the leaky RNN tests. */
final class TestSupport {
  private TestSupport() {}

  static Config config(int hidden, Nonlinearity nonlinearity, double slope, Phi phi) {
    return new Config(hidden, nonlinearity, slope, phi, true, 1.0, 2.0, 1.0, 0.1);
  }

  static Network network(Config config, int inputs, DataType type, long seed) {
    return new LeakyRnnModel().create(config, new NetworkSpec(inputs, type), new SplittableRandom(seed));
  }

  static INDArray param(Network net, String name) {
    for (Parameter p : net.parameters()) {
      if (p.name().equals(name)) {
        return p.value();
      }
    }
    throw new AssertionError("no parameter " + name);
  }

  /** A zero array per trainable parameter, as core would pass to backward. */
  static Map<String, INDArray> gradientArrays(Network net) {
    Map<String, INDArray> g = new LinkedHashMap<>();
    for (Parameter p : net.parameters()) {
      if (p.trainable()) {
        g.put(p.name(), Nd4j.zeros(p.value().dataType(), p.value().shape()));
      }
    }
    return g;
  }

  /** Standard normal values from a seeded generator. */
  static INDArray gaussian(SplittableRandom rng, DataType type, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    double[] v = new double[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) {
      v[i] = gaussian(rng);
    }
    return Nd4j.create(v, shape, DataType.DOUBLE).castTo(type);
  }

  static double gaussian(SplittableRandom rng) {
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  /** Copies every parameter value of {@code from} into {@code to}. */
  static void copyParameters(Network from, Network to) {
    for (Parameter p : from.parameters()) {
      param(to, p.name()).assign(p.value());
    }
  }

  /** Same shape and exactly the same values (INDArray.equals allows a difference of 1e-5). */
  static void assertIdentical(INDArray expected, INDArray actual, String message) {
    org.junit.jupiter.api.Assertions.assertArrayEquals(expected.shape(), actual.shape(), message);
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        expected.dup('c').data().asDouble(), actual.dup('c').data().asDouble(), 0.0, message);
  }

  /** max |a − b| / max(max |b|, tiny). */
  static double maxRelativeDifference(INDArray a, INDArray b) {
    double scale = Math.max(b.amaxNumber().doubleValue(), 1e-300);
    return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() / scale;
  }

  /**
   * An independent forward pass in plain Java doubles, straight from the equations: returns the
   * hidden states [t][b][i] and, in {@code drives}, the argument of φ at every step.
   */
  static double[][][] referenceForward(
      Config c, double[][] wIn, double[] bIn, double[][] wRec, double[] bRec, double[] taus,
      double[][][] x, double[][] h0, double[][][] drives) {
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
