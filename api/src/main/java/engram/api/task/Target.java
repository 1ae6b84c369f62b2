package engram.api.task;

import java.util.Objects;

/**
 * The target of one level (one N of N-parity, one delay of DMS) over a batch.
 *
 * <p>Layout is time-major like {@link Batch#inputs()}: entry {@code (t, b)} is at index {@code t *
 * batch + b}; for regression and multi-label, component {@code c} of entry {@code (t, b)} is at
 * {@code (t * batch + b) * width + c}.
 *
 * @param level the level this target belongs to (for example N)
 * @param kind how it is scored
 * @param width number of classes (classification), output components (regression) or labels
 *     (multi-label); ≥ 1
 * @param values for {@link LossKind#CLASSIFICATION}: class index in {@code [0, width)} stored as a
 *     float, length {@code steps * batch}; for regression: real targets, length {@code steps *
 *     batch * width}; for multi-label: bits, 0 or 1 at every scored entry, length {@code steps *
 *     batch * width}
 * @param mask 1 where an entry is scored, 0 elsewhere; length {@code steps * batch}. The loss is
 *     the mean over scored entries.
 * @param accuracy how accuracy is counted: a rule that {@link Accuracy#fits} the kind, per entry or
 *     per whole trial
 * @param activation the readout's output nonlinearity, applied before the loss and the accuracy
 *     rule; anything but {@link OutputActivation#IDENTITY} for regression targets only
 */
public record Target(
    int level,
    LossKind kind,
    int width,
    float[] values,
    float[] mask,
    Accuracy accuracy,
    OutputActivation activation) {
  /**
   * Checks that the values fit the kind, width and mask; the arrays are kept, not copied.
   *
   * @param level the level
   * @param kind how it is scored
   * @param width classes, output components or labels, ≥ 1
   * @param values labels (classification), real targets (regression) or bits (multi-label)
   * @param mask 1 where scored; length T·B
   * @param accuracy {@link Accuracy#argmax()} for classification, {@link Accuracy#sign()} or {@link
   *     Accuracy#within} for regression, {@link Accuracy#threshold()} for multi-label; any of them
   *     may be {@link Accuracy#wholeTrial() counted per trial}
   * @param activation the output nonlinearity; not {@link OutputActivation#IDENTITY} only for
   *     {@link LossKind#REGRESSION}
   * @throws IllegalArgumentException when a length, the accuracy rule or the activation does not
   *     fit, or a multi-label value of a scored entry is not 0 or 1
   * @throws NullPointerException when an argument is null
   */
  public Target {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(accuracy, "accuracy");
    Objects.requireNonNull(activation, "activation");
    if (activation != OutputActivation.IDENTITY && kind != LossKind.REGRESSION) {
      throw new IllegalArgumentException(
          "output activation "
              + activation
              + " applies to REGRESSION targets only, not to a "
              + kind
              + " target (its loss has its own output function)");
    }
    if (!accuracy.fits(kind)) {
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
    if (kind == LossKind.MULTI_LABEL) {
      checkBits(values, mask, width);
    }
  }

  /** Every component of a scored entry is 0 or 1: the cross-entropy and the rule expect bits. */
  private static void checkBits(float[] values, float[] mask, int width) {
    for (int entry = 0; entry < mask.length; entry++) {
      if (mask[entry] == 0f) {
        continue;
      }
      for (int i = entry * width; i < (entry + 1) * width; i++) {
        if (values[i] != 0f && values[i] != 1f) {
          throw new IllegalArgumentException(
              "a "
                  + LossKind.MULTI_LABEL
                  + " target holds bits,"
                  + " but values["
                  + i
                  + "] (entry "
                  + entry
                  + ", component "
                  + (i - entry * width)
                  + ") of a scored entry is "
                  + values[i]);
        }
      }
    }
  }

  /**
   * A target with the plain linear readout ({@link OutputActivation#IDENTITY}).
   *
   * @param level the level
   * @param kind how it is scored
   * @param width classes, output components or labels, ≥ 1
   * @param values labels (classification), real targets (regression) or bits (multi-label)
   * @param mask 1 where scored; length T·B
   * @param accuracy a rule that {@link Accuracy#fits} the kind
   * @throws IllegalArgumentException when a length or the accuracy rule does not fit, or a
   *     multi-label value of a scored entry is not 0 or 1
   */
  public Target(
      int level, LossKind kind, int width, float[] values, float[] mask, Accuracy accuracy) {
    this(level, kind, width, values, mask, accuracy, OutputActivation.IDENTITY);
  }

  /**
   * A target with the default accuracy, per entry: argmax for classification, sign agreement for
   * regression, the threshold rule for multi-label.
   *
   * @param level the level
   * @param kind how it is scored
   * @param width classes, output components or labels, ≥ 1
   * @param values labels (classification), real targets (regression) or bits (multi-label)
   * @param mask 1 where scored; length T·B
   * @throws IllegalArgumentException when a length does not fit, or a multi-label value of a scored
   *     entry is not 0 or 1
   */
  public Target(int level, LossKind kind, int width, float[] values, float[] mask) {
    this(level, kind, width, values, mask, defaultAccuracy(kind));
  }

  private static Accuracy defaultAccuracy(LossKind kind) {
    return switch (Objects.requireNonNull(kind, "kind")) {
      case CLASSIFICATION -> Accuracy.argmax();
      case REGRESSION -> Accuracy.sign();
      case MULTI_LABEL -> Accuracy.threshold();
    };
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
