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
import engram.testkit.PluginContract;
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

  /** Fixed durations 2, 3, 2, 4, 3 with every sparse option on and values {−1, 0, 1}. */
  private static DelayedAdditionTask.Config sparse(boolean delayFromLevel) {
    return new DelayedAdditionTask.Config(
        Steps.fixed(2),
        Steps.fixed(3),
        Steps.fixed(2),
        Steps.fixed(4),
        Steps.fixed(3),
        0.2,
        delayFromLevel,
        true,
        false,
        3);
  }

  @Override
  protected List<DelayedAdditionTask.Config> configs() {
    DelayedAdditionTask.Config d = DelayedAdditionTask.Config.defaults();
    return List.of(
        d,
        sparse(false),
        sparse(true),
        new DelayedAdditionTask.Config(
            d.cue1(), d.delay1(), d.cue2(), d.delay2(), d.response(), 0.1, false, true, true, 0));
  }

  @Override
  protected List<PluginContract.ConfigError> invalidConfigs() {
    DelayedAdditionTask.Config d = DelayedAdditionTask.Config.defaults();
    return List.of(
        PluginContract.ConfigError.of(
            "values",
            () ->
                new DelayedAdditionTask.Config(
                    d.cue1(),
                    d.delay1(),
                    d.cue2(),
                    d.delay2(),
                    d.response(),
                    0.1,
                    false,
                    true,
                    true,
                    1)));
  }

  /**
   * The classic task as it was drawn before the sparse options existed, written out here: the
   * delays of every trial ({@code nextInt(5, 16)} each, trial by trial; fixed periods draw
   * nothing), then per trial a1 and a2 ({@code nextDouble(-1, 1)} each); periods 1, d1, 1, d2, 5.
   */
  @Test
  void defaultBatchIsTheClassicTaskDrawForDraw() {
    int trials = 9;
    Batch batch = task.sample(task.defaults(), new int[] {1}, trials, new SplittableRandom(21));
    SplittableRandom rng = new SplittableRandom(21);
    int[][] delays = new int[trials][2];
    for (int b = 0; b < trials; b++) {
      delays[b][0] = rng.nextInt(5, 16);
      delays[b][1] = rng.nextInt(5, 16);
    }
    Target target = batch.targets().get(0);
    assertEquals(Accuracy.within(0.1), target.accuracy());
    for (int b = 0; b < trials; b++) {
      float a1 = (float) rng.nextDouble(-1, 1);
      float a2 = (float) rng.nextDouble(-1, 1);
      int cue2 = 1 + delays[b][0];
      int response = cue2 + 1 + delays[b][1];
      for (int t = 0; t < batch.steps(); t++) {
        boolean inResponse = t >= response && t < response + 5;
        float value = t == 0 ? a1 : t == cue2 ? a2 : 0f;
        assertEquals(value, batch.input(t, b, 0), "value step " + t + " trial " + b);
        assertEquals(inResponse ? 1f : 0f, batch.input(t, b, 1), "go step " + t);
        assertEquals(inResponse ? a1 + a2 : 0f, target.values()[t * trials + b], "target " + t);
        assertEquals(inResponse, target.scored(t, b, trials), "scored step " + t);
      }
    }
  }

  /**
   * Brute force on the sparse protocol: values from {−1, 0, 1}; every step of the 14-step trial
   * scored; target 0 before the last 3 steps and a1 + a2 in them; no go cue.
   */
  private static void assertSparseTrials(Batch batch) {
    assertEquals(2 + 3 + 2 + 4 + 3, batch.steps());
    assertTrialOrderThenPadding(batch, PERIODS);
    for (Target target : batch.targets()) {
      assertEquals(Accuracy.within(0.2), target.accuracy());
      for (int b = 0; b < batch.batch(); b++) {
        float a1 = batch.input(0, b, 0);
        float a2 = batch.input(5, b, 0);
        assertTrue(List.of(-1f, 0f, 1f).containsAll(List.of(a1, a2)), a1 + ", " + a2);
        for (int t = 0; t < batch.steps(); t++) {
          float value = t < 2 ? a1 : t == 5 || t == 6 ? a2 : 0f;
          assertEquals(value, batch.input(t, b, 0), "value step " + t + " trial " + b);
          assertEquals(0f, batch.input(t, b, 1), "no go cue");
          float expected = t >= 11 ? a1 + a2 : 0f;
          assertEquals(expected, target.values()[t * batch.batch() + b], "target step " + t);
          assertTrue(target.scored(t, b, batch.batch()), "every step scored");
        }
      }
    }
  }

  @Test
  void sparseTrialsReportTheSumOnlyInTheResponseAndScoreEveryStep() {
    Batch batch = task.sample(sparse(false), new int[] {2, 1}, 300, new SplittableRandom(4));
    assertSparseTrials(batch);
    int[] seen = new int[9];
    for (int b = 0; b < batch.batch(); b++) {
      seen[(int) (3 * (batch.input(0, b, 0) + 1) + batch.input(5, b, 0) + 1)]++;
    }
    for (int c = 0; c < 9; c++) {
      assertTrue(seen[c] > 15, "value pair " + c + " drawn " + seen[c] + " times of 300");
    }
  }

  @Test
  void conditionsAreEveryValuePairInTheDocumentedOrder() {
    DelayedAdditionTask.Config config = sparse(false);
    assertEquals(9, task.conditionCount(config));
    Batch batch = task.conditions(config, new int[] {1, 3}, 2);
    assertEquals(18, batch.batch());
    assertSparseTrials(batch);
    for (int b = 0; b < 18; b++) {
      int c = b % 9;
      assertEquals(c / 3 - 1, batch.input(0, b, 0), "a1 of sequence " + b);
      assertEquals(c % 3 - 1, batch.input(5, b, 0), "a2 of sequence " + b);
    }
    Batch levelled = task.conditions(sparse(true), new int[] {6}, 1);
    assertEquals(2 + 6 + 2 + 6 + 3, levelled.steps(), "delay-from-level sets both delays");
    assertEquals(
        "delayed-addition has a finite set of conditions only with values ≥ 2 and fixed durations"
            + " (values = 0, cue1 1 step → delay1 uniform 5–15 steps → cue2 1 step → delay2"
            + " uniform 5–15 steps → response 5 steps); fix: set values (e.g. 2) and min = max for"
            + " every duration, or train on sampled batches (full-batch-copies: 0)",
        assertThrows(
                IllegalArgumentException.class,
                () -> task.conditions(task.defaults(), new int[] {1}, 1))
            .getMessage());
    assertEquals(
        "delayed-addition copies must be ≥ 1, was 0",
        assertThrows(
                IllegalArgumentException.class, () -> task.conditions(config, new int[] {1}, 0))
            .getMessage());
  }

  @Test
  void withGoCueAndScoreAllStepsVariableTrialsAreScoredUpToTheirEnd() {
    DelayedAdditionTask.Config d = task.defaults();
    DelayedAdditionTask.Config config =
        new DelayedAdditionTask.Config(
            d.cue1(), d.delay1(), d.cue2(), d.delay2(), d.response(), 0.1, false, true, true, 0);
    Batch batch = task.sample(config, new int[] {1}, 50, new SplittableRandom(8));
    assertTrialOrderThenPadding(batch, PERIODS);
    Target target = batch.targets().get(0);
    for (int b = 0; b < batch.batch(); b++) {
      for (int t = 0; t < batch.steps(); t++) {
        boolean inTrial = batch.periods().index()[t * batch.batch() + b] >= 0;
        boolean response = batch.periods().in("response", t, b, batch.batch());
        assertEquals(inTrial, target.scored(t, b, batch.batch()), "scored step " + t);
        assertEquals(response ? 1f : 0f, batch.input(t, b, 1), "go cue during the response");
        if (!response) {
          assertEquals(0f, target.values()[t * batch.batch() + b], "target 0 outside");
        }
      }
    }
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
