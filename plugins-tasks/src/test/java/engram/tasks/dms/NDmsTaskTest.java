package engram.tasks.dms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import engram.api.task.Batch;
import engram.tasks.BitTaskContract;
import engram.tasks.bits.BitEncoding;
import engram.tasks.bits.Bits;
import engram.tasks.bits.StreamBatch;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NDmsTaskTest extends BitTaskContract<NDmsTask.Config> {

  @Override
  protected Task<NDmsTask.Config> task() {
    return new NDmsTask();
  }

  @Override
  protected NDmsTask.Config config(BitEncoding encoding) {
    return new NDmsTask.Config(encoding);
  }

  @Override
  protected String id() {
    return "n-dms";
  }

  /**
   * 1 if the last N bits start and end with the same bit (x_(M−N+1) == x_M), compared as strings.
   */
  @Override
  protected int bruteForceLabel(boolean[] bits, int n) {
    StringBuilder lastN = new StringBuilder();
    for (int t = bits.length - n; t < bits.length; t++) {
      lastN.append(bits[t] ? '1' : '0');
    }
    return lastN.charAt(0) == lastN.charAt(n - 1) ? 1 : 0;
  }

  @Test
  void bitsAreFairCoinsWithBalancedLabels() {
    // Bernoulli(0.5) for every sequence: per-sequence means over ≥ 102 bits have s.d. ≈ 0.05 at
    // most, unlike parity's per-sequence rates (s.d. ≈ 0.29); match labels are balanced.
    Batch batch =
        new NDmsTask()
            .sample(
                config(BitEncoding.ZERO_ONE), new int[] {100, 2}, 400, new SplittableRandom(11));
    double[] means = new double[batch.batch()];
    for (int b = 0; b < batch.batch(); b++) {
      boolean[] bits = bitsOf(batch, b, BitEncoding.ZERO_ONE);
      int ones = 0;
      for (boolean bit : bits) {
        ones += bit ? 1 : 0;
      }
      means[b] = ones / (double) bits.length;
    }
    double mean = Arrays.stream(means).average().orElseThrow();
    double sd =
        Math.sqrt(Arrays.stream(means).map(m -> (m - mean) * (m - mean)).sum() / means.length);
    assertTrue(Math.abs(mean - 0.5) < 0.02, "mean bit rate " + mean);
    assertTrue(sd < 0.07, "s.d. of per-sequence bit rates " + sd);
    for (int i = 0; i < 2; i++) {
      double matches = 0;
      for (int b = 0; b < batch.batch(); b++) {
        matches += batch.targets().get(i).label(batch.steps() - 1, b, batch.batch());
      }
      assertTrue(
          Math.abs(matches / batch.batch() - 0.5) < 0.1, "match rate " + matches / batch.batch());
    }
  }

  @Test
  void levelTwoComparesTheLastTwoBits() {
    Batch batch =
        new NDmsTask()
            .sample(config(BitEncoding.ZERO_ONE), new int[] {2}, 50, new SplittableRandom(5));
    int last = batch.steps() - 1;
    for (int b = 0; b < batch.batch(); b++) {
      int expected = batch.input(last, b, 0) == batch.input(last - 1, b, 0) ? 1 : 0;
      assertEquals(expected, batch.targets().get(0).label(last, b, batch.batch()));
    }
  }

  @Test
  void configRejectsMissingEncoding() {
    String message =
        assertThrows(IllegalArgumentException.class, () -> new NDmsTask.Config(null)).getMessage();
    assertEquals("encoding must be set", message);
  }

  @Test
  void streamOfAKnownBitStringHasTheHandComputedMatches() {
    // x = 1 0 1 1 0 at steps 0..4
    boolean[] x = {true, false, true, true, false};
    int[] next = {0};
    Bits bits = Bits.draw(x.length, () -> x[next[0]++]);
    Batch batch =
        StreamBatch.of(List.of(bits), new int[] {2, 3, 4}, BitEncoding.ZERO_ONE, NDmsTask::match);
    assertArrayEquals(new float[] {1, 0, 1, 1, 0}, batch.inputs());
    // N=2 compares x_t with x_(t-1): 0/1, 1/0, 1/1, 0/1; N=3 with x_(t-2): 1/1, 1/0, 0/1; N=4 with
    // x_(t-3): 1/1, 0/0
    assertArrayEquals(new float[] {0, 0, 0, 1, 0}, batch.targets().get(0).values());
    assertArrayEquals(new float[] {0, 1, 1, 1, 1}, batch.targets().get(0).mask());
    assertArrayEquals(new float[] {0, 0, 1, 0, 0}, batch.targets().get(1).values());
    assertArrayEquals(new float[] {0, 0, 1, 1, 1}, batch.targets().get(1).mask());
    assertArrayEquals(new float[] {0, 0, 0, 1, 1}, batch.targets().get(2).values());
    assertArrayEquals(new float[] {0, 0, 0, 1, 1}, batch.targets().get(2).mask());
  }

  @Test
  void streamTargetComparesTheInputAtTWithTheInputAtTMinusNPlus1() {
    int streams = 4;
    int steps = 200;
    int[] levels = {2, 7};
    Batch batch =
        new NDmsTask()
            .stream(
                config(BitEncoding.PLUS_MINUS_ONE),
                levels,
                steps,
                streams,
                new SplittableRandom(6));
    for (int i = 0; i < levels.length; i++) {
      int n = levels[i];
      int matches = 0;
      for (int b = 0; b < streams; b++) {
        for (int t = n - 1; t < steps; t++) {
          int expected = batch.input(t, b, 0) == batch.input(t - n + 1, b, 0) ? 1 : 0;
          assertEquals(
              expected, batch.targets().get(i).label(t, b, streams), "level " + n + ", step " + t);
          matches += expected;
        }
      }
      double rate = matches / (double) (streams * (steps - n + 1));
      assertTrue(Math.abs(rate - 0.5) < 0.1, "fair bits match half the time, got " + rate);
    }
  }
}
