package engram.core.train;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Random test arrays for the trainer's tests. */
final class TestArrays {
  private TestArrays() {}

  /** scale·N(0, 1) per element, drawn in C order as doubles, then cast to {@code type}. */
  static INDArray gaussian(SplittableRandom rng, DataType type, double scale, long... shape) {
    int n = 1;
    for (long s : shape) {
      n *= (int) s;
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rng.nextGaussian() * scale;
    }
    return Nd4j.create(v, shape, DataType.DOUBLE).castTo(type);
  }
}
