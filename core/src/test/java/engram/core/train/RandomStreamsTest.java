package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RandomStreamsTest {
  private static final List<String> NAMES =
      List.of("model-init", "heads-init", "train-data", "train-h0", "eval-data", "eval-h0");

  private static long[] draw(RandomGenerator rng, int n) {
    long[] values = new long[n];
    for (int i = 0; i < n; i++) {
      values[i] = rng.nextLong();
    }
    return values;
  }

  @Test
  void sameSeedAndNameGiveIdenticalSequences() {
    assertArrayEquals(
        draw(new RandomStreams(42).stream("train-data"), 50),
        draw(new RandomStreams(42).stream("train-data"), 50));
    RandomStreams streams = new RandomStreams(42);
    RandomGenerator first = streams.stream("eval-h0");
    long[] a = draw(first, 50);
    // a second generator of the same name starts over, independent of the first one's position
    assertArrayEquals(a, draw(streams.stream("eval-h0"), 50));
    assertEquals(42, streams.seed());
  }

  @Test
  void differentNamesGiveDifferentSequences() {
    RandomStreams streams = new RandomStreams(1);
    List<String> names =
        List.of(
            "model-init",
            "heads-init",
            "train-data",
            "train-h0",
            "eval-data",
            "eval-h0",
            "",
            "a",
            "ab",
            "ba",
            "a\0",
            "\0a",
            "ü");
    Set<List<Long>> seen = new HashSet<>();
    for (String name : names) {
      long[] values = draw(streams.stream(name), 4);
      assertEquals(
          true,
          seen.add(Arrays.stream(values).boxed().toList()),
          "stream '" + name + "' repeats another stream");
    }
  }

  @Test
  void differentSeedsGiveDifferentSequences() {
    Set<List<Long>> seen = new HashSet<>();
    for (long seed :
        new long[] {
          0, 1, 2, 3, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32, 0x9E3779B97F4A7C15L
        }) {
      for (String name : List.of("train-data", "")) {
        long[] values = draw(new RandomStreams(seed).stream(name), 4);
        assertEquals(
            true,
            seen.add(Arrays.stream(values).boxed().toList()),
            "seed " + seed + ", stream '" + name + "' repeats another stream");
      }
    }
  }

  @Test
  void aStreamDoesNotDependOnWhichOtherStreamsWereRequestedBefore() {
    long[] alone = draw(new RandomStreams(7).stream("train-data"), 100);
    RandomStreams busy = new RandomStreams(7);
    for (String other : NAMES) {
      if (!other.equals("train-data")) {
        draw(busy.stream(other), 13);
      }
    }
    draw(busy.stream("a-plugin-added-later"), 5);
    assertArrayEquals(alone, draw(busy.stream("train-data"), 100));
  }

  @Test
  void streamsAreNotTriviallyCorrelated() {
    // the first values of neighbouring seeds and names should not coincide or be shifted copies
    long[] a = draw(new RandomStreams(1).stream("train-data"), 20);
    long[] b = draw(new RandomStreams(2).stream("train-data"), 20);
    for (int shift = 0; shift < 5; shift++) {
      assertFalse(
          Arrays.equals(
              Arrays.copyOfRange(a, shift, 20 - 5 + shift), Arrays.copyOfRange(b, 0, 15)));
      assertFalse(
          Arrays.equals(
              Arrays.copyOfRange(b, shift, 20 - 5 + shift), Arrays.copyOfRange(a, 0, 15)));
    }
  }
}
