package engram.tasks.dms;

import engram.api.PluginInfo;
import engram.api.Task;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.tasks.bits.BitEncoding;
import engram.tasks.bits.Bits;
import engram.tasks.bits.LastStepBatch;
import engram.tasks.bits.StreamBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * N-DMS (delayed match-to-sample on a bit stream): report whether the last bit equals the bit N−1
 * steps before it.
 *
 * <p>Protocol. Bits are i.i.d. Bernoulli(0.5), so both classes are equally likely. The sequence
 * length M is drawn once per batch, uniformly on {N<sub>max</sub>+2, …, 4·N<sub>max</sub>+1}, where
 * N<sub>max</sub> is the largest level trained at the moment. The target for level N is 1 if
 * x<sub>M</sub> = x<sub>M−N+1</sub> (a match) and 0 otherwise; only the last step is scored. One
 * input stream carries the targets of all requested levels. Level N is at least 2.
 *
 * <p>Continuous form ({@link #stream}): fair-bit streams of a given length, with every level's
 * match x<sub>t</sub> = x<sub>t−N+1</sub> scored at every step from N−1 on.
 *
 * <p>Source: Khajehabdollahi, Zeraati, Giannakakis, Schäfer, Martius and Levina, "Emergent
 * mechanisms for long timescales depend on training curriculum and affect performance in memory
 * tasks", ICLR 2024, arXiv:2309.12927.
 */
public final class NDmsTask implements Task<NDmsTask.Config> {
  static final String ID = "n-dms";
  private static final int MIN_LEVEL = 2;

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Delayed match-to-sample: does the last bit equal the bit N-1 steps earlier?",
        "Bits are i.i.d. Bernoulli(0.5). The length M is uniform on {Nmax+2, ..., 4*Nmax+1}, one"
            + " per batch. The target for N is 1 if x_M == x_(M-N+1), else 0, scored at the last"
            + " step only. Khajehabdollahi et al., ICLR 2024, arXiv:2309.12927.");
  }

  /**
   * @param encoding how bits are presented to the network
   */
  public record Config(
      @Doc("input value of a 0-bit: zero-one gives 0, plus-minus-one gives −1; a 1-bit is 1")
          BitEncoding encoding) {
    public Config {
      Check.notNull("encoding", encoding);
    }

    public static Config defaults() {
      return new Config(BitEncoding.ZERO_ONE);
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
    return 2;
  }

  @Override
  public LossKind lossKind(Config config) {
    return LossKind.CLASSIFICATION;
  }

  @Override
  public int minLevel(Config config) {
    return MIN_LEVEL;
  }

  @Override
  public Batch sample(Config config, int[] levels, int batchSize, RandomGenerator rng) {
    int nMax = LastStepBatch.maxLevel(ID, levels, MIN_LEVEL);
    LastStepBatch.batchSize(ID, batchSize);
    int length = rng.nextInt(nMax + 2, 4 * nMax + 2); // M uniform on {Nmax+2, …, 4·Nmax+1}
    return LastStepBatch.of(
        sequences(length, batchSize, rng), levels, config.encoding(), NDmsTask::match);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here: B streams of exactly {@code steps} fair bits, as in training. The target of level N at
   * step t (from 0) is 1 when the bit at step t equals the bit at step t−N+1 (the match of {@link
   * #sample} asked at every step), scored from t = N−1 on (mask 0 and class 0 before; never scored
   * if N &gt; steps).
   *
   * @throws IllegalArgumentException if {@code levels} is empty or below 2, or {@code steps} or
   *     {@code batchSize} is below 1
   */
  @Override
  public Batch stream(Config config, int[] levels, int steps, int batchSize, RandomGenerator rng) {
    LastStepBatch.maxLevel(ID, levels, MIN_LEVEL);
    StreamBatch.steps(ID, steps);
    LastStepBatch.batchSize(ID, batchSize);
    return StreamBatch.of(
        sequences(steps, batchSize, rng), levels, config.encoding(), NDmsTask::match);
  }

  /** {@code batchSize} sequences of {@code length} fair bits. */
  private static List<Bits> sequences(int length, int batchSize, RandomGenerator rng) {
    List<Bits> sequences = new ArrayList<>(batchSize);
    for (int b = 0; b < batchSize; b++) {
      sequences.add(Bits.draw(length, rng::nextBoolean)); // bits ~ Bernoulli(0.5)
    }
    return sequences;
  }

  /** Target of level N: the last bit x_M equals x_(M−N+1), the bit N−1 steps before it. */
  static boolean match(Bits x, int n) {
    return x.last() == x.stepsBeforeLast(n - 1);
  }
}
