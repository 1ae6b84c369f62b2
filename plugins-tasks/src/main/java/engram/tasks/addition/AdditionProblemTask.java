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
 * The addition problem: a stream of random numbers, two of them marked; at the end, report the sum
 * of the marked two.
 *
 * <p>Protocol. A trial has T steps, split into periods first-half (⌊T/2⌋ steps), second-half (the
 * rest but the last step) and response (the last step). Input channel 0 ("value") carries a fresh
 * value ~ U(0, 1) at every step, response included. Input channel 1 ("marker") is 1 at one step
 * drawn uniformly from the first half and at one step drawn uniformly from the second half, and 0
 * elsewhere (the response step is never marked). The target, the sum of the two marked values, is
 * scored at the response step only, with the mean squared error. Accuracy counts an output within
 * {@code tolerance} of the sum as correct; the default 0.04 is a conventional choice, not taken
 * from the sources.
 *
 * <p>Levels. The level is ignored unless {@code length-from-level} is set; with it, level L sets T
 * = L, and the minimum level is 3 (otherwise 1). One input stream is drawn for the highest
 * requested level, and every requested level gets the same target on it.
 *
 * <p>Sources: Hochreiter and Schmidhuber, "Long short-term memory", Neural Computation 9(8), 1997
 * (experiment 4); Le, Jaitly and Hinton, "A simple way to initialize recurrent networks of
 * rectified linear units", arXiv:1504.00941, 2015 (one marker per half); used as the second
 * delayed-addition variant by Haputhanthri et al. 2025, arXiv:2502.07256, who released no code: the
 * length, the split into halves and the tolerance are reconstructed and all configurable.
 */
public final class AdditionProblemTask implements Task<AdditionProblemTask.Config> {
  static final String ID = "addition-problem";
  private static final int SHORTEST = 3;
  private static final int VALUE = 0;
  private static final int MARKER = 1;
  private static final int SUM = 0;

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Addition problem: sum the two marked values of a random stream",
        "Channel 0 carries values ~ U(0,1) for T steps; channel 1 marks one step in the first half"
            + " and one in the second half. Target at the last step: the sum of the two marked"
            + " values (MSE); accuracy = within tolerance. Hochreiter & Schmidhuber 1997; Le et al."
            + " 2015, arXiv:1504.00941; as used by Haputhanthri et al. 2025, arXiv:2502.07256.");
  }

  /**
   * @param steps T, trial length
   * @param tolerance largest |output − target| counted correct
   * @param lengthFromLevel whether the level sets T
   */
  public record Config(
      @Doc("T, the trial length in steps (the last step is the response); ≥ 3") int steps,
      @Doc("largest |output − sum| counted correct by the accuracy; ≥ 0") double tolerance,
      @Doc(
              "when true, level L sets the trial length to L steps (levels ≥ 3); when false the"
                  + " level is ignored")
          boolean lengthFromLevel) {
    public Config {
      Check.atLeast("steps", steps, SHORTEST);
      Check.nonNegative("tolerance", tolerance);
    }

    public static Config defaults() {
      return new Config(50, 0.04, false);
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
    return config.lengthFromLevel() ? SHORTEST : 1;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here: {@code length} (the trial length T) with {@code length-from-level}; {@code level}
   * without it, when the level changes nothing.
   */
  @Override
  public String levelName(Config config) {
    return config.lengthFromLevel() ? "length" : "level";
  }

  /** T steps: first half ⌊T/2⌋, second half up to the last step, response the last step. */
  static Timeline timeline(int steps) {
    int firstHalf = steps / 2;
    return Timeline.of(
        period("first-half", Steps.fixed(firstHalf)),
        period("second-half", Steps.fixed(steps - firstHalf - 1)),
        period("response", Steps.fixed(1)));
  }

  @Override
  public Batch sample(Config config, int[] levels, int batchSize, RandomGenerator rng) {
    int level = LastStepBatch.maxLevel(ID, levels, minLevel(config));
    LastStepBatch.batchSize(ID, batchSize);
    int steps = config.lengthFromLevel() ? level : config.steps();
    TrialBatch trials = TrialBatch.draw(timeline(steps), batchSize, 2, 1, rng);
    for (int b = 0; b < batchSize; b++) {
      trials.input(b, VALUE, "first-half", rng::nextDouble);
      trials.input(b, VALUE, "second-half", rng::nextDouble);
      trials.input(b, VALUE, "response", rng::nextDouble);
      int first = rng.nextInt(trials.duration(b, "first-half"));
      int second = rng.nextInt(trials.duration(b, "second-half"));
      trials.inputAtStep(b, MARKER, "first-half", first, 1);
      trials.inputAtStep(b, MARKER, "second-half", second, 1);
      trials.target(
          b,
          SUM,
          "response",
          trials.inputAtStep(b, VALUE, "first-half", first)
              + trials.inputAtStep(b, VALUE, "second-half", second));
    }
    return trials.regression(levels, Accuracy.within(config.tolerance()), "response");
  }
}
