package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A recurrent cell: its parameters, an initial state, one step s_t = F(s_{t−1}, x_t) and that
 * step's vector–Jacobian product. This is all a model has to write. Core runs the sequence: the
 * time loop, the trajectory, backpropagation through time, the recurrent drive, the extras and
 * their gradients, ablation and parameter constraints, once for every cell (see {@link Network},
 * which core builds around a cell). The Jacobian ∂F/∂s at any (s, x), which fixed-point and
 * geometry analyses need, follows from the VJP ({@link Network#jacobian}).
 *
 * <p><b>Shapes.</b> B sequences, I inputs, H hidden units. The state s is {@code [B, S]} with S =
 * {@link #stateSize()} a multiple k·H of H: k blocks of H columns, column i of every block
 * belonging to unit i, the first block being the hidden state h that readout heads and regularizers
 * see (an LSTM's state is [h | c], k = 2; most cells have S = H). All arrays are C-order and of the
 * data type the cell was created with.
 *
 * <p><b>Writing a cell.</b> Write {@link #step} and {@link #vjp} as the model's equations in plain
 * ND4J operations: this form is the oracle every faster implementation is tested against (see
 * {@link SequenceKernel}), so it should read like the paper, not like a kernel. A step may allocate
 * its results; it must not modify its arguments or keep them beyond the returned {@link Step}. A
 * cell may rely on its parameters satisfying their {@link Constraint}s. Optional abilities are the
 * small interfaces nested here: {@link AcceptsDrive} (a recurrent drive such as noise) and {@link
 * DifferentiableExtras} (terms on extras such as pre-activations).
 *
 * <p>A cell is used by one thread at a time. Its only randomness is the generator passed to {@link
 * #initialState}; {@link #step} and {@link #vjp} are deterministic.
 */
@API(status = EXPERIMENTAL, since = "0.2")
public interface Cell {

  /**
   * The number of hidden units.
   *
   * @return H ≥ 1, the width of the hidden state h (what readout heads see); fixed for the cell's
   *     life
   */
  int hiddenSize();

  /**
   * The width of the full state.
   *
   * @return S = k·H for some k ≥ 1 (see the class comment); H by default
   */
  default int stateSize() {
    return hiddenSize();
  }

  /**
   * The cell's tensors, for optimizers, checkpoints and analyses.
   *
   * @return every named tensor, trainable or not, in the same order on every call; the arrays are
   *     live (changing one changes the cell) and names are unique
   */
  List<Parameter> parameters();

  /**
   * A fresh initial state for {@code batch} sequences.
   *
   * @param batch number of sequences B ≥ 1
   * @param rng source of randomness if the initial state is random (the leaky RNN's h_0 =
   *     0.1·U(0,1)); a deterministic initial state (zeros) draws nothing from it
   * @return a new {@code [B, S]} array, owned by the caller
   */
  INDArray initialState(int batch, RandomGenerator rng);

  /**
   * The name of the parameter that holds the recurrent weight matrix W_rec (the hidden-to-hidden
   * weights; for gated cells all gates' recurrent weights stacked), for traces of ‖W_rec‖ and
   * ‖dL/dW_rec‖ over training and for analyses of connectivity.
   *
   * @return a name among {@link #parameters()}, or empty (the default) when the cell has no single
   *     recurrent matrix (a low-rank cell stores W = m·nᵀ as factors)
   */
  default Optional<String> recurrentWeights() {
    return Optional.empty();
  }

  /**
   * The per-step quantities a step reports besides the state (an LSTM's gates, the leaky RNN's
   * pre-activations), by name, with their widths. Core stacks them over time into {@link
   * Trajectory#extras()}, each {@code [T, B, K]}.
   *
   * @return name → width K ≥ 1, in a fixed order; empty (the default) when the cell has none
   */
  default Map<String, Integer> extras() {
    return Map.of();
  }

  /**
   * One step of the recurrence: s_t = F(s_{t−1}, x_t) (plus ξ_t for a cell that {@link
   * AcceptsDrive}).
   *
   * @param previous s_{t−1}, {@code [B, S]}; not modified
   * @param input x_t, {@code [B, I]}; not modified
   * @param drive ξ_t, {@code [B, H]}, the additive recurrent drive; always null unless the cell
   *     implements {@link AcceptsDrive}; not modified
   * @return the new state s_t, every extra of {@link #extras()} at this step, and whatever {@link
   *     #vjp} needs from the forward computation
   */
  Step step(INDArray previous, INDArray input, INDArray drive);

  /**
   * The vector–Jacobian product of one step: given dL/ds_t (and dL/d(extra)_t), the gradients with
   * respect to s_{t−1}, x_t and the parameters. The drive is a constant.
   *
   * @param step what {@link #step} returned for this step
   * @param gNext dL/ds_t, {@code [B, S]}; not modified
   * @param gExtras dL/d(extra) at this step, {@code [B, K]} each, for names in {@link
   *     DifferentiableExtras#differentiableExtras()} only; usually empty; not modified
   * @param gParameters one array per parameter (trainable or not), of its shape: add this step's
   *     dL/dθ to it, never overwrite (core sums over steps and discards what is not trained)
   * @return dL/ds_{t−1} {@code [B, S]} and dL/dx_t {@code [B, I]}, new arrays
   */
  StepGradients vjp(
      Step step, INDArray gNext, Map<String, INDArray> gExtras, Map<String, INDArray> gParameters);

  /**
   * What one {@link #step} computed.
   *
   * @param previous s_{t−1} as given to the step
   * @param input x_t as given to the step
   * @param drive ξ_t as given to the step, or null
   * @param next s_t, {@code [B, S]}
   * @param extras every extra of {@link Cell#extras()} at this step, {@code [B, K]} each
   * @param saved intermediate results the cell's {@link Cell#vjp} reads (gates, derivatives); not
   *     seen by anyone else
   */
  record Step(
      INDArray previous,
      INDArray input,
      INDArray drive,
      INDArray next,
      Map<String, INDArray> extras,
      Map<String, INDArray> saved) {
    /**
     * Checks that the arrays the runner needs are set.
     *
     * @param previous s_{t−1}
     * @param input x_t
     * @param drive ξ_t or null
     * @param next s_t
     * @param extras the step's extras
     * @param saved the cell's intermediates
     * @throws NullPointerException when {@code previous}, {@code input}, {@code next}, {@code
     *     extras} or {@code saved} is null
     */
    public Step {
      Objects.requireNonNull(previous, "previous");
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(next, "next");
      Objects.requireNonNull(extras, "extras");
      Objects.requireNonNull(saved, "saved");
    }
  }

  /**
   * The result of {@link Cell#vjp}.
   *
   * @param previous dL/ds_{t−1}, {@code [B, S]}
   * @param input dL/dx_t, {@code [B, I]}
   */
  record StepGradients(INDArray previous, INDArray input) {
    /**
     * Checks that both gradients are set.
     *
     * @param previous dL/ds_{t−1}
     * @param input dL/dx_t
     * @throws NullPointerException when either is null
     */
    public StepGradients {
      Objects.requireNonNull(previous, "previous");
      Objects.requireNonNull(input, "input");
    }
  }

  /**
   * A cell that takes an additive recurrent drive ξ_t {@code [B, H]} at every step (how private
   * noise enters a rate RNN). Where ξ enters is the cell's to document; {@link Cell#step} gets a
   * non-null drive only when one is given.
   */
  interface AcceptsDrive {}

  /** A cell whose {@link Cell#vjp} takes gradients on some of its extras (pre-activations). */
  interface DifferentiableExtras {
    /**
     * The extras whose gradient {@link Cell#vjp} accepts.
     *
     * @return a subset of the keys of {@link Cell#extras()}, never empty for a cell that implements
     *     this interface
     */
    Set<String> differentiableExtras();
  }
}
