package engram.tasks.bits;

import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The layout shared by the bit-stream tasks: one input channel carrying the bits, and for each
 * level a two-class target that is scored at the last step only. Task files say what the bits and
 * the labels are; this class writes them into the time-major arrays of {@link Batch}.
 */
public final class LastStepBatch {
  private LastStepBatch() {}

  /**
   * A level's label on one sequence: class 1 when the rule holds, class 0 when it does not. A rule
   * of level N reads only the last N bits, so it is defined on every sequence of length ≥ N (which
   * is what {@link StreamBatch} relies on to score it at every step from N−1 on).
   */
  @FunctionalInterface
  public interface Rule {
    boolean holds(Bits sequence, int level);
  }

  /**
   * Checks requested levels and returns the largest, N<sub>max</sub>.
   *
   * @throws IllegalArgumentException if {@code levels} is empty or a level is below {@code
   *     minLevel}
   */
  public static int maxLevel(String taskId, int[] levels, int minLevel) {
    if (levels == null || levels.length == 0) {
      throw new IllegalArgumentException(
          taskId + " needs at least one level to produce targets for");
    }
    for (int level : levels) {
      if (level < minLevel) {
        throw new IllegalArgumentException(
            taskId
                + " levels must be ≥ "
                + minLevel
                + ", got "
                + level
                + " in "
                + Arrays.toString(levels));
      }
    }
    return Arrays.stream(levels).max().orElseThrow();
  }

  /** Checks that a batch has at least one sequence. */
  public static int batchSize(String taskId, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException(taskId + " batch size must be ≥ 1, was " + batchSize);
    }
    return batchSize;
  }

  /**
   * Assembles a batch of equally long sequences with, per level in the given order, the label of
   * {@code rule} at the last step and a mask that scores that step only.
   */
  public static Batch of(List<Bits> sequences, int[] levels, BitEncoding encoding, Rule rule) {
    int batch = sequences.size();
    int steps = sequences.get(0).length();
    float[] inputs = inputs(sequences, encoding);
    int last = (steps - 1) * batch;
    List<Target> targets = new ArrayList<>(levels.length);
    for (int level : levels) {
      float[] labels = new float[steps * batch];
      float[] mask = new float[steps * batch];
      for (int b = 0; b < batch; b++) {
        labels[last + b] = rule.holds(sequences.get(b), level) ? 1f : 0f;
        mask[last + b] = 1f;
      }
      targets.add(new Target(level, LossKind.CLASSIFICATION, 2, labels, mask));
    }
    return new Batch(steps, batch, 1, inputs, targets);
  }

  /**
   * The one-channel inputs {@code [T, B, 1]} of equally long sequences, time-major.
   *
   * @throws IllegalArgumentException if the sequences differ in length
   */
  static float[] inputs(List<Bits> sequences, BitEncoding encoding) {
    int batch = sequences.size();
    int steps = sequences.get(0).length();
    float[] inputs = new float[steps * batch];
    for (int b = 0; b < batch; b++) {
      Bits x = sequences.get(b);
      if (x.length() != steps) {
        throw new IllegalArgumentException(
            "sequences of a batch must have one length, got " + steps + " and " + x.length());
      }
      for (int t = 0; t < steps; t++) {
        inputs[t * batch + b] = encoding.input(x.atStep(t));
      }
    }
    return inputs;
  }
}
