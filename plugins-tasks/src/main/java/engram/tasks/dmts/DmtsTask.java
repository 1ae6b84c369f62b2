package engram.tasks.dmts;

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
 * Delayed match-to-sample with two ±1 stimuli: say whether a test pulse matches a sample pulse seen
 * before a delay.
 *
 * <p>Protocol. Periods in trial order: sample → delay → test → response. Each trial draws a sample
 * sign s₁ and a test sign s₂, each ±1 with equal probability and independently. The one input
 * channel is s₁ throughout the sample, s₂ throughout the test and 0 elsewhere. The target is 1
 * throughout the response when s₁ = s₂ (match) and 0 when they differ, and 0 at every other step;
 * every step is scored with the mean squared error of the readout's output, which is the sigmoid of
 * the linear readout by default (o ∈ (0, 1)). Accuracy is the fraction of steps whose output,
 * binarized at {@code threshold} (1 above it, 0 below), equals the target; with {@code whole-trial}
 * a trial counts as one, right only when all its steps are.
 *
 * <p>Levels. The level is the delay in steps (minimum 1; the source's is 30). One input stream is
 * drawn for the highest requested level, and every requested level gets the same target on it.
 *
 * <p>Conditions ({@link FiniteConditions}): K = 4 in the order (s₁, s₂) = (+1, +1), (+1, −1), (−1,
 * +1), (−1, −1), i.e. condition k has s₁ = +1 for k &lt; 2 and s₂ = +1 for even k.
 *
 * <p>Source: Dinc, Cirakman, Jiang, Yuksekgonul, Schnitzer and Tanaka, "A ghost mechanism: an
 * analytical model of abrupt learning", arXiv 2501.02378 (2025), code fatihdinc/ghost-mechanism:
 * two ±1 pulses of 2 steps separated by a 30-step delay, 10-step response, sigmoid readout, 4
 * deterministic conditions, full batch. Read for its settings only (memory-geometry spec §7).
 */
public final class DmtsTask implements Task<DmtsTask.Config>, FiniteConditions<DmtsTask.Config> {
  static final String ID = "dmts";
  private static final int MIN_LEVEL = 1;
  private static final int CONDITIONS = 4;
  private static final String[] PERIODS = {"sample", "delay", "test", "response"};

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Delayed match-to-sample: does a ±1 test pulse match the sample before the delay?",
        "Periods sample, delay (the level, in steps), test, response. One channel carries s1 = ±1"
            + " during the sample and s2 = ±1 during the test; target 1 during the response when"
            + " s1 = s2, 0 otherwise and 0 elsewhere; MSE over all steps of a sigmoid readout;"
            + " accuracy = output binarized at the threshold equals the target. Four conditions"
            + " (full batch possible). Dinc et al. 2025, arXiv:2501.02378.");
  }

  /**
   * @param pulse duration of each of the two pulses
   * @param response response duration
   * @param threshold binarization threshold of the accuracy
   * @param wholeTrial whether accuracy counts whole trials
   * @param outputActivation the readout's output nonlinearity
   */
  public record Config(
      @Doc("Steps of each pulse (sample and test); ≥ 1.") int pulse,
      @Doc("Steps of the response window, during which the target is 1 for a match; ≥ 1.")
          int response,
      @Doc("Accuracy threshold: an output above it reads 1, otherwise 0; in [0, 1).")
          double threshold,
      @Doc("When true, accuracy counts a trial as one, right only when every step is.")
          boolean wholeTrial,
      @Doc("The readout's output nonlinearity: sigmoid (the source's), identity or tanh.")
          OutputActivation outputActivation) {
    public Config {
      Check.atLeast("pulse", pulse, 1);
      Check.atLeast("response", response, 1);
      if (!(threshold >= 0 && threshold < 1)) {
        throw new IllegalArgumentException("threshold must be in [0, 1) (was " + threshold + ")");
      }
      Check.notNull("output-activation", outputActivation);
    }

    /** The source's settings: 2-step pulses, 10-step response, threshold ½, sigmoid readout. */
    public static Config defaults() {
      return new Config(2, 10, 0.5, false, OutputActivation.SIGMOID);
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
    int[] conditions = new int[batchSize];
    for (int b = 0; b < batchSize; b++) {
      boolean sampleUp = rng.nextBoolean();
      boolean testUp = rng.nextBoolean();
      conditions[b] = (sampleUp ? 0 : 2) + (testUp ? 0 : 1);
    }
    return trials(config, levels, delay, conditions);
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
    int[] conditions = new int[CONDITIONS * copies];
    for (int b = 0; b < conditions.length; b++) {
      conditions[b] = b % CONDITIONS;
    }
    return trials(config, levels, delay, conditions);
  }

  /** The trials of the given conditions (0–3, in the order of the class comment). */
  private static Batch trials(Config config, int[] levels, int delay, int[] conditions) {
    Timeline timeline =
        Timeline.of(
            period("sample", Steps.fixed(config.pulse())),
            period("delay", Steps.fixed(delay)),
            period("test", Steps.fixed(config.pulse())),
            period("response", Steps.fixed(config.response())));
    // fixed durations draw nothing from the generator
    TrialBatch trials = TrialBatch.draw(timeline, conditions.length, 1, 1, new SplittableRandom(0));
    for (int b = 0; b < conditions.length; b++) {
      double sample = conditions[b] < 2 ? 1 : -1;
      double test = conditions[b] % 2 == 0 ? 1 : -1;
      trials.input(b, 0, "sample", sample);
      trials.input(b, 0, "test", test);
      trials.target(b, 0, "response", sample == test ? 1 : 0);
    }
    Accuracy accuracy = Accuracy.binarized(config.threshold());
    return trials.regression(
        levels,
        config.wholeTrial() ? accuracy.wholeTrial() : accuracy,
        config.outputActivation(),
        PERIODS);
  }
}
