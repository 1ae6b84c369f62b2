package engram.tasks.parity;

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
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NParityTaskTest extends BitTaskContract<NParityTask.Config> {

  @Override
  protected Task<NParityTask.Config> task() {
    return new NParityTask();
  }

  @Override
  protected NParityTask.Config config(BitEncoding encoding) {
    return new NParityTask.Config(encoding);
  }

  @Override
  protected String id() {
    return "n-parity";
  }

  /** XOR of the bits x_(M−N+1) .. x_M, folded one at a time. */
  @Override
  protected int bruteForceLabel(boolean[] bits, int n) {
    boolean xor = false;
    for (int back = 1; back <= n; back++) {
      xor ^= bits[bits.length - back];
    }
    return xor ? 1 : 0;
  }

  @Test
  void everySequenceHasItsOwnBitRate() {
    // With p ~ U(0,1) per sequence, per-sequence means spread with s.d. ≈ 0.29; with one shared
    // rate, or with Bernoulli(0.5), the s.d. over sequences of ≥ 102 bits is at most 0.05.
    for (long seed = 0; seed < 5; seed++) {
      Batch batch =
          new NParityTask()
              .sample(
                  config(BitEncoding.ZERO_ONE), new int[] {100}, 200, new SplittableRandom(seed));
      double[] means = new double[batch.batch()];
      for (int b = 0; b < batch.batch(); b++) {
        boolean[] bits = bitsOf(batch, b, BitEncoding.ZERO_ONE);
        int ones = 0;
        for (boolean bit : bits) {
          ones += bit ? 1 : 0;
        }
        means[b] = ones / (double) bits.length;
      }
      double mean = java.util.Arrays.stream(means).average().orElseThrow();
      double sd =
          Math.sqrt(
              java.util.Arrays.stream(means).map(m -> (m - mean) * (m - mean)).sum()
                  / means.length);
      assertTrue(sd > 0.2, "s.d. of per-sequence bit rates was " + sd);
      assertTrue(Math.abs(mean - 0.5) < 0.1, "mean bit rate over the batch was " + mean);
    }
  }

  @Test
  void configRejectsMissingEncoding() {
    String message =
        assertThrows(IllegalArgumentException.class, () -> new NParityTask.Config(null))
            .getMessage();
    assertEquals("encoding must be set", message);
  }

  @Test
  void streamOfAKnownBitStringHasTheHandComputedParities() {
    // x = 1 0 1 1 0 at steps 0..4
    boolean[] x = {true, false, true, true, false};
    int[] next = {0};
    Bits bits = Bits.draw(x.length, () -> x[next[0]++]);
    Batch batch =
        StreamBatch.of(
            List.of(bits), new int[] {2, 3, 5}, BitEncoding.PLUS_MINUS_ONE, NParityTask::oddParity);
    assertArrayEquals(new float[] {1, -1, 1, 1, -1}, batch.inputs());
    // N=2: steps 1..4 are 1^0, 0^1, 1^1, 1^0; N=3: 1^0^1, 0^1^1, 1^1^0; N=5: three ones
    assertArrayEquals(new float[] {0, 1, 1, 0, 1}, batch.targets().get(0).values());
    assertArrayEquals(new float[] {0, 1, 1, 1, 1}, batch.targets().get(0).mask());
    assertArrayEquals(new float[] {0, 0, 0, 0, 0}, batch.targets().get(1).values());
    assertArrayEquals(new float[] {0, 0, 1, 1, 1}, batch.targets().get(1).mask());
    assertArrayEquals(new float[] {0, 0, 0, 0, 1}, batch.targets().get(2).values());
    assertArrayEquals(new float[] {0, 0, 0, 0, 1}, batch.targets().get(2).mask());
  }

  @Test
  void streamTargetIsTheXorOfTheInputsAtStepsTMinusNPlus1ToT() {
    int n = 4;
    int steps = 300;
    int streams = 5;
    Batch batch =
        new NParityTask()
            .stream(
                config(BitEncoding.PLUS_MINUS_ONE),
                new int[] {n},
                steps,
                streams,
                new SplittableRandom(3));
    for (int b = 0; b < streams; b++) {
      for (int t = n - 1; t < steps; t++) {
        int ones = 0;
        for (int s = t - n + 1; s <= t; s++) {
          ones += batch.input(s, b, 0) == 1f ? 1 : 0;
        }
        assertEquals(
            ones % 2, batch.targets().get(0).label(t, b, streams), "step " + t + ", stream " + b);
      }
    }
  }

  @Test
  void everyStreamHasItsOwnBitRate() {
    Batch batch =
        new NParityTask()
            .stream(
                config(BitEncoding.ZERO_ONE), new int[] {2}, 400, 200, new SplittableRandom(12));
    double[] means = new double[batch.batch()];
    for (int b = 0; b < batch.batch(); b++) {
      int ones = 0;
      for (boolean bit : bitsOf(batch, b, BitEncoding.ZERO_ONE)) {
        ones += bit ? 1 : 0;
      }
      means[b] = ones / 400.0;
    }
    double mean = java.util.Arrays.stream(means).average().orElseThrow();
    double sd =
        Math.sqrt(
            java.util.Arrays.stream(means).map(m -> (m - mean) * (m - mean)).sum() / means.length);
    assertTrue(
        sd > 0.2,
        "s.d. of per-stream bit rates was " + sd + " (U(0,1) gives 0.29, one shared rate ≤ 0.03)");
    assertTrue(Math.abs(mean - 0.5) < 0.1, "mean bit rate over the streams was " + mean);
  }
}
