package engram.tasks.flipflop;

import static engram.tasks.TrialAssertions.assertScoredExactlyDuring;
import static engram.tasks.TrialAssertions.assertTrialOrderThenPadding;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

/** The testkit's task contract, and what only this task guarantees. */
class FlipFlopTaskTest extends TaskContract<FlipFlopTask.Config> {
  private final FlipFlopTask task = new FlipFlopTask();

  @Override
  protected Task<FlipFlopTask.Config> task() {
    return new FlipFlopTask();
  }

  @Override
  protected boolean hasStream() {
    return false;
  }

  @Override
  protected List<FlipFlopTask.Config> configs() {
    return List.of(
        FlipFlopTask.Config.defaults(),
        new FlipFlopTask.Config(3, 40, 0.1, false, 8, 4, 0.33, OutputActivation.TANH),
        new FlipFlopTask.Config(3, 30, 0.2, true, 3, 0, 0.5, OutputActivation.IDENTITY));
  }

  @Override
  protected List<PluginContract.ConfigError> invalidConfigs() {
    return List.of(
        PluginContract.ConfigError.of(
            "min-hold",
            () -> new FlipFlopTask.Config(3, 40, 0.1, false, -1, 0, 0.5, OutputActivation.TANH)),
        PluginContract.ConfigError.of(
            "score-after",
            () -> new FlipFlopTask.Config(3, 40, 0.1, false, 0, -1, 0.5, OutputActivation.TANH)),
        PluginContract.ConfigError.of(
            "threshold",
            () -> new FlipFlopTask.Config(3, 40, 0.1, false, 0, 2, 1.0, OutputActivation.TANH)),
        PluginContract.ConfigError.of(
            "output-activation",
            () -> new FlipFlopTask.Config(3, 40, 0.1, false, 0, 2, 0.5, null)));
  }

  /**
   * The classic task as it was drawn before the sparse options existed, written out here: per trial
   * and channel, a pulse at step 0, then one {@code nextDouble} per step (a pulse below p), one
   * {@code nextBoolean} per pulse for its sign; the target holds the last sign.
   */
  @Test
  void defaultBatchIsTheClassicTaskDrawForDraw() {
    FlipFlopTask.Config config = new FlipFlopTask.Config(3, 50, 0.1, false);
    assertEquals(
        new FlipFlopTask.Config(3, 50, 0.1, false, 0, 0, 0.5, OutputActivation.IDENTITY), config);
    Batch batch = task.sample(config, new int[] {1}, 7, new SplittableRandom(11));
    SplittableRandom rng = new SplittableRandom(11);
    Target target = batch.targets().get(0);
    assertEquals(Accuracy.sign(), target.accuracy());
    assertEquals(OutputActivation.IDENTITY, target.activation());
    for (int b = 0; b < 7; b++) {
      for (int k = 0; k < 3; k++) {
        float held = 0f;
        for (int t = 0; t < 50; t++) {
          float x = t == 0 || rng.nextDouble() < 0.1 ? (rng.nextBoolean() ? 1f : -1f) : 0f;
          held = x != 0f ? x : held;
          assertEquals(x, batch.input(t, b, k), "input step " + t + " trial " + b);
          assertEquals(held, target(target, t, b, k, batch), "target step " + t + " trial " + b);
          assertTrue(target.scored(t, b, batch.batch()));
        }
      }
    }
  }

  /**
   * Brute force on the sparse protocol: pulses on a channel are more than H steps apart; the target
   * is 0 when the channel's last pulse is fewer than A steps back and that pulse's sign otherwise;
   * every step is scored; accuracy is binarized at the threshold.
   */
  @Test
  void sparseTargetsAreSilentForScoreAfterStepsAfterEachPulseThenHoldItsSign() {
    FlipFlopTask.Config config =
        new FlipFlopTask.Config(3, 120, 0.1, false, 12, 5, 0.33, OutputActivation.TANH);
    Batch batch = task.sample(config, new int[] {1, 2}, 40, new SplittableRandom(5));
    assertScoredExactlyDuring(batch, "trial");
    int reported = 0;
    int silent = 0;
    int shortestGap = Integer.MAX_VALUE;
    for (Target target : batch.targets()) {
      assertEquals(Accuracy.binarized(0.33), target.accuracy());
      assertEquals(OutputActivation.TANH, target.activation());
      for (int b = 0; b < batch.batch(); b++) {
        for (int k = 0; k < 3; k++) {
          assertNotEquals(0f, batch.input(0, b, k), "every channel pulses at step 0");
          int previous = 0;
          for (int t = 0; t < batch.steps(); t++) {
            float x = batch.input(t, b, k);
            assertTrue(x == 0f || x == 1f || x == -1f, "input " + x);
            if (t > 0 && x != 0f) {
              assertTrue(t - previous > 12, "pulses " + previous + " and " + t + " within hold");
              shortestGap = Math.min(shortestGap, t - previous);
              previous = t;
            }
            int last = t;
            while (batch.input(last, b, k) == 0f) {
              last--;
            }
            float expected = t - last < 5 ? 0f : batch.input(last, b, k);
            assertEquals(expected, target(target, t, b, k, batch), "step " + t + " trial " + b);
            reported += expected != 0f ? 1 : 0;
            silent += expected == 0f ? 1 : 0;
          }
        }
      }
    }
    assertEquals(13, shortestGap, "a pulse right after the hold happens (p = 0.1, 40 × 3 trains)");
    assertTrue(reported > silent, reported + " reported, " + silent + " silent entries");
  }

  @Test
  void holdWithoutScoreAfterKeepsDenseTargetsAndSignAccuracy() {
    FlipFlopTask.Config config =
        new FlipFlopTask.Config(2, 200, 0.3, false, 10, 0, 0.5, OutputActivation.IDENTITY);
    Batch batch = task.sample(config, new int[] {1}, 30, new SplittableRandom(6));
    assertEquals(Accuracy.sign(), batch.targets().get(0).accuracy());
    int pulses = 0;
    for (int b = 0; b < batch.batch(); b++) {
      for (int k = 0; k < 2; k++) {
        for (int t = 0; t < batch.steps(); t++) {
          pulses += batch.input(t, b, k) != 0f ? 1 : 0;
          assertEquals(
              lastPulse(batch, t, b, k), target(batch.targets().get(0), t, b, k, batch), "dense");
        }
      }
    }
    // expected gap 10 + 1/0.3 ≈ 13.3 steps: about 200 / 13.3 + 1 ≈ 16 pulses per train
    double perTrain = pulses / 60.0;
    assertTrue(perTrain > 13 && perTrain < 18, perTrain + " pulses per train");
  }

  /** Target of channel k at step t: scan the inputs backwards from t for the last nonzero value. */
  private static float lastPulse(Batch batch, int t, int b, int k) {
    for (int s = t; s >= 0; s--) {
      float x = batch.input(s, b, k);
      if (x != 0f) {
        return x;
      }
    }
    throw new AssertionError("no pulse on channel " + k + " up to step " + t);
  }

  private static float target(Target target, int t, int b, int k, Batch batch) {
    return target.values()[(t * batch.batch() + b) * target.width() + k];
  }

  @Test
  void everyTargetIsTheLastPulseOnItsChannelAndEveryStepIsScored() {
    FlipFlopTask.Config config = new FlipFlopTask.Config(4, 60, 0.1, false);
    Batch batch = task.sample(config, new int[] {2, 1}, 16, new SplittableRandom(1));
    assertEquals(60, batch.steps());
    assertEquals(4, batch.inputSize());
    assertTrialOrderThenPadding(batch, List.of("trial"));
    assertScoredExactlyDuring(batch, "trial");
    for (Target target : batch.targets()) {
      assertEquals(LossKind.REGRESSION, target.kind());
      assertEquals(4, target.width());
      assertEquals(Accuracy.sign(), target.accuracy());
      for (int b = 0; b < batch.batch(); b++) {
        for (int k = 0; k < 4; k++) {
          assertNotEquals(0f, batch.input(0, b, k), "every channel pulses at step 0");
          for (int t = 0; t < batch.steps(); t++) {
            float x = batch.input(t, b, k);
            assertTrue(x == 0f || x == 1f || x == -1f, "input " + x);
            assertEquals(
                lastPulse(batch, t, b, k),
                target(target, t, b, k, batch),
                "channel " + k + " step " + t + " sequence " + b);
          }
        }
      }
    }
    assertArrayEquals(batch.targets().get(0).values(), batch.targets().get(1).values());
  }

  @Test
  void pulsesAfterStepZeroComeWithProbabilityPAndBothSigns() {
    FlipFlopTask.Config config = new FlipFlopTask.Config(3, 200, 0.05, false);
    Batch batch = task.sample(config, new int[] {1}, 100, new SplittableRandom(2));
    int pulses = 0;
    int positive = 0;
    for (int t = 1; t < batch.steps(); t++) {
      for (int b = 0; b < batch.batch(); b++) {
        for (int k = 0; k < 3; k++) {
          float x = batch.input(t, b, k);
          pulses += x != 0f ? 1 : 0;
          positive += x > 0f ? 1 : 0;
        }
      }
    }
    double rate = pulses / (199.0 * 100 * 3); // expected 0.05, s.e. ≈ 0.0009
    assertEquals(0.05, rate, 0.005);
    assertEquals(0.5, positive / (double) pulses, 0.05); // s.e. ≈ 0.013
  }

  @Test
  void withBitsFromLevelOnlyTheFirstLevelChannelsFlip() {
    FlipFlopTask.Config config = new FlipFlopTask.Config(3, 100, 0.2, true);
    Batch batch = task.sample(config, new int[] {1}, 20, new SplittableRandom(3));
    int flipsOnFirst = 0;
    for (int b = 0; b < batch.batch(); b++) {
      for (int t = 1; t < batch.steps(); t++) {
        flipsOnFirst += batch.input(t, b, 0) != 0f ? 1 : 0;
        assertEquals(0f, batch.input(t, b, 1), "channel 1 is held at level 1");
        assertEquals(0f, batch.input(t, b, 2), "channel 2 is held at level 1");
      }
    }
    assertTrue(flipsOnFirst > 100, "channel 0 pulsed " + flipsOnFirst + " times");
    assertEquals(
        "flip-flop level 4 exceeds bits = 3 (with bits-from-level, a level is the number of"
            + " flipping channels)",
        assertThrows(
                IllegalArgumentException.class,
                () -> task.sample(config, new int[] {4}, 2, new SplittableRandom(0)))
            .getMessage());
    Batch ignored =
        task.sample(
            new FlipFlopTask.Config(3, 100, 0.2, false),
            new int[] {9},
            20,
            new SplittableRandom(3));
    int flipsOnLast = 0;
    for (int t = 1; t < ignored.steps(); t++) {
      flipsOnLast += ignored.input(t, 0, 2) != 0f ? 1 : 0;
    }
    assertTrue(flipsOnLast > 0, "without bits-from-level every channel flips");
  }

  @Test
  void configDefaultsAndValidation() {
    assertEquals(new FlipFlopTask.Config(3, 100, 0.05, false), task.defaults());
    assertEquals(3, task.inputSize(task.defaults()));
    assertEquals(3, task.outputSize(task.defaults()));
    assertEquals(1, task.minLevel(task.defaults()));
    assertEquals(
        "bits must be ≥ 1 (was 0)",
        assertThrows(
                IllegalArgumentException.class, () -> new FlipFlopTask.Config(0, 100, 0.05, false))
            .getMessage());
    assertEquals(
        "steps must be ≥ 1 (was 0)",
        assertThrows(
                IllegalArgumentException.class, () -> new FlipFlopTask.Config(3, 0, 0.05, false))
            .getMessage());
    assertEquals(
        "pulse-probability must be in [0.0, 1.0] (was 1.5)",
        assertThrows(
                IllegalArgumentException.class, () -> new FlipFlopTask.Config(3, 10, 1.5, false))
            .getMessage());
    assertEquals(
        "pulse-probability must be in [0.0, 1.0] (was NaN)",
        assertThrows(
                IllegalArgumentException.class,
                () -> new FlipFlopTask.Config(3, 10, Double.NaN, false))
            .getMessage());
    assertEquals(
        "flip-flop levels must be ≥ 1, got 0 in [0]",
        assertThrows(
                IllegalArgumentException.class,
                () -> task.sample(task.defaults(), new int[] {0}, 2, new SplittableRandom(0)))
            .getMessage());
  }
}
