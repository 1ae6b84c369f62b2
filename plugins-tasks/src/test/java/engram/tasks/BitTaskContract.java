package engram.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import engram.api.Task;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import engram.tasks.bits.BitEncoding;
import engram.testkit.TaskContract;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * What every bit-stream task with last-step targets must satisfy, on top of the testkit's {@link
 * TaskContract} (shapes, target order, masks, determinism, rejections, stream shapes, for both
 * encodings). A subclass names the task and gives an independent, brute-force label for one decoded
 * bit string.
 */
public abstract class BitTaskContract<C extends Record> extends TaskContract<C> {

  /** Requested-level sets: single levels, several at once, out of order, and all of 2..8. */
  protected static final List<int[]> LEVEL_SETS =
      List.of(
          new int[] {2},
          new int[] {3},
          new int[] {8},
          new int[] {2, 3, 4},
          new int[] {5, 2, 8},
          new int[] {7, 6},
          new int[] {2, 3, 4, 5, 6, 7, 8});

  @Override
  protected abstract Task<C> task();

  protected abstract C config(BitEncoding encoding);

  /** Both encodings. */
  @Override
  protected List<C> configs() {
    return List.of(config(BitEncoding.ZERO_ONE), config(BitEncoding.PLUS_MINUS_ONE));
  }

  /** Bit-stream tasks have a continuous form. */
  @Override
  protected boolean hasStream() {
    return true;
  }

  /** The label of level {@code n} for the bits x_1..x_M (bits[0] is x_1), computed naively. */
  protected abstract int bruteForceLabel(boolean[] bits, int n);

  protected abstract String id();

  /**
   * Decodes sequence b of a batch, failing unless every input is exactly a 0-bit or a 1-bit value.
   */
  protected static boolean[] bitsOf(Batch batch, int b, BitEncoding encoding) {
    float zero = encoding == BitEncoding.ZERO_ONE ? 0f : -1f;
    boolean[] bits = new boolean[batch.steps()];
    for (int t = 0; t < batch.steps(); t++) {
      float x = batch.input(t, b, 0);
      if (x == 1f) {
        bits[t] = true;
      } else if (x != zero) {
        fail("input " + x + " at step " + t + " of sequence " + b + " is not a bit in " + encoding);
      }
    }
    return bits;
  }

  @Test
  void labelsEqualBruteForceForEveryLevelSetAndEncoding() {
    RandomGenerator rng = new SplittableRandom(1);
    for (BitEncoding encoding : BitEncoding.values()) {
      for (int[] levels : LEVEL_SETS) {
        int[] seen = new int[2 * 9];
        for (int rep = 0; rep < 40; rep++) {
          Batch batch = task().sample(config(encoding), levels, 16, rng);
          assertEquals(1, batch.inputSize());
          assertEquals(16, batch.batch());
          assertEquals(levels.length, batch.targets().size());
          for (int i = 0; i < levels.length; i++) {
            Target target = batch.targets().get(i);
            assertEquals(levels[i], target.level(), "targets come in the requested order");
            assertEquals(LossKind.CLASSIFICATION, target.kind());
            assertEquals(2, target.width());
            for (int b = 0; b < batch.batch(); b++) {
              int expected = bruteForceLabel(bitsOf(batch, b, encoding), levels[i]);
              int actual = target.label(batch.steps() - 1, b, batch.batch());
              assertEquals(
                  expected,
                  actual,
                  () ->
                      "level "
                          + target.level()
                          + ", levels "
                          + Arrays.toString(levels)
                          + ", "
                          + encoding);
              seen[2 * levels[i] + actual]++;
            }
          }
        }
        for (int level : levels) {
          assertTrue(
              seen[2 * level] > 0 && seen[2 * level + 1] > 0,
              "both classes occur for level "
                  + level
                  + ": "
                  + seen[2 * level]
                  + " / "
                  + seen[2 * level + 1]);
        }
      }
    }
  }

  @Test
  void onlyTheLastStepIsScored() {
    RandomGenerator rng = new SplittableRandom(2);
    for (int[] levels : LEVEL_SETS) {
      Batch batch = task().sample(config(BitEncoding.ZERO_ONE), levels, 5, rng);
      for (Target target : batch.targets()) {
        for (int t = 0; t < batch.steps(); t++) {
          for (int b = 0; b < batch.batch(); b++) {
            assertEquals(
                t == batch.steps() - 1 ? 1f : 0f,
                target.mask()[t * batch.batch() + b],
                "mask at step " + t + " of " + batch.steps());
          }
        }
      }
    }
  }

  @Test
  void lengthIsUniformOnNmaxPlus2To4NmaxPlus1AndReachesBothEnds() {
    RandomGenerator rng = new SplittableRandom(3);
    for (int[] levels : List.of(new int[] {2}, new int[] {3, 2}, new int[] {2, 7, 4})) {
      int nMax = Arrays.stream(levels).max().orElseThrow();
      int shortest = Integer.MAX_VALUE;
      int longest = 0;
      for (int rep = 0; rep < 1500; rep++) {
        int steps = task().sample(config(BitEncoding.ZERO_ONE), levels, 1, rng).steps();
        assertTrue(
            steps >= nMax + 2 && steps <= 4 * nMax + 1, "length " + steps + " for Nmax " + nMax);
        shortest = Math.min(shortest, steps);
        longest = Math.max(longest, steps);
      }
      assertEquals(nMax + 2, shortest, "shortest length for Nmax " + nMax);
      assertEquals(4 * nMax + 1, longest, "longest length for Nmax " + nMax);
    }
  }

  @Test
  void encodingChangesOnlyTheValueOfZeroBits() {
    int[] levels = {3, 5};
    Batch zeroOne =
        task().sample(config(BitEncoding.ZERO_ONE), levels, 20, new SplittableRandom(9));
    Batch plusMinus =
        task().sample(config(BitEncoding.PLUS_MINUS_ONE), levels, 20, new SplittableRandom(9));
    assertEquals(zeroOne.steps(), plusMinus.steps());
    for (int k = 0; k < zeroOne.inputs().length; k++) {
      assertEquals(zeroOne.inputs()[k] == 1f ? 1f : -1f, plusMinus.inputs()[k]);
    }
    for (int i = 0; i < levels.length; i++) {
      assertArrayEquals(zeroOne.targets().get(i).values(), plusMinus.targets().get(i).values());
    }
  }

  @Test
  void rejectsInvalidLevelsAndBatchSizes() {
    C config = config(BitEncoding.ZERO_ONE);
    RandomGenerator rng = new SplittableRandom(0);
    String empty =
        assertThrows(
                IllegalArgumentException.class, () -> task().sample(config, new int[0], 4, rng))
            .getMessage();
    assertEquals(id() + " needs at least one level to produce targets for", empty);
    String tooSmall =
        assertThrows(
                IllegalArgumentException.class,
                () -> task().sample(config, new int[] {3, 1}, 4, rng))
            .getMessage();
    assertEquals(id() + " levels must be ≥ 2, got 1 in [3, 1]", tooSmall);
    assertThrows(IllegalArgumentException.class, () -> task().sample(config, null, 4, rng));
    String batch =
        assertThrows(
                IllegalArgumentException.class, () -> task().sample(config, new int[] {2}, 0, rng))
            .getMessage();
    assertEquals(id() + " batch size must be ≥ 1, was 0", batch);
  }

  @Test
  void declaresOneBinaryInputAndTwoClassesFromLevelTwo() {
    C config = task().defaults();
    assertEquals(id(), task().info().id());
    assertEquals(config(BitEncoding.ZERO_ONE), config, "default encoding is zero-one");
    assertEquals(1, task().inputSize(config));
    assertEquals(2, task().outputSize(config));
    assertEquals(LossKind.CLASSIFICATION, task().lossKind(config));
    assertEquals(2, task().minLevel(config));
    task().sample(config, new int[] {2}, 1, new SplittableRandom(0));
  }

  // ---- The continuous form, Task.stream ----

  @Test
  void streamLabelsEqualBruteForceOnThePrefixAtEveryScoredStep() {
    RandomGenerator rng = new SplittableRandom(21);
    for (BitEncoding encoding : BitEncoding.values()) {
      for (int[] levels : LEVEL_SETS) {
        for (int steps : new int[] {1, 2, 7, 40}) {
          Batch batch = task().stream(config(encoding), levels, steps, 6, rng);
          assertEquals(steps, batch.steps(), "a stream is exactly as long as asked");
          assertEquals(6, batch.batch());
          assertEquals(1, batch.inputSize());
          assertEquals(steps * 6, batch.inputs().length);
          assertEquals(levels.length, batch.targets().size());
          for (int i = 0; i < levels.length; i++) {
            Target target = batch.targets().get(i);
            int n = levels[i];
            assertEquals(n, target.level(), "targets come in the requested order");
            assertEquals(LossKind.CLASSIFICATION, target.kind());
            assertEquals(2, target.width());
            for (int b = 0; b < batch.batch(); b++) {
              boolean[] bits = bitsOf(batch, b, encoding);
              for (int t = 0; t < steps; t++) {
                String where =
                    "level "
                        + n
                        + ", step "
                        + t
                        + " of "
                        + steps
                        + ", stream "
                        + b
                        + ", "
                        + encoding;
                if (t < n - 1) {
                  assertFalse(target.scored(t, b, 6), "undefined before step N-1: " + where);
                  assertEquals(0, target.label(t, b, 6), where);
                } else {
                  assertEquals(1f, target.mask()[t * 6 + b], where);
                  // the bits seen so far, x_1 .. x_(t+1), as a sequence that ends at step t
                  assertEquals(
                      bruteForceLabel(Arrays.copyOf(bits, t + 1), n), target.label(t, b, 6), where);
                }
              }
            }
          }
        }
      }
    }
  }

  @Test
  void longStreamsScoreEveryStepFromNMinusOneAndHitBothClasses() {
    int[] levels = {2, 9, 30};
    Batch batch =
        task().stream(config(BitEncoding.ZERO_ONE), levels, 2000, 3, new SplittableRandom(4));
    assertEquals(2000, batch.steps());
    for (Target target : batch.targets()) {
      int scored = 0;
      int ones = 0;
      for (int k = 0; k < target.mask().length; k++) {
        scored += (int) target.mask()[k];
        ones += (int) target.values()[k];
      }
      assertEquals(
          3 * (2000 - target.level() + 1), scored, "scored entries of level " + target.level());
      assertTrue(
          ones > 0 && ones < scored,
          "both classes of level " + target.level() + ": " + ones + " of " + scored);
    }
  }

  @Test
  void streamEncodingChangesOnlyTheValueOfZeroBits() {
    int[] levels = {3, 2};
    Batch zeroOne =
        task().stream(config(BitEncoding.ZERO_ONE), levels, 50, 4, new SplittableRandom(9));
    Batch plusMinus =
        task().stream(config(BitEncoding.PLUS_MINUS_ONE), levels, 50, 4, new SplittableRandom(9));
    int zeros = 0;
    for (int k = 0; k < zeroOne.inputs().length; k++) {
      float x = zeroOne.inputs()[k];
      assertTrue(x == 0f || x == 1f, "zero-one input " + x);
      assertEquals(x == 1f ? 1f : -1f, plusMinus.inputs()[k]);
      zeros += x == 0f ? 1 : 0;
    }
    assertTrue(zeros > 0, "the stream holds 0-bits");
    for (int i = 0; i < levels.length; i++) {
      assertArrayEquals(zeroOne.targets().get(i).values(), plusMinus.targets().get(i).values());
      assertArrayEquals(zeroOne.targets().get(i).mask(), plusMinus.targets().get(i).mask());
    }
  }

  @Test
  void streamRejectsInvalidLevelsStepsAndBatchSizes() {
    C config = config(BitEncoding.ZERO_ONE);
    RandomGenerator rng = new SplittableRandom(0);
    assertEquals(
        id() + " needs at least one level to produce targets for",
        assertThrows(
                IllegalArgumentException.class, () -> task().stream(config, new int[0], 10, 4, rng))
            .getMessage());
    assertEquals(
        id() + " levels must be ≥ 2, got 1 in [3, 1]",
        assertThrows(
                IllegalArgumentException.class,
                () -> task().stream(config, new int[] {3, 1}, 10, 4, rng))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> task().stream(config, null, 10, 4, rng));
    assertEquals(
        id() + " stream length must be ≥ 1 step, was 0",
        assertThrows(
                IllegalArgumentException.class,
                () -> task().stream(config, new int[] {2}, 0, 4, rng))
            .getMessage());
    assertEquals(
        id() + " batch size must be ≥ 1, was 0",
        assertThrows(
                IllegalArgumentException.class,
                () -> task().stream(config, new int[] {2}, 10, 0, rng))
            .getMessage());
  }
}
