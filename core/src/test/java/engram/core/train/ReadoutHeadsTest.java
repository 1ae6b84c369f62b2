package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Parameter;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.OutputActivation;
import engram.api.task.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Loss, accuracy and gradients of the readout heads, in float64, against hand computations and
 * central finite differences.
 */
class ReadoutHeadsTest {
  private static final int T = 5;
  private static final int B = 4;
  private static final int H = 6;
  private static final int CLASSES = 3;
  private static final double EPS = 1e-6;
  private static final double REL_TOL = 1e-6;

  /**
   * Three assignments with distinct heads; head 2 before head 1 so creation on demand is exercised.
   */
  private static final Stage STAGE =
      Stage.of(new Assignment(2, 0), new Assignment(3, 2), new Assignment(4, 1));

  // ------------------------------------------------------------------ fixtures

  private static INDArray randomHidden(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = new double[T * B * H];
    for (int i = 0; i < v.length; i++) {
      v[i] = 2 * rng.nextDouble() - 1;
    }
    return Nd4j.create(v, new long[] {T, B, H}, DataType.DOUBLE);
  }

  private static ReadoutHeads heads(int width, DataType type) {
    return new ReadoutHeads(H, width, type, new SplittableRandom(1234));
  }

  /** Classification target scored at the last step only. */
  private static Target lastStep(int level, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] labels = new float[T * B];
    float[] mask = new float[T * B];
    for (int b = 0; b < B; b++) {
      labels[(T - 1) * B + b] = rng.nextInt(CLASSES);
      mask[(T - 1) * B + b] = 1;
    }
    return new Target(level, LossKind.CLASSIFICATION, CLASSES, labels, mask);
  }

  /**
   * Classification target scored at several steps with some (t, b) entries left out; step 0 is
   * never scored, step 2 is scored for one sequence only.
   */
  private static Target severalSteps(int level, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] labels = new float[T * B];
    float[] mask = new float[T * B];
    for (int t = 1; t < T; t++) {
      for (int b = 0; b < B; b++) {
        labels[t * B + b] = rng.nextInt(CLASSES);
        boolean scored = t == 2 ? b == 1 : rng.nextDouble() < 0.7;
        mask[t * B + b] = scored ? 1 : 0;
      }
    }
    mask[(T - 1) * B] = 1; // at least one entry scored beyond step 2
    return new Target(level, LossKind.CLASSIFICATION, CLASSES, labels, mask);
  }

  private static Batch batch(Target... targets) {
    return new Batch(T, B, 1, new float[T * B], List.of(targets));
  }

  private static Batch lastStepBatch() {
    return batch(lastStep(2, 11), lastStep(3, 12), lastStep(4, 13));
  }

  private static Batch maskedBatch() {
    return batch(severalSteps(2, 21), severalSteps(3, 22), lastStep(4, 23));
  }

  private static double[][] matrix(INDArray a) {
    return a.toDoubleMatrix();
  }

  private static INDArray weight(ReadoutHeads heads, int head) {
    return find(heads.all(), ReadoutHeads.weightName(head));
  }

  private static INDArray bias(ReadoutHeads heads, int head) {
    return find(heads.all(), ReadoutHeads.biasName(head));
  }

  private static INDArray find(List<Parameter> parameters, String name) {
    return parameters.stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no tensor "
                        + name
                        + " in "
                        + parameters.stream().map(Parameter::name).toList()))
        .value();
  }

  private static double sum(double[] values) {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s;
  }

  private static double totalLoss(ReadoutHeads heads, Stage stage, Batch batch, INDArray hidden) {
    return sum(heads.evaluate(stage, batch, hidden, null).loss());
  }

  /** Hand computation: per target, mean over scored entries of cross-entropy of y = W·h + b. */
  private static double[] handCrossEntropy(
      ReadoutHeads heads, Stage stage, Batch batch, INDArray hidden) {
    double[] losses = new double[stage.assignments().size()];
    for (int a = 0; a < losses.length; a++) {
      int head = stage.assignments().get(a).head();
      double[][] w = matrix(weight(heads, head));
      double[] bias = bias(heads, head).toDoubleVector();
      Target target = batch.targets().get(a);
      double sum = 0;
      int n = 0;
      for (int t = 0; t < T; t++) {
        for (int b = 0; b < B; b++) {
          if (target.mask()[t * B + b] == 0) {
            continue;
          }
          double[] y = new double[CLASSES];
          double norm = 0;
          for (int c = 0; c < CLASSES; c++) {
            y[c] = bias[c];
            for (int j = 0; j < H; j++) {
              y[c] += w[c][j] * hidden.getDouble(t, b, j);
            }
            norm += Math.exp(y[c]);
          }
          int label = (int) target.values()[t * B + b];
          sum += -Math.log(Math.exp(y[label]) / norm);
          n++;
        }
      }
      losses[a] = sum / n;
    }
    return losses;
  }

  private static double centralDifference(INDArray array, long index, DoubleSupplier loss) {
    double original = array.getDouble(index);
    array.putScalar(index, original + EPS);
    double plus = loss.getAsDouble();
    array.putScalar(index, original - EPS);
    double minus = loss.getAsDouble();
    array.putScalar(index, original);
    return (plus - minus) / (2 * EPS);
  }

  /**
   * Compares an analytic gradient with central differences of {@code loss} w.r.t. {@code array}.
   */
  private static void assertGradient(
      String what, INDArray analytic, INDArray array, DoubleSupplier loss) {
    assertArrayEquals(array.shape(), analytic.shape(), what + ": shape");
    int checkedNonZero = 0;
    for (long i = 0; i < array.length(); i++) {
      double numeric = centralDifference(array, i, loss);
      double exact = analytic.getDouble(i);
      double scale = Math.max(1e-2, Math.max(Math.abs(numeric), Math.abs(exact)));
      assertTrue(
          Math.abs(numeric - exact) <= REL_TOL * scale,
          what + "[" + i + "]: analytic " + exact + ", finite differences " + numeric);
      if (Math.abs(numeric) > 1e-6) {
        checkedNonZero++;
      }
    }
    assertTrue(
        checkedNonZero > 0, what + ": every finite difference was zero, the check proves nothing");
  }

  private static INDArray randomLike(INDArray like, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] v = new double[(int) like.length()];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextDouble() * 10 - 5;
    }
    return Nd4j.create(v, like.shape(), DataType.DOUBLE);
  }

  // ------------------------------------------------------------------ loss

  @Test
  void lossAtTheLastStepIsTheSumOverTargetsOfTheMeanCrossEntropy() {
    checkLossAgainstHand(lastStepBatch(), new long[] {B, B, B});
  }

  @Test
  void lossOverSeveralMaskedStepsIsTheSumOverTargetsOfTheMeanCrossEntropy() {
    Batch batch = maskedBatch();
    long[] counts = new long[3];
    for (int a = 0; a < 3; a++) {
      for (float m : batch.targets().get(a).mask()) {
        counts[a] += m != 0 ? 1 : 0;
      }
    }
    assertTrue(counts[0] > B && counts[0] < (T - 1) * B, "fixture: several steps, some masked");
    checkLossAgainstHand(batch, counts);
  }

  private void checkLossAgainstHand(Batch batch, long[] counts) {
    INDArray hidden = randomHidden(5);
    ReadoutHeads heads = heads(CLASSES, DataType.DOUBLE);
    ReadoutHeads.Scores scores = heads.evaluate(STAGE, batch, hidden, null);
    assertEquals(3, heads.count(), "heads 0..2 created on demand");
    double[] expected = handCrossEntropy(heads, STAGE, batch, hidden);
    assertArrayEquals(expected, scores.loss(), 1e-12);
    assertArrayEquals(counts, scores.counts());
    // and the same loss when gradients are requested
    ReadoutHeads.Scores withGradient =
        heads.evaluate(STAGE, batch, hidden, Nd4j.zeros(DataType.DOUBLE, T, B, H));
    assertArrayEquals(expected, withGradient.loss(), 1e-12);
  }

  // ------------------------------------------------------------------ gradients

  @Test
  void gradientsMatchFiniteDifferencesAtTheLastStep() {
    checkGradients(lastStepBatch());
  }

  @Test
  void gradientsMatchFiniteDifferencesOverSeveralMaskedSteps() {
    checkGradients(maskedBatch());
  }

  private void checkGradients(Batch batch) {
    INDArray hidden = randomHidden(6);
    ReadoutHeads heads = heads(CLASSES, DataType.DOUBLE);
    INDArray prefilled = randomLike(hidden, 99);
    INDArray dLdh = prefilled.dup();
    heads.evaluate(STAGE, batch, hidden, dLdh);
    List<Parameter> params = new ArrayList<>();
    List<INDArray> grads = new ArrayList<>();
    heads.collect(STAGE, params, grads);
    List<INDArray> gradCopies = grads.stream().map(INDArray::dup).toList();

    DoubleSupplier loss = () -> totalLoss(heads, STAGE, batch, hidden);
    // dL/dh was added to the pre-filled buffer
    assertGradient("dL/dh", dLdh.sub(prefilled), hidden, loss);
    assertEquals(2 * STAGE.assignments().size(), params.size());
    for (int i = 0; i < params.size(); i++) {
      assertGradient(params.get(i).name(), gradCopies.get(i), params.get(i).value(), loss);
    }
  }

  @Test
  void unscoredStepsLeaveTheBufferUntouched() {
    Batch batch = maskedBatch(); // step 0 is never scored
    INDArray hidden = randomHidden(7);
    INDArray prefilled = randomLike(hidden, 5);
    INDArray dLdh = prefilled.dup();
    heads(CLASSES, DataType.DOUBLE).evaluate(STAGE, batch, hidden, dLdh);
    assertEquals(prefilled.slice(0), dLdh.slice(0));
    // step 2 is scored for sequence 1 only (targets 0 and 1), never for sequence 0
    assertEquals(prefilled.slice(2).getRow(0), dLdh.slice(2).getRow(0));
    assertTrue(!prefilled.slice(2).getRow(1).equals(dLdh.slice(2).getRow(1)));
  }

  @Test
  void headGradientsAreOverwrittenNotAccumulated() {
    INDArray hidden = randomHidden(8);
    Batch first = maskedBatch();
    Batch second = lastStepBatch();

    ReadoutHeads reference = heads(CLASSES, DataType.DOUBLE);
    reference.evaluate(STAGE, second, hidden, Nd4j.zeros(DataType.DOUBLE, T, B, H));
    List<INDArray> expected = new ArrayList<>();
    reference.collect(STAGE, new ArrayList<>(), expected);

    ReadoutHeads heads = heads(CLASSES, DataType.DOUBLE);
    heads.evaluate(STAGE, first, randomHidden(9), Nd4j.zeros(DataType.DOUBLE, T, B, H));
    heads.evaluate(STAGE, second, hidden, Nd4j.zeros(DataType.DOUBLE, T, B, H));
    heads.evaluate(STAGE, second, hidden, Nd4j.zeros(DataType.DOUBLE, T, B, H));
    List<Parameter> params = new ArrayList<>();
    List<INDArray> actual = new ArrayList<>();
    heads.collect(STAGE, params, actual);

    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertTrue(
          expected.get(i).equalsWithEps(actual.get(i), 1e-14),
          params.get(i).name() + ": expected " + expected.get(i) + " but was " + actual.get(i));
    }
  }

  @Test
  void addsIntoAViewOfALargerBufferAsTheTrainerPasses() {
    Batch batch = maskedBatch();
    INDArray hidden = randomHidden(10);
    INDArray plain = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    heads(CLASSES, DataType.DOUBLE).evaluate(STAGE, batch, hidden, plain);

    INDArray buffer = randomLike(Nd4j.zeros(DataType.DOUBLE, T + 3, B, H), 3);
    INDArray before = buffer.dup();
    INDArray view = buffer.get(NDArrayIndex.interval(0, T), NDArrayIndex.all(), NDArrayIndex.all());
    view.assign(0);
    heads(CLASSES, DataType.DOUBLE).evaluate(STAGE, batch, hidden, view);

    assertTrue(plain.equalsWithEps(view, 1e-14), "gradient written into the view");
    INDArray tailBefore =
        before.get(NDArrayIndex.interval(T, T + 3), NDArrayIndex.all(), NDArrayIndex.all());
    INDArray tailAfter =
        buffer.get(NDArrayIndex.interval(T, T + 3), NDArrayIndex.all(), NDArrayIndex.all());
    assertEquals(tailBefore, tailAfter, "rows of the buffer beyond T are untouched");
  }

  @Test
  void float32AgreesWithFloat64() {
    Batch batch = maskedBatch();
    INDArray hidden = randomHidden(12);
    ReadoutHeads doubles = heads(CLASSES, DataType.DOUBLE);
    INDArray dDouble = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    double lossDouble = sum(doubles.evaluate(STAGE, batch, hidden, dDouble).loss());

    ReadoutHeads floats = heads(CLASSES, DataType.FLOAT);
    INDArray dFloat = Nd4j.ones(DataType.FLOAT, T, B, H); // pre-filled with 1
    double lossFloat =
        sum(floats.evaluate(STAGE, batch, hidden.castTo(DataType.FLOAT), dFloat).loss());

    assertEquals(lossDouble, lossFloat, 1e-5);
    assertTrue(dDouble.add(1.0).equalsWithEps(dFloat.castTo(DataType.DOUBLE), 1e-5));
    List<INDArray> gDouble = new ArrayList<>();
    List<INDArray> gFloat = new ArrayList<>();
    doubles.collect(STAGE, new ArrayList<>(), gDouble);
    floats.collect(STAGE, new ArrayList<>(), gFloat);
    for (int i = 0; i < gDouble.size(); i++) {
      assertEquals(DataType.FLOAT, gFloat.get(i).dataType());
      assertTrue(gDouble.get(i).equalsWithEps(gFloat.get(i).castTo(DataType.DOUBLE), 1e-5));
    }
  }

  // ------------------------------------------------------------------ regression

  @Test
  void regressionLossIsTheMeanSquaredErrorAndItsGradientsMatchFiniteDifferences() {
    int width = 2;
    SplittableRandom rng = new SplittableRandom(77);
    float[] values = new float[T * B * width];
    float[] mask = new float[T * B];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    for (int i = B; i < T * B; i++) {
      mask[i] = rng.nextDouble() < 0.6 ? 1 : 0; // step 0 unscored, some others too
    }
    mask[B] = 1;
    Target target = new Target(3, LossKind.REGRESSION, width, values, mask);
    Batch batch = batch(target);
    Stage stage = Stage.of(new Assignment(3, 1));
    INDArray hidden = randomHidden(13);
    ReadoutHeads heads = heads(width, DataType.DOUBLE);

    ReadoutHeads.Scores scores = heads.evaluate(stage, batch, hidden, null);
    double[][] w = matrix(weight(heads, 1));
    double[] bias = bias(heads, 1).toDoubleVector();
    double sq = 0;
    int n = 0;
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        if (mask[t * B + b] == 0) {
          continue;
        }
        n++;
        for (int c = 0; c < width; c++) {
          double y = bias[c];
          for (int j = 0; j < H; j++) {
            y += w[c][j] * hidden.getDouble(t, b, j);
          }
          double diff = y - values[(t * B + b) * width + c];
          sq += diff * diff;
        }
      }
    }
    assertEquals(sq / (n * width), scores.loss()[0], 1e-12, "mean over entries and components");
    assertEquals(n, scores.counts()[0]);

    INDArray prefilled = randomLike(hidden, 4);
    INDArray dLdh = prefilled.dup();
    heads.evaluate(stage, batch, hidden, dLdh);
    List<Parameter> params = new ArrayList<>();
    List<INDArray> grads = new ArrayList<>();
    heads.collect(stage, params, grads);
    List<INDArray> gradCopies = grads.stream().map(INDArray::dup).toList();
    DoubleSupplier loss = () -> totalLoss(heads, stage, batch, hidden);
    assertGradient("dL/dh", dLdh.sub(prefilled), hidden, loss);
    for (int i = 0; i < params.size(); i++) {
      assertGradient(params.get(i).name(), gradCopies.get(i), params.get(i).value(), loss);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = OutputActivation.class,
      names = {"TANH", "SIGMOID"})
  void regressionThroughAnOutputActivationIsTheMseOfItsOutputsWithGradientsByFiniteDifferences(
      OutputActivation activation) {
    int width = 2;
    SplittableRandom rng = new SplittableRandom(78);
    float[] values = new float[T * B * width];
    float[] mask = new float[T * B];
    for (int i = 0; i < values.length; i++) {
      values[i] = rng.nextInt(3) - 1; // −1, 0, +1 as in delayed-cue (a sigmoid never reaches −1)
    }
    for (int i = B; i < T * B; i++) {
      mask[i] = rng.nextDouble() < 0.6 ? 1 : 0;
    }
    mask[B] = 1;
    Target target =
        new Target(
            3, LossKind.REGRESSION, width, values, mask, Accuracy.binarized(0.33), activation);
    Batch batch = batch(target);
    Stage stage = Stage.of(new Assignment(3, 1));
    INDArray hidden = randomHidden(14).muli(0.3); // outputs away from saturation
    ReadoutHeads heads = heads(width, DataType.DOUBLE);

    ReadoutHeads.Scores scores = heads.evaluate(stage, batch, hidden, null);
    double[][] w = matrix(weight(heads, 1));
    double[] bias = bias(heads, 1).toDoubleVector();
    double sq = 0;
    long right = 0;
    int n = 0;
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        if (mask[t * B + b] == 0) {
          continue;
        }
        n++;
        for (int c = 0; c < width; c++) {
          double y = bias[c];
          for (int j = 0; j < H; j++) {
            y += w[c][j] * hidden.getDouble(t, b, j);
          }
          double o = activation == OutputActivation.TANH ? Math.tanh(y) : 1 / (1 + Math.exp(-y));
          double value = values[(t * B + b) * width + c];
          sq += (o - value) * (o - value);
          double read = o > 0.33 ? 1 : o < -0.33 ? -1 : 0;
          right += read == value ? 1 : 0;
        }
      }
    }
    assertEquals(sq / (n * width), scores.loss()[0], 1e-12, "MSE of the activated outputs");
    assertEquals(right, scores.correct()[0], "binarized accuracy reads the activated outputs");
    assertEquals((long) n * width, scores.judged()[0]);

    INDArray dLdh = Nd4j.zeros(DataType.DOUBLE, hidden.shape());
    heads.evaluate(stage, batch, hidden, dLdh);
    List<Parameter> params = new ArrayList<>();
    List<INDArray> grads = new ArrayList<>();
    heads.collect(stage, params, grads);
    List<INDArray> gradCopies = grads.stream().map(INDArray::dup).toList();
    DoubleSupplier loss = () -> totalLoss(heads, stage, batch, hidden);
    assertGradient("dL/dh", dLdh, hidden, loss);
    for (int i = 0; i < params.size(); i++) {
      assertGradient(params.get(i).name(), gradCopies.get(i), params.get(i).value(), loss);
    }
  }

  // ------------------------------------------------------------------ multi-label

  /**
   * A multi-label target of {@code width} bits: steps 1, 2 and 4 scored for some sequences (step 0
   * and 3 never), random bits; unscored entries hold values that are not bits (they mean nothing).
   */
  private static Target multiLabel(int level, int width, long seed, Accuracy accuracy) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] bits = new float[T * B * width];
    float[] mask = new float[T * B];
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        boolean scored = (t == 1 || t == 2 || t == 4) && (b == 0 || rng.nextDouble() < 0.7);
        mask[t * B + b] = scored ? 1 : 0;
        for (int c = 0; c < width; c++) {
          bits[(t * B + b) * width + c] = scored ? rng.nextInt(2) : 3.5f;
        }
      }
    }
    return new Target(level, LossKind.MULTI_LABEL, width, bits, mask, accuracy);
  }

  /** Logits y = W·h + b of one head at every (t, b), by hand: {@code [T·B][width]}. */
  private static double[][] handLogits(ReadoutHeads heads, int head, INDArray hidden) {
    double[][] w = matrix(weight(heads, head));
    double[] bias = bias(heads, head).toDoubleVector();
    double[][] logits = new double[T * B][bias.length];
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        for (int c = 0; c < bias.length; c++) {
          double y = bias[c];
          for (int j = 0; j < H; j++) {
            y += w[c][j] * hidden.getDouble(t, b, j);
          }
          logits[t * B + b][c] = y;
        }
      }
    }
    return logits;
  }

  @Test
  void multiLabelLossIsTheMeanBinaryCrossEntropyAndItsGradientsMatchFiniteDifferences() {
    int width = 3;
    Target bitsTarget = multiLabel(3, width, 31, Accuracy.threshold());
    Target classes = severalSteps(4, 32); // a softmax head next to it, grouped apart
    Batch batch = batch(bitsTarget, classes);
    Stage stage = Stage.of(new Assignment(3, 1), new Assignment(4, 0));
    INDArray hidden = randomHidden(14).muli(3); // logits of a few units: σ far from ½ too
    ReadoutHeads heads = heads(width, DataType.DOUBLE);

    ReadoutHeads.Scores scores = heads.evaluate(stage, batch, hidden, null);
    double[][] y = handLogits(heads, 1, hidden);
    double sum = 0;
    int n = 0;
    for (int i = 0; i < T * B; i++) {
      if (bitsTarget.mask()[i] == 0) {
        continue;
      }
      n++;
      for (int c = 0; c < width; c++) {
        double p = 1 / (1 + Math.exp(-y[i][c])); // textbook form: fine for these logits
        double bit = bitsTarget.values()[i * width + c];
        sum += -(bit * Math.log(p) + (1 - bit) * Math.log(1 - p));
      }
    }
    assertTrue(n > 2 * B, "fixture: several scored steps");
    assertEquals(sum / (n * width), scores.loss()[0], 1e-12, "mean over entries and components");
    assertEquals(n, scores.counts()[0]);
    assertEquals(n * width, scores.judged()[0]);

    INDArray prefilled = randomLike(hidden, 8);
    INDArray dLdh = prefilled.dup();
    heads.evaluate(stage, batch, hidden, dLdh);
    List<Parameter> params = new ArrayList<>();
    List<INDArray> grads = new ArrayList<>();
    heads.collect(stage, params, grads);
    List<INDArray> gradCopies = grads.stream().map(INDArray::dup).toList();
    DoubleSupplier loss = () -> totalLoss(heads, stage, batch, hidden);
    assertGradient("dL/dh", dLdh.sub(prefilled), hidden, loss);
    assertEquals(4, params.size());
    for (int i = 0; i < params.size(); i++) {
      assertGradient(params.get(i).name(), gradCopies.get(i), params.get(i).value(), loss);
    }
  }

  /**
   * Logits of ±800 overflow e<sup>−y</sup> and the textbook log σ(y); the loss is then |y| per
   * wrong component and 0 per right one, and dY = (σ(y) − t)/(width · scored) is exactly ±1 or 0
   * over (width · scored).
   */
  @Test
  void multiLabelLossAndGradientStayFiniteForHugeLogits() {
    int width = 2;
    ReadoutHeads heads = heads(width, DataType.DOUBLE);
    heads.ensure(0);
    INDArray w = weight(heads, 0).assign(0);
    w.putScalar(new long[] {0, 0}, 1.0); // y_0 = h_0
    w.putScalar(new long[] {1, 1}, 1.0); // y_1 = h_1
    bias(heads, 0).assign(0);
    INDArray hidden = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    float[] bits = new float[T * B * width];
    float[] mask = new float[T * B];
    // last step, B = 4 sequences: (800, −800) against bits (1, 0) right, (1, 1) half wrong, ...
    double[][] logits = {{800, -800}, {800, -800}, {-800, 800}, {-800, -800}};
    float[][] targets = {{1, 0}, {1, 1}, {1, 0}, {0, 0}};
    for (int b = 0; b < B; b++) {
      int entry = (T - 1) * B + b;
      mask[entry] = 1;
      for (int c = 0; c < width; c++) {
        hidden.putScalar(new long[] {T - 1, b, c}, logits[b][c]);
        bits[entry * width + c] = targets[b][c];
      }
    }
    Batch batch = batch(new Target(2, LossKind.MULTI_LABEL, width, bits, mask));
    Stage stage = Stage.of(new Assignment(2, 0));
    INDArray dLdh = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    ReadoutHeads.Scores scores = heads.evaluate(stage, batch, hidden, dLdh);

    // wrong components: (b1, c1), (b2, c0), (b2, c1): 3 · 800 over 4 entries · 2 components
    assertEquals(3 * 800.0 / (B * width), scores.loss()[0], 1e-9);
    assertEquals(5, scores.correct()[0]);
    assertEquals(8, scores.judged()[0]);
    double unit = 1.0 / (width * B);
    // dL/db_c = Σ_b dY: component 0 has one logit too small (−1); component 1 one too small and
    // one too large, which cancel
    assertArrayEquals(new double[] {-unit, 0}, biasGradient(heads, stage), 1e-15);
    for (int b = 0; b < B; b++) {
      for (int c = 0; c < width; c++) {
        double expected =
            logits[b][c] > 0 == (targets[b][c] == 1) ? 0 : (logits[b][c] > 0 ? unit : -unit);
        assertEquals(expected, dLdh.getDouble(T - 1, b, c), 1e-15, "dL/dh b=" + b + " c=" + c);
      }
    }
  }

  private static double[] biasGradient(ReadoutHeads heads, Stage stage) {
    List<Parameter> params = new ArrayList<>();
    List<INDArray> grads = new ArrayList<>();
    heads.collect(stage, params, grads);
    return grads.get(1).toDoubleVector(); // weight, bias
  }

  /** The loss and its gradients do not depend on how accuracy is counted. */
  @Test
  void wholeTrialAccuracyChangesNeitherLossNorGradients() {
    int width = 3;
    INDArray hidden = randomHidden(15).muli(3);
    for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT)) {
      List<double[]> results = new ArrayList<>();
      for (Accuracy accuracy : List.of(Accuracy.threshold(), Accuracy.threshold().wholeTrial())) {
        Batch batch = batch(multiLabel(3, width, 33, accuracy));
        Stage stage = Stage.of(new Assignment(3, 0));
        ReadoutHeads heads = heads(width, type);
        INDArray dLdh = Nd4j.zeros(type, T, B, H);
        double loss = heads.evaluate(stage, batch, hidden.castTo(type), dLdh).loss()[0];
        List<INDArray> grads = new ArrayList<>();
        heads.collect(stage, new ArrayList<>(), grads);
        double[] all =
            Nd4j.concat(0, dLdh.reshape(-1), grads.get(0).reshape(-1), grads.get(1).reshape(-1))
                .castTo(DataType.DOUBLE)
                .toDoubleVector();
        double[] withLoss = java.util.Arrays.copyOf(all, all.length + 1);
        withLoss[all.length] = loss;
        results.add(withLoss);
      }
      assertArrayEquals(results.get(0), results.get(1), 0.0, type + ": bit for bit");
    }
  }

  @Test
  void multiLabelFloat32AgreesWithFloat64() {
    int width = 3;
    Batch batch = batch(multiLabel(3, width, 34, Accuracy.threshold()));
    Stage stage = Stage.of(new Assignment(3, 0));
    INDArray hidden = randomHidden(16);
    ReadoutHeads doubles = heads(width, DataType.DOUBLE);
    INDArray dDouble = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    double lossDouble = doubles.evaluate(stage, batch, hidden, dDouble).loss()[0];
    ReadoutHeads floats = heads(width, DataType.FLOAT);
    INDArray dFloat = Nd4j.zeros(DataType.FLOAT, T, B, H);
    double lossFloat =
        floats.evaluate(stage, batch, hidden.castTo(DataType.FLOAT), dFloat).loss()[0];
    assertEquals(lossDouble, lossFloat, 1e-6);
    assertTrue(dDouble.equalsWithEps(dFloat.castTo(DataType.DOUBLE), 1e-6));
    assertTrue(dDouble.amaxNumber().doubleValue() > 1e-3, "fixture: a gradient to compare");
  }

  // ------------------------------------------------------------------ accuracy

  @Test
  void accuracyCountsScoredEntriesWhoseArgmaxIsTheLabel() {
    ReadoutHeads heads = heads(CLASSES, DataType.DOUBLE);
    Stage stage = Stage.of(new Assignment(2, 0), new Assignment(3, 1));
    heads.ensure(1);
    for (int head = 0; head < 2; head++) {
      INDArray w = weight(heads, head);
      w.assign(0);
      for (int c = 0; c < CLASSES; c++) {
        w.putScalar(new long[] {c, c}, 1.0); // logit c = hidden unit c
      }
      bias(heads, head).assign(0);
    }
    // argmax of entry (t, b) is (t + b) % 3
    INDArray hidden = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        hidden.putScalar(new long[] {t, b, (t + b) % CLASSES}, 2.0);
        hidden.putScalar(new long[] {t, b, (t + b + 1) % CLASSES}, 1.0);
        hidden.putScalar(new long[] {t, b, 3}, 50.0); // not read by the heads
      }
    }
    // target 0: last step only; labels right for b = 0, 1, 2 and wrong for b = 3 → 3/4
    float[] labels0 = new float[T * B];
    float[] mask0 = new float[T * B];
    for (int b = 0; b < B; b++) {
      int argmax = (T - 1 + b) % CLASSES;
      labels0[(T - 1) * B + b] = b < 3 ? argmax : (argmax + 1) % CLASSES;
      mask0[(T - 1) * B + b] = 1;
    }
    // target 1: steps 1 and 3 scored for all b; right at step 1, right at step 3 only for b = 0;
    // step 2 unscored and wrong everywhere (must not count) → (4 + 1) / 8
    float[] labels1 = new float[T * B];
    float[] mask1 = new float[T * B];
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        int argmax = (t + b) % CLASSES;
        boolean right = t == 1 || (t == 3 && b == 0);
        labels1[t * B + b] = right ? argmax : (argmax + 2) % CLASSES;
        mask1[t * B + b] = t == 1 || t == 3 ? 1 : 0;
      }
    }
    Batch batch =
        batch(
            new Target(2, LossKind.CLASSIFICATION, CLASSES, labels0, mask0),
            new Target(3, LossKind.CLASSIFICATION, CLASSES, labels1, mask1));

    ReadoutHeads.Scores scores = heads.evaluate(stage, batch, hidden, null);
    assertArrayEquals(new long[] {4, 8}, scores.counts());
    assertArrayEquals(new long[] {3, 5}, scores.correct());
    assertArrayEquals(new double[] {0.75, 5.0 / 8}, scores.accuracy(), 0.0);
    // and with gradients requested the accuracy is the same
    assertArrayEquals(
        new double[] {0.75, 5.0 / 8},
        heads.evaluate(stage, batch, hidden, Nd4j.zeros(DataType.DOUBLE, T, B, H)).accuracy(),
        0.0);
  }

  // ------------------------------------------------------------------ creation

  @Test
  void headsAreCreatedInIndexOrderLikePyTorchLinear() {
    ReadoutHeads heads = heads(CLASSES, DataType.DOUBLE);
    assertEquals(0, heads.count());
    heads.ensure(2);
    assertEquals(3, heads.count());
    heads.ensure(1);
    assertEquals(3, heads.count(), "ensure never removes or recreates heads");
    List<String> names = heads.all().stream().map(Parameter::name).toList();
    assertEquals(
        List.of("head_0_w", "head_0_b", "head_1_w", "head_1_b", "head_2_w", "head_2_b"), names);
    double bound = 1 / Math.sqrt(H);
    for (Parameter p : heads.all()) {
      assertTrue(p.trainable());
      assertEquals(DataType.DOUBLE, p.value().dataType());
      assertArrayEquals(
          p.name().endsWith("_w") ? new long[] {CLASSES, H} : new long[] {CLASSES},
          p.value().shape(),
          p.name());
      assertTrue(
          p.value().amaxNumber().doubleValue() <= bound,
          p.name() + " within U(-1/sqrt(H), 1/sqrt(H))");
    }
    // creating heads 0..2 at once or one by one draws the same values
    ReadoutHeads oneByOne = heads(CLASSES, DataType.DOUBLE);
    oneByOne.ensure(0);
    oneByOne.ensure(1);
    oneByOne.ensure(2);
    for (int i = 0; i < 6; i++) {
      assertEquals(heads.all().get(i).value(), oneByOne.all().get(i).value());
    }
  }
}
