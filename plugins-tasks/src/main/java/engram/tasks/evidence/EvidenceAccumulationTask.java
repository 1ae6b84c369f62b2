package engram.tasks.evidence;

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
 * Evidence accumulation: integrate a noisy stream whose mean is weakly positive or negative, hold
 * the decision through a delay, then report the sign of the mean.
 *
 * <p>Protocol. Periods in trial order: stimulus → delay → response. Each trial draws its side s =
 * +1 or −1 with equal probability. During the stimulus, input channel 0 ("evidence") carries
 * u<sub>t</sub> ~ N(s·μ, σ²), drawn independently at every step; it is 0 elsewhere. Input channel 1
 * ("go") is 1 throughout the response. The target is s throughout the response, scored there only
 * with the mean squared error; accuracy is sign agreement of output and s. The target is the
 * trial's s, not the sign of the evidence actually shown: an ideal observer of T<sub>stim</sub>
 * steps is right with probability Φ(μ·√T<sub>stim</sub>/σ).
 *
 * <p>Levels. The level is ignored unless {@code stimulus-from-level} is set (the minimum level is
 * 1); with it, level L makes the stimulus exactly L steps. One input stream is drawn for the
 * highest requested level, and every requested level gets the same target on it.
 *
 * <p>Without partial credit ({@code score-all-steps}, {@code go-cue}; off by default, which is the
 * protocol above, drawn from the generator exactly as before): with {@code score-all-steps} every
 * step of the trial is scored and the target is 0 outside the response, so the decision is paid for
 * only in the reaction window after the delay, and accuracy is the fraction of scored steps whose
 * output, binarized at ±{@code threshold} (+1 above it, −1 below its negative, 0 between), equals
 * the target (memory-geometry spec §7); with {@code go-cue: false} channel 1 stays 0, so the
 * response must be timed from the stimulus (use fixed durations). A network that forgets the
 * evidence within the delay outputs 0 at best in the response; one with memory shorter than the
 * delay earns nothing there.
 *
 * <p>Shapes: inputs {@code [T, B, 2]}, one target {@code [T, B, 1]} per level; T is the longest
 * trial of the batch. Randomness: the period durations of every trial, then per trial its side
 * ({@code nextBoolean}) and one Gaussian per stimulus step.
 *
 * <p>Source: Haputhanthri et al. 2025, arXiv:2502.07256. The paper released no code: the period
 * durations, μ, σ, the go channel and the level rule are reconstructed and all configurable.
 */
public final class EvidenceAccumulationTask implements Task<EvidenceAccumulationTask.Config> {
  static final String ID = "evidence-accumulation";
  private static final int MIN_LEVEL = 1;
  private static final int EVIDENCE = 0;
  private static final int GO = 1;
  private static final int CHOICE = 0;

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Evidence accumulation: report the sign of a noisy stream's mean",
        "Periods stimulus, delay, response. Channel 0 carries u_t ~ N(s*mu, sigma^2) during the"
            + " stimulus, with s = ±1 per trial; channel 1 is a go cue during the response. Target"
            + " s during the response (MSE); accuracy = sign agreement. Settings reconstructed from"
            + " Haputhanthri et al. 2025, arXiv:2502.07256.");
  }

  /**
   * @param stimulus duration of the stimulus
   * @param delay duration of the delay
   * @param response duration of the response window
   * @param mean μ, the evidence's mean magnitude
   * @param noise σ, the evidence's standard deviation
   * @param stimulusFromLevel whether the level sets the stimulus duration
   * @param scoreAllSteps whether every step is scored, with target 0 outside the response
   * @param goCue whether channel 1 carries the go cue during the response
   * @param threshold binarization threshold of the accuracy with {@code scoreAllSteps}
   */
  public record Config(
      @Doc(
              "duration of the stimulus (evidence on channel 0), in steps: {min, max}, drawn per"
                  + " trial; min ≥ 1")
          Steps stimulus,
      @Doc(
              "duration of the delay between stimulus and response, in steps: {min, max}, drawn per"
                  + " trial; min ≥ 0")
          Steps delay,
      @Doc(
              "duration of the response window (go cue on channel 1, target scored), in steps:"
                  + " {min, max}; min ≥ 1")
          Steps response,
      @Doc("μ, the mean of the evidence is s·μ per step (input units); ≥ 0") double mean,
      @Doc("σ, the standard deviation of the evidence per step (input units); ≥ 0") double noise,
      @Doc(
              "when true, level L sets the stimulus to exactly L steps; when false the level is"
                  + " ignored")
          boolean stimulusFromLevel,
      @Doc(
              "when true, every step is scored, the target is 0 outside the response and accuracy"
                  + " is binarized at ±threshold; when false only the response is scored with sign"
                  + " accuracy (the classic task)")
          boolean scoreAllSteps,
      @Doc("when true (default), channel 1 is 1 during the response; when false it stays 0")
          boolean goCue,
      @Doc(
              "accuracy threshold with score-all-steps: an output above it reads +1, below its"
                  + " negative −1, between 0; in [0, 1)")
          double threshold) {
    public Config {
      Steps.check("stimulus", stimulus, 1);
      Steps.check("delay", delay, 0);
      Steps.check("response", response, 1);
      Check.nonNegative("mean", mean);
      Check.nonNegative("noise", noise);
      if (!(threshold >= 0 && threshold < 1)) {
        throw new IllegalArgumentException("threshold must be in [0, 1) (was " + threshold + ")");
      }
    }

    /** The classic task: only the response scored, go cue on, sign accuracy. */
    public Config(
        Steps stimulus,
        Steps delay,
        Steps response,
        double mean,
        double noise,
        boolean stimulusFromLevel) {
      this(stimulus, delay, response, mean, noise, stimulusFromLevel, false, true, 0.5);
    }

    public static Config defaults() {
      return new Config(Steps.fixed(20), Steps.fixed(0), Steps.fixed(5), 0.1, 1.0, false);
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
   * <p>Here: {@code stimulus} (the stimulus duration, in steps) with {@code stimulus-from-level};
   * {@code level} without it, when the level changes nothing.
   */
  @Override
  public String levelName(Config config) {
    return config.stimulusFromLevel() ? "stimulus" : "level";
  }

  /** The protocol; with {@code stimulus-from-level}, the stimulus lasts {@code level} steps. */
  static Timeline timeline(Config c, int level) {
    Steps stimulus = c.stimulusFromLevel() ? Steps.fixed(level) : c.stimulus();
    return Timeline.of(
        period("stimulus", stimulus), period("delay", c.delay()), period("response", c.response()));
  }

  @Override
  public Batch sample(Config config, int[] levels, int batchSize, RandomGenerator rng) {
    int level = LastStepBatch.maxLevel(ID, levels, MIN_LEVEL);
    LastStepBatch.batchSize(ID, batchSize);
    TrialBatch trials = TrialBatch.draw(timeline(config, level), batchSize, 2, 1, rng);
    for (int b = 0; b < batchSize; b++) {
      int side = rng.nextBoolean() ? 1 : -1;
      trials.input(
          b,
          EVIDENCE,
          "stimulus",
          () -> side * config.mean() + config.noise() * rng.nextGaussian());
      if (config.goCue()) {
        trials.input(b, GO, "response", 1);
      }
      trials.target(b, CHOICE, "response", side);
    }
    if (config.scoreAllSteps()) {
      return trials.regression(
          levels, Accuracy.binarized(config.threshold()), "stimulus", "delay", "response");
    }
    return trials.regression(levels, Accuracy.sign(), "response");
  }
}
