package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.config.ConfigException;
import org.junit.jupiter.api.Test;

class MemoryEstimateTest {

  @Test
  void theBoundIsTheDocumentedSum() {
    // P = 100, T = 10, B = 8, B_eval = 4, S = 16, I = 2, O = 3, float32:
    // 4 · (4·100 + 10·8·(64 + 4 + 6) + 10·4·(16 + 3)) = 4 · (400 + 5920 + 760) = 28,320 bytes
    MemoryEstimate e = new MemoryEstimate(100, 10, 8, 4, 16, 2, 3, 4);
    assertEquals(28_320.0, e.bytes());
  }

  @Test
  void absurdSizesDoNotOverflowAndAreRefusedWithTheNumbersAndTheFix() throws ConfigException {
    MemoryEstimate huge =
        new MemoryEstimate(Integer.MAX_VALUE, 1_000, 1_000_000_000, 1, 100_000, 1, 1, 8);
    assertTrue(huge.bytes() > 1e18, "no overflow: " + huge.bytes());
    ConfigException e = assertThrows(ConfigException.class, () -> huge.check(1L << 33, 1));
    assertTrue(e.getMessage().contains("but Engram may use 8.0 GB"), e.getMessage());
    assertTrue(e.getMessage().contains("Fix: lower training.batch-size"), e.getMessage());

    MemoryEstimate small = new MemoryEstimate(100, 10, 8, 4, 16, 2, 3, 4);
    small.check(28_320, 1); // exactly fits
    ConfigException two = assertThrows(ConfigException.class, () -> small.check(50_000, 2));
    assertTrue(
        two.getMessage().contains("for 2 runs side by side")
            && two.getMessage().contains("--workers"),
        two.getMessage());
  }

  @Test
  void theHeapBoundIsTheDocumentedSumAndIsCheckedAgainstTheHeapLimit() throws ConfigException {
    // T = 10, B = 8, B_eval = 4, I = 2, O = 3: 4 · 10 · 12 · 6 = 2,880 bytes
    MemoryEstimate e = new MemoryEstimate(100, 10, 8, 4, 16, 2, 3, 4);
    assertEquals(2_880.0, e.heapBytes());
    e.check(new MemoryEstimate.Limits(28_320, 2_880), 1); // both fit exactly
    ConfigException heap =
        assertThrows(
            ConfigException.class, () -> e.check(new MemoryEstimate.Limits(1L << 30, 5_000), 2));
    assertTrue(
        heap.getMessage().contains("of Java heap for 2 runs side by side"), heap.getMessage());
    assertTrue(heap.getMessage().contains("Fix:") && heap.getMessage().contains("-Xmx"));
    ConfigException offHeap =
        assertThrows(
            ConfigException.class, () -> e.check(new MemoryEstimate.Limits(28_319, 1L << 30), 1));
    assertTrue(offHeap.getMessage().contains("ENGRAM_MEMORY"), offHeap.getMessage());
  }

  @Test
  void theLimitsAreThoseOfThisJvm() {
    MemoryEstimate.Limits limits = MemoryEstimate.Limits.current();
    assertEquals(Runtime.getRuntime().maxMemory(), limits.heapBytes());
    assertEquals(org.bytedeco.javacpp.Pointer.maxBytes(), limits.offHeapBytes());
  }
}
