package engram.api.config;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * Validation helpers for configuration records. Each throws {@link IllegalArgumentException} with
 * a message that starts with the key, so core can prefix the section and report
 * {@code model.hidden-size must be ≥ 1 (was 0)}.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Check {
  private Check() {}

  public static int atLeast(String key, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(key + " must be ≥ " + min + " (was " + value + ")");
    }
    return value;
  }

  public static double positive(String key, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(key + " must be a finite number > 0 (was " + value + ")");
    }
    return value;
  }

  public static double nonNegative(String key, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(key + " must be a finite number ≥ 0 (was " + value + ")");
    }
    return value;
  }

  public static double inRange(String key, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException(
          key + " must be in [" + min + ", " + max + "] (was " + value + ")");
    }
    return value;
  }

  public static <T> T notNull(String key, T value) {
    if (value == null) {
      throw new IllegalArgumentException(key + " must be set");
    }
    return value;
  }
}
