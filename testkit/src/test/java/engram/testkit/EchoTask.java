package engram.testkit;

import engram.api.PluginInfo;
import engram.api.Task;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A tiny task for the testkit's own tests: a stream of bits; the target of level N is the bit N−1
 * steps back, scored at the last step of a trial (at every step from N−1 on in a stream).
 */
public final class EchoTask implements Task<EchoTask.Config> {
  /**
   * Configuration.
   *
   * @param extra steps a trial lasts beyond the largest level
   */
  public record Config(@Doc("Steps beyond the largest level (count, ≥ 0).") int extra) {
    /** Validates; messages start with the key. */
    public Config {
      Check.atLeast("extra", extra, 0);
    }
  }

  /** Does nothing. */
  public EchoTask() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo("echo", "Echo a bit", "The target of level N is the bit N−1 steps ago.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(2);
  }

  @Override
  public int inputSize(Config config) {
    return 1;
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
    return 1;
  }

  @Override
  public Batch sample(Config config, int[] levels, int batchSize, RandomGenerator rng) {
    int max = check(levels, batchSize);
    return batch(levels, max + config.extra(), batchSize, rng, false);
  }

  @Override
  public Batch stream(Config config, int[] levels, int steps, int batchSize, RandomGenerator rng) {
    check(levels, batchSize);
    if (steps < 1) {
      throw new IllegalArgumentException("echo stream needs ≥ 1 step, was " + steps);
    }
    return batch(levels, steps, batchSize, rng, true);
  }

  private static int check(int[] levels, int batchSize) {
    if (levels == null || levels.length == 0) {
      throw new IllegalArgumentException("echo needs at least one level");
    }
    int max = 0;
    for (int level : levels) {
      if (level < 1) {
        throw new IllegalArgumentException("echo levels must be ≥ 1, got " + level);
      }
      max = Math.max(max, level);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("echo batch size must be ≥ 1, was " + batchSize);
    }
    return max;
  }

  private static Batch batch(
      int[] levels, int steps, int batchSize, RandomGenerator rng, boolean continuous) {
    float[] bits = new float[steps * batchSize];
    for (int i = 0; i < bits.length; i++) {
      bits[i] = rng.nextBoolean() ? 1f : 0f;
    }
    List<Target> targets = new ArrayList<>();
    for (int level : levels) {
      float[] values = new float[steps * batchSize];
      float[] mask = new float[steps * batchSize];
      for (int t = level - 1; t < steps; t++) {
        for (int b = 0; b < batchSize; b++) {
          values[t * batchSize + b] = bits[(t - level + 1) * batchSize + b];
          mask[t * batchSize + b] = continuous || t == steps - 1 ? 1f : 0f;
        }
      }
      targets.add(new Target(level, LossKind.CLASSIFICATION, 2, values, mask));
    }
    return new Batch(steps, batchSize, 1, bits, targets);
  }
}
