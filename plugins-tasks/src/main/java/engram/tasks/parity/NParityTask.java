package engram.tasks.parity;

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
 * N-bit parity: after a stream of bits, report whether the last N bits hold an odd number of ones.
 *
 * <p>Protocol. Each sequence has its own bit rate p ~ U(0, 1), and its bits are i.i.d.
 * Bernoulli(p). The sequence length M is drawn once per batch, uniformly on {N<sub>max</sub>+2, …,
 * 4·N<sub>max</sub>+1}, where N<sub>max</sub> is the largest level trained at the moment. The
 * target for level N is the XOR (sum mod 2) of the last N bits; only the last step is scored. One
 * input stream carries the targets of all requested levels, so a multi-head curriculum trains every
 * N on the same sequences. Level N is at least 2.
 *
 * <p>Continuous form ({@link #stream}): streams of a given length drawn the same way, with every
 * level's parity of the latest N bits scored at every step from N−1 on.
 *
 * <p>Source: Khajehabdollahi, Zeraati, Giannakakis, Schäfer, Martius and Levina, "Emergent
 * mechanisms for long timescales depend on training curriculum and affect performance in memory
 * tasks", ICLR 2024, arXiv:2309.12927.
 */
public final class NParityTask implements Task<NParityTask.Config> {
  static final String ID = "n-parity";
  private static final int MIN_LEVEL = 2;

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "N-bit parity of the last N bits of a stream",
        "Each sequence has its own bit rate p ~ U(0,1); bits are i.i.d. Bernoulli(p). The length M"
            + " is uniform on {Nmax+2, ..., 4*Nmax+1}, one per batch. The target for N is the XOR"
            + " of the last N bits, scored at the last step only. Khajehabdollahi et al., ICLR"
            + " 2024, arXiv:2309.12927.");
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
        sequences(length, batchSize, rng), levels, config.encoding(), NParityTask::oddParity);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here: B streams of exactly {@code steps} bits, each with its own rate p ~ U(0,1) as in
   * training. The target of level N at step t (from 0) is the XOR of the bits at steps t−N+1 … t,
   * scored from t = N−1 on (mask 0 and class 0 before; never scored if N &gt; steps). Draws from
   * {@code rng} in the order p, then the bits, per stream.
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
        sequences(steps, batchSize, rng), levels, config.encoding(), NParityTask::oddParity);
  }

  /** {@code batchSize} sequences of {@code length} bits, each with its own rate p ~ U(0,1). */
  private static List<Bits> sequences(int length, int batchSize, RandomGenerator rng) {
    List<Bits> sequences = new ArrayList<>(batchSize);
    for (int b = 0; b < batchSize; b++) {
      double rate = rng.nextDouble(); // this sequence's bit rate p ~ U(0,1)
      sequences.add(Bits.draw(length, () -> rng.nextDouble() < rate)); // bits ~ Bernoulli(p)
    }
    return sequences;
  }

  /** Target of level N: XOR of the last N bits, i.e. 1 when an odd number of them are 1. */
  static boolean oddParity(Bits x, int n) {
    return x.onesAmongLast(n) % 2 == 1;
  }
}
