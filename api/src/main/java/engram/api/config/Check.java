package engram.api.config;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * Validation helpers for configuration records. Each throws {@link IllegalArgumentException} with a
 * message that starts with the key, so core can prefix the section and report {@code
 * model.hidden-size must be ≥ 1 (was 0)}.
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Check {
  private Check() {}

  /**
   * Checks an integer lower bound: {@code atLeast("hidden-size", 0, 1)} throws "hidden-size must be
   * ≥ 1 (was 0)".
   *
   * @param key the kebab-case key, first word of the message
   * @param value the value to check
   * @param min the smallest allowed value
   * @return {@code value}, so a check can sit in an expression
   * @throws IllegalArgumentException when {@code value < min}
   */
  public static int atLeast(String key, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(key + " must be ≥ " + min + " (was " + value + ")");
    }
    return value;
  }

  /**
   * Checks that a number is finite and strictly positive (a learning rate, a time constant).
   *
   * @param key the kebab-case key, first word of the message
   * @param value the value to check
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value} is ≤ 0, infinite or NaN
   */
  public static double positive(String key, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(key + " must be a finite number > 0 (was " + value + ")");
    }
    return value;
  }

  /**
   * Checks that a number is finite and ≥ 0 (a regularizer strength, a noise level).
   *
   * @param key the kebab-case key, first word of the message
   * @param value the value to check
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value} is negative, infinite or NaN
   */
  public static double nonNegative(String key, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(key + " must be a finite number ≥ 0 (was " + value + ")");
    }
    return value;
  }

  /**
   * Checks that a number lies in the closed interval [min, max] (a probability).
   *
   * @param key the kebab-case key, first word of the message
   * @param value the value to check
   * @param min the smallest allowed value
   * @param max the largest allowed value
   * @return {@code value}
   * @throws IllegalArgumentException when {@code value} is outside [min, max] or NaN
   */
  public static double inRange(String key, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException(
          key + " must be in [" + min + ", " + max + "] (was " + value + ")");
    }
    return value;
  }

  /**
   * Checks that a value is set (an enum or list key whose YAML value was null).
   *
   * @param <T> the value's type
   * @param key the kebab-case key, first word of the message
   * @param value the value to check
   * @return {@code value}
   * @throws IllegalArgumentException ("key must be set") when {@code value} is null
   */
  public static <T> T notNull(String key, T value) {
    if (value == null) {
      throw new IllegalArgumentException(key + " must be set");
    }
    return value;
  }
}
