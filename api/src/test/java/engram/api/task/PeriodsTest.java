package engram.api.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PeriodsTest {
  // T = 3 steps, B = 2 sequences; sequence 0: stimulus, delay, response; sequence 1: stimulus,
  // stimulus, response (no delay)
  private final Periods periods =
      new Periods(List.of("stimulus", "delay", "response"), new byte[] {0, 0, 1, 0, 2, 2});

  @Test
  void masksSelectExactlyTheStepsOfTheNamedPeriodPerSequence() {
    assertArrayEquals(new float[] {1, 1, 0, 1, 0, 0}, periods.mask("stimulus"));
    assertArrayEquals(new float[] {0, 0, 1, 0, 0, 0}, periods.mask("delay"));
    assertArrayEquals(new float[] {0, 0, 0, 0, 1, 1}, periods.mask("response"));
    assertTrue(periods.in("delay", 1, 0, 2));
    assertFalse(periods.in("delay", 1, 1, 2));
    assertFalse(periods.in("fixation", 0, 0, 2));
  }

  @Test
  void anUnknownPeriodNameIsRefusedListingTheKnownOnes() {
    var e = assertThrows(IllegalArgumentException.class, () -> periods.mask("dealy"));
    assertEquals(
        "no period named 'dealy'; this task's periods are [stimulus, delay, response]",
        e.getMessage());
  }

  @Test
  void indicesOutsideTheNamesAndDuplicateNamesAreRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> new Periods(List.of("a"), new byte[] {0, 1}));
    assertThrows(
        IllegalArgumentException.class, () -> new Periods(List.of("a", "a"), new byte[] {0}));
  }

  @Test
  void aBatchWithoutPeriodsHasNoneAndABatchChecksTheirLength() {
    Batch plain = new Batch(2, 1, 1, new float[] {0, 1}, List.of());
    assertEquals(List.of(), plain.periods().names());
    assertArrayEquals(new byte[] {-1, -1}, plain.periods().index());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Batch(
                3, 2, 1, new float[6], List.of(), new Periods(List.of("a"), new byte[] {0, 0})));
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new Batch(0, 1, 1, new float[0], List.of()));
    assertTrue(e.getMessage().startsWith("steps, batch and inputSize must be ≥ 1"), e.getMessage());
  }
}
