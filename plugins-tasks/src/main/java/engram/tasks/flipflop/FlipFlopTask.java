package engram.tasks.flipflop;

import static engram.tasks.trial.Timeline.period;

import engram.api.PluginInfo;
import engram.api.Task;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.OutputActivation;
import engram.tasks.bits.LastStepBatch;
import engram.tasks.trial.Steps;
import engram.tasks.trial.Timeline;
import engram.tasks.trial.TrialBatch;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * K-bit flip-flop: K input channels carry sparse ±1 pulses; each of K outputs must hold the sign of
 * the last pulse on its channel.
 *
 * <p>Protocol. A trial is one period, {@code trial}, of T steps. At step 0 every channel gets a
 * pulse, so every output is defined from the start. At each later step each channel independently
 * carries a pulse with probability p, its sign +1 or −1 with equal probability, and is 0 otherwise.
 * The target of output k at every step is the sign of the last pulse on channel k up to and
 * including that step. All steps are scored with the mean squared error; accuracy is the fraction
 * of (step, output) entries whose output has the target's sign. A solved network has 2<sup>K</sup>
 * stable fixed points at the corners of a cube.
 *
 * <p>Levels. The level is ignored unless {@code bits-from-level} is set (the minimum level is 1).
 * With it, level L ≤ K makes only the first L channels flip after step 0; the other K − L channels
 * keep their initial pulse for the whole trial, so the network keeps K inputs and outputs while the
 * number of memories a curriculum asks for grows. One input stream is drawn for the highest
 * requested level, and every requested level gets the same target on it.
 *
 * <p>Without partial credit ({@code min-hold}, {@code score-after}; both 0 by default, which is the
 * protocol above, drawn from the generator exactly as before). With dense targets every extra step
 * of memory earns credit, so accuracy rises smoothly from about ⅔ and no plateau can show
 * (memory-geometry spec §7). Two options remove that credit:
 *
 * <ul>
 *   <li>{@code min-hold} H: after a pulse on a channel (the one at step 0 included), that channel
 *       carries no pulse for the next H steps and draws nothing from the generator for them; later
 *       steps pulse with probability p as above. Memories are then held at least H + 1 steps.
 *   <li>{@code score-after} A: the target of output k is 0 from the step of a pulse on channel k
 *       through the A − 1 steps after it (A steps in all), and the sign of that pulse from A steps
 *       after it until the next pulse. Every step stays scored, so a memory-less network that
 *       outputs 0 is right on the silent entries and wrong on every reported one until its memory
 *       spans A steps; with A ≤ H every pulse is reported for at least H + 1 − A steps unless the
 *       trial ends first.
 * </ul>
 *
 * With {@code score-after} ≥ 1 the targets are −1, 0 and +1, and accuracy is the fraction of
 * entries whose output, binarized at ±{@code threshold} (+1 above it, −1 below its negative, 0
 * between), equals the target; with {@code score-after} = 0 it stays sign agreement. {@code
 * output-activation} (identity by default) is the readout's output nonlinearity, tanh as in Dinc et
 * al. 2025 (arXiv 2501.02378) for the sparse variant.
 *
 * <p>Shapes: inputs {@code [T, B, K]}, targets {@code [T, B, K]}, every step of every trial scored.
 * Randomness: per trial and channel in order, the pulse draws of that channel's steps (one {@code
 * nextDouble} per step allowed to pulse, one {@code nextBoolean} per pulse).
 *
 * <p>Source: Haputhanthri et al. 2025, arXiv:2502.07256, after Sussillo and Barak, "Opening the
 * black box", Neural Computation 25(3), 2013. The paper released no code: K = 3, T, p, the initial
 * pulse and the level rule are reconstructed and all configurable.
 */
public final class FlipFlopTask implements Task<FlipFlopTask.Config> {
  static final String ID = "flip-flop";
  private static final int MIN_LEVEL = 1;

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "K-bit flip-flop: hold the sign of each channel's last pulse",
        "K channels carry ±1 pulses with probability p per step (every channel pulses at step 0);"
            + " output k holds the sign of channel k's last pulse at every step. MSE on all steps;"
            + " accuracy = sign agreement. Settings reconstructed from Haputhanthri et al. 2025,"
            + " arXiv:2502.07256 (after Sussillo & Barak 2013).");
  }

  /**
   * @param bits K, input channels and outputs
   * @param steps T, trial length
   * @param pulseProbability p, chance of a pulse per channel and step after step 0
   * @param bitsFromLevel whether the level sets how many channels flip
   * @param minHold H, steps without a pulse after each pulse on a channel
   * @param scoreAfter A, steps after a pulse with target 0 before its sign is reported
   * @param threshold binarization threshold of the accuracy when {@code scoreAfter} ≥ 1
   * @param outputActivation the readout's output nonlinearity
   */
  public record Config(
      @Doc("K, the number of input channels and outputs (bits); ≥ 1") int bits,
      @Doc("T, the trial length in steps; ≥ 1") int steps,
      @Doc("p, the probability that a channel carries a pulse at a step after step 0; in [0, 1]")
          double pulseProbability,
      @Doc(
              "when true, level L ≤ bits makes only the first L channels flip after step 0; when"
                  + " false the level is ignored")
          boolean bitsFromLevel,
      @Doc(
              "H, steps after each pulse on a channel during which that channel cannot pulse again;"
                  + " ≥ 0 (0: dense, the classic task)")
          int minHold,
      @Doc(
              "A, the target is 0 from a pulse through the A − 1 steps after it, then the pulse's"
                  + " sign until the next pulse; ≥ 0 (0: the sign at every step, the classic task)")
          int scoreAfter,
      @Doc(
              "accuracy threshold when score-after ≥ 1: an output above it reads +1, below its"
                  + " negative −1, between 0; in [0, 1)")
          double threshold,
      @Doc("the readout's output nonlinearity: identity (default), tanh or sigmoid")
          OutputActivation outputActivation) {
    public Config {
      Check.atLeast("bits", bits, 1);
      Check.atLeast("steps", steps, 1);
      Check.inRange("pulse-probability", pulseProbability, 0, 1);
      Check.atLeast("min-hold", minHold, 0);
      Check.atLeast("score-after", scoreAfter, 0);
      if (!(threshold >= 0 && threshold < 1)) {
        throw new IllegalArgumentException("threshold must be in [0, 1) (was " + threshold + ")");
      }
      Check.notNull("output-activation", outputActivation);
    }

    /** The classic dense task: no hold, every step reported, sign accuracy, identity readout. */
    public Config(int bits, int steps, double pulseProbability, boolean bitsFromLevel) {
      this(bits, steps, pulseProbability, bitsFromLevel, 0, 0, 0.5, OutputActivation.IDENTITY);
    }

    public static Config defaults() {
      return new Config(3, 100, 0.05, false);
    }

    /** Whether the sparse protocol is on, with its −1/0/+1 targets and binarized accuracy. */
    boolean sparse() {
      return scoreAfter > 0;
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
    return config.bits();
  }

  @Override
  public int outputSize(Config config) {
    return config.bits();
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
   * <p>Here: {@code bits} (the number of flipping channels) with {@code bits-from-level}; {@code
   * level} without it, when the level changes nothing.
   */
  @Override
  public String levelName(Config config) {
    return config.bitsFromLevel() ? "bits" : "level";
  }

  @Override
  public Batch sample(Config config, int[] levels, int batchSize, RandomGenerator rng) {
    int flipping = flippingChannels(config, LastStepBatch.maxLevel(ID, levels, MIN_LEVEL));
    LastStepBatch.batchSize(ID, batchSize);
    Timeline timeline = Timeline.of(period("trial", Steps.fixed(config.steps())));
    TrialBatch trials = TrialBatch.draw(timeline, batchSize, config.bits(), config.bits(), rng);
    for (int b = 0; b < batchSize; b++) {
      for (int k = 0; k < config.bits(); k++) {
        double p = k < flipping ? config.pulseProbability() : 0;
        float[] pulses = pulseTrain(config.steps(), p, config.minHold(), rng);
        trials.input(b, k, "trial", pulses);
        trials.target(
            b, k, "trial", reported(signOfLastPulse(pulses), pulses, config.scoreAfter()));
      }
    }
    Accuracy accuracy = config.sparse() ? Accuracy.binarized(config.threshold()) : Accuracy.sign();
    return trials.regression(levels, accuracy, config.outputActivation(), "trial");
  }

  /** How many channels flip after step 0: all K, or the level when the level sets it. */
  private static int flippingChannels(Config config, int level) {
    if (!config.bitsFromLevel()) {
      return config.bits();
    }
    if (level > config.bits()) {
      throw new IllegalArgumentException(
          ID
              + " level "
              + level
              + " exceeds bits = "
              + config.bits()
              + " (with bits-from-level, a level is the number of flipping channels)");
    }
    return level;
  }

  /**
   * A ±1 pulse at step 0, then at each step a ±1 pulse with probability p, else 0; the {@code
   * minHold} steps after a pulse carry none and draw nothing.
   */
  static float[] pulseTrain(int steps, double p, int minHold, RandomGenerator rng) {
    float[] pulses = new float[steps];
    int last = 0;
    for (int t = 0; t < steps; t++) {
      if (t > 0 && t - last <= minHold) {
        continue;
      }
      boolean pulse = t == 0 || rng.nextDouble() < p;
      if (pulse) {
        pulses[t] = rng.nextBoolean() ? 1f : -1f;
        last = t;
      }
    }
    return pulses;
  }

  /**
   * The held signs with the first {@code scoreAfter} steps from every pulse (its own step included)
   * set to 0; unchanged when {@code scoreAfter} is 0.
   */
  static float[] reported(float[] held, float[] pulses, int scoreAfter) {
    int sincePulse = 0;
    for (int t = 0; t < held.length; t++) {
      sincePulse = pulses[t] != 0f ? 0 : sincePulse + 1;
      if (sincePulse < scoreAfter) {
        held[t] = 0f;
      }
    }
    return held;
  }

  /** At each step, the sign of the last nonzero pulse so far. */
  static float[] signOfLastPulse(float[] pulses) {
    float[] held = Arrays.copyOf(pulses, pulses.length);
    for (int t = 1; t < held.length; t++) {
      held[t] = pulses[t] != 0f ? Math.signum(pulses[t]) : held[t - 1];
    }
    return held;
  }
}
