package engram.core.train;

import engram.api.Parameter;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which term of a training step's loss stopped being finite, and the change that fits it. Found
 * only once the loss is non-finite, so the normal path pays nothing for it.
 *
 * @param term what became NaN or infinite, in words a user can act on
 * @param fix what to change, naming the key
 */
record Divergence(String term, String fix) {

  /**
   * The task loss (heads and cross-entropy or MSE) is non-finite: was it the inputs, parameters an
   * earlier update broke, the hidden states, or the loss itself?
   *
   * @param taskId the task's id
   * @param modelId the model's id
   * @param inputs the step's inputs
   * @param hidden the step's hidden states
   * @param parameters the network's and the heads' parameters
   */
  static Divergence ofTaskLoss(
      String taskId, String modelId, INDArray inputs, INDArray hidden, List<Parameter> parameters) {
    if (!finite(inputs)) {
      return new Divergence(
          "the inputs of task '" + taskId + "' contain NaN or infinite values",
          "check the task's configuration; if the task comes from a plugin jar, its sample()"
              + " must return finite inputs");
    }
    for (Parameter p : parameters) {
      if (!finite(p.value())) {
        return new Divergence(
            "parameter '"
                + p.name()
                + "' became non-finite in the previous"
                + " update (its gradient overflowed)",
            "lower training.optimizer.lr or set training.clip (e.g. 1.0)");
      }
    }
    if (!finite(hidden)) {
      return new Divergence(
          "the hidden states of model '" + modelId + "' overflowed",
          "lower training.optimizer.lr or set training.clip (e.g. 1.0); with a large recurrent"
              + " gain (model.gain) or a non-saturating φ the network can explode on its own");
    }
    return new Divergence(
        "the task loss (readout heads)",
        "lower training.optimizer.lr or set training.clip (e.g. 2.0)");
  }

  /**
   * A regularizer's term is non-finite.
   *
   * @param id the regularizer's id
   * @param index its position in the experiment's {@code regularizers} list
   * @param onHidden whether it was the term on the hidden states (else on the parameters)
   */
  static Divergence ofRegularizer(String id, int index, boolean onHidden) {
    return new Divergence(
        "the "
            + (onHidden ? "hidden-state" : "parameter")
            + " term of"
            + " regularizer '"
            + id
            + "' (regularizers."
            + index
            + ")",
        "lower its strength (regularizers."
            + index
            + ".lambda) or check its other settings;"
            + " if the term itself cannot be finite here (a log of 0, a division by a zero"
            + " variance), the regularizer must guard it");
  }

  /** Whether every entry of {@code a} is finite (one pass; only on the error path). */
  static boolean finite(INDArray a) {
    if (a == null) {
      return true;
    }
    return !a.isNaN().any() && !a.isInfinite().any();
  }
}
