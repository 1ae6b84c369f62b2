package engram.core.train;

import engram.api.curriculum.Stage;

/**
 * How a run ended.
 *
 * @param epochs epochs completed
 * @param steps training steps done
 * @param stage the stage the run ended on (after an advance in the last epoch, the next stage, not
 *     yet trained)
 * @param maxLevelSolved the largest level whose stage the curriculum passed, or 0 if none
 * @param reason why training stopped
 */
public record TrainingResult(
    int epochs, long steps, Stage stage, int maxLevelSolved, Reason reason) {
  public enum Reason {
    CURRICULUM_FINISHED,
    MAX_EPOCHS,
    STOPPED
  }
}
