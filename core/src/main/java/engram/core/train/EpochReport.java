package engram.core.train;

import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import java.util.Map;

/**
 * What happened in one epoch.
 *
 * @param epoch 1-based epoch number
 * @param step training steps done so far in the run
 * @param stage the stage trained and evaluated in this epoch
 * @param levelName what the task calls its levels ({@link engram.core.config.LevelName})
 * @param loss evaluation loss per assignment of {@code stage}, in stage order
 * @param accuracy evaluation accuracy per assignment, in [0, 1], as the task's {@link
 *     engram.api.task.Accuracy} counts it (per entry or per trial); what the curriculum saw
 * @param trainLoss mean training loss over the epoch's steps (task loss plus regularizer terms)
 * @param regularizers mean value of each regularizer term over the epoch's steps, by plugin id
 * @param wallSeconds seconds since the run started
 * @param decision the curriculum's decision after this epoch
 */
public record EpochReport(
    int epoch,
    long step,
    Stage stage,
    String levelName,
    double[] loss,
    double[] accuracy,
    double trainLoss,
    Map<String, Double> regularizers,
    double wallSeconds,
    Decision decision) {

  /** Mean accuracy over the stage's assignments. */
  public double meanAccuracy() {
    double sum = 0;
    for (double a : accuracy) {
      sum += a;
    }
    return sum / accuracy.length;
  }

  /** Mean evaluation loss over the stage's assignments. */
  public double meanLoss() {
    double sum = 0;
    for (double l : loss) {
      sum += l;
    }
    return sum / loss.length;
  }
}
