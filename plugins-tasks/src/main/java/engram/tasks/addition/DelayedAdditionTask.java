package engram.tasks.addition;

import static engram.tasks.trial.Timeline.period;

import engram.api.PluginInfo;
import engram.api.Task;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.tasks.bits.LastStepBatch;
import engram.tasks.trial.Steps;
import engram.tasks.trial.Timeline;
import engram.tasks.trial.TrialBatch;
import java.util.random.RandomGenerator;

/**
 * Delayed addition: two values arrive as pulses separated by delays; after the second delay the
 * network reports their sum.
 *
 * <p>Protocol. Periods in trial order: cue1 → delay1 → cue2 → delay2 → response. Each trial draws
 * a<sub>1</sub>, a<sub>2</sub> ~ U(−1, 1). Input channel 0 ("value") carries a<sub>1</sub>
 * throughout cue1 and a<sub>2</sub> throughout cue2 and is 0 elsewhere; input channel 1 ("go") is 1
 * throughout the response and 0 elsewhere, so the network knows when to answer. The target
 * a<sub>1</sub> + a<sub>2</sub> is scored during the response only, with the mean squared error;
 * accuracy is the fraction of scored steps whose output lies within {@code tolerance} of it. Delays
 * may be drawn per trial; shorter trials are padded with unscored steps.
 *
 * <p>Levels. The level is ignored unless {@code delay-from-level} is set (the minimum level is 1);
 * with it, level L makes both delays exactly L steps. One input stream is drawn for the highest
 * requested level, and every requested level gets the same target on it.
 *
 * <p>Source: Haputhanthri et al. 2025, arXiv:2502.07256. The paper released no code: the period
 * durations, the go channel, the value range and the tolerance 0.1 are reconstructed and all
 * configurable.
 */
public final class DelayedAdditionTask implements Task<DelayedAdditionTask.Config> {
  static final String ID = "delayed-addition";
  private static final int MIN_LEVEL = 1;
  private static final int VALUE = 0;
  private static final int GO = 1;
  private static final int SUM = 0;

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Delayed addition: report a1 + a2 after two delayed cues",
        "Periods cue1, delay1, cue2, delay2, response. Channel 0 carries a1 ~ U(-1,1) during cue1"
            + " and a2 ~ U(-1,1) during cue2; channel 1 is a go cue during the response. Target a1"
            + " + a2 during the response (MSE); accuracy = within tolerance. Settings reconstructed"
            + " from Haputhanthri et al. 2025, arXiv:2502.07256.");
  }

  /**
   * @param cue1 duration of the first cue
   * @param delay1 duration of the first delay
   * @param cue2 duration of the second cue
   * @param delay2 duration of the second delay
   * @param response duration of the response window
   * @param tolerance largest |output − target| counted correct
   * @param delayFromLevel whether the level sets both delays
   */
  public record Config(
      @Doc(
              "duration of the first cue (a1 on channel 0), in steps: {min, max}, drawn per trial;"
                  + " min ≥ 1")
          Steps cue1,
      @Doc("duration of the first delay, in steps: {min, max}, drawn per trial; min ≥ 0")
          Steps delay1,
      @Doc(
              "duration of the second cue (a2 on channel 0), in steps: {min, max}, drawn per trial;"
                  + " min ≥ 1")
          Steps cue2,
      @Doc("duration of the second delay, in steps: {min, max}, drawn per trial; min ≥ 0")
          Steps delay2,
      @Doc(
              "duration of the response window (go cue on channel 1, target scored), in steps:"
                  + " {min, max}; min ≥ 1")
          Steps response,
      @Doc("largest |output − (a1 + a2)| counted correct by the accuracy; ≥ 0") double tolerance,
      @Doc(
              "when true, level L sets both delays to exactly L steps; when false the level is"
                  + " ignored")
          boolean delayFromLevel) {
    public Config {
      Steps.check("cue1", cue1, 1);
      Steps.check("delay1", delay1, 0);
      Steps.check("cue2", cue2, 1);
      Steps.check("delay2", delay2, 0);
      Steps.check("response", response, 1);
      Check.nonNegative("tolerance", tolerance);
    }

    public static Config defaults() {
      return new Config(
          Steps.fixed(1),
          Steps.uniform(5, 15),
          Steps.fixed(1),
          Steps.uniform(5, 15),
          Steps.fixed(5),
          0.1,
          false);
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
    return 2;
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

  /**
   * {@inheritDoc}
   *
   * <p>Here: {@code delay} (both delays, in steps) with {@code delay-from-level}; {@code level}
   * without it, when the level changes nothing.
   */
  @Override
  public String levelName(Config config) {
    return config.delayFromLevel() ? "delay" : "level";
  }

  /** The protocol; with {@code delay-from-level}, both delays last {@code level} steps. */
  static Timeline timeline(Config c, int level) {
    Steps delay1 = c.delayFromLevel() ? Steps.fixed(level) : c.delay1();
    Steps delay2 = c.delayFromLevel() ? Steps.fixed(level) : c.delay2();
    return Timeline.of(
        period("cue1", c.cue1()),
        period("delay1", delay1),
        period("cue2", c.cue2()),
        period("delay2", delay2),
        period("response", c.response()));
  }

  @Override
  public Batch sample(Config config, int[] levels, int batchSize, RandomGenerator rng) {
    int level = LastStepBatch.maxLevel(ID, levels, MIN_LEVEL);
    LastStepBatch.batchSize(ID, batchSize);
    TrialBatch trials = TrialBatch.draw(timeline(config, level), batchSize, 2, 1, rng);
    for (int b = 0; b < batchSize; b++) {
      double a1 = rng.nextDouble(-1, 1);
      double a2 = rng.nextDouble(-1, 1);
      trials.input(b, VALUE, "cue1", a1);
      trials.input(b, VALUE, "cue2", a2);
      trials.input(b, GO, "response", 1);
      trials.target(b, SUM, "response", (float) a1 + (float) a2);
    }
    return trials.regression(levels, Accuracy.within(config.tolerance()), "response");
  }
}
