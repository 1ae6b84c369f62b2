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
  public Accuracy {
    Objects.requireNonNull(rule, "rule");
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be a finite number ≥ 0, was " + tolerance);
    }
  }

  public enum Rule {
    /** Classification: the largest logit is the label's. */
    ARGMAX,
    /** Regression: output and target have the same sign (flip-flop, evidence accumulation). */
    SIGN,
    /** Regression: |output − target| ≤ tolerance (delayed addition). */
    WITHIN
  }

  public static Accuracy argmax() {
    return new Accuracy(Rule.ARGMAX, 0);
  }

  public static Accuracy sign() {
    return new Accuracy(Rule.SIGN, 0);
  }

  public static Accuracy within(double tolerance) {
    return new Accuracy(Rule.WITHIN, tolerance);
  }

  /** Whether a regression output component is correct for its target value. */
  public boolean correct(double output, double target) {
    return switch (rule) {
      case SIGN -> Math.signum(output) == Math.signum(target);
      case WITHIN -> Math.abs(output - target) <= tolerance;
      case ARGMAX -> throw new IllegalStateException("ARGMAX applies to classification targets");
    };
  }
}
