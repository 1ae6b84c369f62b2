package engram.core.train;

import java.util.random.RandomGenerator;

/**
 * A random stream whose position can be saved and restored: the SplitMix64 generator of {@link
 * java.util.SplittableRandom}, giving the same values as {@code new SplittableRandom(seed)} for
 * every method of {@link RandomGenerator} (SplitMixRandomTest compares them on this JDK), with its
 * state readable ({@link #state()}) and settable ({@link #at(long)}).
 *
 * <p>Why not {@code SplittableRandom} itself: its state is private, it is not {@code Serializable},
 * and {@code java.util} is not open to reflection, so a run could not save where its streams stand
 * and a resumed run would draw other numbers. This class keeps the algorithm (and so every earlier
 * run's numbers) and exposes the one long it needs.
 *
 * <p>Algorithm (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA
 * 2014): the state s advances by the odd constant γ = 0x9e3779b97f4a7c15 per draw; {@link
 * #nextLong} returns mix64(s), {@link #nextInt} mix32(s), both bijective finalisers of s. Every
 * other method ({@code nextDouble}, {@code nextInt(bound)}, {@code nextGaussian}, ...) is
 * RandomGenerator's default built on these two, as in {@code SplittableRandom}. Not thread-safe.
 */
public final class SplitMixRandom implements RandomGenerator {
  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

  private long state;

  private SplitMixRandom(long state) {
    this.state = state;
  }

  /**
   * The stream that {@code new SplittableRandom(seed)} is.
   *
   * @param seed the initial state
   */
  public static SplitMixRandom seeded(long seed) {
    return new SplitMixRandom(seed);
  }

  /**
   * A stream at a saved position: the same values as the stream whose {@link #state()} was {@code
   * state} would draw next.
   */
  public static SplitMixRandom at(long state) {
    return new SplitMixRandom(state);
  }

  /** The position: the initial seed plus γ times the number of 64-bit draws made so far. */
  public long state() {
    return state;
  }

  @Override
  public long nextLong() {
    return mix64(state += GOLDEN_GAMMA);
  }

  @Override
  public int nextInt() {
    return mix32(state += GOLDEN_GAMMA);
  }

  /** Stafford's variant 13 of the 64-bit finaliser. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** The 32 high bits of Stafford's variant 4. */
  private static int mix32(long z) {
    z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
    return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
  }
}
