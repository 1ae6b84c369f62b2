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
import engram.api.task.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link ReadoutHeads#evaluate} (heads stacked, three products per run of scored steps, as gemms or
 * as Java loops) against the implementation it replaced (one head and one step at a time), on
 * random data: several heads with the same and with different scored steps, classification,
 * regression and multi-label, accuracy per entry and per whole trial, masks scoring several runs of
 * steps and only some sequences, a target scoring nothing; float64 and float32; hidden states and
 * dL/dh as plain arrays, views at an offset, and strided views.
 */
class ReadoutHeadsStackedTest {
  private static final int T = 7;
  private static final int B = 5;
  private static final int H = 9;
  private static final int WIDTH = 3;

  /**
   * The replaced implementation, verbatim but for reading the heads through {@code all()} and
   * writing gradients into the returned map: per head, per scored step, a gemm for the logits, the
   * loss in Java, then gemms adding dL/dh and the weight gradient. Added since: multi-label targets
   * (the textbook binary cross-entropy, fine for the moderate logits here) and whole-trial accuracy
   * (each sequence's verdicts collected, counted at the end).
   */
  private static ReadoutHeads.Scores reference(
      ReadoutHeads heads,
      DataType dataType,
      Stage stage,
      Batch batch,
      INDArray hidden,
      INDArray dLdh,
      Map<String, INDArray> grads) {
    Map<String, INDArray> tensors =
        heads.all().stream().collect(Collectors.toMap(Parameter::name, Parameter::value));
    List<Assignment> assignments = stage.assignments();
    int n = assignments.size();
    double[] loss = new double[n];
    double[] accuracy = new double[n];
    long[] counts = new long[n];
    long[] correct = new long[n];
    long[] judged = new long[n];
    int steps = batch.steps();
    int b = batch.batch();
    int width = WIDTH;
    for (int a = 0; a < n; a++) {
      int head = assignments.get(a).head();
      Target target = batch.targets().get(a);
      INDArray w = tensors.get(ReadoutHeads.weightName(head));
      INDArray bias = tensors.get(ReadoutHeads.biasName(head));
      INDArray weightGrad = Nd4j.zeros(dataType, width, H);
      INDArray biasGradArray = Nd4j.zeros(dataType, width);
      grads.put(ReadoutHeads.weightName(head), weightGrad);
      grads.put(ReadoutHeads.biasName(head), biasGradArray);
      long scored = 0;
      for (int t = 0; t < steps; t++) {
        for (int s = 0; s < b; s++) {
          if (target.scored(t, s, b)) {
            scored++;
          }
        }
      }
      counts[a] = scored;
      if (scored == 0) {
        loss[a] = Double.NaN;
        accuracy[a] = Double.NaN;
        continue;
      }
      double sumLoss = 0;
      long hits = 0;
      boolean[] scoredTrial = new boolean[b];
      boolean[] wrongTrial = new boolean[b];
      double[] biasGrad = new double[width];
      for (int t = 0; t < steps; t++) {
        boolean any = false;
        for (int s = 0; s < b; s++) {
          any |= target.scored(t, s, b);
        }
        if (!any) {
          continue;
        }
        INDArray ht = hidden.slice(t);
        INDArray out = Nd4j.gemm(ht, w, false, true).addiRowVector(bias);
        double[] y = out.data().asDouble();
        double[] dy = dLdh == null ? null : new double[b * width];
        for (int s = 0; s < b; s++) {
          if (!target.scored(t, s, b)) {
            continue;
          }
          int row = s * width;
          scoredTrial[s] = true;
          if (target.kind() == LossKind.CLASSIFICATION) {
            int label = target.label(t, s, b);
            double max = Double.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int c = 0; c < width; c++) {
              if (y[row + c] > max) {
                max = y[row + c];
                argmax = c;
              }
            }
            double z = 0;
            for (int c = 0; c < width; c++) {
              z += Math.exp(y[row + c] - max);
            }
            double logZ = max + Math.log(z);
            sumLoss += logZ - y[row + label];
            if (argmax == label) {
              hits++;
            } else {
              wrongTrial[s] = true;
            }
            if (dy != null) {
              for (int c = 0; c < width; c++) {
                double p = Math.exp(y[row + c] - logZ);
                dy[row + c] = (p - (c == label ? 1 : 0)) / scored;
              }
            }
          } else if (target.kind() == LossKind.MULTI_LABEL) {
            int base = (t * b + s) * width;
            for (int c = 0; c < width; c++) {
              double bit = target.values()[base + c];
              double p = 1 / (1 + Math.exp(-y[row + c]));
              sumLoss += -(bit * Math.log(p) + (1 - bit) * Math.log(1 - p)) / width;
              if ((p > 0.5) == (bit == 1)) {
                hits++;
              } else {
                wrongTrial[s] = true;
              }
              if (dy != null) {
                dy[row + c] = (p - bit) / width / scored;
              }
            }
          } else {
            int base = (t * b + s) * width;
            for (int c = 0; c < width; c++) {
              double diff = y[row + c] - target.values()[base + c];
              sumLoss += diff * diff / width;
              if (target.accuracy().correct(y[row + c], target.values()[base + c])) {
                hits++;
              } else {
                wrongTrial[s] = true;
              }
              if (dy != null) {
                dy[row + c] = 2 * diff / width / scored;
              }
            }
          }
        }
        if (dy != null) {
          INDArray dOut = Nd4j.create(dy, new long[] {b, width}, DataType.DOUBLE).castTo(dataType);
          Nd4j.gemm(dOut, w, dLdh.slice(t), false, false, 1.0, 1.0);
          Nd4j.gemm(dOut, ht, weightGrad, true, false, 1.0, 1.0);
          for (int s = 0; s < b; s++) {
            for (int c = 0; c < width; c++) {
              biasGrad[c] += dy[s * width + c];
            }
          }
        }
      }
      if (dLdh != null) {
        biasGradArray.addi(
            Nd4j.create(biasGrad, new long[] {width}, DataType.DOUBLE).castTo(dataType));
      }
      loss[a] = sumLoss / scored;
      if (target.accuracy().scope() == Accuracy.Scope.TRIAL) {
        for (int s = 0; s < b; s++) {
          judged[a] += scoredTrial[s] ? 1 : 0;
          correct[a] += scoredTrial[s] && !wrongTrial[s] ? 1 : 0;
        }
      } else {
        correct[a] = hits;
        judged[a] = target.kind() == LossKind.CLASSIFICATION ? scored : scored * width;
      }
      accuracy[a] = (double) correct[a] / judged[a];
    }
    return new ReadoutHeads.Scores(loss, accuracy, counts, correct, judged);
  }

  // ------------------------------------------------------------------ fixtures

  /** A classification target scoring, at the steps in {@code steps}, each sequence with p 0.8. */
  private static Target classification(int level, SplittableRandom rng, int... steps) {
    return classification(level, Accuracy.argmax(), rng, steps);
  }

  private static Target classification(
      int level, Accuracy accuracy, SplittableRandom rng, int... steps) {
    float[] labels = new float[T * B];
    float[] mask = new float[T * B];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rng.nextInt(WIDTH);
    }
    for (int t : steps) {
      for (int s = 0; s < B; s++) {
        mask[t * B + s] = s == 0 || rng.nextDouble() < 0.8 ? 1 : 0;
      }
    }
    return new Target(level, LossKind.CLASSIFICATION, WIDTH, labels, mask, accuracy);
  }

  /** A regression target at {@code steps}, every sequence scored, mask value 0.5 (non-zero). */
  private static Target regression(int level, SplittableRandom rng, int... steps) {
    return regression(level, Accuracy.within(0.5), rng, steps);
  }

  private static Target regression(
      int level, Accuracy accuracy, SplittableRandom rng, int... steps) {
    float[] values = new float[T * B * WIDTH];
    float[] mask = new float[T * B];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rng.nextGaussian();
    }
    for (int t : steps) {
      for (int s = 0; s < B; s++) {
        mask[t * B + s] = 0.5f;
      }
    }
    return new Target(level, LossKind.REGRESSION, WIDTH, values, mask, accuracy);
  }

  /**
   * A multi-label target of random bits at {@code steps}, each sequence scored with p 0.8 (always
   * sequence 0); unscored entries hold values that are no bits.
   */
  private static Target multiLabel(
      int level, Accuracy accuracy, SplittableRandom rng, int... steps) {
    float[] bits = new float[T * B * WIDTH];
    java.util.Arrays.fill(bits, -2f);
    float[] mask = new float[T * B];
    for (int t : steps) {
      for (int s = 0; s < B; s++) {
        if (s == 0 || rng.nextDouble() < 0.8) {
          mask[t * B + s] = 1;
          for (int c = 0; c < WIDTH; c++) {
            bits[(t * B + s) * WIDTH + c] = rng.nextInt(2);
          }
        }
      }
    }
    return new Target(level, LossKind.MULTI_LABEL, WIDTH, bits, mask, accuracy);
  }

  /**
   * Twelve targets on heads in no particular order: four scoring only the last step (one group, one
   * of them regression counted per trial), three scoring steps 1, 2, 4, 5 (two runs; another group,
   * one counted per trial), a classification and a multi-label target counted per trial at every
   * step, a regression and a multi-label target at steps 2 and 3, one scoring nothing.
   */
  private static Batch batch(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Target> targets = new ArrayList<>();
    targets.add(classification(2, rng, T - 1));
    targets.add(classification(3, rng, 1, 2, 4, 5));
    targets.add(classification(4, rng, T - 1));
    targets.add(classification(5, rng, 0, 1, 2, 3, 4, 5, 6));
    targets.add(regression(6, rng, 2, 3));
    targets.add(classification(7, rng));
    targets.add(classification(8, rng, T - 1));
    targets.add(classification(9, rng, 1, 2, 4, 5));
    targets.add(multiLabel(10, Accuracy.threshold(), rng, 2, 3));
    targets.add(classification(11, Accuracy.argmax().wholeTrial(), rng, 1, 2, 4, 5));
    targets.add(multiLabel(12, Accuracy.threshold().wholeTrial(), rng, 0, 1, 2, 3, 4, 5, 6));
    targets.add(regression(13, Accuracy.sign().wholeTrial(), rng, T - 1));
    return new Batch(T, B, 1, new float[T * B], targets);
  }

  private static final Stage STAGE =
      Stage.of(
          new Assignment(2, 3),
          new Assignment(3, 0),
          new Assignment(4, 6),
          new Assignment(5, 1),
          new Assignment(6, 7),
          new Assignment(7, 2),
          new Assignment(8, 4),
          new Assignment(9, 5),
          new Assignment(10, 9),
          new Assignment(11, 8),
          new Assignment(12, 11),
          new Assignment(13, 10));

  private static INDArray random(java.util.SplittableRandom rng, DataType type, long... shape) {
    return TestArrays.gaussian(rng, type, 1.0, shape);
  }

  private static double[] values(INDArray a) {
    return a.dup('c').reshape(a.length()).castTo(DataType.DOUBLE).toDoubleVector();
  }

  private static void assertClose(
      INDArray expected, INDArray actual, double tolerance, String what) {
    double[] e = values(expected);
    double[] a = values(actual);
    assertEquals(e.length, a.length, what);
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], tolerance * Math.max(1, Math.abs(e[i])), what + "[" + i + "]");
    }
  }

  /** How the trainer or an analysis may hand over hidden states and dL/dh. */
  private enum Layout {
    PLAIN,
    OFFSET_VIEW,
    STRIDED_VIEW
  }

  /** {@code a} [T, B, H] as a plain array, inside a larger one at step 2, or strided. */
  private static INDArray laidOut(INDArray a, Layout layout) {
    return switch (layout) {
      case PLAIN -> a.dup('c');
      case OFFSET_VIEW -> {
        INDArray larger = Nd4j.valueArrayOf(new long[] {T + 3, B, H}, 7.0, a.dataType());
        INDArray view =
            larger.get(NDArrayIndex.interval(2, 2 + T), NDArrayIndex.all(), NDArrayIndex.all());
        view.assign(a);
        yield view;
      }
      case STRIDED_VIEW -> {
        INDArray larger = Nd4j.valueArrayOf(new long[] {T, B, H + 4}, 7.0, a.dataType());
        INDArray view =
            larger.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 1 + H));
        view.assign(a);
        yield view;
      }
    };
  }

  /** The products as gemms only, as Java loops only, and as the default chooses. */
  private static final long[] LIMITS = {0, Long.MAX_VALUE, ReadoutHeads.HOST_PRODUCT_LIMIT};

  private static void compare(DataType type, Layout layout, long seed, long hostProductLimit) {
    double tolerance = type == DataType.DOUBLE ? 1e-12 : 2e-5;
    SplittableRandom rng = new SplittableRandom(seed);
    Batch batch = batch(seed);
    INDArray hidden = random(rng, type, T, B, H);
    INDArray prefilled = random(rng, type, T, B, H);

    ReadoutHeads heads =
        new ReadoutHeads(H, WIDTH, type, new SplittableRandom(seed + 1), hostProductLimit);
    ReadoutHeads referenceHeads = new ReadoutHeads(H, WIDTH, type, new SplittableRandom(seed + 1));
    INDArray dLdh = laidOut(prefilled, layout);
    ReadoutHeads.Scores scores = heads.evaluate(STAGE, batch, laidOut(hidden, layout), dLdh);
    referenceHeads.ensure(heads.count() - 1);
    INDArray referenceDLdh = prefilled.dup('c');
    Map<String, INDArray> referenceGrads = new java.util.HashMap<>();
    ReadoutHeads.Scores expected =
        reference(
            referenceHeads, type, STAGE, batch, hidden.dup('c'), referenceDLdh, referenceGrads);

    String what = type + " " + layout + " host product limit " + hostProductLimit + ": ";
    assertArrayEquals(expected.counts(), scores.counts(), what + "counts");
    assertArrayEquals(expected.correct(), scores.correct(), what + "correct");
    assertArrayEquals(expected.judged(), scores.judged(), what + "judged");
    assertArrayEquals(expected.accuracy(), scores.accuracy(), 0.0, what + "accuracy");
    assertArrayEquals(expected.loss(), scores.loss(), tolerance, what + "loss");
    assertTrue(
        Double.isNaN(scores.loss()[5]) && scores.counts()[5] == 0, "fixture: unscored target");
    assertTrue(scores.counts()[3] > 3 * B, "fixture: a target over several steps");
    for (int a : new int[] {9, 10, 11}) {
      assertTrue(
          scores.judged()[a] > 0 && scores.judged()[a] <= B,
          "fixture: whole-trial accuracy judges sequences, " + scores.judged()[a]);
    }

    assertClose(referenceDLdh, dLdh, tolerance, what + "dL/dh");
    assertTrue(!prefilled.equalsWithEps(referenceDLdh, 1e-3), "fixture: dL/dh changed");
    List<Parameter> params = new ArrayList<>();
    List<INDArray> grads = new ArrayList<>();
    heads.collect(STAGE, params, grads);
    assertEquals(2 * STAGE.assignments().size(), params.size());
    for (int i = 0; i < params.size(); i++) {
      assertClose(
          referenceGrads.get(params.get(i).name()),
          grads.get(i),
          tolerance,
          what + params.get(i).name());
    }
  }

  @Test
  void stackedHeadsGiveTheResultsOfOneHeadAndOneStepAtATimeInFloat64() {
    for (Layout layout : Layout.values()) {
      for (long limit : LIMITS) {
        compare(DataType.DOUBLE, layout, 11, limit);
      }
    }
  }

  @Test
  void stackedHeadsGiveTheResultsOfOneHeadAndOneStepAtATimeInFloat32() {
    for (Layout layout : Layout.values()) {
      for (long limit : LIMITS) {
        compare(DataType.FLOAT, layout, 12, limit);
      }
    }
  }

  @Test
  void reusedBuffersServeLargerAndSmallerGroupsAndGradientsAreOverwritten() {
    for (long limit : LIMITS) {
      reusedBuffers(limit);
    }
  }

  private void reusedBuffers(long hostProductLimit) {
    DataType type = DataType.DOUBLE;
    ReadoutHeads heads =
        new ReadoutHeads(H, WIDTH, type, new SplittableRandom(5), hostProductLimit);
    SplittableRandom rng = new SplittableRandom(6);
    // first a stage with all heads (large stacked buffers), then one with a single head and a
    // pair, on other data: results as from fresh heads with the same weights
    heads.evaluate(STAGE, batch(20), random(rng, type, T, B, H), Nd4j.zeros(type, T, B, H));
    Stage small = Stage.of(new Assignment(2, 6), new Assignment(3, 2), new Assignment(4, 0));
    SplittableRandom batchRng = new SplittableRandom(30);
    Batch smallBatch =
        new Batch(
            T,
            B,
            1,
            new float[T * B],
            List.of(
                classification(2, batchRng, 0, 1, 2, 3, 4, 5, 6),
                classification(3, batchRng, T - 1),
                regression(4, batchRng, T - 1)));
    INDArray hidden = random(rng, type, T, B, H);
    INDArray dLdh = Nd4j.zeros(type, T, B, H);
    ReadoutHeads.Scores scores = heads.evaluate(small, smallBatch, hidden, dLdh);

    INDArray referenceDLdh = Nd4j.zeros(type, T, B, H);
    Map<String, INDArray> referenceGrads = new java.util.HashMap<>();
    ReadoutHeads.Scores expected =
        reference(heads, type, small, smallBatch, hidden, referenceDLdh, referenceGrads);
    assertArrayEquals(expected.loss(), scores.loss(), 1e-12);
    assertArrayEquals(expected.correct(), scores.correct());
    assertClose(referenceDLdh, dLdh, 1e-12, "dL/dh");
    List<Parameter> params = new ArrayList<>();
    List<INDArray> grads = new ArrayList<>();
    heads.collect(small, params, grads);
    for (int i = 0; i < params.size(); i++) {
      assertClose(
          referenceGrads.get(params.get(i).name()), grads.get(i), 1e-12, params.get(i).name());
    }
  }

  @Test
  void withoutGradientsOnlyScoresAreComputed() {
    DataType type = DataType.FLOAT;
    Batch batch = batch(40);
    INDArray hidden = random(new SplittableRandom(41), type, T, B, H);
    for (long limit : LIMITS) {
      ReadoutHeads heads = new ReadoutHeads(H, WIDTH, type, new SplittableRandom(42), limit);
      ReadoutHeads.Scores scores = heads.evaluate(STAGE, batch, hidden, null);
      ReadoutHeads.Scores expected =
          reference(heads, type, STAGE, batch, hidden, null, new java.util.HashMap<>());
      assertArrayEquals(expected.loss(), scores.loss(), 2e-5);
      assertArrayEquals(expected.correct(), scores.correct());
      assertArrayEquals(expected.counts(), scores.counts());
    }
  }

  /**
   * The default limit sends the small products of the fixtures here to Java and the bench's 29
   * heads at H 500, B 256 to gemms: both paths are the ones the tests above compare.
   */
  @Test
  void theDefaultLimitSeparatesSmallFromLargeProducts() {
    assertTrue(
        (long) T * B * H * STAGE.assignments().size() * WIDTH <= ReadoutHeads.HOST_PRODUCT_LIMIT);
    assertTrue(256L * 500 * 29 * 2 > ReadoutHeads.HOST_PRODUCT_LIMIT);
  }

  @Test
  void scoredStepsAreFoundWhateverTheNonZeroMaskValue() {
    float[] mask = new float[4 * 3];
    mask[1 * 3 + 2] = -0.0f; // not scored: -0 == 0
    mask[2 * 3 + 1] = Float.NaN; // scored: NaN != 0
    mask[3 * 3] = -2f;
    mask[3 * 3 + 2] = Float.MIN_VALUE;
    boolean[] steps = new boolean[4];
    assertEquals(3, ReadoutHeads.countScored(mask, 4, 3, steps));
    assertArrayEquals(new boolean[] {false, false, true, true}, steps);
  }
}
