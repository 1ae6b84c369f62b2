package engram.api.task;

import java.util.Objects;

/**
 * How a target's accuracy is counted: the fraction of scored entries (classification) or of
 * scored (entry, component) pairs (regression) that a rule calls correct.
 *
 * @param rule the rule
 * @param tolerance for {@link Rule#WITHIN}: the largest |output − target| counted correct (≥ 0);
 *     ignored by the other rules
 */
public record Accuracy(Rule rule, double tolerance) {
  /**
   * Checks the values.
   *
   * @param rule the rule, never null
   * @param tolerance the tolerance of {@link Rule#WITHIN}, finite and ≥ 0
   * @throws IllegalArgumentException when the tolerance is negative, infinite or NaN
   * @throws NullPointerException when {@code rule} is null
   */
  public Accuracy {
    Objects.requireNonNull(rule, "rule");
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be a finite number ≥ 0, was " + tolerance);
    }
  }

  /** When an output counts as correct. */
  public enum Rule {
    /** Classification: the largest logit is the label's. */
    ARGMAX,
    /** Regression: output and target have the same sign (flip-flop, evidence accumulation). */
    SIGN,
    /** Regression: |output − target| ≤ tolerance (delayed addition). */
    WITHIN
  }

  /**
   * The classification rule.
   *
   * @return {@link Rule#ARGMAX}
   */
  public static Accuracy argmax() {
    return new Accuracy(Rule.ARGMAX, 0);
  }

  /**
   * Sign agreement, the default for regression.
   *
   * @return {@link Rule#SIGN}
   */
  public static Accuracy sign() {
    return new Accuracy(Rule.SIGN, 0);
  }

  /**
   * Closeness within a tolerance.
   *
   * @param tolerance the largest |output − target| counted correct, in the target's units, ≥ 0
   * @return {@link Rule#WITHIN} with that tolerance
   * @throws IllegalArgumentException when the tolerance is negative, infinite or NaN
   */
  public static Accuracy within(double tolerance) {
    return new Accuracy(Rule.WITHIN, tolerance);
  }

  /**
   * Whether a regression output component is correct for its target value.
   *
   * @param output the readout's value
   * @param target the target's value
   * @return true when the rule calls it correct
   * @throws IllegalStateException for {@link Rule#ARGMAX}, which scores whole logit vectors
   */
  public boolean correct(double output, double target) {
    return switch (rule) {
      case SIGN -> Math.signum(output) == Math.signum(target);
      case WITHIN -> Math.abs(output - target) <= tolerance;
      case ARGMAX -> throw new IllegalStateException("ARGMAX applies to classification targets");
    };
  }
}
