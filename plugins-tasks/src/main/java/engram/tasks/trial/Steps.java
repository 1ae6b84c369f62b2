package engram.tasks.trial;

import java.util.random.RandomGenerator;

/**
 * The duration of a trial period in time steps: fixed when {@code min == max}, otherwise drawn
 * uniformly from {min, …, max} (both ends included) for every trial on its own.
 *
 * <p>In experiment files a duration is a plain record, {@code delay1: {min: 5, max: 15}} or {@code
 * cue1: {min: 1, max: 1}}, so it binds like any other configuration value.
 *
 * @param min fewest steps, ≥ 0
 * @param max most steps, ≥ min
 */
public record Steps(int min, int max) {
  public Steps {
    if (min < 0) {
      throw new IllegalArgumentException("min must be ≥ 0 steps (was " + min + ")");
    }
    if (max < min) {
      throw new IllegalArgumentException(
          "max must be ≥ min (was min " + min + ", max " + max + " steps)");
    }
  }

  /** Exactly {@code steps} steps in every trial. */
  public static Steps fixed(int steps) {
    return new Steps(steps, steps);
  }

  /** Uniform on {min, …, max} steps, drawn per trial. */
  public static Steps uniform(int min, int max) {
    return new Steps(min, max);
  }

  /** Whether every trial gets the same duration. */
  public boolean isFixed() {
    return min == max;
  }

  /** One trial's duration; a fixed duration draws nothing from {@code rng}. */
  public int draw(RandomGenerator rng) {
    return isFixed() ? min : rng.nextInt(min, max + 1);
  }

  /**
   * Checks a configured duration: set, and never shorter than {@code least} steps.
   *
   * @throws IllegalArgumentException whose message starts with {@code key}
   */
  public static Steps check(String key, Steps value, int least) {
    if (value == null) {
      throw new IllegalArgumentException(key + " must be set");
    }
    if (value.min() < least) {
      throw new IllegalArgumentException(
          key + " must be ≥ " + least + " steps (was " + value + ")");
    }
    return value;
  }

  /** "5 steps", "1 step" or "uniform 5–15 steps". */
  @Override
  public String toString() {
    if (isFixed()) {
      return min + (min == 1 ? " step" : " steps");
    }
    return "uniform " + min + "–" + max + " steps";
  }
}
