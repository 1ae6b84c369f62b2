package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Regression accuracy rules, on outputs set by hand: y = identity readout of a 2-unit state. */
class ReadoutAccuracyTest {

  private static ReadoutHeads identityHeads() {
    ReadoutHeads heads = new ReadoutHeads(2, 2, DataType.DOUBLE, new SplittableRandom(1));
    heads.ensure(0);
    heads.all().get(0).value().assign(Nd4j.eye(2).castTo(DataType.DOUBLE)); // W = I
    heads.all().get(1).value().assign(0); // b = 0
    return heads;
  }

  // T = 2, B = 2, H = 2: outputs are the hidden states themselves
  private static final INDArray HIDDEN = Nd4j.create(new double[] {
      0.5, -0.2, /* t0 b0 */ -1.0, 0.3, /* t0 b1 */
      0.9, 0.05, /* t1 b0 */ 2.0, -2.0 /* t1 b1 */}, new long[] {2, 2, 2}, DataType.DOUBLE);

  private static final float[] TARGETS = {
      1, -1, /* t0 b0: both signs right, both off by > 0.1 */ -1, -1, /* t0 b1: one sign wrong */
      1, 0.1f, /* t1 b0: signs right; second within 0.1 */ 2, -2 /* t1 b1: exact */};

  @Test
  void signCountsComponentsWithTheTargetsSignOverScoredEntriesOnly() {
    float[] mask = {1, 1, 1, 0}; // (t1, b1) not scored
    Target target = new Target(5, LossKind.REGRESSION, 2, TARGETS, mask, Accuracy.sign());
    ReadoutHeads.Scores s = identityHeads().evaluate(Stage.of(new Assignment(5, 0)),
        new Batch(2, 2, 1, new float[4], List.of(target)), HIDDEN, null);
    assertEquals(6, s.judged()[0]); // 3 scored entries × 2 components
    assertEquals(5, s.correct()[0]); // only (t0, b1) component 1 has the wrong sign
    assertEquals(5 / 6.0, s.accuracy()[0], 1e-15);
  }

  @Test
  void withinCountsComponentsCloserThanTheTolerance() {
    float[] mask = {1, 1, 1, 1};
    Target target = new Target(5, LossKind.REGRESSION, 2, TARGETS, mask, Accuracy.within(0.1));
    ReadoutHeads.Scores s = identityHeads().evaluate(Stage.of(new Assignment(5, 0)),
        new Batch(2, 2, 1, new float[4], List.of(target)), HIDDEN, null);
    assertEquals(8, s.judged()[0]);
    // within 0.1: (t0,b1,c0) exact -1; (t1,b0,c0) 0.9 vs 1 (0.1, boundary, float32 target 1.0);
    // (t1,b0,c1) 0.05 vs 0.1f; (t1,b1) both exact
    assertEquals(5, s.correct()[0]);
  }
}
