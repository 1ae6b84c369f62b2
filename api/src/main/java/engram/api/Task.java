package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import engram.api.task.Batch;
import engram.api.task.LossKind;
import java.util.random.RandomGenerator;
import org.apiguardian.api.API;

/**
 * A memory task: generates input sequences and, for each requested level, the targets on them.
 *
 * <p>A <em>level</em> is the task's difficulty knob (N of N-parity, the delay of DMS, the length of
 * a copy task), a whole number that {@link #levelName} names for people. One input stream can carry
 * targets for several levels at once; this is what a multi-head curriculum trains on.
 * Implementations are stateless and thread-safe: every call gets everything it needs.
 *
 * <p>Units: inputs and regression targets are dimensionless numbers, multi-label targets are bits
 * (0 or 1); time is counted in steps. Every array a task returns is new and handed over to the
 * caller.
 *
 * @param <C> configuration record
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Task<C extends Record> extends Plugin<C> {

  /**
   * The width of the inputs, which core passes to the model as {@link NetworkSpec#inputSize()}.
   *
   * @param config validated configuration
   * @return input channels per time step, ≥ 1; {@link Batch#inputSize()} of every batch
   */
  int inputSize(C config);

  /**
   * The width of a readout head.
   *
   * @param config validated configuration
   * @return classes (classification), output components (regression) or labels (multi-label) per
   *     readout head, ≥ 1; {@link engram.api.task.Target#width()} of every target
   */
  int outputSize(C config);

  /**
   * How targets are scored.
   *
   * @param config validated configuration
   * @return the kind of every target this task produces
   */
  LossKind lossKind(C config);

  /**
   * The smallest level this task accepts; core rejects an experiment whose curriculum starts below
   * it before any work starts.
   *
   * @param config validated configuration
   * @return the smallest level, ≥ 1 (2 for N-parity, 1 for a delay task)
   */
  int minLevel(C config);

  /**
   * What this task calls its level, for people reading levels: core shows it in the progress and
   * epoch lines ({@code length=2..3}), the "largest length solved" line, {@code engram trial}'s
   * legend and messages about levels. Files keep their names: {@code metrics.csv}'s column {@code
   * N} and checkpoint names such as {@code advance-e0007-N5} hold the level whatever the task calls
   * it.
   *
   * @param config validated configuration
   * @return a short name: a letter, then letters, digits, {@code _} or {@code -}, at most 32
   *     characters in all; {@code "N"} unless a task overrides this (core rejects an experiment
   *     whose task returns anything else before any work starts)
   */
  @API(status = EXPERIMENTAL, since = "0.2")
  default String levelName(C config) {
    return "N";
  }

  /**
   * Samples one batch.
   *
   * @param config validated configuration, never null
   * @param levels the levels to produce targets for, each ≥ {@link #minLevel}, non-empty; targets
   *     come back in this order
   * @param batchSize number of sequences B ≥ 1
   * @param rng the only source of randomness; the same generator state gives the same batch
   * @return inputs {@code [T, B, inputSize]} and one target per level; T may depend on the levels
   *     and on {@code rng}
   * @throws IllegalArgumentException when {@code levels} or {@code batchSize} break the rules
   *     above, naming the task
   */
  Batch sample(C config, int[] levels, int batchSize, RandomGenerator rng);

  /**
   * A continuous stream for analyses (network timescales, ablation, perturbation): one long run of
   * the task with no resets, unlike {@link #sample}'s trials.
   *
   * <p>Every sequence is exactly {@code steps} long and drawn as in training (for N-parity each
   * sequence has its own bit rate p ~ U(0,1)). Each level's target is scored at every step where it
   * is defined — for N-parity from step N−1 on, the parity of the latest N bits.
   *
   * @param config validated configuration
   * @param levels levels to produce targets for, each ≥ {@link #minLevel}; targets in this order
   * @param steps T ≥ 1
   * @param batchSize B ≥ 1 independent streams
   * @param rng the only source of randomness
   * @return inputs {@code [steps, B, inputSize]} and one target per level
   * @throws UnsupportedOperationException naming the task when it has no continuous form (the
   *     default)
   */
  default Batch stream(C config, int[] levels, int steps, int batchSize, RandomGenerator rng) {
    throw new UnsupportedOperationException(
        "task '"
            + info().id()
            + "' has no continuous stream, which this analysis needs. Fix: analyse a run of a task"
            + " that has one (built in: n-parity, n-dms), or implement Task.stream for this task");
  }
}
