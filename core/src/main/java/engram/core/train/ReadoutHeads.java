package engram.core.train;

import engram.api.Parameter;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.OutputActivation;
import engram.api.task.Target;
import engram.kernels.Buffers;
import engram.kernels.HostLoops;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Linear readout heads, created on demand (no cap), and the loss on them.
 *
 * <p>Head k maps a hidden state to {@code width} outputs: {@code y = h·W_kᵀ + b_k}, W_k of shape
 * {@code [width, H]}, b_k of shape {@code [width]}, initialised like PyTorch's Linear, U(−1/√H,
 * 1/√H). The loss of a stage is the sum over its assignments (levels) of the mean over that
 * target's scored entries: softmax cross-entropy of the logits for classification, squared error
 * for regression (of the target's {@link OutputActivation} of the outputs, tanh or sigmoid where
 * the task declares one) and binary cross-entropy of one sigmoid per component for multi-label
 * (both means over entries and components) — for last-step tasks this is PyTorch's {@code sum_k
 * cross_entropy(logits_k, labels_k)}, and {@code BCEWithLogitsLoss} per multi-label target.
 * Accuracy follows the target's {@link engram.api.task.Accuracy}: per entry, or per trial when a
 * sequence counts as one (right only when all its scored entries are).
 */
final class ReadoutHeads {
  /**
   * Products up to this many multiply-adds run as Java loops: a gemm through ND4J has a fixed cost
   * however small, a Java loop a small one per multiply-add, and on the development machine Java
   * won below about 10⁵ (B 64–128, H 128–256, one head of two outputs at one step; numbers in
   * docs/perf/code-measurements.md).
   */
  static final long HOST_PRODUCT_LIMIT = 1 << 17;

  private final int hidden;
  private final int width;
  private final DataType dataType;
  private final RandomGenerator rng;
  private final long hostProductLimit;
  private final List<INDArray> weights = new ArrayList<>();
  private final List<INDArray> biases = new ArrayList<>();
  private final List<INDArray> weightGrads = new ArrayList<>();
  private final List<INDArray> biasGrads = new ArrayList<>();
  private final List<Parameter> weightParameters = new ArrayList<>();
  private final List<Parameter> biasParameters = new ArrayList<>();
  // Reused by evaluate; flat native buffers (grown as needed) and host arrays by HostBuffer role
  private final HostLoops.Staging staging = new HostLoops.Staging();
  private final double[][] host = new double[HostBuffer.values().length][0];
  private INDArray stackedWeightsBuffer;
  private INDArray stackedGradsBuffer;
  private INDArray outputsBuffer;
  private INDArray outputGradsBuffer;

  ReadoutHeads(int hidden, int width, DataType dataType, RandomGenerator rng) {
    this(hidden, width, dataType, rng, HOST_PRODUCT_LIMIT);
  }

  /**
   * @param hostProductLimit the largest products (scored steps × B × H × heads·width multiply-adds,
   *     per product) computed in Java instead of gemms; tests pass 0 or {@link Long#MAX_VALUE} to
   *     take one path only
   */
  ReadoutHeads(
      int hidden, int width, DataType dataType, RandomGenerator rng, long hostProductLimit) {
    this.hidden = hidden;
    this.width = width;
    this.dataType = dataType;
    this.rng = rng;
    this.hostProductLimit = hostProductLimit;
  }

  /** Creates heads up to and including {@code head}, in index order (so init is reproducible). */
  void ensure(int head) {
    double bound = 1.0 / Math.sqrt(hidden);
    while (weights.size() <= head) {
      weights.add(uniform(new long[] {width, hidden}, bound));
      biases.add(uniform(new long[] {width}, bound));
      weightGrads.add(Nd4j.zeros(dataType, width, hidden));
      biasGrads.add(Nd4j.zeros(dataType, width));
      int created = weights.size() - 1;
      weightParameters.add(new Parameter(weightName(created), weights.get(created), true));
      biasParameters.add(new Parameter(biasName(created), biases.get(created), true));
    }
  }

  int count() {
    return weights.size();
  }

  private INDArray uniform(long[] shape, double bound) {
    int n = 1;
    for (long s : shape) {
      n *= (int) s;
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = (2 * rng.nextDouble() - 1) * bound;
    }
    return Nd4j.create(values, shape, DataType.DOUBLE).castTo(dataType);
  }

  /**
   * Per-assignment result of {@link #evaluate}.
   *
   * @param counts scored entries (the loss is their mean)
   * @param correct entries (classification) or (entry, component) pairs (regression, multi-label)
   *     counted correct by the target's accuracy rule; with whole-trial accuracy, sequences all of
   *     whose scored entries and components are correct
   * @param judged how many were judged: {@code counts} for classification, {@code counts × width}
   *     for regression and multi-label; with whole-trial accuracy, the sequences with at least one
   *     scored entry
   */
  record Scores(double[] loss, double[] accuracy, long[] counts, long[] correct, long[] judged) {}

  /**
   * Loss and, when {@code dLdh} is non-null, its gradient: adds dL/dh into {@code dLdh} {@code
   * [T,B,H]} and overwrites the gradients of the stage's heads.
   *
   * <p>Targets that score the same steps are evaluated together: their heads' weights are stacked
   * into one {@code [heads·width, H]} matrix, and each run of consecutive scored steps (rows t0·B …
   * t1·B of the hidden states seen as {@code [T·B, H]}) takes three products for all of them: the
   * logits, dL/dh += dY·W and the stacked weight gradient dYᵀ·h, as gemms or, when they are small,
   * as Java loops in double ({@link #HOST_PRODUCT_LIMIT}). Softmax, cross-entropy, squared error,
   * accuracy and dY are Java loops over the logits copied to the host, in double, on the logits
   * rounded to the heads' precision after the bias is added, as before; dY is rounded to that
   * precision for the gemms. Loss sums run over each head's scored entries in (t, b) order as
   * before, so per-head losses and counts are unchanged; logits, dL/dh and weight gradients are the
   * same up to the summation order inside the gemms (the stacked gemm sums over heads and steps at
   * once where one gemm per head and step added them one by one) or, for the Java loops, up to
   * rounding (they sum in double and round once).
   *
   * @param hidden {@code [T, B, H]}
   * @param batch the batch whose targets are scored, one per assignment in stage order
   */
  Scores evaluate(Stage stage, Batch batch, INDArray hidden, INDArray dLdh) {
    List<Assignment> assignments = stage.assignments();
    int n = assignments.size();
    Scores scores = new Scores(new double[n], new double[n], new long[n], new long[n], new long[n]);
    int steps = batch.steps();
    int b = batch.batch();
    boolean[][] scoredSteps = new boolean[n][];
    for (int a = 0; a < n; a++) {
      int head = assignments.get(a).head();
      ensure(head); // in stage order, as heads were always created
      scoredSteps[a] = new boolean[steps];
      long scored = countScored(batch.targets().get(a).mask(), steps, b, scoredSteps[a]);
      scores.counts()[a] = scored;
      if (scored == 0) {
        scores.loss()[a] = Double.NaN;
        scores.accuracy()[a] = Double.NaN;
        if (dLdh != null) {
          weightGrads.get(head).assign(0);
          biasGrads.get(head).assign(0);
        }
      }
    }
    INDArray states = contiguousCopyIfNeeded(hidden);
    INDArray gradient = dLdh == null ? null : contiguousCopyIfNeeded(dLdh);
    boolean[] grouped = new boolean[n];
    int[] members = new int[n];
    for (int a = 0; a < n; a++) {
      if (grouped[a] || scores.counts()[a] == 0) {
        continue;
      }
      int m = 0;
      for (int other = a; other < n; other++) {
        if (!grouped[other]
            && scores.counts()[other] > 0
            && Arrays.equals(scoredSteps[a], scoredSteps[other])) {
          grouped[other] = true;
          members[m++] = other;
        }
      }
      evaluateGroup(
          assignments, batch, Arrays.copyOf(members, m), scoredSteps[a], states, gradient, scores);
    }
    if (gradient != null && gradient != dLdh) {
      dLdh.assign(gradient);
    }
    return scores;
  }

  /**
   * Entries of {@code mask} ({@code [T·B]}, time-major) that are scored (non-zero), marking in
   * {@code scoredSteps} the steps that have at least one.
   */
  static long countScored(float[] mask, int steps, int b, boolean[] scoredSteps) {
    long total = 0;
    for (int t = 0; t < steps; t++) {
      int base = t * b;
      // Most steps of most tasks score nothing: an OR of the bit patterns tells them apart in
      // less time than the count below takes. Without the sign bit it is non-zero
      // exactly when some entry is neither +0 nor -0, i.e. != 0f (NaN included).
      int bits = 0;
      for (int s = 0; s < b; s++) {
        bits |= Float.floatToRawIntBits(mask[base + s]);
      }
      if ((bits & 0x7fffffff) == 0) {
        scoredSteps[t] = false;
        continue;
      }
      int count = 0;
      for (int s = 0; s < b; s++) {
        count += mask[base + s] != 0f ? 1 : 0;
      }
      scoredSteps[t] = true;
      total += count;
    }
    return total;
  }

  /** {@code a} itself when it is C-contiguous in the heads' type, else such a copy. */
  private INDArray contiguousCopyIfNeeded(INDArray a) {
    return a.dataType() == dataType && HostLoops.contiguous(a) ? a : a.castTo(dataType).dup('c');
  }

  /**
   * The targets {@code members} (assignment indices), which score entries at exactly the steps
   * {@code scoredSteps}, through their heads stacked: fills their scores and, when {@code dLdh !=
   * null}, adds into dL/dh and overwrites their heads' gradients. The three products run as gemms,
   * or as Java loops when they are small enough that ND4J's overhead per op would dominate ({@link
   * #hostProductLimit}).
   */
  private void evaluateGroup(
      List<Assignment> assignments,
      Batch batch,
      int[] members,
      boolean[] scoredSteps,
      INDArray hiddenStates,
      INDArray dLdh,
      Scores scores) {
    int m = members.length;
    int columns = m * width;
    int b = batch.batch();
    int scoredStepCount = 0;
    for (boolean scored : scoredSteps) {
      scoredStepCount += scored ? 1 : 0;
    }
    Group group = new Group(assignments, batch, members, scores);
    for (int j = 0; j < m; j++) {
      staging.read(biases.get(group.heads[j]), 0, group.bias, j * width, width);
    }
    if ((long) scoredStepCount * b * hidden * columns <= hostProductLimit) {
      evaluateOnHost(group, scoredSteps, hiddenStates, dLdh);
    } else {
      evaluateWithGemms(group, scoredSteps, hiddenStates, dLdh);
    }
    if (dLdh != null) {
      for (int j = 0; j < m; j++) {
        staging.write(biasGrads.get(group.heads[j]), 0, group.biasGrad, j * width, width);
      }
    }
    for (int j = 0; j < m; j++) {
      int a = members[j];
      long scored = scores.counts()[a];
      Target target = batch.targets().get(a);
      scores.loss()[a] = group.sumLoss[j] / scored;
      if (group.trialWrong[j] != null) {
        countTrials(target.mask(), batch.steps(), b, group.trialWrong[j], scores, a);
      } else {
        scores.correct()[a] = group.hits[j];
        scores.judged()[a] = target.kind() == LossKind.CLASSIFICATION ? scored : scored * width;
      }
      scores.accuracy()[a] = (double) scores.correct()[a] / scores.judged()[a];
    }
  }

  /**
   * Whole-trial accuracy of assignment {@code a}: judges every sequence with a scored entry in
   * {@code mask} ({@code [T·B]}), correct unless {@code wrong} marks it.
   */
  private static void countTrials(
      float[] mask, int steps, int b, boolean[] wrong, Scores scores, int a) {
    boolean[] scored = new boolean[b];
    for (int t = 0; t < steps; t++) {
      for (int s = 0; s < b; s++) {
        scored[s] |= mask[t * b + s] != 0f;
      }
    }
    long trials = 0;
    long right = 0;
    for (int s = 0; s < b; s++) {
      if (scored[s]) {
        trials++;
        right += wrong[s] ? 0 : 1;
      }
    }
    scores.correct()[a] = right;
    scores.judged()[a] = trials;
  }

  /** What {@link #evaluateGroup} accumulates over the runs of scored steps of one group. */
  private final class Group {
    final Batch batch;
    final int[] members;
    final int[] heads;
    final Scores scores;
    final int columns;
    final double[] bias;
    final double[] sumLoss;
    final long[] hits;

    /** Per member with whole-trial accuracy: sequences with a wrong entry so far; else null. */
    final boolean[][] trialWrong;

    final double[] biasGrad;

    Group(List<Assignment> assignments, Batch batch, int[] members, Scores scores) {
      this.batch = batch;
      this.members = members;
      this.scores = scores;
      heads = new int[members.length];
      for (int j = 0; j < members.length; j++) {
        heads[j] = assignments.get(members[j]).head();
      }
      columns = members.length * width;
      bias = new double[columns];
      sumLoss = new double[members.length];
      hits = new long[members.length];
      trialWrong = new boolean[members.length][];
      for (int j = 0; j < members.length; j++) {
        if (batch.targets().get(members[j]).accuracy().scope() == Accuracy.Scope.TRIAL) {
          trialWrong[j] = new boolean[batch.batch()];
        }
      }
      biasGrad = new double[columns];
    }
  }

  /** Runs of consecutive scored steps: {@code {t0, t1}} pairs, t1 exclusive, in order. */
  private static List<int[]> runs(boolean[] scoredSteps) {
    List<int[]> runs = new ArrayList<>();
    int steps = scoredSteps.length;
    for (int t0 = 0; t0 < steps; t0++) {
      if (!scoredSteps[t0]) {
        continue;
      }
      int t1 = t0 + 1;
      while (t1 < steps && scoredSteps[t1]) {
        t1++;
      }
      runs.add(new int[] {t0, t1});
      t0 = t1;
    }
    return runs;
  }

  /** The products as gemms on the stacked weights (a lone head's own arrays serve as the stack). */
  private void evaluateWithGemms(
      Group group, boolean[] scoredSteps, INDArray hiddenStates, INDArray dLdh) {
    int m = group.members.length;
    int columns = group.columns;
    int b = group.batch.batch();
    boolean gradients = dLdh != null;
    boolean single = m == 1;
    INDArray stackedWeights =
        single
            ? weights.get(group.heads[0])
            : Buffers.matrix(
                stackedWeightsBuffer = scratch(stackedWeightsBuffer, (long) columns * hidden),
                columns,
                hidden);
    INDArray stackedWeightGrads =
        !gradients
            ? null
            : single
                ? weightGrads.get(group.heads[0])
                : Buffers.matrix(
                    stackedGradsBuffer = scratch(stackedGradsBuffer, (long) columns * hidden),
                    columns,
                    hidden);
    if (!single) {
      double[] stack = hostBuffer(HostBuffer.WEIGHTS, columns * hidden);
      for (int j = 0; j < m; j++) {
        staging.read(weights.get(group.heads[j]), 0, stack, j * width * hidden, width * hidden);
      }
      staging.write(stackedWeights, 0, stack, 0, columns * hidden);
    }
    boolean firstRun = true;
    for (int[] run : runs(scoredSteps)) {
      int t0 = run[0];
      int rows = (run[1] - t0) * b;
      int size = rows * columns;
      INDArray stateRows = Buffers.rows(hiddenStates, (long) t0 * b, rows, hidden);
      INDArray out = Buffers.matrix(outputsBuffer = scratch(outputsBuffer, size), rows, columns);
      Nd4j.gemm(stateRows, stackedWeights, out, false, true, 1.0, 0.0);
      double[] y = hostBuffer(HostBuffer.OUTPUTS, size);
      staging.read(out, 0, y, 0, size);
      double[] dy = gradients ? hostBuffer(HostBuffer.OUTPUT_GRADIENTS, size) : null;
      score(group, run, y, dy);
      if (gradients) {
        INDArray dOut =
            Buffers.matrix(outputGradsBuffer = scratch(outputGradsBuffer, size), rows, columns);
        staging.write(dOut, 0, dy, 0, size); // rounded to the heads' precision
        Nd4j.gemm(
            dOut,
            stackedWeights,
            Buffers.rows(dLdh, (long) t0 * b, rows, hidden),
            false,
            false,
            1.0,
            1.0);
        Nd4j.gemm(dOut, stateRows, stackedWeightGrads, true, false, 1.0, firstRun ? 0.0 : 1.0);
      }
      firstRun = false;
    }
    if (gradients && !single) {
      double[] grads = hostBuffer(HostBuffer.WEIGHTS, columns * hidden);
      staging.read(stackedWeightGrads, 0, grads, 0, columns * hidden);
      for (int j = 0; j < m; j++) {
        staging.write(
            weightGrads.get(group.heads[j]), 0, grads, j * width * hidden, width * hidden);
      }
    }
  }

  /**
   * The products as Java loops in double on host copies: logits rounded to the heads' precision
   * like a gemm's result, dL/dh and weight gradients summed in double and rounded once when written
   * back. Rows of the weights, of the weight gradients and the current row of h and dL/dh are
   * separate arrays indexed from 0, the form of loop C2 vectorises.
   */
  private void evaluateOnHost(
      Group group, boolean[] scoredSteps, INDArray hiddenStates, INDArray dLdh) {
    int columns = group.columns;
    int b = group.batch.batch();
    boolean gradients = dLdh != null;
    boolean rounding = dataType == DataType.FLOAT;
    double[][] w = new double[columns][hidden];
    for (int j = 0; j < group.members.length; j++) {
      for (int c = 0; c < width; c++) {
        staging.read(weights.get(group.heads[j]), (long) c * hidden, w[j * width + c], 0, hidden);
      }
    }
    double[][] dW = gradients ? new double[columns][hidden] : null;
    double[] h = new double[hidden];
    double[] d = new double[hidden];
    for (int[] run : runs(scoredSteps)) {
      int t0 = run[0];
      int rows = (run[1] - t0) * b;
      int size = rows * columns;
      long first = (long) t0 * b * hidden;
      double[] states = hostBuffer(HostBuffer.STATES, rows * hidden);
      staging.read(hiddenStates, first, states, 0, rows * hidden);
      double[] y = hostBuffer(HostBuffer.OUTPUTS, size);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(states, r * hidden, h, 0, hidden);
        for (int k = 0; k < columns; k++) {
          double dot = dot(h, w[k]);
          y[r * columns + k] = rounding ? (float) dot : dot;
        }
      }
      if (!gradients) {
        score(group, run, y, null);
        continue;
      }
      double[] dy = hostBuffer(HostBuffer.OUTPUT_GRADIENTS, size);
      score(group, run, y, dy);
      double[] stateGrads = hostBuffer(HostBuffer.STATE_GRADIENTS, rows * hidden);
      staging.read(dLdh, first, stateGrads, 0, rows * hidden);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(states, r * hidden, h, 0, hidden);
        System.arraycopy(stateGrads, r * hidden, d, 0, hidden);
        for (int k = 0; k < columns; k++) {
          double g = dy[r * columns + k];
          if (g == 0) {
            continue; // an unscored entry
          }
          if (rounding) {
            g = (float) g; // the products use dY in the heads' precision, as the gemms do
          }
          axpy(d, g, w[k]);
          axpy(dW[k], g, h);
        }
        System.arraycopy(d, 0, stateGrads, r * hidden, hidden);
      }
      staging.write(dLdh, first, stateGrads, 0, rows * hidden);
    }
    if (gradients) {
      for (int j = 0; j < group.members.length; j++) {
        for (int c = 0; c < width; c++) {
          staging.write(
              weightGrads.get(group.heads[j]), (long) c * hidden, dW[j * width + c], 0, hidden);
        }
      }
    }
  }

  private static double dot(double[] x, double[] y) {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += x[i] * y[i];
    }
    return sum;
  }

  /** {@code into += a · x}. */
  private static void axpy(double[] into, double a, double[] x) {
    for (int i = 0; i < into.length; i++) {
      into[i] += a * x[i];
    }
  }

  /**
   * Loss, accuracy and (when {@code dy != null}) dY of one run of scored steps, from the products
   * {@code y} {@code [rows, columns]} of the hidden states with the stacked weights: adds the bias,
   * rounded to the heads' precision like the bias add of ND4J, then softmax and cross-entropy,
   * squared error of the target's output activation f(y) (f′ in dY) or sigmoid and binary
   * cross-entropy per scored entry in double, summed per head in (t, b) order, and marks the
   * sequences with a wrong entry for whole-trial accuracy. dY is 0 at unscored entries. The one
   * implementation of the losses and their derivatives: both product paths call it.
   */
  private void score(Group group, int[] run, double[] y, double[] dy) {
    int t0 = run[0];
    int t1 = run[1];
    int b = group.batch.batch();
    int columns = group.columns;
    boolean rounding = dataType == DataType.FLOAT;
    if (dy != null) {
      Arrays.fill(dy, 0, (t1 - t0) * b * columns, 0.0);
    }
    double[] bias = group.bias;
    double[] biasGrad = group.biasGrad;
    for (int j = 0; j < group.members.length; j++) {
      int a = group.members[j];
      Target target = group.batch.targets().get(a);
      long scored = group.scores.counts()[a];
      float[] mask = target.mask();
      boolean classification = target.kind() == LossKind.CLASSIFICATION;
      boolean multiLabel = target.kind() == LossKind.MULTI_LABEL;
      Accuracy accuracy = target.accuracy();
      OutputActivation activation = target.activation();
      boolean[] wrong = group.trialWrong[j];
      int first = j * width;
      double sumLoss = group.sumLoss[j];
      long hits = group.hits[j];
      for (int t = t0; t < t1; t++) {
        for (int s = 0; s < b; s++) {
          if (mask[t * b + s] == 0f) {
            continue;
          }
          int row = ((t - t0) * b + s) * columns + first;
          for (int c = 0; c < width; c++) {
            double logit = y[row + c] + bias[first + c];
            y[row + c] = rounding ? (float) logit : logit;
          }
          if (classification) {
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
            } else if (wrong != null) {
              wrong[s] = true;
            }
            if (dy != null) {
              for (int c = 0; c < width; c++) {
                double p = Math.exp(y[row + c] - logZ);
                dy[row + c] = (p - (c == label ? 1 : 0)) / scored;
                biasGrad[first + c] += dy[row + c];
              }
            }
          } else {
            int base = (t * b + s) * width;
            float[] values = target.values();
            for (int c = 0; c < width; c++) {
              double output = y[row + c];
              double value = values[base + c];
              double slope; // d(this component's loss)/d(output)
              if (multiLabel) {
                sumLoss += binaryCrossEntropy(output, value) / width;
                slope = sigmoid(output) - value;
              } else {
                // o = f(y); the squared error and the accuracy read o, dL/dy = 2(o − t)·f′(y)
                output = activation.apply(output);
                double diff = output - value;
                sumLoss += diff * diff / width;
                slope = 2 * diff * activation.slopeAt(output);
              }
              if (accuracy.correct(output, value)) {
                hits++;
              } else if (wrong != null) {
                wrong[s] = true;
              }
              if (dy != null) {
                dy[row + c] = slope / width / scored;
                biasGrad[first + c] += dy[row + c];
              }
            }
          }
        }
      }
      group.sumLoss[j] = sumLoss;
      group.hits[j] = hits;
    }
  }

  /**
   * −[t·log σ(y) + (1 − t)·log(1 − σ(y))] of a logit y and a bit t, in nats, written as max(y, 0) −
   * t·y + log(1 + e<sup>−|y|</sup>): the exponent is never positive, so no logit overflows it and a
   * confident wrong answer costs about |y| instead of log(0).
   */
  static double binaryCrossEntropy(double logit, double bit) {
    return Math.max(logit, 0) - bit * logit + Math.log1p(Math.exp(-Math.abs(logit)));
  }

  /** σ(x) = 1/(1 + e<sup>−x</sup>), with a non-positive exponent for either sign of x. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1 / (1 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1 + e);
  }

  /** {@code flat} if it holds {@code n} elements, else a new flat buffer of the heads' type. */
  private INDArray scratch(INDArray flat, long n) {
    return flat != null && flat.length() >= n ? flat : Nd4j.create(dataType, Math.max(n, 1));
  }

  /** A reused host array of the given role with at least {@code n} elements. */
  private double[] hostBuffer(HostBuffer role, int n) {
    double[] buffer = host[role.ordinal()];
    if (buffer.length < n) {
      buffer = new double[Math.max(n, 2 * buffer.length)];
      host[role.ordinal()] = buffer;
    }
    return buffer;
  }

  /** Roles of the reused host arrays of {@link #evaluateGroup}. */
  private enum HostBuffer {
    /** Stacked weights on the way in, stacked weight gradients on the way out. */
    WEIGHTS,
    /** Logits of a run. */
    OUTPUTS,
    /** dY of a run. */
    OUTPUT_GRADIENTS,
    /** Hidden states of a run (host products). */
    STATES,
    /** dL/dh of a run (host products). */
    STATE_GRADIENTS
  }

  /** The trainable tensors of the heads of {@code stage}, with their gradients, by name. */
  void collect(Stage stage, List<Parameter> parameters, List<INDArray> gradients) {
    for (Assignment assignment : stage.assignments()) {
      int head = assignment.head();
      parameters.add(weightParameters.get(head));
      gradients.add(weightGrads.get(head));
      parameters.add(biasParameters.get(head));
      gradients.add(biasGrads.get(head));
    }
  }

  /**
   * Loads every head {@code head_<k>_w}/{@code head_<k>_b} of a checkpoint (heads 0..k created in
   * order, then overwritten with the saved values).
   *
   * @throws IllegalStateException naming the tensor when a head is missing or has the wrong shape
   */
  void load(String checkpoint, java.util.Map<String, INDArray> tensors) {
    int count = 0;
    while (tensors.containsKey(weightName(count))) {
      count++;
    }
    for (int head = 0; head < count; head++) {
      ensure(head);
      copy(checkpoint, tensors, weightName(head), weights.get(head));
      copy(checkpoint, tensors, biasName(head), biases.get(head));
    }
  }

  private static void copy(
      String checkpoint, java.util.Map<String, INDArray> tensors, String name, INDArray into) {
    INDArray saved = tensors.get(name);
    if (saved == null || !java.util.Arrays.equals(saved.shape(), into.shape())) {
      throw new IllegalStateException(
          "checkpoint '"
              + checkpoint
              + "' has "
              + (saved == null
                  ? "no tensor '" + name + "'"
                  : "tensor '" + name + "' of shape " + java.util.Arrays.toString(saved.shape()))
              + " but the run's readout needs shape "
              + java.util.Arrays.toString(into.shape())
              + ". Fix: analyse the run with the configuration it was trained with.");
    }
    into.assign(saved.castTo(into.dataType()));
  }

  /** Zeroes column {@code unit} of every head's weights: the heads no longer read that unit. */
  void zeroColumn(int unit) {
    for (INDArray w : weights) {
      w.getColumn(unit).assign(0);
    }
  }

  /** Every head created so far, for checkpoints. */
  List<Parameter> all() {
    List<Parameter> all = new ArrayList<>();
    for (int head = 0; head < weights.size(); head++) {
      all.add(weightParameters.get(head));
      all.add(biasParameters.get(head));
    }
    return all;
  }

  static String weightName(int head) {
    return "head_" + head + "_w";
  }

  static String biasName(int head) {
    return "head_" + head + "_b";
  }
}
