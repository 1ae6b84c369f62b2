package engram.api.table;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * The declaration of {@code trace.csv}, which training writes beside {@code metrics.csv} in a run
 * directory when {@code output.trace-every: k} is set: one row every k optimizer steps, so an
 * abrupt drop of the loss and changes of the recurrent weights can be placed on one time axis.
 * Analyzers parse it by this declaration ({@link TableSpec#columnNames()} is the header, in order).
 *
 * <p>Values: numbers in Java's shortest round-trip form, {@code nan} when undefined (a model that
 * names no recurrent weight matrix has {@code nan} in both norm columns). Rows are flushed one by
 * one, so a stopped run leaves only whole rows.
 */
@API(status = EXPERIMENTAL, since = "0.2")
public final class TrainingTrace {
  private TrainingTrace() {}

  /** The file name inside the run directory. */
  public static final String FILE = "trace.csv";

  /** The table: columns {@code step,epoch,level,loss,accuracy,grad_norm_rec,weight_norm_rec}. */
  public static final TableSpec SPEC =
      TableSpec.of(
          FILE,
          "one row every output.trace-every optimizer steps, on that step's training batch",
          ColumnSpec.integer("step", "optimizer steps", "optimizer steps so far, 1-based"),
          ColumnSpec.integer("epoch", "epochs", "the epoch the step belongs to, 1-based"),
          ColumnSpec.integer(
              "level", "levels", "the largest level trained at the step (the task's level)"),
          ColumnSpec.number(
              "loss",
              "",
              "the task loss of the step's training batch before the update (sum over the stage's"
                  + " targets of their mean loss; regularizer terms not included)"),
          ColumnSpec.number(
              "accuracy",
              "fraction",
              "accuracy on the step's training batch before the update, mean over the stage's"
                  + " targets"),
          ColumnSpec.number(
              "grad_norm_rec",
              "",
              "Frobenius norm of dL/dW_rec (task loss and regularizers) before clipping"),
          ColumnSpec.number(
              "weight_norm_rec", "", "Frobenius norm of W_rec after the step's update"));
}
