package engram.analysis.common;

import engram.api.Analyzer;
import engram.api.Analyzer.Checkpoint;
import engram.api.Analyzer.Restored;
import engram.api.Trajectory;
import engram.api.task.Batch;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The simulation shared by the analyses of spontaneous activity (network timescales,
 * dimensionality; spec §5 items 2 and 3): drive a checkpoint's network with one long continuous
 * stream of its task and keep the activity after a warm-up.
 *
 * <p>Protocol for one checkpoint: the level is the checkpoint's largest level N (the task's
 * smallest level when the checkpoint lists none); {@code trials} independent streams of {@code
 * warmup + steps} steps come from {@link Analyzer.Run#stream} with the generator {@code
 * run.random("stream")}; the network rebuilt by {@link Analyzer.Run#restore} runs over them from an
 * initial state drawn from {@code run.random("h0")}; the first {@code warmup} steps are discarded.
 * Because the generators depend only on the run seed, the analyzer id and their names, every
 * checkpoint of one analysis sees the same input streams and initial states, so differences between
 * checkpoints come from the networks alone.
 */
public final class Simulation {
  private Simulation() {}

  /**
   * Per-step activity of K quantities (hidden units, or one extra's components) in B trials, {@code
   * [T, B, K]} row-major: value of component {@code k} in trial {@code b} at analysed step {@code
   * t} (0 = first step after the warm-up) is {@code values[(t·B + b)·K + k]}. Held as float (the
   * networks compute in float or double; float halves the memory of long simulations).
   */
  public record Activity(int steps, int trials, int units, float[] values) {
    public Activity {
      if ((long) steps * trials * units != values.length) {
        throw new IllegalArgumentException(
            "activity of "
                + steps
                + " steps, "
                + trials
                + " trials and "
                + units
                + " units needs "
                + (long) steps * trials * units
                + " values, got "
                + values.length);
      }
    }

    /** Value of {@code unit} in {@code trial} at analysed step {@code t}. */
    public double value(int t, int trial, int unit) {
      return values[(t * trials + trial) * units + unit];
    }

    /** One unit's activity, {@code [trial][t]}. */
    public double[][] unit(int unit) {
      double[][] x = new double[trials][steps];
      for (int t = 0; t < steps; t++) {
        int base = t * trials * units + unit;
        for (int b = 0; b < trials; b++) {
          x[b][t] = values[base + b * units];
        }
      }
      return x;
    }

    /** The sum over all units at every step, {@code [trial][t]} (the population activity). */
    public double[][] population() {
      double[][] x = new double[trials][steps];
      for (int t = 0; t < steps; t++) {
        for (int b = 0; b < trials; b++) {
          int base = (t * trials + b) * units;
          double s = 0;
          for (int k = 0; k < units; k++) {
            s += values[base + k];
          }
          x[b][t] = s;
        }
      }
      return x;
    }

    /** Mean of every unit over all steps and trials, {@code [units]}. */
    public double[] unitMeans() {
      double[] mean = new double[units];
      for (int row = 0; row < steps * trials; row++) {
        for (int k = 0; k < units; k++) {
          mean[k] += values[row * units + k];
        }
      }
      for (int k = 0; k < units; k++) {
        mean[k] /= (double) steps * trials;
      }
      return mean;
    }
  }

  /**
   * The hidden activity after the warm-up, and the requested extras over the same steps.
   *
   * @param extras named {@link Trajectory#extras()}, each {@code [T, B, K]}, keyed by name
   */
  public record Result(Activity hidden, Map<String, Activity> extras) {
    public Result {
      extras = Map.copyOf(extras);
    }
  }

  /**
   * The context's run; its absence is reported as the analyzer's problem, with the fix.
   *
   * @throws IllegalStateException when the context has no run
   */
  public static Analyzer.Run run(Analyzer.Context context, String analyzerId) {
    try {
      return context.run();
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          analyzerId
              + " simulates the network, which needs the run "
              + "behind the checkpoints: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Simulates {@code checkpoint}'s network as described in the class comment.
   *
   * @param analyzerId named in errors
   * @param warmup steps simulated and discarded first, ≥ 0
   * @param steps analysed steps per trial, ≥ 1
   * @param trials independent streams, ≥ 1
   * @param extraNames extras to keep (e.g. an LSTM's forget gate {@code f}); each must exist
   * @throws IllegalStateException when the network's activity is not finite, its shape is not
   *     {@code [warmup + steps, trials, H]}, or a requested extra is missing
   */
  public static Result simulate(
      Analyzer.Run run,
      Checkpoint checkpoint,
      String analyzerId,
      int warmup,
      int steps,
      int trials,
      Set<String> extraNames) {
    int maxLevel = Outputs.maxLevel(checkpoint.levels());
    int level =
        checkpoint.levels() == null || checkpoint.levels().length == 0 ? run.minLevel() : maxLevel;
    Batch batch = run.stream(new int[] {level}, warmup + steps, trials, run.random("stream"));
    Restored restored = run.restore(checkpoint);
    Trajectory trajectory = restored.forward(batch, run.random("h0"));
    int units = restored.network().hiddenSize();
    Activity hidden =
        window(
            trajectory.hidden(),
            "hidden state",
            checkpoint,
            analyzerId,
            warmup,
            steps,
            trials,
            units);
    Map<String, Activity> extras = new LinkedHashMap<>();
    if (!extraNames.isEmpty()) {
      Map<String, INDArray> available = trajectory.extras(); // copied only when asked for
      for (String name : extraNames) {
        INDArray extra = available.get(name);
        if (extra == null) {
          throw new IllegalStateException(
              analyzerId
                  + ": the "
                  + run.modelId()
                  + " network of"
                  + " checkpoint '"
                  + checkpoint.name()
                  + "' has no extra '"
                  + name
                  + "' (it has "
                  + new TreeSet<>(available.keySet())
                  + ")");
        }
        long width = extra.rank() == 3 ? extra.size(2) : -1;
        extras.put(
            name,
            window(
                extra,
                "extra '" + name + "'",
                checkpoint,
                analyzerId,
                warmup,
                steps,
                trials,
                (int) width));
      }
    }
    return new Result(hidden, extras);
  }

  /** Steps {@code warmup … warmup + steps − 1} of a {@code [T, B, K]} array, as float. */
  private static Activity window(
      INDArray array,
      String what,
      Checkpoint checkpoint,
      String analyzerId,
      int warmup,
      int steps,
      int trials,
      int width) {
    long[] expected = {warmup + steps, trials, width};
    if (!Arrays.equals(array.shape(), expected)) {
      throw new IllegalStateException(
          analyzerId
              + ": the network of checkpoint '"
              + checkpoint.name()
              + "' returned "
              + what
              + " of shape "
              + Arrays.toString(array.shape())
              + ", expected [steps, trials, units] = "
              + Arrays.toString(expected));
    }
    INDArray kept =
        array.get(
            NDArrayIndex.interval(warmup, warmup + steps), NDArrayIndex.all(), NDArrayIndex.all());
    float[] values = kept.castTo(DataType.FLOAT).dup('c').data().asFloat();
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        int t = i / (trials * width);
        throw new IllegalStateException(
            analyzerId
                + ": the "
                + what
                + " of checkpoint '"
                + checkpoint.name()
                + "' is not finite ("
                + values[i]
                + " at step "
                + (warmup + t)
                + " of trial "
                + (i / width) % trials
                + "); the network diverges on the stream, so"
                + " its activity has no autocorrelation or spectrum to analyse");
      }
    }
    return new Activity(steps, trials, width, values);
  }
}
