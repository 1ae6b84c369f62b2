package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * {@link SplitMixRandom} draws what {@link SplittableRandom} of the same seed draws, for every
 * method the tasks, models, regularizers and analyses call (and the others of {@link
 * RandomGenerator}), in any interleaving; and a stream restored at a saved {@link
 * SplitMixRandom#state()} continues the sequence. This is what keeps every run's numbers as they
 * were before runs could be resumed.
 */
class SplitMixRandomTest {

  /** One draw of kind {@code kind} as raw bits, so that NaN and -0.0 compare exactly too. */
  private static long draw(RandomGenerator g, int kind, int bound) {
    return switch (kind) {
      case 0 -> g.nextLong();
      case 1 -> g.nextInt();
      case 2 -> g.nextInt(bound);
      case 3 -> g.nextInt(-bound, bound + 7);
      case 4 -> g.nextLong(bound * 1_000_003L);
      case 5 -> g.nextLong(-5, bound);
      case 6 -> Double.doubleToRawLongBits(g.nextDouble());
      case 7 -> Double.doubleToRawLongBits(g.nextDouble(bound));
      case 8 -> Double.doubleToRawLongBits(g.nextDouble(-1.5, bound));
      case 9 -> Float.floatToRawIntBits(g.nextFloat());
      case 10 -> g.nextBoolean() ? 1 : 0;
      case 11 -> Double.doubleToRawLongBits(g.nextGaussian());
      case 12 -> Double.doubleToRawLongBits(g.nextGaussian(2.0, 0.5));
      case 13 -> Double.doubleToRawLongBits(g.nextExponential());
      default -> Float.floatToRawIntBits(g.nextFloat(3.5f));
    };
  }

  @Test
  void drawsWhatSplittableRandomDrawsForEveryMethodInAnyOrder() {
    for (long seed : new long[] {0, 1, -7, 0x9E3779B97F4A7C15L, Long.MIN_VALUE}) {
      SplittableRandom reference = new SplittableRandom(seed);
      SplitMixRandom ours = SplitMixRandom.seeded(seed);
      SplittableRandom order = new SplittableRandom(seed ^ 12345);
      for (int i = 0; i < 200_000; i++) {
        int kind = order.nextInt(15);
        int bound = 1 + order.nextInt(i % 3 == 0 ? 64 : 1_000_000); // powers of two and others
        assertEquals(
            draw(reference, kind, bound),
            draw(ours, kind, bound),
            "seed " + seed + ", draw " + i + " of kind " + kind);
      }
    }
  }

  @Test
  void aStreamAtASavedStateContinuesTheSequence() {
    SplitMixRandom running = SplitMixRandom.seeded(42);
    SplittableRandom order = new SplittableRandom(3);
    for (int i = 0; i < 10_000; i++) {
      draw(running, order.nextInt(15), 1 + order.nextInt(100));
    }
    SplitMixRandom restored = SplitMixRandom.at(running.state());
    for (int i = 0; i < 10_000; i++) {
      int kind = order.nextInt(15);
      int bound = 1 + order.nextInt(100);
      assertEquals(draw(running, kind, bound), draw(restored, kind, bound), "draw " + i);
    }
    assertEquals(running.state(), restored.state());
  }

  @Test
  void theRunStreamsAreTheSplittableRandomsOfTheirSeeds() {
    RandomStreams streams = new RandomStreams(9);
    SplitMixRandom data = streams.stream("train-data");
    SplittableRandom reference = new SplittableRandom(data.state());
    for (int i = 0; i < 1000; i++) {
      assertEquals(reference.nextDouble(), data.nextDouble());
    }
  }
}
