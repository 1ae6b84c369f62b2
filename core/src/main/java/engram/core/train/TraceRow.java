package engram.core.train;

/**
 * One row of {@code trace.csv} ({@link engram.api.table.TrainingTrace}): a training step's batch
 * loss and accuracy and the recurrent weights' gradient and size.
 *
 * @param step optimizer steps so far, 1-based
 * @param epoch the step's epoch, 1-based
 * @param level the largest level trained at the step
 * @param loss task loss of the step's batch before the update
 * @param accuracy accuracy on the step's batch before the update, mean over targets
 * @param gradNormRec ‖dL/dW_rec‖_F before clipping; NaN when the model names no W_rec
 * @param weightNormRec ‖W_rec‖_F after the update; NaN when the model names no W_rec
 */
public record TraceRow(
    long step,
    int epoch,
    int level,
    double loss,
    double accuracy,
    double gradNormRec,
    double weightNormRec) {}
