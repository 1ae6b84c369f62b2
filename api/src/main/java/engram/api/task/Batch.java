package engram.api.task;

import java.util.List;

/**
 * One batch of input sequences and, for each requested level, its target on the same inputs.
 *
 * <p>Inputs are time-major: value {@code i} of sequence {@code b} at step {@code t} is at {@code (t
 * * batch + b) * inputSize + i}, i.e. the array is a row-major {@code [steps, batch, inputSize]}
 * tensor. Arrays are not copied; producers hand them over and never touch them again.
 *
 * @param steps sequence length T (≥ 1)
 * @param batch number of sequences B (≥ 1)
 * @param inputSize input channels per step I (≥ 1)
 * @param inputs {@code [T, B, I]} row-major
 * @param targets one per requested level, in the order the levels were requested
 * @param periods the named periods of each step and sequence ({@link Periods#none} if the task
 *     declares none)
 */
public record Batch(
    int steps, int batch, int inputSize, float[] inputs, List<Target> targets, Periods periods) {
  /**
   * Checks that every array fits the shape; the arrays are kept, not copied, and the targets are
   * copied into an unmodifiable list.
   *
   * @param steps sequence length T, ≥ 1
   * @param batch number of sequences B, ≥ 1
   * @param inputSize input channels I, ≥ 1
   * @param inputs {@code [T, B, I]} row-major, length T·B·I
   * @param targets one per requested level; each mask of length T·B
   * @param periods the named periods; index of length T·B
   * @throws IllegalArgumentException when a size is below 1 or an array length does not fit
   * @throws NullPointerException when {@code periods} or {@code targets} is null
   */
  public Batch {
    if (steps < 1 || batch < 1 || inputSize < 1) {
      throw new IllegalArgumentException(
          "steps, batch and inputSize must be ≥ 1, were "
              + steps
              + ", "
              + batch
              + ", "
              + inputSize);
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
            "target of level "
                + target.level()
                + " has mask length "
                + target.mask().length
                + ", expected "
                + steps * batch);
      }
    }
  }

  /**
   * A batch whose task declares no named periods.
   *
   * @param steps sequence length T, ≥ 1
   * @param batch number of sequences B, ≥ 1
   * @param inputSize input channels I, ≥ 1
   * @param inputs {@code [T, B, I]} row-major, length T·B·I
   * @param targets one per requested level, in the order the levels were requested
   * @throws IllegalArgumentException when a size is below 1 or an array length does not fit
   */
  public Batch(int steps, int batch, int inputSize, float[] inputs, List<Target> targets) {
    this(steps, batch, inputSize, inputs, targets, Periods.none(steps, batch));
  }

  /**
   * One input value.
   *
   * @param t step, in {@code [0, T)}
   * @param b sequence, in {@code [0, B)}
   * @param i channel, in {@code [0, I)}
   * @return input channel {@code i} of sequence {@code b} at step {@code t}
   */
  public float input(int t, int b, int i) {
    return inputs[(t * batch + b) * inputSize + i];
  }
}
