package engram.api.task;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A capability of a {@link engram.api.Task} whose trials come from a finite, deterministic set of
 * conditions (the two cue signs of delayed cue discrimination, the four sample/test pairs of
 * delayed match-to-sample). Training can then use the whole set as one batch ("full batch", {@code
 * training.full-batch-copies} in an experiment file), as the rate-RNN studies of Dinc et al. 2025
 * (arXiv 2501.02378) do; plain {@link engram.api.Task#sample} still draws conditions at random for
 * evaluation. A task implements this interface next to {@code Task}.
 *
 * <p>Order: sequence {@code b} of a batch holds condition {@code b % K} (K = {@link
 * #conditionCount}), copy {@code b / K}: every block of K consecutive sequences is the whole set in
 * condition order. Copies are identical; they differ in training only through randomness that is
 * not the task's (the initial state, recurrent noise).
 *
 * <p>Randomness: none. The same configuration, levels and copies give the same batch.
 *
 * @param <C> the task's configuration record
 */
@API(status = EXPERIMENTAL, since = "0.2")
public interface FiniteConditions<C extends Record> {

  /**
   * How many conditions there are.
   *
   * @param config validated configuration
   * @return K ≥ 1, the same for every level
   */
  int conditionCount(C config);

  /**
   * Every condition, {@code copies} times, as one batch with {@code K × copies} sequences.
   *
   * @param config validated configuration
   * @param levels levels to produce targets for, as for {@link engram.api.Task#sample}; targets in
   *     this order
   * @param copies how many times the set repeats, ≥ 1
   * @return inputs {@code [T, K·copies, I]} in the order above, one target per level, with the
   *     targets, masks and periods {@link engram.api.Task#sample} gives the same trials
   * @throws IllegalArgumentException when {@code levels} or {@code copies} break the rules above,
   *     naming the task
   */
  Batch conditions(C config, int[] levels, int copies);
}
