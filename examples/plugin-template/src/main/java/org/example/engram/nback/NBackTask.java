package org.example.engram.nback;

import engram.api.PluginInfo;
import engram.api.Task;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * N-back: a stream of symbols; at every step, is the current symbol the one shown N steps ago?
 *
 * <p>Protocol. Symbols are i.i.d. uniform on {0, …, K−1} (K = {@code alphabet}) and are presented
 * one-hot on K input channels. The target of level N at step t (counted from 0) is class 1 when
 * x<sub>t</sub> = x<sub>t−N</sub> and class 0 otherwise; it is scored at every step t ≥ N (so a
 * match happens with probability 1/K). The level is N ≥ 1. One input stream carries the targets of
 * every requested level, so a multi-head curriculum trains every N on the same symbols.
 *
 * <p>{@link #sample}: the length T is drawn once per batch, uniformly on {N<sub>max</sub>+2, …,
 * 4·N<sub>max</sub>+1}, where N<sub>max</sub> is the largest requested level (the n-parity
 * convention), so every level has at least two scored steps. {@link #stream}: the same with T =
 * {@code steps}; a level N ≥ T is never scored.
 *
 * <p>Randomness: {@code rng} is the only source; {@link #sample} draws T first, then the symbols
 * sequence by sequence, each in time order; {@link #stream} draws only the symbols, in that order.
 * The task keeps no state, so it is thread-safe.
 */
public final class NBackTask implements Task<NBackTask.Config> {
  static final String ID = "n-back";
  private static final int MIN_LEVEL = 1;

  /**
   * Configuration of the n-back task; the YAML key of each component is its kebab-case name.
   *
   * @param alphabet number K of distinct symbols, ≥ 2
   */
  public record Config(
      @Doc("number K of distinct symbols, ≥ 2; one input channel each (one-hot); a match has probability 1/K")
          int alphabet) {
    /** Checks the values; a message starts with the offending key. */
    public Config {
      Check.atLeast("alphabet", alphabet, 2);
    }
  }

  @Override
  public PluginInfo info() {
    return new PluginInfo(ID, "N-back: is the symbol at t the one shown at t-N?",
        "Symbols i.i.d. uniform on an alphabet of K, one-hot on K channels. The target for N at"
            + " step t is whether x_t = x_(t-N), scored at every step t >= N. Length uniform on"
            + " {Nmax+2, ..., 4*Nmax+1}, one per batch.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(3);
  }

  @Override
  public int inputSize(Config config) {
    return config.alphabet();
  }

  @Override
  public int outputSize(Config config) {
    return 2;
  }

  @Override
  public LossKind lossKind(Config config) {
    return LossKind.CLASSIFICATION;
  }

  @Override
  public int minLevel(Config config) {
    return MIN_LEVEL;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if {@code levels} is empty or has a level below 1, or
   *     {@code batchSize} is below 1
   */
  @Override
  public Batch sample(Config config, int[] levels, int batchSize, RandomGenerator rng) {
    int nMax = maxLevel(levels);
    atLeastOne("batch size", batchSize);
    int steps = rng.nextInt(nMax + 2, 4 * nMax + 2); // T uniform on {Nmax+2, …, 4·Nmax+1}
    return batch(config.alphabet(), levels, steps, batchSize, rng);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here: B streams of exactly {@code steps} symbols, with the targets of {@link #sample}.
   *
   * @throws IllegalArgumentException if {@code levels} is empty or has a level below 1, or
   *     {@code steps} or {@code batchSize} is below 1
   */
  @Override
  public Batch stream(Config config, int[] levels, int steps, int batchSize, RandomGenerator rng) {
    maxLevel(levels);
    atLeastOne("stream length", steps);
    atLeastOne("batch size", batchSize);
    return batch(config.alphabet(), levels, steps, batchSize, rng);
  }

  /** Draws the symbols and writes the time-major one-hot inputs and one target per level. */
  private static Batch batch(int alphabet, int[] levels, int steps, int batch,
      RandomGenerator rng) {
    int[] symbols = new int[steps * batch]; // [T, B], time-major
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < steps; t++) {
        symbols[t * batch + b] = rng.nextInt(alphabet);
      }
    }
    float[] inputs = new float[steps * batch * alphabet]; // [T, B, K]
    for (int i = 0; i < symbols.length; i++) {
      inputs[i * alphabet + symbols[i]] = 1f;
    }
    List<Target> targets = new ArrayList<>(levels.length);
    for (int n : levels) {
      float[] labels = new float[steps * batch];
      float[] mask = new float[steps * batch];
      for (int t = n; t < steps; t++) {
        for (int b = 0; b < batch; b++) {
          labels[t * batch + b] = symbols[t * batch + b] == symbols[(t - n) * batch + b] ? 1f : 0f;
          mask[t * batch + b] = 1f;
        }
      }
      targets.add(new Target(n, LossKind.CLASSIFICATION, 2, labels, mask));
    }
    return new Batch(steps, batch, alphabet, inputs, targets);
  }

  /** Checks the requested levels and returns the largest. */
  private static int maxLevel(int[] levels) {
    if (levels == null || levels.length == 0) {
      throw new IllegalArgumentException(ID + " needs at least one level to produce targets for");
    }
    for (int level : levels) {
      if (level < MIN_LEVEL) {
        throw new IllegalArgumentException(ID + " levels must be ≥ " + MIN_LEVEL + ", got " + level
            + " in " + Arrays.toString(levels));
      }
    }
    return Arrays.stream(levels).max().orElseThrow();
  }

  private static void atLeastOne(String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(ID + " " + what + " must be ≥ 1, was " + value);
    }
  }
}
