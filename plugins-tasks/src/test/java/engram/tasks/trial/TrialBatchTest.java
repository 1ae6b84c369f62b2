package engram.tasks.trial;

import static engram.tasks.TrialAssertions.assertTrialOrderThenPadding;
import static engram.tasks.TrialAssertions.stepsIn;
import static engram.tasks.trial.Timeline.period;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class TrialBatchTest {
  private static final Timeline CUE_DELAY_RESPONSE =
      Timeline.of(
          period("cue", Steps.fixed(2)),
          period("delay", Steps.uniform(0, 6)),
          period("response", Steps.fixed(3)));

  @Test
  void stepsReadWellAndRejectBadRanges() {
    assertEquals("1 step", Steps.fixed(1).toString());
    assertEquals("5 steps", Steps.fixed(5).toString());
    assertEquals("uniform 5–15 steps", Steps.uniform(5, 15).toString());
    assertEquals(
        "max must be ≥ min (was min 5, max 3 steps)",
        assertThrows(IllegalArgumentException.class, () -> new Steps(5, 3)).getMessage());
    assertEquals(
        "min must be ≥ 0 steps (was -1)",
        assertThrows(IllegalArgumentException.class, () -> new Steps(-1, 3)).getMessage());
    assertEquals(
        "cue1 must be ≥ 1 steps (was uniform 0–4 steps)",
        assertThrows(
                IllegalArgumentException.class, () -> Steps.check("cue1", Steps.uniform(0, 4), 1))
            .getMessage());
    assertEquals(
        "cue1 must be set",
        assertThrows(IllegalArgumentException.class, () -> Steps.check("cue1", null, 1))
            .getMessage());
    assertEquals(
        "cue 2 steps → delay uniform 0–6 steps → response 3 steps", CUE_DELAY_RESPONSE.toString());
  }

  @Test
  void fixedDurationsDrawNothingAndUniformOnesCoverTheirRange() {
    RandomGenerator rng = new SplittableRandom(1);
    RandomGenerator untouched = new SplittableRandom(1);
    assertEquals(7, Steps.fixed(7).draw(rng));
    assertEquals(untouched.nextLong(), rng.nextLong(), "a fixed duration consumed randomness");
    int[] seen = new int[8];
    for (int i = 0; i < 2000; i++) {
      seen[Steps.uniform(2, 5).draw(rng)]++;
    }
    assertArrayEquals(new int[] {0, 0, seen[2], seen[3], seen[4], seen[5], 0, 0}, seen);
    for (int d = 2; d <= 5; d++) {
      assertTrue(seen[d] > 400, "duration " + d + " drawn " + seen[d] + " times of 2000");
    }
  }

  @Test
  void timelineRejectsRepeatedAndUnknownNames() {
    assertEquals(
        "period names must be distinct: [delay, delay]",
        assertThrows(
                IllegalArgumentException.class,
                () -> Timeline.of(period("delay", Steps.fixed(1)), period("delay", Steps.fixed(2))))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> Timeline.of());
    TrialBatch trials = TrialBatch.draw(CUE_DELAY_RESPONSE, 2, 1, 1, new SplittableRandom(0));
    assertEquals(
        "no period named 'test'; this trial's periods are [cue, delay, response]",
        assertThrows(IllegalArgumentException.class, () -> trials.input(0, 0, "test", 1))
            .getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> trials.input(0, 1, "cue", 1));
    assertThrows(IndexOutOfBoundsException.class, () -> trials.inputAtStep(0, 0, "cue", 2, 1));
    assertThrows(IllegalArgumentException.class, () -> trials.input(0, 0, "cue", new float[3]));
  }

  @Test
  void eachTrialDrawsItsOwnDurationsAndShorterTrialsArePaddedUnscored() {
    TrialBatch trials = TrialBatch.draw(CUE_DELAY_RESPONSE, 40, 2, 1, new SplittableRandom(3));
    int longest = 0;
    for (int b = 0; b < trials.batch(); b++) {
      trials.input(b, 0, "cue", 1);
      trials.input(b, 1, "response", 2);
      trials.target(b, 0, "response", b);
      longest = Math.max(longest, 5 + trials.duration(b, "delay"));
    }
    Batch batch = trials.regression(new int[] {4, 9}, Accuracy.within(0.5), "response");
    assertEquals(longest, batch.steps());
    assertTrialOrderThenPadding(batch, List.of("cue", "delay", "response"));
    java.util.Set<Integer> delays = new java.util.TreeSet<>();
    for (int b = 0; b < batch.batch(); b++) {
      assertEquals(2, stepsIn(batch, b, "cue"));
      assertEquals(3, stepsIn(batch, b, "response"));
      int delay = stepsIn(batch, b, "delay");
      assertEquals(trials.duration(b, "delay"), delay);
      delays.add(delay);
      for (int t = 0; t < batch.steps(); t++) {
        boolean cue = batch.periods().in("cue", t, b, batch.batch());
        boolean response = batch.periods().in("response", t, b, batch.batch());
        assertEquals(cue ? 1f : 0f, batch.input(t, b, 0));
        assertEquals(response ? 2f : 0f, batch.input(t, b, 1));
        for (Target target : batch.targets()) {
          assertEquals(response ? b : 0f, target.values()[t * batch.batch() + b]);
          assertEquals(response ? 1f : 0f, target.mask()[t * batch.batch() + b]);
        }
      }
    }
    assertTrue(delays.size() >= 5, "delays across 40 trials: " + delays);
    assertEquals(List.of(4, 9), batch.targets().stream().map(Target::level).toList());
    assertEquals(LossKind.REGRESSION, batch.targets().get(1).kind());
    assertFalse(
        batch.targets().get(0).values() == batch.targets().get(1).values(),
        "levels share an array");
  }

  @Test
  void valuesFollowTimeOrderAndStepsAreCountedFromThePeriodStart() {
    Timeline timeline = Timeline.of(period("a", Steps.fixed(2)), period("b", Steps.fixed(3)));
    TrialBatch trials = TrialBatch.draw(timeline, 2, 1, 1, new SplittableRandom(0));
    trials.input(1, 0, "b", new float[] {5, 6, 7});
    trials.inputAtStep(0, 0, "b", 2, 9);
    double[] counter = {0};
    trials.input(0, 0, "a", () -> ++counter[0]);
    Batch batch = trials.regression(new int[] {1}, Accuracy.sign(), "a", "b");
    assertArrayEquals(new float[] {1, 0, 2, 0, 0, 5, 0, 6, 9, 7}, batch.inputs());
    assertEquals(7f, trials.inputAtStep(1, 0, "b", 2));
    for (float m : batch.targets().get(0).mask()) {
      assertEquals(1f, m, "the union of a and b covers every step");
    }
  }
}
