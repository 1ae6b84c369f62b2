package engram.tasks.flipflop;

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
   */
  public record Config(
      @Doc("K, the number of input channels and outputs (bits); ≥ 1") int bits,
      @Doc("T, the trial length in steps; ≥ 1") int steps,
      @Doc("p, the probability that a channel carries a pulse at a step after step 0; in [0, 1]")
          double pulseProbability,
      @Doc(
              "when true, level L ≤ bits makes only the first L channels flip after step 0; when"
                  + " false the level is ignored")
          boolean bitsFromLevel) {
    public Config {
      Check.atLeast("bits", bits, 1);
      Check.atLeast("steps", steps, 1);
      Check.inRange("pulse-probability", pulseProbability, 0, 1);
    }

    public static Config defaults() {
      return new Config(3, 100, 0.05, false);
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
        float[] pulses = pulseTrain(config.steps(), p, rng);
        trials.input(b, k, "trial", pulses);
        trials.target(b, k, "trial", signOfLastPulse(pulses));
      }
    }
    return trials.regression(levels, Accuracy.sign(), "trial");
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

  /** A ±1 pulse at step 0, then at each step a ±1 pulse with probability p, else 0. */
  static float[] pulseTrain(int steps, double p, RandomGenerator rng) {
    float[] pulses = new float[steps];
    for (int t = 0; t < steps; t++) {
      boolean pulse = t == 0 || rng.nextDouble() < p;
      pulses[t] = pulse ? (rng.nextBoolean() ? 1f : -1f) : 0f;
    }
    return pulses;
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
