package engram.tasks.cue;

import static engram.tasks.TrialAssertions.assertTrialOrderThenPadding;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.OutputActivation;
import engram.api.task.Target;
import engram.testkit.PluginContract;
import engram.testkit.TaskContract;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The testkit's task contract, and targets against a construction from the inputs alone. */
class DelayedCueTaskTest extends TaskContract<DelayedCueTask.Config> {
  private final DelayedCueTask task = new DelayedCueTask();

  @Override
  protected Task<DelayedCueTask.Config> task() {
    return new DelayedCueTask();
  }

  @Override
  protected boolean hasStream() {
    return false;
  }

  @Override
  protected List<DelayedCueTask.Config> configs() {
    return List.of(
        DelayedCueTask.Config.defaults(),
        new DelayedCueTask.Config(1, 3, 0.2, true, OutputActivation.IDENTITY));
  }

  @Override
  protected List<PluginContract.ConfigError> invalidConfigs() {
    return List.of(
        PluginContract.ConfigError.of(
            "cue", () -> new DelayedCueTask.Config(0, 10, 0.33, false, OutputActivation.TANH)),
        PluginContract.ConfigError.of(
            "response", () -> new DelayedCueTask.Config(2, 0, 0.33, false, OutputActivation.TANH)),
        PluginContract.ConfigError.of(
            "threshold", () -> new DelayedCueTask.Config(2, 10, 1.0, false, OutputActivation.TANH)),
        PluginContract.ConfigError.of(
            "output-activation", () -> new DelayedCueTask.Config(2, 10, 0.33, false, null)));
  }

  /**
   * Brute force: the cue sign is the first nonzero input; the target is that sign in the last
   * {@code response} steps and 0 before; the input is the sign at exactly the first {@code cue}
   * steps.
   */
  private static void assertTargetsFromInputs(Batch batch, DelayedCueTask.Config config) {
    int steps = batch.steps();
    for (Target target : batch.targets()) {
      assertEquals(LossKind.REGRESSION, target.kind());
      assertEquals(config.outputActivation(), target.activation());
      for (int b = 0; b < batch.batch(); b++) {
        float sign = 0;
        for (int t = 0; t < steps && sign == 0; t++) {
          sign = batch.input(t, b, 0);
        }
        assertTrue(sign == 1f || sign == -1f, "cue sign " + sign);
        for (int t = 0; t < steps; t++) {
          float expectedInput = t < config.cue() ? sign : 0f;
          assertEquals(expectedInput, batch.input(t, b, 0), "input step " + t + " trial " + b);
          float expected = t >= steps - config.response() ? sign : 0f;
          assertEquals(expected, target.values()[t * batch.batch() + b], "target step " + t);
          assertTrue(target.scored(t, b, batch.batch()), "every step is scored");
        }
      }
    }
  }

  @Test
  void targetsAreTheCueSignInTheResponseAndZeroElsewhereAndTheLevelIsTheDelay() {
    DelayedCueTask.Config config = DelayedCueTask.Config.defaults();
    Batch batch = task.sample(config, new int[] {10, 7}, 64, new SplittableRandom(1));
    assertEquals(2 + 10 + 10, batch.steps(), "cue + delay (largest level) + response");
    assertTrialOrderThenPadding(batch, List.of("cue", "delay", "response"));
    assertTargetsFromInputs(batch, config);
    assertEquals(Accuracy.binarized(0.33), batch.targets().get(0).accuracy());
    assertArrayEquals(batch.targets().get(0).values(), batch.targets().get(1).values());
    int positive = 0;
    for (int b = 0; b < 64; b++) {
      positive += batch.input(0, b, 0) > 0 ? 1 : 0;
    }
    assertTrue(positive > 16 && positive < 48, "both signs drawn: " + positive + " of 64 are +1");
  }

  @Test
  void conditionsArePlusThenMinusRepeatedAndDrawNothing() {
    DelayedCueTask.Config config =
        new DelayedCueTask.Config(3, 4, 0.33, true, OutputActivation.TANH);
    assertEquals(2, task.conditionCount(config));
    Batch batch = task.conditions(config, new int[] {5}, 3);
    assertEquals(6, batch.batch());
    assertEquals(3 + 5 + 4, batch.steps());
    for (int b = 0; b < 6; b++) {
      assertEquals(b % 2 == 0 ? 1f : -1f, batch.input(0, b, 0), "condition of sequence " + b);
    }
    assertTargetsFromInputs(batch, config);
    assertEquals(Accuracy.Scope.TRIAL, batch.targets().get(0).accuracy().scope());
    Batch again = task.conditions(config, new int[] {5}, 3);
    assertArrayEquals(batch.inputs(), again.inputs());
    assertArrayEquals(batch.targets().get(0).values(), again.targets().get(0).values());
    assertEquals(
        "delayed-cue copies must be ≥ 1, was 0",
        assertThrows(
                IllegalArgumentException.class, () -> task.conditions(config, new int[] {5}, 0))
            .getMessage());
  }

  @Test
  void binarizedAccuracyReadsOutputsAsMinusOneZeroOrOne() {
    Accuracy rule = Accuracy.binarized(0.33);
    assertTrue(rule.correct(0.9, 1));
    assertTrue(rule.correct(0.2, 0));
    assertTrue(rule.correct(-0.34, -1));
    assertTrue(!rule.correct(0.3, 1), "inside the band reads 0");
    assertTrue(!rule.correct(0.5, 0), "above the band reads 1");
    assertTrue(!rule.correct(Double.NaN, 0));
  }
}
