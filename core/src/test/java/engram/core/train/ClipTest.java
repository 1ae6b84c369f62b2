package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Trainer#clip}: torch.nn.utils.clip_grad_norm_ over all gradients together. */
class ClipTest {

  /** Norms 5, 12 and 0: global norm 13 (the per-array norms alone never exceed 12). */
  private static List<INDArray> gradients(DataType type) {
    return List.of(
        Nd4j.create(new double[] {3, 4}, new long[] {2}, DataType.DOUBLE).castTo(type),
        Nd4j.create(new double[] {0, -12, 0, 0}, new long[] {2, 2}, DataType.DOUBLE).castTo(type),
        Nd4j.zeros(type, 3));
  }

  private static double globalNorm(List<INDArray> arrays) {
    double sq = 0;
    for (INDArray a : arrays) {
      for (double v : a.dup().castTo(DataType.DOUBLE).reshape(a.length()).toDoubleVector()) {
        sq += v * v;
      }
    }
    return Math.sqrt(sq);
  }

  @Test
  void aboveTheLimitEveryArrayScalesByTheSameFactor() {
    List<INDArray> grads = gradients(DataType.DOUBLE);
    double returned = Trainer.clip(grads, 6.5);
    assertEquals(13.0, returned, 1e-12, "returns the norm before clipping");
    double factor = 6.5 / (13.0 + 1e-6);
    assertArrayEquals(new double[] {3 * factor, 4 * factor}, grads.get(0).toDoubleVector(), 1e-12);
    assertArrayEquals(
        new double[] {0, -12 * factor, 0, 0}, grads.get(1).reshape(4).toDoubleVector(), 1e-12);
    assertArrayEquals(new double[3], grads.get(2).toDoubleVector(), 0.0);
    assertEquals(6.5, globalNorm(grads), 1e-6);
  }

  @Test
  void clipsOnTheGlobalNormEvenWhenNoSingleArrayExceedsTheLimit() {
    List<INDArray> grads = gradients(DataType.DOUBLE);
    Trainer.clip(grads, 12.5); // each array's norm ≤ 12 < 12.5, the global norm is 13
    assertEquals(12.5, globalNorm(grads), 1e-6);
  }

  @Test
  void belowTheLimitNothingChanges() {
    List<INDArray> grads = gradients(DataType.DOUBLE);
    List<INDArray> before = grads.stream().map(INDArray::dup).toList();
    assertEquals(13.0, Trainer.clip(grads, 20.0), 1e-12);
    for (int i = 0; i < grads.size(); i++) {
      assertEquals(before.get(i), grads.get(i));
    }
  }

  @Test
  void worksInFloat32() {
    List<INDArray> grads = gradients(DataType.FLOAT);
    assertEquals(13.0, Trainer.clip(grads, 2.0), 1e-5);
    assertEquals(DataType.FLOAT, grads.get(0).dataType());
    assertEquals(2.0, globalNorm(grads), 1e-5);
  }

  @Test
  void zeroGradientsStayZero() {
    List<INDArray> grads =
        List.of(Nd4j.zeros(DataType.DOUBLE, 4), Nd4j.zeros(DataType.DOUBLE, 2, 2));
    assertEquals(0.0, Trainer.clip(grads, 1.0), 0.0);
    assertEquals(0.0, globalNorm(grads), 0.0);
  }

  // ------------------------------------------------------------------ host loops vs ND4J ops

  private static INDArray random(java.util.SplittableRandom rng, DataType type, long... shape) {
    return TestArrays.gaussian(rng, type, 0.1, shape);
  }

  private static double[] values(INDArray a) {
    return a.dup('c').reshape(a.length()).castTo(DataType.DOUBLE).toDoubleVector();
  }

  /**
   * Random gradients of several sizes (longer than a chunk of 4096 and not a multiple of it, a
   * vector, a 1×1, a strided view of a larger matrix): the norm is the ND4J norm up to summation
   * order, and each element is scaled by the coefficient rounded to the array's precision, exactly
   * as ND4J's scalar multiply did.
   */
  @Test
  void hostLoopsAgreeWithTheNd4jNormAndScaleExactly() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
      INDArray larger = random(rng, type, 40, 30);
      List<INDArray> grads =
          List.of(
              random(rng, type, 90, 100),
              random(rng, type, 4096 * 3 + 5),
              random(rng, type, 7),
              random(rng, type, 1, 1),
              larger.get(
                  org.nd4j.linalg.indexing.NDArrayIndex.all(),
                  org.nd4j.linalg.indexing.NDArrayIndex.interval(3, 9)));
      List<INDArray> originals = grads.stream().map(g -> g.dup('c')).toList();
      double sq = 0;
      for (INDArray g : originals) {
        double norm = g.norm2Number().doubleValue();
        sq += norm * norm;
      }
      double nd4jNorm = Math.sqrt(sq);
      double largerBefore = values(larger)[0];

      double total = Trainer.clip(grads, 1.0);
      double tolerance = type == DataType.FLOAT ? 1e-6 : 1e-13;
      assertEquals(nd4jNorm, total, tolerance * nd4jNorm, type + ": the global norm");
      assertTrue(total > 5, "fixture: the norm is far above the limit");
      double coefficient = 1.0 / (total + 1e-6);
      for (int i = 0; i < grads.size(); i++) {
        INDArray expected = originals.get(i).muli(coefficient); // ND4J's scalar multiply
        assertArrayEquals(values(expected), values(grads.get(i)), 0.0, type + " gradient " + i);
      }
      assertEquals(largerBefore, values(larger)[0], 0.0, "columns outside the view untouched");

      List<INDArray> copies = grads.stream().map(g -> g.dup('c')).toList();
      Trainer.clip(grads, 1e6);
      for (int i = 0; i < grads.size(); i++) {
        assertArrayEquals(values(copies.get(i)), values(grads.get(i)), 0.0, "below the limit");
      }
    }
  }
}
