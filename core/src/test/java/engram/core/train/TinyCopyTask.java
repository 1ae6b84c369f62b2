package engram.core.train;

import engram.api.PluginInfo;
import engram.api.Task;
import engram.api.config.Doc;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginKind;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A test-only copy task: K random bits per step for L steps (L = the level, its "length"), then L
 * recall steps on which a go channel is 1 and the network must output the same K bits in order.
 * Multi-label (one sigmoid per bit); accuracy per bit, or per whole trial (every bit of every
 * recall step right).
 */
public final class TinyCopyTask implements Task<TinyCopyTask.Config> {
  /**
   * @param bits K
   * @param wholeTrial whether a trial counts as correct only when every recalled bit is right
   */
  public record Config(
      @Doc("K, bits per step") int bits, @Doc("count whole trials") boolean wholeTrial) {}

  @Override
  public PluginInfo info() {
    return new PluginInfo("tiny-copy", "copy L steps of K bits", "");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(2, true);
  }

  @Override
  public int inputSize(Config config) {
    return config.bits() + 1;
  }

  @Override
  public int outputSize(Config config) {
    return config.bits();
  }

  @Override
  public LossKind lossKind(Config config) {
    return LossKind.MULTI_LABEL;
  }

  @Override
  public int minLevel(Config config) {
    return 1;
  }

  @Override
  public String levelName(Config config) {
    return "length";
  }

  /** Steps 0..Lmax−1 show the bits of the longest level; level L recalls the last L of them. */
  @Override
  public Batch sample(Config config, int[] levels, int batchSize, RandomGenerator rng) {
    int k = config.bits();
    int longest = java.util.Arrays.stream(levels).max().orElseThrow();
    int steps = 2 * longest;
    int inputs = k + 1;
    float[] x = new float[steps * batchSize * inputs];
    float[] shown = new float[longest * batchSize * k];
    for (int t = 0; t < longest; t++) {
      for (int b = 0; b < batchSize; b++) {
        for (int c = 0; c < k; c++) {
          float bit = rng.nextBoolean() ? 1f : 0f;
          shown[(t * batchSize + b) * k + c] = bit;
          x[(t * batchSize + b) * inputs + c] = bit;
        }
      }
    }
    for (int t = longest; t < steps; t++) {
      for (int b = 0; b < batchSize; b++) {
        x[(t * batchSize + b) * inputs + k] = 1f; // go
      }
    }
    Accuracy accuracy =
        config.wholeTrial() ? Accuracy.threshold().wholeTrial() : Accuracy.threshold();
    List<Target> targets = new ArrayList<>();
    for (int level : levels) {
      float[] bits = new float[steps * batchSize * k];
      float[] mask = new float[steps * batchSize];
      // recall step longest + i repeats shown step longest − level + i, for i < level
      for (int i = 0; i < level; i++) {
        int t = longest + i;
        int source = longest - level + i;
        for (int b = 0; b < batchSize; b++) {
          mask[t * batchSize + b] = 1;
          System.arraycopy(shown, (source * batchSize + b) * k, bits, (t * batchSize + b) * k, k);
        }
      }
      targets.add(new Target(level, LossKind.MULTI_LABEL, k, bits, mask, accuracy));
    }
    return new Batch(steps, batchSize, inputs, x, targets);
  }

  /** {@code base} with this task (configured by {@code config}) in place of its task. */
  public static ResolvedExperiment in(ResolvedExperiment base, Config config) {
    PluginChoice task =
        new PluginChoice(
            new DiscoveredPlugin(PluginKind.TASK, new TinyCopyTask(), "test", "TinyCopyTask"),
            config);
    return new ResolvedExperiment(
        base.name(),
        base.description(),
        base.seed(),
        base.precision(),
        task,
        base.model(),
        base.curriculum(),
        base.regularizers(),
        base.analyzers(),
        base.training(),
        base.evaluation(),
        base.output());
  }
}
