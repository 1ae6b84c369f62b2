package engram.tasks.addition;

import static engram.tasks.trial.Timeline.period;

import engram.api.PluginInfo;
import engram.api.Task;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.FiniteConditions;
import engram.api.task.LossKind;
import engram.tasks.bits.LastStepBatch;
import engram.tasks.trial.Steps;
import engram.tasks.trial.Timeline;
import engram.tasks.trial.TrialBatch;
import java.util.List;
import java.util.SplittableRandom;
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
 * <p>Without partial credit ({@code score-all-steps}, {@code go-cue}, {@code values}; off by
 * default, which is the protocol above, drawn from the generator exactly as before):
 *
 * <ul>
 *   <li>{@code score-all-steps}: every step of the trial is scored and the target is 0 outside the
 *       response, so a network that outputs 0 until the response is right there, and is paid for
 *       the sum only in the late window after the silent second delay (memory-geometry spec §7).
 *   <li>{@code go-cue: false}: channel 1 stays 0, so the response window must be timed from the
 *       cues (use fixed durations).
 *   <li>{@code values} n ≥ 2: a<sub>1</sub> and a<sub>2</sub> are drawn uniformly from the n evenly
 *       spaced values −1, −1 + 2/(n − 1), …, 1 instead of U(−1, 1) (one {@code nextInt} each). With
 *       every duration fixed the task then has n² conditions ({@link FiniteConditions}), condition
 *       c holding a<sub>1</sub> = v[c / n] and a<sub>2</sub> = v[c mod n] for v in increasing
 *       order, and full-batch training works.
 * </ul>
 *
 * <p>Shapes: inputs {@code [T, B, 2]}, one target {@code [T, B, 1]} per level; T is the longest
 * trial of the batch. Randomness: the period durations of every trial (trial by trial, in period
 * order), then per trial a<sub>1</sub> and a<sub>2</sub>.
 *
 * <p>Source: Haputhanthri et al. 2025, arXiv:2502.07256. The paper released no code: the period
 * durations, the go channel, the value range and the tolerance 0.1 are reconstructed and all
 * configurable.
 */
public final class DelayedAdditionTask
    implements Task<DelayedAdditionTask.Config>, FiniteConditions<DelayedAdditionTask.Config> {
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
   * @param scoreAllSteps whether every step is scored, with target 0 outside the response
   * @param goCue whether channel 1 carries the go cue during the response
   * @param values n ≥ 2 for values drawn from n evenly spaced points of [−1, 1]; 0 for U(−1, 1)
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
          boolean delayFromLevel,
      @Doc(
              "when true, every step is scored and the target is 0 outside the response; when"
                  + " false only the response is scored (the classic task)")
          boolean scoreAllSteps,
      @Doc("when true (default), channel 1 is 1 during the response; when false it stays 0")
          boolean goCue,
      @Doc(
              "0: a1, a2 ~ U(-1, 1); n ≥ 2: a1, a2 drawn uniformly from n evenly spaced values from"
                  + " -1 to 1 (finite conditions when every duration is fixed)")
          int values) {
    public Config {
      Steps.check("cue1", cue1, 1);
      Steps.check("delay1", delay1, 0);
      Steps.check("cue2", cue2, 1);
      Steps.check("delay2", delay2, 0);
      Steps.check("response", response, 1);
      Check.nonNegative("tolerance", tolerance);
      if (values != 0 && values < 2) {
        throw new IllegalArgumentException(
            "values must be 0 (continuous U(-1, 1)) or ≥ 2 evenly spaced values (was "
                + values
                + ")");
      }
    }

    /** The classic task: only the response scored, go cue on, continuous values. */
    public Config(
        Steps cue1,
        Steps delay1,
        Steps cue2,
        Steps delay2,
        Steps response,
        double tolerance,
        boolean delayFromLevel) {
      this(cue1, delay1, cue2, delay2, response, tolerance, delayFromLevel, false, true, 0);
    }

    /** The i-th of the {@code values} evenly spaced values, from −1 to 1. */
    double value(int i) {
      return -1 + 2.0 * i / (values - 1);
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
      double a1 =
          config.values() == 0 ? rng.nextDouble(-1, 1) : config.value(rng.nextInt(config.values()));
      double a2 =
          config.values() == 0 ? rng.nextDouble(-1, 1) : config.value(rng.nextInt(config.values()));
      write(config, trials, b, a1, a2);
    }
    return finish(config, levels, trials);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here: {@code values}² conditions (order in the class comment).
   *
   * @throws IllegalArgumentException unless {@code values} ≥ 2 and every duration is fixed (with
   *     {@code delay-from-level} the delays are)
   */
  @Override
  public int conditionCount(Config config) {
    List<Steps> durations = List.of(config.cue1(), config.cue2(), config.response());
    boolean fixed = durations.stream().allMatch(Steps::isFixed);
    if (!config.delayFromLevel()) {
      fixed &= config.delay1().isFixed() && config.delay2().isFixed();
    }
    if (config.values() < 2 || !fixed) {
      throw new IllegalArgumentException(
          ID
              + " has a finite set of conditions only with values ≥ 2 and fixed durations (values"
              + " = "
              + config.values()
              + ", "
              + timeline(config, MIN_LEVEL)
              + "); fix: set values (e.g. 2) and min = max for every duration, or train on"
              + " sampled batches (full-batch-copies: 0)");
    }
    return config.values() * config.values();
  }

  @Override
  public Batch conditions(Config config, int[] levels, int copies) {
    int count = conditionCount(config);
    int level = LastStepBatch.maxLevel(ID, levels, MIN_LEVEL);
    if (copies < 1) {
      throw new IllegalArgumentException(ID + " copies must be ≥ 1, was " + copies);
    }
    // fixed durations draw nothing from the generator
    TrialBatch trials =
        TrialBatch.draw(timeline(config, level), count * copies, 2, 1, new SplittableRandom(0));
    for (int b = 0; b < count * copies; b++) {
      int condition = b % count;
      write(
          config,
          trials,
          b,
          config.value(condition / config.values()),
          config.value(condition % config.values()));
    }
    return finish(config, levels, trials);
  }

  /** Inputs and target of trial {@code b} with values a1 and a2. */
  private static void write(Config config, TrialBatch trials, int b, double a1, double a2) {
    trials.input(b, VALUE, "cue1", a1);
    trials.input(b, VALUE, "cue2", a2);
    if (config.goCue()) {
      trials.input(b, GO, "response", 1);
    }
    trials.target(b, SUM, "response", (float) a1 + (float) a2);
  }

  /** The batch, scored during the response or, with {@code score-all-steps}, at every step. */
  private static Batch finish(Config config, int[] levels, TrialBatch trials) {
    String[] scored =
        config.scoreAllSteps()
            ? new String[] {"cue1", "delay1", "cue2", "delay2", "response"}
            : new String[] {"response"};
    return trials.regression(levels, Accuracy.within(config.tolerance()), scored);
  }
}
