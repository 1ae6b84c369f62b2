package engram.core.train;

import engram.api.Parameter;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
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
 * {@code [width, H]}, b_k of shape {@code [width]}, initialised like PyTorch's Linear,
 * U(−1/√H, 1/√H). The loss of a stage is the sum over its assignments (levels) of the mean over
 * that target's scored entries: cross-entropy of the logits for classification, squared error
 * (mean over entries and components) for regression — for last-step tasks this is PyTorch's
 * {@code sum_k cross_entropy(logits_k, labels_k)}.
 */
final class ReadoutHeads {
  private final int hidden;
  private final int width;
  private final DataType dataType;
  private final RandomGenerator rng;
  private final List<INDArray> weights = new ArrayList<>();
  private final List<INDArray> biases = new ArrayList<>();
  private final List<INDArray> weightGrads = new ArrayList<>();
  private final List<INDArray> biasGrads = new ArrayList<>();
  private final List<Parameter> weightParameters = new ArrayList<>();
  private final List<Parameter> biasParameters = new ArrayList<>();
  // Reused by evaluate; flat native buffers (grown as needed) and host arrays by HostBuffer role
  private final HostArrays.Staging staging = new HostArrays.Staging();
  private final double[][] host = new double[HostBuffer.values().length][0];
  private INDArray stackedWeightsBuffer;
  private INDArray stackedGradsBuffer;
  private INDArray outputsBuffer;
  private INDArray outputGradsBuffer;

  ReadoutHeads(int hidden, int width, DataType dataType, RandomGenerator rng) {
    this.hidden = hidden;
    this.width = width;
    this.dataType = dataType;
    this.rng = rng;
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
   * @param correct entries (classification) or (entry, component) pairs (regression) counted
   *     correct by the target's accuracy rule
   * @param judged how many were judged: {@code counts} for classification, {@code counts × width}
   *     for regression
   */
  record Scores(double[] loss, double[] accuracy, long[] counts, long[] correct, long[] judged) {}

  /**
   * Loss and, when {@code dLdh} is non-null, its gradient: adds dL/dh into {@code dLdh}
   * {@code [T,B,H]} and overwrites the gradients of the stage's heads.
   *
   * <p>Targets that score the same steps are evaluated together: their heads' weights are stacked
   * into one {@code [heads·width, H]} matrix, and each run of consecutive scored steps (rows
   * t0·B … t1·B of the hidden states seen as {@code [T·B, H]}) takes three gemms for all of them:
   * the logits, dL/dh += dY·W and the stacked weight gradient dYᵀ·h. Softmax, cross-entropy,
   * squared error, accuracy and dY are Java loops over the logits copied to the host, in double,
   * on the logits rounded to the heads' precision after the bias is added, as before; dY is
   * rounded to that precision for the gemms. Loss sums run over each head's scored entries in
   * (t, b) order as before, so per-head losses and counts are unchanged; logits, dL/dh and weight
   * gradients are the same up to the summation order inside the gemms (the stacked gemm sums over
   * heads and steps at once where one gemm per head and step added them one by one).
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
        if (!grouped[other] && scores.counts()[other] > 0
            && Arrays.equals(scoredSteps[a], scoredSteps[other])) {
          grouped[other] = true;
          members[m++] = other;
        }
      }
      evaluateGroup(assignments, batch, Arrays.copyOf(members, m), scoredSteps[a], states,
          gradient, scores);
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
      // half the time the count below takes (measured). Without the sign bit it is non-zero
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
    return a.dataType() == dataType && HostArrays.contiguous(a) ? a
        : a.castTo(dataType).dup('c');
  }

  /**
   * The targets {@code members} (assignment indices), which score entries at exactly the steps
   * {@code scoredSteps}, through their heads stacked: fills their scores and, when
   * {@code dLdh != null}, adds into dL/dh and overwrites their heads' gradients.
   */
  private void evaluateGroup(List<Assignment> assignments, Batch batch, int[] members,
      boolean[] scoredSteps, INDArray hiddenStates, INDArray dLdh, Scores scores) {
    int m = members.length;
    int columns = m * width;
    int b = batch.batch();
    boolean gradients = dLdh != null;
    boolean single = m == 1;
    int firstHead = assignments.get(members[0]).head();
    // A lone head's own arrays serve as the stack; several are copied into reused buffers.
    INDArray stackedWeights = single ? weights.get(firstHead)
        : HostArrays.matrix(stackedWeightsBuffer = scratch(stackedWeightsBuffer, (long) columns * hidden),
            columns, hidden);
    INDArray stackedWeightGrads = !gradients ? null : single ? weightGrads.get(firstHead)
        : HostArrays.matrix(stackedGradsBuffer = scratch(stackedGradsBuffer, (long) columns * hidden),
            columns, hidden);
    double[] bias = new double[columns];
    double[] stack = single ? null : hostBuffer(HostBuffer.WEIGHTS, columns * hidden);
    for (int j = 0; j < m; j++) {
      int head = assignments.get(members[j]).head();
      staging.read(biases.get(head), 0, bias, j * width, width);
      if (!single) {
        staging.read(weights.get(head), 0, stack, j * width * hidden, width * hidden);
      }
    }
    if (!single) {
      staging.write(stackedWeights, 0, stack, 0, columns * hidden);
    }

    double[] sumLoss = new double[m];
    long[] hits = new long[m];
    double[] biasGrad = new double[columns];
    boolean rounding = dataType == DataType.FLOAT;
    boolean firstRun = true;
    int steps = scoredSteps.length;
    for (int t0 = 0; t0 < steps; t0++) {
      if (!scoredSteps[t0]) {
        continue;
      }
      int t1 = t0 + 1;
      while (t1 < steps && scoredSteps[t1]) {
        t1++;
      }
      int rows = (t1 - t0) * b;
      int size = rows * columns;
      INDArray stateRows = HostArrays.rows(hiddenStates, (long) t0 * b, rows, hidden);
      INDArray out = HostArrays.matrix(outputsBuffer = scratch(outputsBuffer, size), rows, columns);
      Nd4j.gemm(stateRows, stackedWeights, out, false, true, 1.0, 0.0);
      double[] y = hostBuffer(HostBuffer.OUTPUTS, size);
      staging.read(out, 0, y, 0, size);
      double[] dy = null;
      if (gradients) {
        dy = hostBuffer(HostBuffer.OUTPUT_GRADIENTS, size);
        Arrays.fill(dy, 0, size, 0.0);
      }
      for (int j = 0; j < m; j++) {
        int a = members[j];
        Target target = batch.targets().get(a);
        long scored = scores.counts()[a];
        float[] mask = target.mask();
        boolean classification = target.kind() == LossKind.CLASSIFICATION;
        int first = j * width;
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
              sumLoss[j] += logZ - y[row + label];
              if (argmax == label) {
                hits[j]++;
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
                double diff = y[row + c] - values[base + c];
                sumLoss[j] += diff * diff / width;
                if (target.accuracy().correct(y[row + c], values[base + c])) {
                  hits[j]++;
                }
                if (dy != null) {
                  dy[row + c] = 2 * diff / width / scored;
                  biasGrad[first + c] += dy[row + c];
                }
              }
            }
          }
        }
      }
      if (gradients) {
        INDArray dOut = HostArrays.matrix(outputGradsBuffer = scratch(outputGradsBuffer, size),
            rows, columns);
        staging.write(dOut, 0, dy, 0, size);
        Nd4j.gemm(dOut, stackedWeights, HostArrays.rows(dLdh, (long) t0 * b, rows, hidden),
            false, false, 1.0, 1.0);
        Nd4j.gemm(dOut, stateRows, stackedWeightGrads, true, false, 1.0, firstRun ? 0.0 : 1.0);
      }
      firstRun = false;
      t0 = t1;
    }

    if (gradients) {
      double[] grads = single ? null : hostBuffer(HostBuffer.WEIGHTS, columns * hidden);
      if (!single) {
        staging.read(stackedWeightGrads, 0, grads, 0, columns * hidden);
      }
      for (int j = 0; j < m; j++) {
        int head = assignments.get(members[j]).head();
        if (!single) {
          staging.write(weightGrads.get(head), 0, grads, j * width * hidden, width * hidden);
        }
        staging.write(biasGrads.get(head), 0, biasGrad, j * width, width);
      }
    }
    for (int j = 0; j < m; j++) {
      int a = members[j];
      long scored = scores.counts()[a];
      Target target = batch.targets().get(a);
      scores.loss()[a] = sumLoss[j] / scored;
      scores.correct()[a] = hits[j];
      scores.judged()[a] = target.kind() == LossKind.CLASSIFICATION ? scored : scored * width;
      scores.accuracy()[a] = (double) hits[j] / scores.judged()[a];
    }
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
    OUTPUTS,
    OUTPUT_GRADIENTS
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

  private static void copy(String checkpoint, java.util.Map<String, INDArray> tensors, String name,
      INDArray into) {
    INDArray saved = tensors.get(name);
    if (saved == null || !java.util.Arrays.equals(saved.shape(), into.shape())) {
      throw new IllegalStateException("checkpoint '" + checkpoint + "' has "
          + (saved == null ? "no tensor '" + name + "'"
              : "tensor '" + name + "' of shape " + java.util.Arrays.toString(saved.shape()))
          + " but the run's readout needs shape " + java.util.Arrays.toString(into.shape())
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
