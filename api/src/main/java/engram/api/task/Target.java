package engram.api.task;

import java.util.Objects;

/**
 * The target of one level (one N of N-parity, one delay of DMS) over a batch.
 *
 * <p>Layout is time-major like {@link Batch#inputs()}: entry {@code (t, b)} is at index
 * {@code t * batch + b}; for regression, component {@code c} of entry {@code (t, b)} is at
 * {@code (t * batch + b) * width + c}.
 *
 * @param level the level this target belongs to (for example N)
 * @param kind how it is scored
 * @param width number of classes (classification) or output components (regression); ≥ 1
 * @param values for {@link LossKind#CLASSIFICATION}: class index in {@code [0, width)} stored as
 *     a float, length {@code steps * batch}; for regression: length {@code steps * batch * width}
 * @param mask 1 where an entry is scored, 0 elsewhere; length {@code steps * batch}. The loss is
 *     the mean over scored entries.
 * @param accuracy how accuracy is counted; {@link Accuracy#argmax()} for classification
 */
public record Target(int level, LossKind kind, int width, float[] values, float[] mask,
    Accuracy accuracy) {
  /**
   * Checks that the values fit the kind, width and mask; the arrays are kept, not copied.
   *
   * @param level the level
   * @param kind how it is scored
   * @param width classes or output components, ≥ 1
   * @param values labels (classification) or real targets (regression)
   * @param mask 1 where scored; length T·B
   * @param accuracy {@link Accuracy#argmax()} for classification, another rule for regression
   * @throws IllegalArgumentException when a length or the accuracy rule does not fit
   * @throws NullPointerException when an argument is null
   */
  public Target {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(accuracy, "accuracy");
    if ((kind == LossKind.CLASSIFICATION) != (accuracy.rule() == Accuracy.Rule.ARGMAX)) {
      throw new IllegalArgumentException(
          "accuracy rule " + accuracy.rule() + " does not fit a " + kind + " target");
    }
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(mask, "mask");
    if (width < 1) {
      throw new IllegalArgumentException("width must be ≥ 1, was " + width);
    }
    int expected = kind == LossKind.CLASSIFICATION ? mask.length : mask.length * width;
    if (values.length != expected) {
      throw new IllegalArgumentException(
          "values has length " + values.length + ", expected " + expected + " for " + kind);
    }
  }

  /**
   * A target with the default accuracy: argmax for classification, sign agreement for regression.
   *
   * @param level the level
   * @param kind how it is scored
   * @param width classes or output components, ≥ 1
   * @param values labels (classification) or real targets (regression)
   * @param mask 1 where scored; length T·B
   * @throws IllegalArgumentException when a length does not fit
   */
  public Target(int level, LossKind kind, int width, float[] values, float[] mask) {
    this(level, kind, width, values, mask,
        kind == LossKind.CLASSIFICATION ? Accuracy.argmax() : Accuracy.sign());
  }

  /**
   * The class label of a classification entry.
   *
   * @param t step, in {@code [0, T)}
   * @param b sequence, in {@code [0, B)}
   * @param batch B, the number of sequences of the batch
   * @return the class index of entry (t, b), in {@code [0, width)}
   */
  public int label(int t, int b, int batch) {
    return (int) values[t * batch + b];
  }

  /**
   * Whether an entry counts towards loss and accuracy.
   *
   * @param t step, in {@code [0, T)}
   * @param b sequence, in {@code [0, B)}
   * @param batch B, the number of sequences of the batch
   * @return true when entry (t, b) is scored
   */
  public boolean scored(int t, int b, int batch) {
    return mask[t * batch + b] != 0f;
  }
}
