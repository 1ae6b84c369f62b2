package engram.models.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Parameter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Helpers shared by the tests of every model: parameters, random arrays, exact comparison. */
public final class ModelTestSupport {
  private ModelTestSupport() {}

  public static INDArray param(Network net, String name) {
    for (Parameter p : net.parameters()) {
      if (p.name().equals(name)) {
        return p.value();
      }
    }
    throw new AssertionError("no parameter " + name);
  }

  public static boolean hasParam(Network net, String name) {
    return net.parameters().stream().anyMatch(p -> p.name().equals(name));
  }

  /** A zero array per trainable parameter, as core would pass to backward. */
  public static Map<String, INDArray> gradientArrays(Network net) {
    Map<String, INDArray> g = new LinkedHashMap<>();
    for (Parameter p : net.parameters()) {
      if (p.trainable()) {
        g.put(p.name(), Nd4j.zeros(p.value().dataType(), p.value().shape()));
      }
    }
    return g;
  }

  /** Standard normal values from a seeded generator. */
  public static INDArray gaussian(SplittableRandom rng, DataType type, long... shape) {
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

  /** One standard normal value (Box–Muller, two draws). */
  public static double gaussian(SplittableRandom rng) {
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  /** Copies every parameter value of {@code from} into {@code to}. */
  public static void copyParameters(Network from, Network to) {
    for (Parameter p : from.parameters()) {
      param(to, p.name()).assign(p.value());
    }
  }

  /** Same shape and exactly the same values (INDArray.equals allows a difference of 1e-5). */
  public static void assertIdentical(INDArray expected, INDArray actual, String message) {
    assertArrayEquals(expected.shape(), actual.shape(), message);
    assertArrayEquals(
        expected.dup('c').data().asDouble(), actual.dup('c').data().asDouble(), 0.0, message);
  }

  /** max |a − b| / max(max |b|, tiny). */
  public static double maxRelativeDifference(INDArray a, INDArray b) {
    double scale = Math.max(b.amaxNumber().doubleValue(), 1e-300);
    return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() / scale;
  }

  /** A [T, B, H] array as [t][b][i]. */
  public static double[][][] to3d(INDArray a) {
    double[][][] out = new double[(int) a.size(0)][][];
    for (int t = 0; t < out.length; t++) {
      out[t] = a.slice(t).toDoubleMatrix();
    }
    return out;
  }

  /**
   * Asserts max |actual − expected| ≤ tolerance · max(1, max |expected|), elementwise over the
   * whole array (a fast path against its reference path, which round differently).
   */
  public static void assertClose(String what, INDArray expected, INDArray actual,
      double tolerance) {
    assertEquals(expected.length(), actual.length(), what);
    double[] e = expected.dup('c').data().asDouble();
    double[] a = actual.dup('c').data().asDouble();
    double scale = 1;
    for (double v : e) {
      scale = Math.max(scale, Math.abs(v));
    }
    double worst = 0;
    for (int i = 0; i < e.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - e[i]));
    }
    assertTrue(worst <= tolerance * scale, what + ": max difference " + worst + " > "
        + tolerance + " × " + scale);
  }
}
