package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Map;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adds a term to the training loss, with its gradient. Each term is logged as its own column of
 * {@code metrics.csv}.
 *
 * @param <C> configuration record (strength λ, ...)
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Regularizer<C extends Record> extends Plugin<C> {

  /**
   * A term on the hidden trajectory. Called after the forward pass and before backward.
   *
   * @param hidden {@code [T, B, H]}, read only
   * @param dLdh {@code [T, B, H]}: add this term's gradient to it (do not overwrite)
   * @return the term's value, added to the loss
   */
  default double onHidden(C config, INDArray hidden, INDArray dLdh) {
    return 0;
  }

  /**
   * A term on the parameters. Called after backward.
   *
   * @param parameters the network's parameters, read only
   * @param gradients dL/dθ per trainable parameter name: add this term's gradient to them
   * @return the term's value, added to the loss
   */
  default double onParameters(C config, List<Parameter> parameters, Map<String, INDArray> gradients) {
    return 0;
  }
}
