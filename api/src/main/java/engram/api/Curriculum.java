package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import org.apiguardian.api.API;

/**
 * Decides which levels are trained, which readout head serves each, and when to advance.
 * Pure functions of their arguments: a curriculum keeps no state and draws no random numbers, so
 * decisions can be replayed and tested on scripted accuracies. Core evaluates after every epoch
 * and creates a readout head the first time an assignment names it.
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
}
