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
import engram.api.task.Target;
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
