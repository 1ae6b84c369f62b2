package engram.tasks.bits;

import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.util.ArrayList;
import java.util.List;

/**
 * The continuous form of the bit-stream tasks ({@link engram.api.Task#stream}): the same single
 * input channel as {@link LastStepBatch}, but each level's rule is asked at every step of the
 * stream instead of at the last one. At step t (counted from 0) the rule sees x<sub>1</sub> …
 * x<sub>t+1</sub>, the bits presented so far; a rule of level N reads the last N of them, so it is
 * scored from step N−1 on and masked out before. A level longer than the stream is never scored.
 */
public final class StreamBatch {
  private StreamBatch() {}

  /** Checks that a stream has at least one step. */
  public static int steps(String taskId, int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException(taskId + " stream length must be ≥ 1 step, was " + steps);
    }
    return steps;
  }

  /**
   * Assembles a batch of equally long streams with, per level in the given order, the label of
   * {@code rule} at every step t ≥ level − 1 (mask 1) and class 0 with mask 0 before.
   *
   * <p>Cost O(T · B · Σ levels) for rules that scan the last N bits, which is what the tasks here
   * do.
   */
  public static Batch of(
      List<Bits> sequences, int[] levels, BitEncoding encoding, LastStepBatch.Rule rule) {
    int batch = sequences.size();
    int steps = sequences.get(0).length();
    float[] inputs = LastStepBatch.inputs(sequences, encoding);
    List<Target> targets = new ArrayList<>(levels.length);
    for (int level : levels) {
      float[] labels = new float[steps * batch];
      float[] mask = new float[steps * batch];
      for (int b = 0; b < batch; b++) {
        Bits x = sequences.get(b);
        for (int t = level - 1; t < steps; t++) {
          labels[t * batch + b] = rule.holds(x.firstSteps(t + 1), level) ? 1f : 0f;
          mask[t * batch + b] = 1f;
        }
      }
      targets.add(new Target(level, LossKind.CLASSIFICATION, 2, labels, mask));
    }
    return new Batch(steps, batch, 1, inputs, targets);
  }
}
