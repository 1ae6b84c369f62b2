package engram.models.common;

import engram.api.config.Check;

/** Config checks shared by the models' records; messages start with the kebab-case key. */
public final class ConfigChecks {
  private ConfigChecks() {}

  /** tau-init-min and tau-init-max positive, max ≥ min. */
  public static void tauInitRange(double tauInitMin, double tauInitMax) {
    Check.positive("tau-init-min", tauInitMin);
    Check.positive("tau-init-max", tauInitMax);
    if (tauInitMax < tauInitMin) {
      throw new IllegalArgumentException(
          "tau-init-max must be ≥ tau-init-min (was " + tauInitMax + " < " + tauInitMin + ")");
    }
  }

  /** A finite number ≥ min. */
  public static void atLeast(String key, double value, double min) {
    if (!(value >= min) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          key + " must be a finite number ≥ " + format(min) + " (was " + value + ")");
    }
  }

  private static String format(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
