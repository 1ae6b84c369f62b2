package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link Cell} run over whole sequences: what the trainer, regularizers and analyses work with.
 * Core builds it around the cell a {@link Model} created (plugins do not implement it): the time
 * loop and BPTT over the cell's step and VJP, or the model's {@link SequenceKernel} where one
 * applies; parameter constraints; ablation.
 *
 * <p>Shapes: T steps, B sequences, I inputs, H hidden units, S state width ({@link
 * Cell#stateSize()}). All arrays are C-order and of the {@link NetworkSpec#dataType()} the network
 * was created with. A network is used by one thread at a time; it may keep and reuse buffers
 * between calls (see {@link Trajectory}).
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
   * The width of the full state (see {@link Cell#stateSize()}).
   *
   * @return S = k·H ≥ H
   */
  int stateSize();

  /**
   * The cell this network runs: its one-step map and VJP, for analyses of the dynamics.
   *
   * @return the cell; its parameters are this network's
   */
  Cell cell();

  /**
   * The network's tensors, for optimizers, checkpoints and analyses.
   *
   * @return the cell's parameters (see {@link Cell#parameters()}): live arrays, unique names
   */
  List<Parameter> parameters();

  /**
   * Projects every parameter onto its {@link Constraint} (a masked entry back to exactly 0). Core
   * calls it after every optimizer update and before every forward pass; call it after changing
   * parameters by hand if you read them before the next forward pass.
   */
  void constrain();

  /**
   * A fresh initial state for {@code batch} sequences.
   *
   * @param batch number of sequences B ≥ 1
   * @param rng source of randomness if the cell's initial state is random; a deterministic initial
   *     state (zeros) draws nothing from it
   * @return a new {@code [B, S]} array, owned by the caller
   */
  INDArray initialState(int batch, RandomGenerator rng);

  /**
   * Runs the network over a whole sequence. Deterministic: the same inputs, s_0 and parameters give
   * the same trajectory.
   *
   * @param inputs {@code [T, B, I]}, I = {@link NetworkSpec#inputSize()}; not modified
   * @param s0 {@code [B, S]}; not modified
   * @return the trajectory, valid until the next call of this method
   */
  default Trajectory forward(INDArray inputs, INDArray s0) {
    return forward(inputs, s0, null);
  }

  /**
   * Runs the network with an extra additive drive ξ_t on every unit's input at every step — the way
   * noise is injected into the recurrence (private noise of a rate RNN). Where ξ enters is the
   * cell's to document (see {@link Cell.AcceptsDrive}). The backward pass treats ξ as a constant.
   *
   * @param inputs {@code [T, B, I]}; not modified
   * @param s0 {@code [B, S]}; not modified
   * @param drive {@code [T, B, H]}, or null for none
   * @return the trajectory, valid until the next forward pass
   * @throws UnsupportedOperationException naming the model when a drive is given and the cell does
   *     not accept one; a drive is never ignored silently
   */
  Trajectory forward(INDArray inputs, INDArray s0, INDArray drive);

  /**
   * Backpropagates through time.
   *
   * @param trajectory the result of the latest {@link #forward} call
   * @param dLdh gradient of the loss with respect to every hidden state, {@code [T, B, H]}; the
   *     network may overwrite it
   * @param gradients one array per trainable parameter name, of the parameter's shape; this method
   *     overwrites them with dL/dθ (an entry held fixed by a constraint gets 0)
   */
  default void backward(Trajectory trajectory, INDArray dLdh, Map<String, INDArray> gradients) {
    backward(trajectory, dLdh, Map.of(), gradients);
  }

  /**
   * The extras whose gradient {@link #backward(Trajectory, INDArray, Map, Map)} accepts (see {@link
   * Cell.DifferentiableExtras}).
   *
   * @return the names, a subset of the keys of {@link Trajectory#extras()}; empty when the cell
   *     takes none
   */
  Set<String> differentiableExtras();

  /**
   * Backpropagates through time from gradients on the hidden states and on some extras.
   *
   * @param trajectory the result of the latest {@link #forward} call
   * @param dLdh gradient of the loss with respect to every hidden state, {@code [T, B, H]}; the
   *     network may overwrite it
   * @param dLdExtras gradient per extra name (each shaped like the extra); only names in {@link
   *     #differentiableExtras()}; the network may overwrite them
   * @param gradients as in {@link #backward(Trajectory, INDArray, Map)}: overwritten with dL/dθ
   * @throws IllegalArgumentException naming the extras the cell can take when it cannot take one of
   *     them
   */
  void backward(
      Trajectory trajectory,
      INDArray dLdh,
      Map<String, INDArray> dLdExtras,
      Map<String, INDArray> gradients);

  /**
   * Removes hidden unit {@code unit} for an ablation study: from now on its whole state (column
   * {@code unit} of every block of s) is held at 0 at every step, so it no longer influences any
   * other unit through the recurrence. (Zeroing its readout column is the caller's part.) There is
   * no undo. Works for every cell whose units send nothing when their state is 0 (true of every
   * built-in cell: their recurrent input is a product with h, tanh(h) or ReLU(z)). An ablated
   * unit's entries of the extras are what its step computed from the held state; ignore them.
   *
   * @param unit in {@code [0, H)}
   * @throws IndexOutOfBoundsException when {@code unit} is not in {@code [0, H)}
   */
  void ablate(int unit);

  /**
   * The Jacobian of the one-step map at one point: J_ij = ∂F_i/∂s_j of s' = F(s, x), from {@link
   * Cell#vjp} (no finite differences).
   *
   * @param state s, {@code [S]}; not modified
   * @param input x, {@code [I]}; not modified
   * @return J, a new {@code [S, S]} array
   */
  INDArray jacobian(INDArray state, INDArray input);
}
