package engram.api.task;

import java.util.Objects;

/**
 * How a target's accuracy is counted: a rule that calls an output right or wrong, and what one
 * count is. Per entry (the default): the fraction of scored entries (classification) or of scored
 * (entry, component) pairs (regression, multi-label) that the rule calls correct. Per trial ({@link
 * #wholeTrial()}): the fraction of trials, counting a trial as correct only when every one of its
 * scored entries and components is. Accuracies are fractions in [0, 1]; a curriculum sees this
 * number.
 *
 * @param rule the rule
 * @param tolerance for {@link Rule#WITHIN}: the largest |output − target| counted correct (≥ 0);
 *     ignored by the other rules
 * @param scope what one count is: an entry (the default) or a whole trial
 */
public record Accuracy(Rule rule, double tolerance, Scope scope) {
  /**
   * Checks the values.
   *
   * @param rule the rule, never null
   * @param tolerance the tolerance of {@link Rule#WITHIN}, finite and ≥ 0
   * @param scope what one count is, never null
   * @throws IllegalArgumentException when the tolerance is negative, infinite or NaN
   * @throws NullPointerException when {@code rule} or {@code scope} is null
   */
  public Accuracy {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(scope, "scope");
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be a finite number ≥ 0, was " + tolerance);
    }
  }

  /**
   * A rule counted per entry.
   *
   * @param rule the rule, never null
   * @param tolerance the tolerance of {@link Rule#WITHIN}, finite and ≥ 0
   * @throws IllegalArgumentException when the tolerance is negative, infinite or NaN
   * @throws NullPointerException when {@code rule} is null
   */
  public Accuracy(Rule rule, double tolerance) {
    this(rule, tolerance, Scope.ENTRY);
  }

  /** When an output counts as correct. */
  public enum Rule {
    /** Classification: the largest logit is the label's. */
    ARGMAX,
    /** Regression: output and target have the same sign (flip-flop, evidence accumulation). */
    SIGN,
    /** Regression: |output − target| ≤ tolerance (delayed addition). */
    WITHIN,
    /**
     * Regression: the output binarized at ±tolerance — read as +1 above tolerance, −1 below
     * −tolerance and 0 between — equals the target (the rule of Dinc et al. 2025 with tolerance
     * 0.33 on ±1/0 targets; with tolerance ½ on a sigmoid output it reads 1 above ½ and 0 below).
     */
    BINARIZED,
    /**
     * Multi-label, per component: the predicted bit, 1 when σ(logit) &gt; ½ (the logit is &gt; 0),
     * equals the target bit. A NaN logit is never correct.
     */
    THRESHOLD
  }

  /** What one count of an accuracy is. */
  public enum Scope {
    /**
     * Every scored entry (classification) or scored (entry, component) pair (regression,
     * multi-label) counts once.
     */
    ENTRY,
    /**
     * Every trial — one sequence of a batch — with at least one scored entry counts once, as
     * correct only when the rule calls every scored entry and every component of it correct (a copy
     * task reproduced the whole sequence). Sequences with no scored entry are not counted.
     */
    TRIAL
  }

  /**
   * The classification rule.
   *
   * @return {@link Rule#ARGMAX}, per entry
   */
  public static Accuracy argmax() {
    return new Accuracy(Rule.ARGMAX, 0);
  }

  /**
   * Sign agreement, the default for regression.
   *
   * @return {@link Rule#SIGN}, per entry
   */
  public static Accuracy sign() {
    return new Accuracy(Rule.SIGN, 0);
  }

  /**
   * Closeness within a tolerance.
   *
   * @param tolerance the largest |output − target| counted correct, in the target's units, ≥ 0
   * @return {@link Rule#WITHIN} with that tolerance, per entry
   * @throws IllegalArgumentException when the tolerance is negative, infinite or NaN
   */
  public static Accuracy within(double tolerance) {
    return new Accuracy(Rule.WITHIN, tolerance);
  }

  /**
   * Binarized agreement: the output read as −1, 0 or +1 at ±threshold equals the target.
   *
   * @param threshold the band half-width, in the output's units, ≥ 0 (0.33 for ±1 targets)
   * @return {@link Rule#BINARIZED} with that threshold as its tolerance, per entry
   * @throws IllegalArgumentException when the threshold is negative, infinite or NaN
   */
  public static Accuracy binarized(double threshold) {
    return new Accuracy(Rule.BINARIZED, threshold);
  }

  /**
   * The multi-label rule, the default for {@link LossKind#MULTI_LABEL}.
   *
   * @return {@link Rule#THRESHOLD}, per entry
   */
  public static Accuracy threshold() {
    return new Accuracy(Rule.THRESHOLD, 0);
  }

  /**
   * The same rule counted per trial: {@code Accuracy.threshold().wholeTrial()} scores a copy task
   * by whole sequences reproduced.
   *
   * @return this rule and tolerance with {@link Scope#TRIAL}
   */
  public Accuracy wholeTrial() {
    return new Accuracy(rule, tolerance, Scope.TRIAL);
  }

  /**
   * Whether the rule fits targets of a loss kind: {@link Rule#ARGMAX} classification, {@link
   * Rule#SIGN}, {@link Rule#WITHIN} and {@link Rule#BINARIZED} regression, {@link Rule#THRESHOLD}
   * multi-label.
   *
   * @param kind a loss kind, never null
   * @return true when a {@link Target} of that kind may use this accuracy
   */
  public boolean fits(LossKind kind) {
    return switch (kind) {
      case CLASSIFICATION -> rule == Rule.ARGMAX;
      case REGRESSION -> rule == Rule.SIGN || rule == Rule.WITHIN || rule == Rule.BINARIZED;
      case MULTI_LABEL -> rule == Rule.THRESHOLD;
    };
  }

  /**
   * Whether one output component is correct for its target value (regression and multi-label).
   *
   * @param output the readout's value: the output (regression) or the logit before the sigmoid
   *     (multi-label)
   * @param target the target's value: a real number (regression) or a bit, 0 or 1 (multi-label)
   * @return true when the rule calls it correct
   * @throws IllegalStateException for {@link Rule#ARGMAX}, which scores whole logit vectors
   */
  public boolean correct(double output, double target) {
    return switch (rule) {
      case SIGN -> Math.signum(output) == Math.signum(target);
      case WITHIN -> Math.abs(output - target) <= tolerance;
      case BINARIZED -> binarize(output) == target;
      // written on the logit: σ(y) > ½ exactly when y > 0, without rounding σ near ½
      case THRESHOLD -> target > 0.5 ? output > 0 : output <= 0;
      case ARGMAX -> throw new IllegalStateException("ARGMAX applies to classification targets");
    };
  }

  /** +1 above the tolerance, −1 below its negative, 0 between (NaN reads as 0.5: never right). */
  private double binarize(double output) {
    if (output > tolerance) {
      return 1;
    }
    if (output < -tolerance) {
      return -1;
    }
    return output == output ? 0 : 0.5;
  }
}
