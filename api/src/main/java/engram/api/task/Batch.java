package engram.api.task;

import java.util.List;

/**
 * One batch of input sequences and, for each requested level, its target on the same inputs.
 *
 * <p>Inputs are time-major: value {@code i} of sequence {@code b} at step {@code t} is at
 * {@code (t * batch + b) * inputSize + i}, i.e. the array is a row-major {@code [steps, batch,
 * inputSize]} tensor. Arrays are not copied; producers hand them over and never touch them again.
 *
 * @param steps sequence length T (≥ 1)
 * @param batch number of sequences B (≥ 1)
 * @param inputSize input channels per step I (≥ 1)
 * @param inputs {@code [T, B, I]} row-major
 * @param targets one per requested level, in the order the levels were requested
 * @param periods the named periods of each step and sequence ({@link Periods#none} if the task
 *     declares none)
 */
public record Batch(int steps, int batch, int inputSize, float[] inputs, List<Target> targets,
    Periods periods) {
  public Batch {
    if (steps < 1 || batch < 1 || inputSize < 1) {
      throw new IllegalArgumentException(
          "steps, batch and inputSize must be ≥ 1, were " + steps + ", " + batch + ", " + inputSize);
    }
    if (inputs.length != steps * batch * inputSize) {
      throw new IllegalArgumentException(
          "inputs has length " + inputs.length + ", expected " + steps * batch * inputSize);
    }
    targets = List.copyOf(targets);
    java.util.Objects.requireNonNull(periods, "periods");
    if (periods.index().length != steps * batch) {
      throw new IllegalArgumentException(
          "periods has length " + periods.index().length + ", expected " + steps * batch);
    }
    for (Target target : targets) {
      if (target.mask().length != steps * batch) {
        throw new IllegalArgumentException(
            "target of level " + target.level() + " has mask length " + target.mask().length
                + ", expected " + steps * batch);
      }
    }
  }

  /** A batch whose task declares no named periods. */
  public Batch(int steps, int batch, int inputSize, float[] inputs, List<Target> targets) {
    this(steps, batch, inputSize, inputs, targets, Periods.none(steps, batch));
  }

  /** Input channel {@code i} of sequence {@code b} at step {@code t}. */
  public float input(int t, int b, int i) {
    return inputs[(t * batch + b) * inputSize + i];
  }
}
