package engram.analysis.fakes;

import engram.api.Analyzer;
import engram.api.Analyzer.Checkpoint;
import engram.api.Network;
import engram.api.Trajectory;
import engram.api.task.Batch;
import engram.testkit.TinyRnnCell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A run whose restored copies return synthetic activity with a known answer ({@link Dynamics})
 * instead of running their network, for end-to-end tests of the simulating analyzers; the activity
 * is drawn from the generator the analyzer passes to {@link Analyzer.Restored#forward}. Records
 * what the analyzer asked for. (Contexts come from the testkit's FakeAnalysisContext.)
 */
public final class SyntheticRun implements Analyzer.Run {

  /** Synthetic activity of one checkpoint. */
  public interface Dynamics {
    /** Hidden activity {@code [steps, trials, units]} row-major, drawn from {@code rng} only. */
    float[] hidden(Checkpoint checkpoint, int steps, int trials, int units, RandomGenerator rng);

    /** Extras by name, each {@code [steps, trials, units]} row-major; none by default. */
    default Map<String, float[]> extras(Checkpoint checkpoint, int steps, int trials, int units) {
      return Map.of();
    }
  }

  private final String modelId;
  private final int units;
  private final Dynamics dynamics;
  private final long seed;

  /** Levels of every {@link #stream} call, in order. */
  public final List<int[]> streamedLevels = new ArrayList<>();

  /** Names passed to {@link #random}, in order. */
  public final List<String> randomNames = new ArrayList<>();

  public SyntheticRun(String modelId, int units, long seed, Dynamics dynamics) {
    this.modelId = modelId;
    this.units = units;
    this.seed = seed;
    this.dynamics = dynamics;
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public String taskId() {
    return "n-parity";
  }

  @Override
  public int minLevel() {
    return 2;
  }

  @Override
  public RandomGenerator random(String name) {
    randomNames.add(name);
    return new SplittableRandom(seed * 1_000_003L + name.hashCode());
  }

  @Override
  public Batch sample(int[] levels, int batchSize, RandomGenerator rng) {
    throw new UnsupportedOperationException("not used by these analyzers");
  }

  @Override
  public Batch stream(int[] levels, int steps, int batchSize, RandomGenerator rng) {
    streamedLevels.add(levels.clone());
    return new Batch(steps, batchSize, 1, new float[steps * batchSize], List.of());
  }

  @Override
  public Analyzer.Restored restore(Checkpoint checkpoint) {
    // A real network of the right width (the analyzers read its size); its trajectories are not
    // used, the synthetic activity stands in for them.
    Network network =
        TinyRnnCell.network(
            Map.of(
                "w_in",
                Nd4j.zeros(DataType.FLOAT, units, 1),
                "w_rec",
                Nd4j.zeros(DataType.FLOAT, units, units)));
    return new Analyzer.Restored() {
      @Override
      public Network network() {
        return network;
      }

      @Override
      public int head(int level) {
        return 0;
      }

      @Override
      public void ablate(int unit) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Trajectory forward(Batch batch, RandomGenerator rng) {
        int t = batch.steps();
        int b = batch.batch();
        INDArray hidden =
            Nd4j.createFromArray(dynamics.hidden(checkpoint, t, b, units, rng))
                .reshape('c', t, b, units);
        Map<String, INDArray> extras = new LinkedHashMap<>();
        dynamics
            .extras(checkpoint, t, b, units)
            .forEach(
                (name, values) ->
                    extras.put(name, Nd4j.createFromArray(values).reshape('c', t, b, units)));
        return new Trajectory() {
          @Override
          public INDArray hidden() {
            return hidden;
          }

          @Override
          public INDArray initialState() {
            return Nd4j.zeros(DataType.FLOAT, b, units);
          }

          @Override
          public Map<String, INDArray> extras() {
            return extras;
          }
        };
      }

      @Override
      public double[] accuracy(Batch batch, int fromStep, RandomGenerator rng) {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Override
  public double[] retrain(Checkpoint checkpoint, int level, int epochs, long seed) {
    throw new UnsupportedOperationException();
  }

  /**
   * Fills unit {@code unit} of a {@code [steps, trials, units]} array with a stationary AR(1)
   * process of timescale {@code tau} (steps) and variance {@code variance}, added to what is there:
   * x_t = φ·x_{t−1} + √(variance·(1 − φ²))·ε_t, φ = e^(−1/τ), x_0 drawn from the stationary law.
   */
  public static void addAr1(
      float[] values,
      int steps,
      int trials,
      int units,
      int unit,
      double tau,
      double variance,
      RandomGenerator rng) {
    double phi = Math.exp(-1.0 / tau);
    double sd = Math.sqrt(variance * (1 - phi * phi));
    for (int b = 0; b < trials; b++) {
      double x = Math.sqrt(variance) * rng.nextGaussian();
      for (int t = 0; t < steps; t++) {
        x = phi * x + sd * rng.nextGaussian();
        values[(t * trials + b) * units + unit] += (float) x;
      }
    }
  }
}
