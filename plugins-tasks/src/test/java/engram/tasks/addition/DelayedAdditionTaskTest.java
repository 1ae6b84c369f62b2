package engram.tasks.addition;

import static engram.tasks.TrialAssertions.assertScoredExactlyDuring;
import static engram.tasks.TrialAssertions.assertTrialOrderThenPadding;
import static engram.tasks.TrialAssertions.stepsIn;
import static engram.tasks.TrialAssertions.stepsOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.Target;
import engram.tasks.trial.Steps;
import engram.testkit.TaskContract;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The testkit's task contract, and what only this task guarantees. */
class DelayedAdditionTaskTest extends TaskContract<DelayedAdditionTask.Config> {
  private static final List<String> PERIODS =
      List.of("cue1", "delay1", "cue2", "delay2", "response");
  private final DelayedAdditionTask task = new DelayedAdditionTask();

  @Override
  protected Task<DelayedAdditionTask.Config> task() {
    return new DelayedAdditionTask();
  }

  @Override
  protected boolean hasStream() {
    return false;
  }

  /** The value channel over a period, read back step by step; it must be one constant. */
  private static float cueValue(Batch batch, int b, String period) {
    List<Integer> steps = stepsOf(batch, b, period);
    float value = batch.input(steps.get(0), b, 0);
    for (int t : steps) {
      assertEquals(value, batch.input(t, b, 0), period + " holds one value");
    }
    return value;
  }

  @Test
  void targetIsTheSumOfTheTwoCuesReadBackFromTheInputs() {
    DelayedAdditionTask.Config config =
        new DelayedAdditionTask.Config(
            Steps.uniform(1, 2),
            Steps.uniform(5, 15),
            Steps.fixed(1),
            Steps.uniform(0, 4),
            Steps.fixed(5),
            0.1,
            false);
    Batch batch = task.sample(config, new int[] {3, 1}, 64, new SplittableRandom(1));
    assertTrialOrderThenPadding(batch, PERIODS);
    assertScoredExactlyDuring(batch, "response");
    for (Target target : batch.targets()) {
      assertEquals(Accuracy.within(0.1), target.accuracy());
      for (int b = 0; b < batch.batch(); b++) {
        float a1 = cueValue(batch, b, "cue1");
        float a2 = cueValue(batch, b, "cue2");
        assertTrue(a1 >= -1 && a1 < 1 && a2 >= -1 && a2 < 1, a1 + ", " + a2);
        for (int t = 0; t < batch.steps(); t++) {
          boolean cue =
              batch.periods().in("cue1", t, b, batch.batch())
                  || batch.periods().in("cue2", t, b, batch.batch());
          boolean response = batch.periods().in("response", t, b, batch.batch());
          if (!cue) {
            assertEquals(0f, batch.input(t, b, 0), "value channel outside the cues");
          }
          assertEquals(
              response ? 1f : 0f, batch.input(t, b, 1), "go cue exactly during the response");
          assertEquals(response ? a1 + a2 : 0f, target.values()[t * batch.batch() + b], 1e-6f);
        }
      }
    }
    assertArrayEquals(batch.targets().get(0).values(), batch.targets().get(1).values());
  }

  @Test
  void durationsStayInTheirRangesAndVaryAcrossTrials() {
    Batch batch = task.sample(task.defaults(), new int[] {1}, 400, new SplittableRandom(2));
    TreeSet<Integer> delay1 = new TreeSet<>();
    TreeSet<Integer> delay2 = new TreeSet<>();
    for (int b = 0; b < batch.batch(); b++) {
      assertEquals(1, stepsIn(batch, b, "cue1"));
      assertEquals(1, stepsIn(batch, b, "cue2"));
      assertEquals(5, stepsIn(batch, b, "response"));
      delay1.add(stepsIn(batch, b, "delay1"));
      delay2.add(stepsIn(batch, b, "delay2"));
    }
    TreeSet<Integer> all = new TreeSet<>();
    for (int d = 5; d <= 15; d++) {
      all.add(d);
    }
    assertEquals(all, delay1, "delay1 takes every value of 5..15 and no other");
    assertEquals(all, delay2, "delay2 takes every value of 5..15 and no other");
    assertTrialOrderThenPadding(batch, PERIODS);
  }

  @Test
  void withDelayFromLevelBothDelaysLastTheLevel() {
    DelayedAdditionTask.Config config =
        new DelayedAdditionTask.Config(
            Steps.fixed(1),
            Steps.uniform(5, 15),
            Steps.fixed(1),
            Steps.uniform(5, 15),
            Steps.fixed(5),
            0.1,
            true);
    Batch batch = task.sample(config, new int[] {3, 7}, 10, new SplittableRandom(3));
    assertEquals(1 + 7 + 1 + 7 + 5, batch.steps());
    for (int b = 0; b < batch.batch(); b++) {
      assertEquals(7, stepsIn(batch, b, "delay1"));
      assertEquals(7, stepsIn(batch, b, "delay2"));
    }
  }

  @Test
  void configDefaultsAndValidation() {
    DelayedAdditionTask.Config d = task.defaults();
    assertEquals(
        new DelayedAdditionTask.Config(
            Steps.fixed(1),
            Steps.uniform(5, 15),
            Steps.fixed(1),
            Steps.uniform(5, 15),
            Steps.fixed(5),
            0.1,
            false),
        d);
    assertEquals(
        "cue1 must be ≥ 1 steps (was 0 steps)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new DelayedAdditionTask.Config(
                        Steps.fixed(0), d.delay1(), d.cue2(), d.delay2(), d.response(), 0.1, false))
            .getMessage());
    assertEquals(
        "cue2 must be set",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new DelayedAdditionTask.Config(
                        d.cue1(), d.delay1(), null, d.delay2(), d.response(), 0.1, false))
            .getMessage());
    assertEquals(
        "response must be ≥ 1 steps (was uniform 0–3 steps)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new DelayedAdditionTask.Config(
                        d.cue1(),
                        d.delay1(),
                        d.cue2(),
                        d.delay2(),
                        Steps.uniform(0, 3),
                        0.1,
                        false))
            .getMessage());
    assertEquals(
        "tolerance must be a finite number ≥ 0 (was -0.1)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new DelayedAdditionTask.Config(
                        d.cue1(), d.delay1(), d.cue2(), d.delay2(), d.response(), -0.1, false))
            .getMessage());
    new DelayedAdditionTask.Config(
        d.cue1(), Steps.fixed(0), d.cue2(), Steps.fixed(0), d.response(), 0, false);
  }
}
