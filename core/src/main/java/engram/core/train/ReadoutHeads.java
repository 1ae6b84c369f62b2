package engram.core.train;

import engram.api.Parameter;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.util.ArrayList;
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
   * @param hidden {@code [T, B, H]}
   * @param batch the batch whose targets are scored, one per assignment in stage order
   */
  Scores evaluate(Stage stage, Batch batch, INDArray hidden, INDArray dLdh) {
    List<Assignment> assignments = stage.assignments();
    int n = assignments.size();
    double[] loss = new double[n];
    double[] accuracy = new double[n];
    long[] counts = new long[n];
    long[] correct = new long[n];
    long[] judged = new long[n];
    int steps = batch.steps();
    int b = batch.batch();
    for (int a = 0; a < n; a++) {
      int head = assignments.get(a).head();
      ensure(head);
      Target target = batch.targets().get(a);
      INDArray w = weights.get(head);
      INDArray bias = biases.get(head);
      if (dLdh != null) {
        weightGrads.get(head).assign(0);
        biasGrads.get(head).assign(0);
      }
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
      double[] biasGrad = new double[width];
      for (int t = 0; t < steps; t++) {
        if (!anyScored(target, t, b)) {
          continue;
        }
        INDArray ht = hidden.slice(t); // [B, H]
        INDArray out = Nd4j.gemm(ht, w, false, true).addiRowVector(bias); // [B, width]
        double[] y = out.data().asDouble();
        double[] dy = dLdh == null ? null : new double[b * width];
        for (int s = 0; s < b; s++) {
          if (!target.scored(t, s, b)) {
            continue;
          }
          int row = s * width;
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
            }
            if (dy != null) {
              for (int c = 0; c < width; c++) {
                double p = Math.exp(y[row + c] - logZ);
                dy[row + c] = (p - (c == label ? 1 : 0)) / scored;
              }
            }
          } else {
            int base = (t * b + s) * width;
            for (int c = 0; c < width; c++) {
              double diff = y[row + c] - target.values()[base + c];
              sumLoss += diff * diff / width;
              if (target.accuracy().correct(y[row + c], target.values()[base + c])) {
                hits++;
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
          Nd4j.gemm(dOut, ht, weightGrads.get(head), true, false, 1.0, 1.0);
          for (int s = 0; s < b; s++) {
            for (int c = 0; c < width; c++) {
              biasGrad[c] += dy[s * width + c];
            }
          }
        }
      }
      if (dLdh != null) {
        biasGrads.get(head).addi(Nd4j.create(biasGrad, new long[] {width}, DataType.DOUBLE).castTo(dataType));
      }
      loss[a] = sumLoss / scored;
      correct[a] = hits;
      judged[a] = target.kind() == LossKind.CLASSIFICATION ? scored : scored * width;
      accuracy[a] = (double) hits / judged[a];
    }
    return new Scores(loss, accuracy, counts, correct, judged);
  }

  private static boolean anyScored(Target target, int t, int b) {
    for (int s = 0; s < b; s++) {
      if (target.scored(t, s, b)) {
        return true;
      }
    }
    return false;
  }

  /** The trainable tensors of the heads of {@code stage}, with their gradients, by name. */
  void collect(Stage stage, List<Parameter> parameters, List<INDArray> gradients) {
    for (Assignment assignment : stage.assignments()) {
      int head = assignment.head();
      parameters.add(new Parameter(weightName(head), weights.get(head), true));
      gradients.add(weightGrads.get(head));
      parameters.add(new Parameter(biasName(head), biases.get(head), true));
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
      all.add(new Parameter(weightName(head), weights.get(head), true));
      all.add(new Parameter(biasName(head), biases.get(head), true));
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
