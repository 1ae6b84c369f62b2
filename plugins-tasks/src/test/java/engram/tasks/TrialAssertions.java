package engram.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.task.Batch;
import engram.api.task.Periods;
import engram.api.task.Target;
import java.util.List;

/** Checks on batches of trials with named periods, computed straight from the arrays. */
public final class TrialAssertions {
  private TrialAssertions() {}

  /** Steps of sequence b that lie in the named period, counted one by one. */
  public static int stepsIn(Batch batch, int b, String period) {
    int count = 0;
    for (int t = 0; t < batch.steps(); t++) {
      count += batch.periods().in(period, t, b, batch.batch()) ? 1 : 0;
    }
    return count;
  }

  /** The steps (in time order) of sequence b that lie in the named period. */
  public static List<Integer> stepsOf(Batch batch, int b, String period) {
    java.util.ArrayList<Integer> steps = new java.util.ArrayList<>();
    for (int t = 0; t < batch.steps(); t++) {
      if (batch.periods().in(period, t, b, batch.batch())) {
        steps.add(t);
      }
    }
    return steps;
  }

  /**
   * Every sequence runs through {@code names} in this order, each period contiguous, from step 0,
   * followed only by padding (index −1); the longest sequence has no padding; padding carries zero
   * inputs and is never scored by any target.
   */
  public static void assertTrialOrderThenPadding(Batch batch, List<String> names) {
    Periods periods = batch.periods();
    assertEquals(names, periods.names());
    int longest = 0;
    for (int b = 0; b < batch.batch(); b++) {
      int previous = 0;
      int length = 0;
      for (int t = 0; t < batch.steps(); t++) {
        int index = periods.index()[t * batch.batch() + b];
        if (index == -1) {
          for (int i = 0; i < batch.inputSize(); i++) {
            assertEquals(0f, batch.input(t, b, i), "padding input at step " + t);
          }
          for (Target target : batch.targets()) {
            assertEquals(0f, target.mask()[t * batch.batch() + b], "padding scored at step " + t);
          }
          previous = Integer.MAX_VALUE;
        } else {
          assertTrue(
              index >= previous && previous != Integer.MAX_VALUE,
              "period "
                  + names.get(index)
                  + " at step "
                  + t
                  + " of sequence "
                  + b
                  + " is out of trial order");
          previous = index;
          length = t + 1;
        }
      }
      longest = Math.max(longest, length);
    }
    assertEquals(batch.steps(), longest, "the batch is as long as its longest trial");
  }

  /** Every target's mask is exactly the named period's. */
  public static void assertScoredExactlyDuring(Batch batch, String period) {
    float[] expected = batch.periods().mask(period);
    for (Target target : batch.targets()) {
      assertArrayEquals(
          expected, target.mask(), "mask of level " + target.level() + " is the " + period);
    }
  }
}
