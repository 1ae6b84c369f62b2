package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import org.apiguardian.api.API;

/**
 * Decides which levels are trained, which readout head serves each, and when to advance. Pure
 * functions of their arguments: a curriculum keeps no state and draws no random numbers, so
 * decisions can be replayed and tested on scripted accuracies. Core evaluates after every epoch and
 * creates a readout head the first time an assignment names it.
 *
 * @param <C> configuration record (start level, threshold, ...)
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Curriculum<C extends Record> extends Plugin<C> {

  /**
   * Where training begins.
   *
   * @param config validated configuration
   * @return the first stage; its levels must be ≥ the task's {@link Task#minLevel} (core checks)
   */
  Stage start(C config);

  /**
   * Decides after one evaluation. A pure function: the same arguments give the same decision.
   *
   * @param config validated configuration
   * @param stage the stage that was evaluated
   * @param accuracies accuracy in [0, 1] per assignment of {@code stage}, in the same order
   * @return at most one advance per call
   */
  Decision decide(C config, Stage stage, double[] accuracies);

  /**
   * Optional capability: the curriculum can train one fixed level on one head. Core retrains copies
   * of a run's checkpoints with it ({@link Analyzer.Run#retrain}, used by the transfer analysis):
   * with the run's own curriculum when that has this capability, otherwise with another installed
   * curriculum that has it (from its defaults). A curriculum without a sensible one-level form
   * simply does not implement it.
   *
   * @param <C> configuration record
   */
  @API(status = EXPERIMENTAL, since = "0.2")
  interface FixedLevel<C extends Record> extends Curriculum<C> {

    /**
     * A configuration that trains only {@code level}, on head 0, and keeps {@code config}'s rule
     * for when a level is learnt (its threshold, say), so a retrained copy stops where the run
     * would have advanced.
     *
     * @param config a validated configuration of this curriculum: the run's, or the defaults
     * @param level the one level to train, ≥ 1
     * @return a valid configuration whose {@link #start} is exactly {@code level} on head 0 and
     *     whose {@link #decide} on that stage never advances: it stays until the level is learnt,
     *     then finishes
     * @throws IllegalArgumentException when this curriculum cannot train {@code level} (the message
     *     names the key, as a configuration record's own check does)
     */
    C fixedLevel(C config, int level);
  }
}
