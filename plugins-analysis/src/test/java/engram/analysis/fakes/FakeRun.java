package engram.analysis.fakes;

import engram.api.Analyzer.Checkpoint;
import engram.api.Analyzer.Run;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A run of a parity-like task with a {@link FakeRestored} network, recording what an analyzer asks
 * of it. {@link #random} is determined by the name, as {@link Run#random} documents.
 *
 * <p>Stream and sample targets: one per level, classification with {@code classes} classes (or
 * regression when {@code classes} is 0), random labels; a stream scores level ℓ from step ℓ − 1 on,
 * a sample its last step. Sample length: largest level + 2. Retraining returns, for level ℓ, epochs
 * e = 1 … min(epochs, ℓ/2) with accuracy 0.5 + 0.01·e + 0.001·ℓ (it "stops early" after ℓ/2
 * epochs).
 */
public final class FakeRun implements Run {
  /** One retrain call. */
  public record Retrain(String checkpoint, int level, int epochs, long seed) {}

  /** One sample or stream call. */
  public record Draw(int[] levels, int steps, int batch) {}

  private final String modelId;
  private final int classes;
  private final boolean levelAccuracy;
  public final List<FakeRestored> restored = new ArrayList<>();
  public final List<FakeRestored.Call> calls = new ArrayList<>();
  public final List<Retrain> retrains = new ArrayList<>();
  public final List<Draw> streams = new ArrayList<>();
  public final List<Draw> samples = new ArrayList<>();
  public final List<String> randomNames = new ArrayList<>();

  /**
   * @param classes classes of the task's targets; 0 for a regression task
   * @param levelAccuracy whether accuracy is the per-level formula of {@link FakeRestored}
   */
  public FakeRun(String modelId, int classes, boolean levelAccuracy) {
    this.modelId = modelId;
    this.classes = classes;
    this.levelAccuracy = levelAccuracy;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public String taskId() {
    return "fake-parity";
  }

  @Override
  public int minLevel() {
    return 2;
  }

  @Override
  public RandomGenerator random(String name) {
    randomNames.add(name);
    return new SplittableRandom(name.hashCode() * 1_000_003L + 17);
  }

  @Override
  public Batch sample(int[] levels, int batchSize, RandomGenerator rng) {
    int steps = Arrays.stream(levels).max().getAsInt() + 2;
    samples.add(new Draw(levels.clone(), steps, batchSize));
    return batch(levels, steps, batchSize, rng, false);
  }

  @Override
  public Batch stream(int[] levels, int steps, int batchSize, RandomGenerator rng) {
    streams.add(new Draw(levels.clone(), steps, batchSize));
    return batch(levels, steps, batchSize, rng, true);
  }

  private Batch batch(
      int[] levels, int steps, int batchSize, RandomGenerator rng, boolean continuous) {
    float[] inputs = new float[steps * batchSize];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = rng.nextBoolean() ? 1f : 0f;
    }
    List<Target> targets = new ArrayList<>();
    for (int level : levels) {
      float[] mask = new float[steps * batchSize];
      for (int t = continuous ? level - 1 : steps - 1; t < steps; t++) {
        Arrays.fill(mask, t * batchSize, (t + 1) * batchSize, 1f);
      }
      if (classes == 0) {
        float[] values = new float[steps * batchSize];
        for (int i = 0; i < values.length; i++) {
          values[i] = rng.nextBoolean() ? 1f : -1f;
        }
        targets.add(new Target(level, LossKind.REGRESSION, 1, values, mask));
      } else {
        float[] values = new float[steps * batchSize];
        for (int i = 0; i < values.length; i++) {
          values[i] = rng.nextInt(classes);
        }
        targets.add(new Target(level, LossKind.CLASSIFICATION, classes, values, mask));
      }
    }
    return new Batch(steps, batchSize, 1, inputs, targets);
  }

  @Override
  public FakeRestored restore(Checkpoint checkpoint) {
    FakeRestored copy = new FakeRestored(checkpoint, levelAccuracy, calls);
    restored.add(copy);
    return copy;
  }

  @Override
  public double[] retrain(Checkpoint checkpoint, int level, int epochs, long seed) {
    retrains.add(new Retrain(checkpoint.name(), level, epochs, seed));
    double[] accuracies = new double[Math.min(epochs, level / 2)];
    for (int e = 1; e <= accuracies.length; e++) {
      accuracies[e - 1] = 0.5 + 0.01 * e + 0.001 * level;
    }
    return accuracies;
  }

  /** The accuracy retrain returns for {@code level} after epoch {@code epoch} (1-based). */
  public static double retrainAccuracy(int level, int epoch) {
    return 0.5 + 0.01 * epoch + 0.001 * level;
  }
}
