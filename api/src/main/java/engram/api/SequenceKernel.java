package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Map;
import java.util.Optional;
import org.apiguardian.api.API;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A faster implementation of one cell's whole-sequence forward pass and BPTT (fused loops, direct
 * BLAS calls, buffers reused between calls), like Flax's {@code OptimizedLSTMCell} beside its
 * {@code LSTMCell}. Optional: core runs every cell step by step without one, and a kernel must give
 * what that gives (the same trajectory, extras and gradients up to rounding), which its tests check
 * against the cell. It reads the cell's live parameters on every call, which core keeps within
 * their {@link Constraint}s, and is used by one thread at a time.
 *
 * <p>Core uses the kernel for every forward and backward pass it applies to. While units are
 * ablated it uses the kernel only if it also implements {@link ClampsState}; otherwise the cell
 * runs step by step with the ablated units' state held at 0.
 */
@API(status = EXPERIMENTAL, since = "0.2")
public interface SequenceKernel {

  /**
   * A short name for logs, benchmarks and provenance.
   *
   * @return e.g. {@code leaky-rnn/fused-float}
   */
  String name();

  /**
   * Runs the cell over a whole sequence.
   *
   * @param inputs {@code [T, B, I]}; not modified
   * @param initialState s_0 {@code [B, S]}; not modified
   * @param drive {@code [T, B, H]} or null; only for a cell that {@link Cell.AcceptsDrive}
   * @return the trajectory (hidden states and the cell's extras), valid until the next forward
   */
  Trajectory forward(INDArray inputs, INDArray initialState, INDArray drive);

  /**
   * Backpropagates through time.
   *
   * @param trajectory the result of the latest {@link #forward} call
   * @param dLdh {@code [T, B, H]}; the kernel may overwrite it
   * @param dLdExtras gradients on differentiable extras, {@code [T, B, K]} each; may be empty; the
   *     kernel may overwrite them
   * @param gradients one array per trainable parameter, overwritten with dL/dθ
   */
  void backward(
      Trajectory trajectory,
      INDArray dLdh,
      Map<String, INDArray> dLdExtras,
      Map<String, INDArray> gradients);

  /**
   * A kernel that can also run with some units ablated, as the step-by-step runner does: with keep
   * the 0/1 mask over the state's S columns, s_t = F(s_{t−1}, x_t, ξ_t) ⊙ keep from s_0 ⊙ keep, and
   * in BPTT dL/ds_t ⊙= keep after dL/dh_t is added. Extras are not masked. Ablation analyses
   * evaluate one network per ablated unit, so without this capability they run at the speed of the
   * step-by-step runner.
   */
  interface ClampsState extends SequenceKernel {
    /**
     * Runs the cell over a whole sequence with the state clamped by {@code keep}.
     *
     * @param inputs {@code [T, B, I]}; not modified
     * @param initialState s_0 {@code [B, S]}; not modified (the kernel applies keep itself)
     * @param drive {@code [T, B, H]} or null
     * @param keep {@code [S]} of 0 and 1, or null for none (then as {@link #forward(INDArray,
     *     INDArray, INDArray)}); not modified, and only read during this call and the backward pass
     *     of its trajectory
     * @return the trajectory; {@link #backward} applies the same mask
     */
    Trajectory forward(INDArray inputs, INDArray initialState, INDArray drive, INDArray keep);
  }

  /** A {@link Model} that has kernels for some of its cells implements this as well. */
  interface Provider {
    /**
     * A kernel for {@code cell}, if one applies to its configuration and data type.
     *
     * @param cell a cell this model created
     * @return the kernel, reading {@code cell}'s parameters; empty when none applies (core then
     *     runs the cell step by step)
     */
    Optional<SequenceKernel> kernel(Cell cell);
  }
}
