package engram.tasks.addition;

import static engram.tasks.TrialAssertions.assertScoredExactlyDuring;
import static engram.tasks.TrialAssertions.assertTrialOrderThenPadding;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.Target;
import engram.testkit.TaskContract;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The testkit's task contract, and what only this task guarantees. */
class AdditionProblemTaskTest extends TaskContract<AdditionProblemTask.Config> {
  private final AdditionProblemTask task = new AdditionProblemTask();

  @Override
  protected Task<AdditionProblemTask.Config> task() {
    return new AdditionProblemTask();
  }

  @Override
  protected boolean hasStream() {
    return false;
  }

  @Test
  void targetAtTheLastStepIsTheSumOfTheTwoMarkedValues() {
    AdditionProblemTask.Config config = new AdditionProblemTask.Config(21, 0.04, false);
    Batch batch = task.sample(config, new int[] {1, 2}, 300, new SplittableRandom(1));
    int steps = 21;
    int half = steps / 2;
    assertEquals(steps, batch.steps());
    assertTrialOrderThenPadding(batch, List.of("first-half", "second-half", "response"));
    assertScoredExactlyDuring(batch, "response");
    boolean[] firstSeen = new boolean[steps];
    boolean[] secondSeen = new boolean[steps];
    for (int b = 0; b < batch.batch(); b++) {
      List<Integer> marked = new ArrayList<>();
      for (int t = 0; t < steps; t++) {
        float value = batch.input(t, b, 0);
        assertTrue(value >= 0 && value < 1, "value " + value);
        float marker = batch.input(t, b, 1);
        assertTrue(marker == 0f || marker == 1f, "marker " + marker);
        if (marker == 1f) {
          marked.add(t);
        }
      }
      assertEquals(2, marked.size(), "two marked steps");
      assertTrue(marked.get(0) < half, "first mark in the first half: " + marked);
      assertTrue(
          marked.get(1) >= half && marked.get(1) < steps - 1,
          "second mark in the second half: " + marked);
      firstSeen[marked.get(0)] = true;
      secondSeen[marked.get(1)] = true;
      float sum = batch.input(marked.get(0), b, 0) + batch.input(marked.get(1), b, 0);
      for (Target target : batch.targets()) {
        assertEquals(Accuracy.within(0.04), target.accuracy());
        for (int t = 0; t < steps; t++) {
          assertEquals(t == steps - 1 ? sum : 0f, target.values()[t * batch.batch() + b], 1e-6f);
          assertEquals(t == steps - 1 ? 1f : 0f, target.mask()[t * batch.batch() + b]);
        }
      }
    }
    for (int t = 0; t < steps - 1; t++) {
      assertTrue(
          t < half ? firstSeen[t] : secondSeen[t], "step " + t + " was marked at least once");
    }
  }

  @Test
  void withLengthFromLevelTheLevelIsTheLength() {
    AdditionProblemTask.Config config = new AdditionProblemTask.Config(50, 0.04, true);
    assertEquals(3, task.minLevel(config));
    assertEquals(1, task.minLevel(task.defaults()));
    assertEquals(3, task.sample(config, new int[] {3}, 4, new SplittableRandom(2)).steps());
    assertEquals(12, task.sample(config, new int[] {12, 5}, 4, new SplittableRandom(2)).steps());
    assertEquals(
        50, task.sample(task.defaults(), new int[] {12}, 4, new SplittableRandom(2)).steps());
    assertEquals(
        "addition-problem levels must be ≥ 3, got 2 in [2]",
        assertThrows(
                IllegalArgumentException.class,
                () -> task.sample(config, new int[] {2}, 4, new SplittableRandom(2)))
            .getMessage());
  }

  @Test
  void configDefaultsAndValidation() {
    assertEquals(new AdditionProblemTask.Config(50, 0.04, false), task.defaults());
    assertEquals(
        "steps must be ≥ 3 (was 2)",
        assertThrows(
                IllegalArgumentException.class,
                () -> new AdditionProblemTask.Config(2, 0.04, false))
            .getMessage());
    assertEquals(
        "tolerance must be a finite number ≥ 0 (was NaN)",
        assertThrows(
                IllegalArgumentException.class,
                () -> new AdditionProblemTask.Config(10, Double.NaN, false))
            .getMessage());
  }
}
