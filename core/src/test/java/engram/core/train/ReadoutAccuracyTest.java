package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/**
 * Accuracy rules (regression, multi-label) and whole-trial accuracy, on outputs set by hand (y =
 * identity readout of a 2-unit state) and against brute force on random batches.
 */
class ReadoutAccuracyTest {

  private static ReadoutHeads identityHeads() {
    ReadoutHeads heads = new ReadoutHeads(2, 2, DataType.DOUBLE, new SplittableRandom(1));
    heads.ensure(0);
    heads.all().get(0).value().assign(Nd4j.eye(2).castTo(DataType.DOUBLE)); // W = I
    heads.all().get(1).value().assign(0); // b = 0
    return heads;
  }

  // T = 2, B = 2, H = 2: outputs are the hidden states themselves
  private static final INDArray HIDDEN =
      Nd4j.create(
          new double[] {
            0.5, -0.2, /* t0 b0 */ -1.0, 0.3, /* t0 b1 */
            0.9, 0.05, /* t1 b0 */ 2.0, -2.0 /* t1 b1 */
          },
          new long[] {2, 2, 2},
          DataType.DOUBLE);

  private static final float[] TARGETS = {
    1,
    -1, /* t0 b0: both signs right, both off by > 0.1 */
    -1,
    -1, /* t0 b1: one sign wrong */
    1,
    0.1f, /* t1 b0: signs right; second within 0.1 */
    2,
    -2 /* t1 b1: exact */
  };

  @Test
  void signCountsComponentsWithTheTargetsSignOverScoredEntriesOnly() {
    float[] mask = {1, 1, 1, 0}; // (t1, b1) not scored
    Target target = new Target(5, LossKind.REGRESSION, 2, TARGETS, mask, Accuracy.sign());
    ReadoutHeads.Scores s =
        identityHeads()
            .evaluate(
                Stage.of(new Assignment(5, 0)),
                new Batch(2, 2, 1, new float[4], List.of(target)),
                HIDDEN,
                null);
    assertEquals(6, s.judged()[0]); // 3 scored entries × 2 components
    assertEquals(5, s.correct()[0]); // only (t0, b1) component 1 has the wrong sign
    assertEquals(5 / 6.0, s.accuracy()[0], 1e-15);
  }

  @Test
  void withinCountsComponentsCloserThanTheTolerance() {
    float[] mask = {1, 1, 1, 1};
    Target target = new Target(5, LossKind.REGRESSION, 2, TARGETS, mask, Accuracy.within(0.1));
    ReadoutHeads.Scores s =
        identityHeads()
            .evaluate(
                Stage.of(new Assignment(5, 0)),
                new Batch(2, 2, 1, new float[4], List.of(target)),
                HIDDEN,
                null);
    assertEquals(8, s.judged()[0]);
    // within 0.1: (t0,b1,c0) exact -1; (t1,b0,c0) 0.9 vs 1 (0.1, boundary, float32 target 1.0);
    // (t1,b0,c1) 0.05 vs 0.1f; (t1,b1) both exact
    assertEquals(5, s.correct()[0]);
  }

  // ------------------------------------------------------------------ whole-trial accuracy

  /** Heads 0..count−1, each the identity readout y = h of a 2-unit state. */
  private static ReadoutHeads identityHeads(int count) {
    ReadoutHeads heads = new ReadoutHeads(2, 2, DataType.DOUBLE, new SplittableRandom(1));
    heads.ensure(count - 1);
    for (int k = 0; k < count; k++) {
      heads.all().get(2 * k).value().assign(Nd4j.eye(2).castTo(DataType.DOUBLE));
      heads.all().get(2 * k + 1).value().assign(0);
    }
    return heads;
  }

  // T = 3, B = 4: y_0 = 0.5 + 0.1·t > 0 > y_1 = −0.3 − 0.1·b, so the argmax is always class 0
  private static final int T3 = 3;
  private static final int B4 = 4;

  private static INDArray handHidden() {
    INDArray h = Nd4j.zeros(DataType.DOUBLE, T3, B4, 2);
    for (int t = 0; t < T3; t++) {
      for (int b = 0; b < B4; b++) {
        h.putScalar(new long[] {t, b, 0}, 0.5 + 0.1 * t);
        h.putScalar(new long[] {t, b, 1}, -0.3 - 0.1 * b);
      }
    }
    return h;
  }

  /**
   * Steps 0 and 2 are scored for sequences 0, 1 and 3 (two runs of steps); step 1 and sequence 2
   * are never scored and every answer there is wrong. Wrong scored components: (t 2, b 1, c 1) and
   * (t 0, b 3, c 0). So sequence 0 is right throughout, 1 and 3 each miss once.
   */
  private static boolean wrong(int t, int b, int c) {
    return t == 1 || b == 2 || (t == 2 && b == 1 && c == 1) || (t == 0 && b == 3 && c == 0);
  }

  private static float[] handMask() {
    float[] mask = new float[T3 * B4];
    for (int t : new int[] {0, 2}) {
      for (int b : new int[] {0, 1, 3}) {
        mask[t * B4 + b] = 1;
      }
    }
    return mask;
  }

  /** Bits the identity outputs get right (σ(y) &gt; ½ iff y &gt; 0) except where {@link #wrong}. */
  private static Target handBits(int level, Accuracy accuracy) {
    INDArray h = handHidden();
    float[] bits = new float[T3 * B4 * 2];
    for (int t = 0; t < T3; t++) {
      for (int b = 0; b < B4; b++) {
        for (int c = 0; c < 2; c++) {
          boolean one = h.getDouble(t, b, c) > 0;
          bits[(t * B4 + b) * 2 + c] = one != wrong(t, b, c) ? 1 : 0;
        }
      }
    }
    return new Target(level, LossKind.MULTI_LABEL, 2, bits, handMask(), accuracy);
  }

  /** Values of ±0.7 whose sign the outputs match except where {@link #wrong}. */
  private static Target handSigns(int level, Accuracy accuracy) {
    INDArray h = handHidden();
    float[] values = new float[T3 * B4 * 2];
    for (int t = 0; t < T3; t++) {
      for (int b = 0; b < B4; b++) {
        for (int c = 0; c < 2; c++) {
          double sign = Math.signum(h.getDouble(t, b, c)) * (wrong(t, b, c) ? -1 : 1);
          values[(t * B4 + b) * 2 + c] = (float) (0.7 * sign);
        }
      }
    }
    return new Target(level, LossKind.REGRESSION, 2, values, handMask(), accuracy);
  }

  /** Labels: class 0 (the argmax) except at an entry with a wrong component. */
  private static Target handLabels(int level, Accuracy accuracy) {
    float[] labels = new float[T3 * B4];
    for (int t = 0; t < T3; t++) {
      for (int b = 0; b < B4; b++) {
        labels[t * B4 + b] = wrong(t, b, 0) || wrong(t, b, 1) ? 1 : 0;
      }
    }
    return new Target(level, LossKind.CLASSIFICATION, 2, labels, handMask(), accuracy);
  }

  @Test
  void wholeTrialAccuracyCountsSequencesAllOfWhoseScoredEntriesAreRight() {
    // every kind per entry and per trial, all in one stage: the six heads score the same steps,
    // so they are evaluated as one stacked group
    List<Target> targets =
        List.of(
            handBits(1, Accuracy.threshold()), handBits(2, Accuracy.threshold().wholeTrial()),
            handSigns(3, Accuracy.sign()), handSigns(4, Accuracy.sign().wholeTrial()),
            handLabels(5, Accuracy.argmax()), handLabels(6, Accuracy.argmax().wholeTrial()));
    Stage stage =
        Stage.of(
            new Assignment(1, 0),
            new Assignment(2, 1),
            new Assignment(3, 2),
            new Assignment(4, 3),
            new Assignment(5, 4),
            new Assignment(6, 5));
    Batch batch = new Batch(T3, B4, 1, new float[T3 * B4], targets);
    for (long limit : new long[] {0, Long.MAX_VALUE}) {
      ReadoutHeads identity = identityHeads(6);
      ReadoutHeads heads = new ReadoutHeads(2, 2, DataType.DOUBLE, new SplittableRandom(1), limit);
      heads.ensure(5);
      for (int i = 0; i < 12; i++) {
        heads.all().get(i).value().assign(identity.all().get(i).value());
      }
      for (INDArray dLdh : java.util.Arrays.asList(null, Nd4j.zeros(DataType.DOUBLE, T3, B4, 2))) {
        ReadoutHeads.Scores s = heads.evaluate(stage, batch, handHidden(), dLdh);
        String what = "limit " + limit + (dLdh == null ? "" : ", with gradients") + ": ";
        assertArrayEquals(new long[] {6, 6, 6, 6, 6, 6}, s.counts(), what + "scored entries");
        // per entry: 12 components (2 wrong), 12 components, 6 entries (2 wrong)
        // per trial: sequences 0, 1 and 3 judged, only 0 right
        assertArrayEquals(new long[] {12, 3, 12, 3, 6, 3}, s.judged(), what + "judged");
        assertArrayEquals(new long[] {10, 1, 10, 1, 4, 1}, s.correct(), what + "correct");
        assertArrayEquals(
            new double[] {10 / 12.0, 1 / 3.0, 10 / 12.0, 1 / 3.0, 4 / 6.0, 1 / 3.0},
            s.accuracy(),
            1e-15,
            what + "accuracy");
      }
    }
  }

  @Test
  void aTrialScoredAtOneStepOnlyIsRightWhenThatStepIsAndUnscoredTrialsAreNotJudged() {
    // only step 2 scored, sequences 0 and 1: sequence 1's component 1 is wrong there
    float[] mask = new float[T3 * B4];
    mask[2 * B4] = 1;
    mask[2 * B4 + 1] = 1;
    Target bits = handBits(1, Accuracy.threshold().wholeTrial());
    Target oneStep = new Target(1, LossKind.MULTI_LABEL, 2, bits.values(), mask, bits.accuracy());
    Target nothing =
        new Target(2, LossKind.MULTI_LABEL, 2, bits.values(), new float[T3 * B4], bits.accuracy());
    ReadoutHeads.Scores s =
        identityHeads(2)
            .evaluate(
                Stage.of(new Assignment(1, 0), new Assignment(2, 1)),
                new Batch(T3, B4, 1, new float[T3 * B4], List.of(oneStep, nothing)),
                handHidden(),
                null);
    assertEquals(2, s.judged()[0]);
    assertEquals(1, s.correct()[0]);
    assertEquals(0.5, s.accuracy()[0], 0.0);
    assertEquals(0, s.counts()[1]);
    assertTrue(Double.isNaN(s.accuracy()[1]), "nothing scored, nothing judged");
  }

  // ------------------------------------------------------------------ brute force

  private static final int H4 = 4;
  private static final int WIDTH3 = 3;

  /** Per kind and scope: the accuracies every target of the brute-force batches declares. */
  private static final List<Accuracy> RULES =
      List.of(
          Accuracy.argmax(),
          Accuracy.sign(),
          Accuracy.within(0.5),
          Accuracy.threshold(),
          Accuracy.argmax().wholeTrial(),
          Accuracy.sign().wholeTrial(),
          Accuracy.within(0.5).wholeTrial(),
          Accuracy.threshold().wholeTrial(),
          Accuracy.binarized(0.5),
          Accuracy.binarized(0.5).wholeTrial());

  private static LossKind kindOf(Accuracy accuracy) {
    return switch (accuracy.rule()) {
      case ARGMAX -> LossKind.CLASSIFICATION;
      case SIGN, WITHIN, BINARIZED -> LossKind.REGRESSION;
      case THRESHOLD -> LossKind.MULTI_LABEL;
    };
  }

  /** A target with a random mask (each entry scored with p ½, or with {@code p} given). */
  private static Target randomTarget(
      int level, Accuracy accuracy, int steps, int b, SplittableRandom rng, double p) {
    LossKind kind = kindOf(accuracy);
    float[] mask = new float[steps * b];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = rng.nextDouble() < p ? 1 : 0;
    }
    float[] values = new float[kind == LossKind.CLASSIFICATION ? steps * b : steps * b * WIDTH3];
    for (int i = 0; i < values.length; i++) {
      values[i] =
          switch (kind) {
            case CLASSIFICATION -> rng.nextInt(WIDTH3);
            // −1, 0, +1 for the binarized rule, whose reading of the output takes these values
            case REGRESSION ->
                accuracy.rule() == Accuracy.Rule.BINARIZED
                    ? rng.nextInt(3) - 1
                    : (float) rng.nextGaussian();
            case MULTI_LABEL -> rng.nextInt(2);
          };
    }
    return new Target(level, kind, WIDTH3, values, mask, accuracy);
  }

  /**
   * {@link ReadoutHeads#evaluate}'s correct and judged counts against brute force: logits y = W·h +
   * b by hand, each rule as its definition reads (σ computed, not the sign of y), and whole trials
   * by collecting each sequence's verdicts. Random sizes (one step, one sequence, sequences with
   * nothing scored, targets with nothing scored), both product paths.
   */
  @Test
  void countsMatchBruteForceForEveryRuleAndScopeOnRandomBatches() {
    int checkedTrials = 0;
    for (long seed = 0; seed < 40; seed++) {
      SplittableRandom rng = new SplittableRandom(seed);
      int steps = 1 + rng.nextInt(5);
      int b = 1 + rng.nextInt(6);
      double p = seed % 10 == 9 ? 0 : rng.nextDouble(); // every tenth batch scores nothing
      List<Target> targets = new java.util.ArrayList<>();
      Assignment[] assignments = new Assignment[RULES.size()];
      for (int a = 0; a < RULES.size(); a++) {
        targets.add(randomTarget(a + 1, RULES.get(a), steps, b, rng, p));
        assignments[a] = new Assignment(a + 1, a);
      }
      Stage stage = Stage.of(assignments);
      Batch batch = new Batch(steps, b, 1, new float[steps * b], targets);
      INDArray hidden = TestArrays.gaussian(rng, DataType.DOUBLE, 2.0, steps, b, H4);
      for (long limit : new long[] {0, Long.MAX_VALUE}) {
        ReadoutHeads heads =
            new ReadoutHeads(H4, WIDTH3, DataType.DOUBLE, new SplittableRandom(seed), limit);
        ReadoutHeads.Scores scores = heads.evaluate(stage, batch, hidden, null);
        for (int a = 0; a < RULES.size(); a++) {
          long[] expected = bruteForce(heads, a, targets.get(a), hidden, steps, b);
          String what = "seed " + seed + ", limit " + limit + ", " + RULES.get(a) + ": ";
          assertEquals(expected[0], scores.correct()[a], what + "correct");
          assertEquals(expected[1], scores.judged()[a], what + "judged");
          assertEquals(
              expected[1] == 0 ? Double.NaN : (double) expected[0] / expected[1],
              scores.accuracy()[a],
              0.0,
              what + "accuracy");
          if (RULES.get(a).scope() == Accuracy.Scope.TRIAL) {
            checkedTrials += expected[1];
          }
        }
      }
    }
    assertTrue(checkedTrials > 100, "fixture: many trials judged, " + checkedTrials);
  }

  /** {correct, judged} of target {@code a} on head {@code a}, by brute force. */
  private static long[] bruteForce(
      ReadoutHeads heads, int a, Target target, INDArray hidden, int steps, int b) {
    double[][] w = heads.all().get(2 * a).value().toDoubleMatrix();
    double[] bias = heads.all().get(2 * a + 1).value().toDoubleVector();
    Accuracy accuracy = target.accuracy();
    long correct = 0;
    long judged = 0;
    boolean[] scoredTrial = new boolean[b];
    boolean[] wrongTrial = new boolean[b];
    for (int t = 0; t < steps; t++) {
      for (int s = 0; s < b; s++) {
        if (!target.scored(t, s, b)) {
          continue;
        }
        double[] y = new double[WIDTH3];
        for (int c = 0; c < WIDTH3; c++) {
          y[c] = bias[c];
          for (int j = 0; j < H4; j++) {
            y[c] += w[c][j] * hidden.getDouble(t, s, j);
          }
        }
        boolean[] right;
        if (target.kind() == LossKind.CLASSIFICATION) {
          int argmax = 0;
          for (int c = 1; c < WIDTH3; c++) {
            argmax = y[c] > y[argmax] ? c : argmax;
          }
          right = new boolean[] {argmax == target.label(t, s, b)};
        } else {
          right = new boolean[WIDTH3];
          for (int c = 0; c < WIDTH3; c++) {
            double v = target.values()[(t * b + s) * WIDTH3 + c];
            right[c] =
                switch (accuracy.rule()) {
                  case SIGN -> y[c] > 0 == v > 0;
                  case WITHIN -> Math.abs(y[c] - v) <= accuracy.tolerance();
                  case BINARIZED -> {
                    double tol = accuracy.tolerance();
                    yield (y[c] > tol ? 1 : y[c] < -tol ? -1 : 0) == v;
                  }
                  case THRESHOLD -> 1 / (1 + Math.exp(-y[c])) > 0.5 == (v == 1);
                  case ARGMAX -> throw new AssertionError();
                };
          }
        }
        scoredTrial[s] = true;
        for (boolean r : right) {
          judged++;
          correct += r ? 1 : 0;
          wrongTrial[s] |= !r;
        }
      }
    }
    if (accuracy.scope() == Accuracy.Scope.ENTRY) {
      return new long[] {correct, judged};
    }
    long trials = 0;
    long rightTrials = 0;
    for (int s = 0; s < b; s++) {
      trials += scoredTrial[s] ? 1 : 0;
      rightTrials += scoredTrial[s] && !wrongTrial[s] ? 1 : 0;
    }
    return new long[] {rightTrials, trials};
  }
}
