package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One recurrent network created by a {@link Model}: its parameters, a forward pass over a whole
 * sequence and the matching hand-written backward pass (BPTT).
 *
 * <p>Shapes: T steps, B sequences, I inputs, H hidden units. All arrays are C-order and of the
 * {@link NetworkSpec#dataType()} the network was created with. A network is used by one thread at
 * a time; it may keep and reuse buffers between calls (see {@link Trajectory}).
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Network {

  /**
   * The width of the hidden state.
   *
   * @return the number of hidden units H, ≥ 1; fixed for the network's life
   */
  int hiddenSize();

  /**
   * The network's tensors, for optimizers, checkpoints and analyses.
   *
   * @return every named tensor, trainable or not, in the same order on every call; the arrays are
   *     live (changing one changes the network) and names are unique
   */
  List<Parameter> parameters();

  /**
   * A fresh initial state for {@code batch} sequences.
   *
   * @param batch number of sequences B ≥ 1
   * @param rng source of randomness if the model's initial state is random (the leaky RNN's h_0 =
   *     0.1·U(0,1)); a deterministic initial state (zeros) draws nothing from it
   * @return a new {@code [B, H]} array, owned by the caller
   */
  INDArray initialState(int batch, RandomGenerator rng);

  /**
   * Runs the network over a whole sequence. Deterministic: the same inputs, h_0 and parameters
   * give the same trajectory.
   *
   * @param inputs {@code [T, B, I]}, I = {@link NetworkSpec#inputSize()}; not modified
   * @param h0 {@code [B, H]}; not modified
   * @return the trajectory, valid until the next call of this method
   */
  Trajectory forward(INDArray inputs, INDArray h0);

  /**
   * Runs the network with an extra additive drive ξ_t on every unit's input at every step — the
   * way noise is injected into the recurrence (private noise of a rate RNN). Where ξ enters is
   * the model's to document (for the leaky RNN: next to W_in·x_t inside the nonlinearity's
   * argument). The backward pass treats ξ as a constant input.
   *
   * @param inputs {@code [T, B, I]}; not modified
   * @param h0 {@code [B, H]}; not modified
   * @param drive {@code [T, B, H]}, or null for none
   * @return the trajectory, valid until the next forward pass
   * @throws UnsupportedOperationException naming the model when it does not accept a drive;
   *     never ignores one silently
   */
  default Trajectory forward(INDArray inputs, INDArray h0, INDArray drive) {
    if (drive == null) {
      return forward(inputs, h0);
    }
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " does not accept a recurrent drive, so recurrent noise cannot be injected into it");
  }

  /**
   * Backpropagates through time.
   *
   * @param trajectory the result of the latest {@link #forward} call
   * @param dLdh gradient of the loss with respect to every hidden state, {@code [T, B, H]}; the
   *     network may overwrite it
   * @param gradients one array per trainable parameter name, of the parameter's shape; this method
   *     overwrites them with dL/dθ (a parameter held fixed, such as a masked diagonal, gets 0)
   */
  void backward(Trajectory trajectory, INDArray dLdh, Map<String, INDArray> gradients);

  /**
   * The extras (see {@link Trajectory#extras()}) whose gradient {@link #backward(Trajectory,
   * INDArray, Map, Map)} accepts — for example the leaky RNN's pre-activations {@code pre}, so a
   * regularizer can act on them.
   *
   * @return the names, a subset of the keys of {@link Trajectory#extras()}; empty by default
   */
  default java.util.Set<String> differentiableExtras() {
    return java.util.Set.of();
  }

  /**
   * Backpropagates through time from gradients on the hidden states and on some extras.
   *
   * @param trajectory the result of the latest {@link #forward} call
   * @param dLdh gradient of the loss with respect to every hidden state, {@code [T, B, H]}; the
   *     network may overwrite it
   * @param dLdExtras gradient per extra name (each shaped like the extra); only names in
   *     {@link #differentiableExtras()}; the network may overwrite them
   * @param gradients as in {@link #backward(Trajectory, INDArray, Map)}: overwritten with dL/dθ
   * @throws UnsupportedOperationException naming the model when it cannot take them
   */
  default void backward(Trajectory trajectory, INDArray dLdh, Map<String, INDArray> dLdExtras,
      Map<String, INDArray> gradients) {
    if (dLdExtras.isEmpty()) {
      backward(trajectory, dLdh, gradients);
      return;
    }
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " cannot backpropagate from the extras " + dLdExtras.keySet());
  }

  /**
   * Removes hidden unit {@code unit} for an ablation study: zeroes every weight into and out of it
   * — its recurrent row and column, its input weights, and for gated cells its rows and columns in
   * every gate — so it no longer influences any other unit. (Zeroing its readout column is the
   * caller's part.) Changes the parameters in place; there is no undo.
   *
   * @param unit in {@code [0, H)}
   * @throws UnsupportedOperationException naming the model when it cannot remove a unit (the
   *     default)
   * @throws IndexOutOfBoundsException when {@code unit} is not in {@code [0, H)}
   */
  default void ablate(int unit) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " cannot ablate a unit; ablation needs a model that implements Network.ablate");
  }
}
