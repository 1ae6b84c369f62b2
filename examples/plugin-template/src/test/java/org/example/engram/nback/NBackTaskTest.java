package org.example.engram.nback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Plugin;
import engram.api.Task;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NBackTaskTest {
  private final NBackTask task = new NBackTask();

  /** The symbol of (t, b), read back from the one-hot inputs; fails unless exactly one channel is 1. */
  private static int symbol(Batch batch, int t, int b) {
    int symbol = -1;
    for (int i = 0; i < batch.inputSize(); i++) {
      float x = batch.input(t, b, i);
      if (x == 1f) {
        assertEquals(-1, symbol, "two hot channels at t=" + t + " b=" + b);
        symbol = i;
      } else {
        assertEquals(0f, x, "t=" + t + " b=" + b);
      }
    }
    assertTrue(symbol >= 0, "no hot channel at t=" + t + " b=" + b);
    return symbol;
  }

  /** Checks every label and mask entry against the definition, by brute force. */
  private static void assertTargetsByBruteForce(Batch batch, int[] levels) {
    assertEquals(levels.length, batch.targets().size());
    for (int k = 0; k < levels.length; k++) {
      Target target = batch.targets().get(k);
      int n = levels[k];
      assertEquals(n, target.level());
      assertEquals(LossKind.CLASSIFICATION, target.kind());
      assertEquals(2, target.width());
      for (int t = 0; t < batch.steps(); t++) {
        for (int b = 0; b < batch.batch(); b++) {
          if (t < n) {
            assertFalse(target.scored(t, b, batch.batch()), "N=" + n + " t=" + t);
          } else {
            assertTrue(target.scored(t, b, batch.batch()), "N=" + n + " t=" + t);
            boolean match = symbol(batch, t, b) == symbol(batch, t - n, b);
            assertEquals(match ? 1 : 0, target.label(t, b, batch.batch()),
                "N=" + n + " t=" + t + " b=" + b);
          }
        }
      }
    }
  }

  @Test
  void describesItself() {
    NBackTask.Config config = new NBackTask.Config(5);
    assertEquals("n-back", task.info().id());
    assertEquals(5, task.inputSize(config));
    assertEquals(2, task.outputSize(config));
    assertEquals(LossKind.CLASSIFICATION, task.lossKind(config));
    assertEquals(1, task.minLevel(config));
    assertEquals(3, task.defaults().alphabet());
  }

  @Test
  void sampledTargetsMatchBruteForceAndLengthIsInRange() {
    int[] levels = {1, 3, 6};
    for (int seed = 0; seed < 20; seed++) {
      Batch batch = task.sample(new NBackTask.Config(4), levels, 16, new SplittableRandom(seed));
      assertEquals(4, batch.inputSize());
      assertEquals(16, batch.batch());
      assertTrue(batch.steps() >= 6 + 2 && batch.steps() <= 4 * 6 + 1, "T=" + batch.steps());
      assertTargetsByBruteForce(batch, levels);
    }
  }

  @Test
  void streamHasExactlyTheRequestedLengthAndTheSameTargets() {
    int[] levels = {2, 1, 40};
    Batch batch = task.stream(new NBackTask.Config(2), levels, 30, 8, new SplittableRandom(5));
    assertEquals(30, batch.steps());
    assertEquals(8, batch.batch());
    assertTargetsByBruteForce(batch, levels); // N = 40 > T: never scored
  }

  @Test
  void theSameGeneratorStateGivesTheSameBatch() {
    Batch a = task.sample(task.defaults(), new int[] {2}, 4, new SplittableRandom(9));
    Batch b = task.sample(task.defaults(), new int[] {2}, 4, new SplittableRandom(9));
    assertArrayEquals(a.inputs(), b.inputs());
    assertArrayEquals(a.targets().get(0).values(), b.targets().get(0).values());
  }

  @Test
  void matchesHappenWithProbabilityOneOverK() {
    Batch batch = task.stream(new NBackTask.Config(4), new int[] {3}, 500, 64, new SplittableRandom(1));
    Target target = batch.targets().get(0);
    double matches = 0;
    double scored = 0;
    for (int i = 0; i < target.mask().length; i++) {
      matches += target.mask()[i] * target.values()[i];
      scored += target.mask()[i];
    }
    assertEquals(0.25, matches / scored, 0.01);
  }

  @Test
  void badArgumentsAreRejectedWithAMessage() {
    var config = task.defaults();
    var rng = new SplittableRandom(0);
    var e = assertThrows(IllegalArgumentException.class, () -> task.sample(config, new int[] {2, 0}, 4, rng));
    assertEquals("n-back levels must be ≥ 1, got 0 in [2, 0]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> task.sample(config, new int[0], 4, rng));
    assertEquals("n-back needs at least one level to produce targets for", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> task.sample(config, new int[] {1}, 0, rng));
    assertEquals("n-back batch size must be ≥ 1, was 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> task.stream(config, new int[] {1}, 0, 2, rng));
    assertEquals("n-back stream length must be ≥ 1, was 0", e.getMessage());
  }

  @Test
  void configRejectsATooSmallAlphabetNamingTheKey() {
    var e = assertThrows(IllegalArgumentException.class, () -> new NBackTask.Config(1));
    assertEquals("alphabet must be ≥ 2 (was 1)", e.getMessage());
  }

  @Test
  @SuppressWarnings("rawtypes")
  void isRegisteredForServiceLoader() {
    assertTrue(ServiceLoader.load(Task.class).stream().map(ServiceLoader.Provider::get)
        .map(Plugin::info).anyMatch(info -> info.id().equals("n-back")));
  }
}
