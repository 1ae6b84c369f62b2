package engram.models.common;

import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Parameter and initial-state creation from a {@link RandomGenerator}, in a given data type. */
public final class Init {
  private Init() {}

  /** U(lo, hi) per element (PyTorch-style init), drawn in C order. */
  public static INDArray uniform(
      RandomGenerator rng, double lo, double hi, DataType type, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return fromDoubles(draw(rng, lo, hi, n), type, shape);
  }

  /** sd·N(0, 1) per element ({@link RandomGenerator#nextGaussian()}), drawn in C order. */
  public static INDArray gaussian(RandomGenerator rng, double sd, DataType type, long... shape) {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    double[] v = new double[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) {
      v[i] = sd * rng.nextGaussian();
    }
    return fromDoubles(v, type, shape);
  }

  /** {@code n} draws of U(lo, hi). */
  public static double[] draw(RandomGenerator rng, double lo, double hi, long n) {
    double[] v = new double[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) {
      v[i] = lo + (hi - lo) * rng.nextDouble();
    }
    return v;
  }

  /** An array of {@code type} and {@code shape} holding {@code v} (C order). */
  public static INDArray fromDoubles(double[] v, DataType type, long... shape) {
    if (type == DataType.FLOAT) {
      // Rounded in Java as the cast would round them, without a double array and a cast op
      // (this runs for every batch's h0).
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        f[i] = (float) v[i];
      }
      return Nd4j.create(f, shape, 'c');
    }
    INDArray a = Nd4j.create(type, shape);
    a.assign(Nd4j.create(v, shape, DataType.DOUBLE));
    return a;
  }

  /**
   * A {@code [batch, hidden]} initial state: zero, or h0Scale·U(0, 1) per unit and sequence (which
   * draws batch·hidden numbers from {@code rng}).
   */
  public static INDArray initialState(
      int batch, int hidden, boolean zero, double h0Scale, RandomGenerator rng, DataType type) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be ≥ 1, was " + batch);
    }
    if (zero) {
      return Nd4j.zeros(type, batch, hidden);
    }
    double[] v = new double[Math.multiplyExact(batch, hidden)];
    for (int i = 0; i < v.length; i++) {
      v[i] = h0Scale * rng.nextDouble();
    }
    return fromDoubles(v, type, batch, hidden);
  }
}
