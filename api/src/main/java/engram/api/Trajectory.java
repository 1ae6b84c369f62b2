package engram.api;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of {@link Network#forward}: hidden states over a whole sequence, the cell's extras,
 * plus whatever the network keeps for its backward pass.
 *
 * <p>A trajectory may be backed by buffers the network reuses: it is valid until the next call of
 * {@link Network#forward} on the same network. Copy ({@code dup()}) what must outlive that.
 */
public interface Trajectory {

  /**
   * The hidden states after every step; what readout heads and regularizers see.
   *
   * @return h_1 … h_T as a {@code [T, B, H]} array (h_0 is not included); read only for callers
   */
  INDArray hidden();

  /**
   * The state the sequence started from.
   *
   * @return s_0, {@code [B, S]}: the state {@link Network#forward} was given
   */
  INDArray initialState();

  /**
   * Further per-step quantities by name for analyses, each {@code [T, B, K]} — usually K = H (an
   * LSTM's cell state {@code c} and gates, a PLRNN's rates), sometimes smaller (a rank-one RNN's
   * latent {@code kappa}, K = 1); empty when the cell has none. They are the cell's {@link
   * Cell#extras()}; each model's Javadoc lists them.
   *
   * @return the extras by name, read only for callers; never null
   */
  default Map<String, INDArray> extras() {
    return Map.of();
  }
}
