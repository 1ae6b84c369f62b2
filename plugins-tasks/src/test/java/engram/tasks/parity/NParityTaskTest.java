package engram.tasks.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import engram.api.task.Batch;
import engram.tasks.BitTaskContract;
import engram.tasks.bits.BitEncoding;
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
      Batch batch = new NParityTask().sample(config(BitEncoding.ZERO_ONE), new int[] {100}, 200,
          new SplittableRandom(seed));
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
      double sd = Math.sqrt(java.util.Arrays.stream(means).map(m -> (m - mean) * (m - mean)).sum() / means.length);
      assertTrue(sd > 0.2, "s.d. of per-sequence bit rates was " + sd);
      assertTrue(Math.abs(mean - 0.5) < 0.1, "mean bit rate over the batch was " + mean);
    }
  }

  @Test
  void configRejectsMissingEncoding() {
    String message = assertThrows(IllegalArgumentException.class, () -> new NParityTask.Config(null)).getMessage();
    assertEquals("encoding must be set", message);
  }
}
