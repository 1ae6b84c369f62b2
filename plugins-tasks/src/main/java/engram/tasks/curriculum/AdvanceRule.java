package engram.tasks.curriculum;

import engram.api.config.Check;
import engram.api.curriculum.Stage;
import java.util.Arrays;

/**
 * The success criterion every curriculum here shares, and the checks of the keys they share.
 *
 * <p>A stage is learnt when the mean accuracy over its active levels exceeds the threshold (so
 * earlier levels are not being forgotten) and the newest level's accuracy exceeds it too. Both
 * comparisons are strict: an accuracy equal to the threshold does not pass.
 */
final class AdvanceRule {
  static final int START_LEVEL = 2;
  static final double THRESHOLD = 0.98;
  static final int MAX_LEVEL = 1000;

  private AdvanceRule() {}

  /** Whether {@code stage} is learnt, given one accuracy per assignment in the stage's order. */
  static boolean learnt(Stage stage, double[] accuracies, double threshold) {
    int levels = stage.assignments().size();
    if (accuracies == null || accuracies.length != levels) {
      throw new IllegalArgumentException(
          "expected one accuracy per active level ("
              + levels
              + "), got "
              + (accuracies == null
                  ? "none"
                  : accuracies.length + ": " + Arrays.toString(accuracies)));
    }
    double mean = Arrays.stream(accuracies).average().orElseThrow();
    double newest = accuracies[levels - 1];
    return mean > threshold && newest > threshold;
  }

  static void checkStartLevel(int startLevel) {
    Check.atLeast("start-level", startLevel, 1);
  }

  static void checkThreshold(double threshold) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold must be in (0, 1] (was " + threshold + ")");
    }
  }

  /** max-level must allow the highest level the curriculum starts with. */
  static void checkMaxLevel(int maxLevel, int highestStartLevel) {
    if (maxLevel < highestStartLevel) {
      throw new IllegalArgumentException(
          "max-level must be ≥ "
              + highestStartLevel
              + ", the highest level trained at the start (was "
              + maxLevel
              + ")");
    }
  }
}
