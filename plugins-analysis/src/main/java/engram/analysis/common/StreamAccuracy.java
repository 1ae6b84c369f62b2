package engram.analysis.common;

import engram.api.Analyzer.Restored;
import engram.api.Analyzer.Run;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import java.util.SplittableRandom;

/**
 * Continuous-stream accuracy (spec §5.4) of copies of one network on one level, for analyses that
 * compare a changed network (a neuron removed, weights perturbed) with the unchanged one.
 *
 * <p>One {@link Run#stream} of {@code warmup + scored} steps per sequence, {@code streams}
 * independent sequences, no resets; each copy is scored at every step from {@code warmup} on where
 * the task defines a target, and the accuracy is the fraction of scored (step, sequence) entries it
 * gets right. Every evaluation made through one instance sees the same inputs <em>and the same
 * initial state draws</em> (the stream is drawn once from {@code run.random("stream")}, the initial
 * states from a generator re-seeded identically for every evaluation), so differences between
 * evaluations come from the change to the network, not from the data.
 *
 * <p>Relative accuracy = (acc − chance)/(baseline − chance): 1 for an unchanged network, 0 at
 * chance. Chance is 1/classes for a classification target counted per entry (0.5 for N-parity) and
 * a given value for any other target (regression, multi-label, whole-trial accuracy), whose chance
 * level depends on the data.
 */
public final class StreamAccuracy {
  /** Name of the run generator the stream is drawn from. */
  public static final String STREAM_RANDOM = "stream";

  /** Name of the run generator the initial-state seed is drawn from. */
  public static final String INITIAL_STATE_RANDOM = "initial-state";

  private final Batch batch;
  private final int level;
  private final int warmup;
  private final long initialStateSeed;
  private final double chance;

  private StreamAccuracy(Batch batch, int level, int warmup, long initialStateSeed, double chance) {
    this.batch = batch;
    this.level = level;
    this.warmup = warmup;
    this.initialStateSeed = initialStateSeed;
    this.chance = chance;
  }

  /**
   * Draws the stream for {@code level}: {@code run.stream({level}, warmup + scored, streams,
   * run.random("stream"))}, and one seed for the initial states from {@code
   * run.random("initial-state")}. Fresh generators each call, so two instances for the same level
   * see the same stream.
   *
   * @param warmup steps (≥ 0) before scoring starts, in time steps
   * @param scored steps (≥ 1) scored after the warm-up
   * @param streams independent sequences B (≥ 1)
   * @param regressionChance chance level used for any target but a per-entry classification one
   * @throws UnsupportedOperationException naming the task when it has no continuous stream
   */
  public static StreamAccuracy draw(
      Run run, int level, int warmup, int scored, int streams, double regressionChance) {
    Batch batch =
        run.stream(new int[] {level}, warmup + scored, streams, run.random(STREAM_RANDOM));
    if (batch.targets().size() != 1) {
      throw new IllegalStateException(
          "task '"
              + run.taskId()
              + "' returned "
              + batch.targets().size()
              + " targets for the single level "
              + level);
    }
    Target target = batch.targets().get(0);
    // 1/classes is the chance of one guess, not of a whole trial of them
    double chance =
        target.kind() == LossKind.CLASSIFICATION
                && target.accuracy().scope() == Accuracy.Scope.ENTRY
            ? 1.0 / target.width()
            : regressionChance;
    return new StreamAccuracy(
        batch, level, warmup, run.random(INITIAL_STATE_RANDOM).nextLong(), chance);
  }

  /** The level N scored. */
  public int level() {
    return level;
  }

  /** The chance level: 1/classes, or the configured value for other targets. */
  public double chance() {
    return chance;
  }

  /** The stream every evaluation uses ({@code [warmup + scored, streams, inputs]}). */
  public Batch batch() {
    return batch;
  }

  /**
   * Accuracy of {@code restored} as it is now, in [0, 1] (NaN when nothing was scored).
   * Deterministic: the same network state gives the same number.
   */
  public double of(Restored restored) {
    double[] accuracies = restored.accuracy(batch, warmup, new SplittableRandom(initialStateSeed));
    if (accuracies.length != 1) {
      throw new IllegalStateException(
          "Restored.accuracy returned "
              + accuracies.length
              + " accuracies for a stream with one target");
    }
    return accuracies[0];
  }

  /**
   * Accuracy of the unchanged network, the reference of {@link #relative}.
   *
   * @param analyzerId and {@code checkpoint} name the failure
   * @throws IllegalStateException when nothing was scored (the level needs more steps)
   */
  public double baseline(Restored restored, String analyzerId, String checkpoint) {
    double accuracy = of(restored);
    if (Double.isNaN(accuracy)) {
      throw new IllegalStateException(
          analyzerId
              + ": the continuous stream of level "
              + level
              + " scored nothing after the warm-up at checkpoint '"
              + checkpoint
              + "' ("
              + batch.steps()
              + " steps, scoring from step "
              + warmup
              + "). Fix: increase scored");
    }
    return accuracy;
  }

  /**
   * (accuracy − chance)/(baseline − chance); NaN when the baseline is at chance (the ratio is then
   * undefined). Above 1 when the change helped, below 0 when it fell under chance.
   */
  public static double relative(double accuracy, double baseline, double chance) {
    return baseline == chance ? Double.NaN : (accuracy - chance) / (baseline - chance);
  }
}
