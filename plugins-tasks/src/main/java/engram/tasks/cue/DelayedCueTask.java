package engram.tasks.cue;

import static engram.tasks.trial.Timeline.period;

import engram.api.PluginInfo;
import engram.api.Task;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.FiniteConditions;
import engram.api.task.LossKind;
import engram.api.task.OutputActivation;
import engram.tasks.bits.LastStepBatch;
import engram.tasks.trial.Steps;
import engram.tasks.trial.Timeline;
import engram.tasks.trial.TrialBatch;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Delayed cue discrimination: a ±1 cue, a silent delay, then the network reports the cue's sign.
 *
 * <p>Protocol. Periods in trial order: cue → delay → response. Each trial draws a sign s = ±1 with
 * equal probability. The one input channel is s throughout the cue and 0 elsewhere. The target is s
 * throughout the response and 0 at every other step; every step is scored with the mean squared
 * error of the readout's output, which is tanh of the linear readout by default (o ∈ (−1, 1)).
 * Accuracy is the fraction of steps whose output, binarized at ±{@code threshold} (read as +1 above
 * it, −1 below its negative and 0 between), equals the target; with {@code whole-trial} a trial
 * counts as one, right only when all its steps are. A network without memory scores 0 in the
 * response at best and sits on a plateau until a slow region spans the delay.
 *
 * <p>Levels. The level is the delay in steps (minimum 1), so a curriculum can lengthen it. One
 * input stream is drawn for the highest requested level, and every requested level gets the same
 * target on it.
 *
 * <p>Conditions ({@link FiniteConditions}): K = 2, condition 0 is s = +1, condition 1 is s = −1;
 * full-batch training repeats them (2 × 500 in the source).
 *
 * <p>Source: Dinc, Cirakman, Jiang, Yuksekgonul, Schnitzer and Tanaka, "A ghost mechanism: an
 * analytical model of abrupt learning", arXiv 2501.02378 (2025), code fatihdinc/ghost-mechanism:
 * input ±1 for 2 steps, delay 10, reaction 10, tanh readout, MSE over all steps, accuracy at ±0.33.
 * Read for its settings only; see docs/ and the memory-geometry spec §7.
 */
public final class DelayedCueTask
    implements Task<DelayedCueTask.Config>, FiniteConditions<DelayedCueTask.Config> {
  static final String ID = "delayed-cue";
  private static final int MIN_LEVEL = 1;
  private static final int CONDITIONS = 2;
  private static final String[] PERIODS = {"cue", "delay", "response"};

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Delayed cue discrimination: report a ±1 cue's sign after a silent delay",
        "Periods cue, delay (the level, in steps), response. One channel carries s = ±1 during the"
            + " cue; target s during the response and 0 elsewhere; MSE over all steps of a tanh"
            + " readout; accuracy = output binarized at ±threshold equals the target. Two"
            + " conditions (full batch possible). Dinc et al. 2025, arXiv:2501.02378.");
  }

  /**
   * @param cue cue duration
   * @param response response duration
   * @param threshold binarization threshold of the accuracy
   * @param wholeTrial whether accuracy counts whole trials
   * @param outputActivation the readout's output nonlinearity
   */
  public record Config(
      @Doc("Steps of the cue, during which the input is s = ±1; ≥ 1.") int cue,
      @Doc("Steps of the response window, during which the target is s; ≥ 1.") int response,
      @Doc(
              "Accuracy threshold: an output above it reads +1, below its negative −1, between 0;"
                  + " in [0, 1).")
          double threshold,
      @Doc("When true, accuracy counts a trial as one, right only when every step is.")
          boolean wholeTrial,
      @Doc("The readout's output nonlinearity: tanh (the source's), identity or sigmoid.")
          OutputActivation outputActivation) {
    public Config {
      Check.atLeast("cue", cue, 1);
      Check.atLeast("response", response, 1);
      if (!(threshold >= 0 && threshold < 1)) {
        throw new IllegalArgumentException("threshold must be in [0, 1) (was " + threshold + ")");
      }
      Check.notNull("output-activation", outputActivation);
    }

    /** The source's settings: 2-step cue, 10-step response, threshold 0.33, tanh readout. */
    public static Config defaults() {
      return new Config(2, 10, 0.33, false, OutputActivation.TANH);
    }
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return Config.defaults();
  }

  @Override
  public int inputSize(Config config) {
    return 1;
  }

  @Override
  public int outputSize(Config config) {
    return 1;
  }

  @Override
  public LossKind lossKind(Config config) {
    return LossKind.REGRESSION;
  }

  @Override
  public int minLevel(Config config) {
    return MIN_LEVEL;
  }

  /** {@inheritDoc} Here: {@code delay}, in steps. */
  @Override
  public String levelName(Config config) {
    return "delay";
  }

  @Override
  public Batch sample(Config config, int[] levels, int batchSize, RandomGenerator rng) {
    int delay = LastStepBatch.maxLevel(ID, levels, MIN_LEVEL);
    LastStepBatch.batchSize(ID, batchSize);
    float[] signs = new float[batchSize];
    for (int b = 0; b < batchSize; b++) {
      signs[b] = rng.nextDouble() < 0.5 ? 1f : -1f;
    }
    return trials(config, levels, delay, signs);
  }

  @Override
  public int conditionCount(Config config) {
    return CONDITIONS;
  }

  @Override
  public Batch conditions(Config config, int[] levels, int copies) {
    int delay = LastStepBatch.maxLevel(ID, levels, MIN_LEVEL);
    if (copies < 1) {
      throw new IllegalArgumentException(ID + " copies must be ≥ 1, was " + copies);
    }
    float[] signs = new float[CONDITIONS * copies];
    for (int b = 0; b < signs.length; b++) {
      signs[b] = b % CONDITIONS == 0 ? 1f : -1f;
    }
    return trials(config, levels, delay, signs);
  }

  /** The trials of the given cue signs, one per sequence. */
  private static Batch trials(Config config, int[] levels, int delay, float[] signs) {
    Timeline timeline =
        Timeline.of(
            period("cue", Steps.fixed(config.cue())),
            period("delay", Steps.fixed(delay)),
            period("response", Steps.fixed(config.response())));
    // fixed durations draw nothing from the generator
    TrialBatch trials = TrialBatch.draw(timeline, signs.length, 1, 1, new SplittableRandom(0));
    for (int b = 0; b < signs.length; b++) {
      trials.input(b, 0, "cue", signs[b]);
      trials.target(b, 0, "response", signs[b]);
    }
    Accuracy accuracy = Accuracy.binarized(config.threshold());
    return trials.regression(
        levels,
        config.wholeTrial() ? accuracy.wholeTrial() : accuracy,
        config.outputActivation(),
        PERIODS);
  }
}
