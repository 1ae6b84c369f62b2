package engram.core.train;

import java.nio.charset.StandardCharsets;

/**
 * Every random stream of a run, derived from one seed and a stream name.
 *
 * <p>A stream's seed depends only on (run seed, name), so adding a stream, a plugin or a
 * regularizer never shifts another stream: the same seed gives the same run, bit for bit. Each
 * stream is a {@link SplitMixRandom} (the values of {@code java.util.SplittableRandom} of the
 * stream's seed), so a resumed run can save where every stream stands and continue from there.
 */
public final class RandomStreams {
  private final long seed;

  public RandomStreams(long seed) {
    this.seed = seed;
  }

  public long seed() {
    return seed;
  }

  /** A new generator for the named stream; two calls with one name give identical generators. */
  public SplitMixRandom stream(String name) {
    long h = seed ^ 0x9E3779B97F4A7C15L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h = mix(h ^ (b & 0xff));
    }
    return SplitMixRandom.seeded(mix(h));
  }

  /** The finaliser of SplitMix64: spreads every input bit over the output. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
