package engram.tasks.dmts;

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
class DmtsTaskTest extends TaskContract<DmtsTask.Config> {
  private final DmtsTask task = new DmtsTask();

  @Override
  protected Task<DmtsTask.Config> task() {
    return new DmtsTask();
  }

  @Override
  protected boolean hasStream() {
    return false;
  }

  @Override
  protected List<DmtsTask.Config> configs() {
    return List.of(
        DmtsTask.Config.defaults(), new DmtsTask.Config(1, 3, 0.3, true, OutputActivation.TANH));
  }

  @Override
  protected List<PluginContract.ConfigError> invalidConfigs() {
    return List.of(
        PluginContract.ConfigError.of(
            "pulse", () -> new DmtsTask.Config(0, 10, 0.5, false, OutputActivation.SIGMOID)),
        PluginContract.ConfigError.of(
            "response", () -> new DmtsTask.Config(2, 0, 0.5, false, OutputActivation.SIGMOID)),
        PluginContract.ConfigError.of(
            "threshold", () -> new DmtsTask.Config(2, 10, -0.1, false, OutputActivation.SIGMOID)));
  }

  /**
   * Brute force: the sample is the input at step 0, the test the input at step pulse + delay; the
   * target is 1 in the last {@code response} steps when they agree and 0 everywhere else; the input
   * is nonzero exactly during the two pulses.
   */
  private static void assertTargetsFromInputs(Batch batch, DmtsTask.Config config, int delay) {
    int steps = batch.steps();
    int testStart = config.pulse() + delay;
    for (Target target : batch.targets()) {
      assertEquals(LossKind.REGRESSION, target.kind());
      assertEquals(config.outputActivation(), target.activation());
      for (int b = 0; b < batch.batch(); b++) {
        float sample = batch.input(0, b, 0);
        float test = batch.input(testStart, b, 0);
        assertTrue(Math.abs(sample) == 1f && Math.abs(test) == 1f, "pulses are ±1");
        for (int t = 0; t < steps; t++) {
          boolean inSample = t < config.pulse();
          boolean inTest = t >= testStart && t < testStart + config.pulse();
          float expectedInput = inSample ? sample : inTest ? test : 0f;
          assertEquals(expectedInput, batch.input(t, b, 0), "input step " + t + " trial " + b);
          boolean response = t >= steps - config.response();
          float expected = response && sample == test ? 1f : 0f;
          assertEquals(expected, target.values()[t * batch.batch() + b], "target step " + t);
          assertTrue(target.scored(t, b, batch.batch()), "every step is scored");
        }
      }
    }
  }

  @Test
  void targetIsOneForAMatchInTheResponseAndZeroElsewhere() {
    DmtsTask.Config config = DmtsTask.Config.defaults();
    Batch batch = task.sample(config, new int[] {30}, 200, new SplittableRandom(4));
    assertEquals(2 + 30 + 2 + 10, batch.steps());
    assertTrialOrderThenPadding(batch, List.of("sample", "delay", "test", "response"));
    assertTargetsFromInputs(batch, config, 30);
    assertEquals(Accuracy.binarized(0.5), batch.targets().get(0).accuracy());
    int[] seen = new int[4];
    for (int b = 0; b < 200; b++) {
      int condition = (batch.input(0, b, 0) > 0 ? 0 : 2) + (batch.input(32, b, 0) > 0 ? 0 : 1);
      seen[condition]++;
    }
    for (int c = 0; c < 4; c++) {
      assertTrue(seen[c] > 25, "condition " + c + " drawn " + seen[c] + " times of 200");
    }
  }

  @Test
  void theFourConditionsComeInTheDocumentedOrderAndRepeat() {
    DmtsTask.Config config = new DmtsTask.Config(3, 5, 0.5, false, OutputActivation.SIGMOID);
    assertEquals(4, task.conditionCount(config));
    Batch batch = task.conditions(config, new int[] {7, 4}, 2);
    assertEquals(8, batch.batch());
    assertTargetsFromInputs(batch, config, 7);
    float[][] expected = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
    for (int b = 0; b < 8; b++) {
      assertEquals(expected[b % 4][0], batch.input(0, b, 0), "sample of sequence " + b);
      assertEquals(expected[b % 4][1], batch.input(3 + 7, b, 0), "test of sequence " + b);
    }
    assertArrayEquals(batch.inputs(), task.conditions(config, new int[] {7, 4}, 2).inputs());
    assertEquals(
        "dmts levels must be ≥ 1, got 0 in [0]",
        assertThrows(
                IllegalArgumentException.class, () -> task.conditions(config, new int[] {0}, 1))
            .getMessage());
  }
}
