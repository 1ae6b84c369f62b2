package engram.runtime;

import engram.api.Cell;
import engram.api.Network;
import engram.api.Parameter;
import engram.api.SequenceKernel;
import engram.api.Trajectory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@link Network} core builds around a cell: checks every call's shapes once, keeps the
 * parameters within their constraints, and runs either the model's {@link SequenceKernel} or, when
 * there is none (or units are ablated and the kernel cannot {@link SequenceKernel.ClampsState
 * clamp} them), the cell step by step ({@link SequenceRunner}). Create one with {@link Networks}.
 */
public final class CellNetwork implements Network {
  private final String name;
  private final Cell cell;
  private final SequenceKernel kernel;
  private final int inputs;
  private final DataType dataType;
  private final SequenceRunner runner;
  private final Set<String> differentiable;
  private INDArray keep; // ablation mask over the state's columns; null while nothing is ablated
  private Trajectory latest;
  private boolean latestFromKernel;

  CellNetwork(String name, Cell cell, SequenceKernel kernel, int inputs, DataType dataType) {
    this.name = name;
    this.cell = cell;
    this.kernel = kernel;
    this.inputs = inputs;
    this.dataType = dataType;
    this.runner = new SequenceRunner(cell, name, dataType);
    this.differentiable =
        cell instanceof Cell.DifferentiableExtras d
            ? Set.copyOf(d.differentiableExtras())
            : Set.of();
    int s = cell.stateSize();
    int h = cell.hiddenSize();
    if (h < 1 || s < h || s % h != 0) {
      throw new IllegalStateException(
          name
              + ": stateSize() must be a multiple k·H of"
              + " hiddenSize() H ≥ 1, was S = "
              + s
              + ", H = "
              + h);
    }
    Constraints.project(cell.parameters());
  }

  /**
   * What runs the sequence: the kernel's name, or {@code cell} for the step-by-step runner.
   *
   * @return e.g. {@code leaky-rnn/fused} or {@code cell}
   */
  public String implementation() {
    if (kernel == null || (keep != null && !(kernel instanceof SequenceKernel.ClampsState))) {
      return "cell";
    }
    return kernel.name();
  }

  @Override
  public int hiddenSize() {
    return cell.hiddenSize();
  }

  @Override
  public int stateSize() {
    return cell.stateSize();
  }

  @Override
  public Cell cell() {
    return cell;
  }

  @Override
  public List<Parameter> parameters() {
    return cell.parameters();
  }

  @Override
  public void constrain() {
    Constraints.project(cell.parameters());
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be ≥ 1, was " + batch);
    }
    INDArray s0 = cell.initialState(batch, rng);
    requireShape("initialState", s0, batch, cell.stateSize());
    return s0;
  }

  @Override
  public Trajectory forward(INDArray x, INDArray s0, INDArray drive) {
    requireRank("inputs", x, 3);
    if (x.size(2) != inputs) {
      throw new IllegalArgumentException(
          name + ": inputs must be [T, B, " + inputs + "], was " + Arrays.toString(x.shape()));
    }
    int steps = Math.toIntExact(x.size(0));
    int batch = Math.toIntExact(x.size(1));
    if (steps < 1 || batch < 1) {
      throw new IllegalArgumentException(
          name + ": inputs need T ≥ 1 and B ≥ 1, were " + Arrays.toString(x.shape()));
    }
    requireShape("initial state", s0, batch, cell.stateSize());
    if (drive != null) {
      if (!(cell instanceof Cell.AcceptsDrive)) {
        throw new UnsupportedOperationException(
            name
                + " does not accept a recurrent drive, so"
                + " recurrent noise cannot be injected into it");
      }
      requireShape("drive", drive, steps, batch, cell.hiddenSize());
    }
    latest = null;
    constrain();
    x = typed(x);
    s0 = typed(s0);
    drive = drive == null ? null : typed(drive);
    if (kernel != null && keep == null) {
      latest = kernel.forward(x, s0, drive);
      latestFromKernel = true;
    } else if (keep != null && kernel instanceof SequenceKernel.ClampsState clamping) {
      latest = clamping.forward(x, s0, drive, keep);
      latestFromKernel = true;
    } else {
      latest = runner.forward(x, s0, drive, keep);
      latestFromKernel = false;
    }
    return latest;
  }

  @Override
  public Set<String> differentiableExtras() {
    return differentiable;
  }

  @Override
  public void backward(
      Trajectory trajectory,
      INDArray dLdh,
      Map<String, INDArray> dLdExtras,
      Map<String, INDArray> gradients) {
    if (trajectory == null || trajectory != latest) {
      throw new IllegalStateException(
          name + ": backward needs the trajectory of the latest" + " forward pass of this network");
    }
    INDArray hidden = trajectory.hidden();
    requireShape("dL/dh", dLdh, hidden.size(0), hidden.size(1), hidden.size(2));
    for (Map.Entry<String, INDArray> e : dLdExtras.entrySet()) {
      if (!differentiable.contains(e.getKey())) {
        throw new IllegalArgumentException(
            name
                + " cannot backpropagate from the extra '"
                + e.getKey()
                + "'; it can from "
                + (differentiable.isEmpty() ? "none of its extras" : differentiable));
      }
      INDArray extra = trajectory.extras().get(e.getKey());
      if (!Arrays.equals(e.getValue().shape(), extra.shape())) {
        throw new IllegalArgumentException(
            name
                + ": the gradient of extra '"
                + e.getKey()
                + "' has shape "
                + Arrays.toString(e.getValue().shape())
                + ", the extra "
                + Arrays.toString(extra.shape()));
      }
    }
    for (Parameter p : cell.parameters()) {
      if (!p.trainable()) {
        continue;
      }
      INDArray g = gradients.get(p.name());
      if (g == null || !Arrays.equals(g.shape(), p.value().shape())) {
        throw new IllegalArgumentException(
            name
                + ": needs a gradient array for '"
                + p.name()
                + "' of shape "
                + Arrays.toString(p.value().shape())
                + ", got "
                + (g == null ? "none" : Arrays.toString(g.shape())));
      }
    }
    if (latestFromKernel) {
      kernel.backward(trajectory, typed(dLdh), typedAll(dLdExtras), gradients);
    } else {
      runner.backward(
          (SequenceRunner.CellTrajectory) trajectory, typed(dLdh), typedAll(dLdExtras), gradients);
    }
    Constraints.projectGradients(cell.parameters(), gradients);
  }

  @Override
  public void ablate(int unit) {
    int h = cell.hiddenSize();
    if (unit < 0 || unit >= h) {
      throw new IndexOutOfBoundsException(name + ": unit " + unit + " is not in [0, " + h + ")");
    }
    if (keep == null) {
      keep = Nd4j.ones(dataType, cell.stateSize());
    }
    for (int block = 0; block < cell.stateSize() / h; block++) {
      keep.putScalar((long) block * h + unit, 0.0);
    }
    latest = null;
  }

  @Override
  public INDArray jacobian(INDArray state, INDArray input) {
    int s = cell.stateSize();
    if (state.length() != s || input.length() != inputs) {
      throw new IllegalArgumentException(
          name
              + ": jacobian needs a state of "
              + s
              + " and an input of "
              + inputs
              + " values, got "
              + state.length()
              + " and "
              + input.length());
    }
    constrain();
    INDArray states = Nd4j.create(dataType, s, s);
    states.addiRowVector(typed(state).reshape(1, s));
    INDArray x = Nd4j.create(dataType, s, inputs);
    x.addiRowVector(typed(input).reshape(1, inputs));
    Cell.Step step = cell.step(states, x, null);
    Map<String, INDArray> scratch = new HashMap<>();
    for (Parameter p : cell.parameters()) {
      scratch.put(p.name(), p.value().ulike().assign(0)); // ulike() is uninitialised
    }
    return cell.vjp(step, Nd4j.eye(s).castTo(dataType), Map.of(), scratch).previous();
  }

  private INDArray typed(INDArray a) {
    return a.dataType() == dataType ? a : a.castTo(dataType);
  }

  private Map<String, INDArray> typedAll(Map<String, INDArray> arrays) {
    if (arrays.isEmpty()) {
      return arrays;
    }
    Map<String, INDArray> out = new HashMap<>();
    arrays.forEach((k, v) -> out.put(k, typed(v)));
    return out;
  }

  /** The array itself when it is C-order and dense from offset 0, else a dense copy. */
  static INDArray dense(INDArray a) {
    return a.offset() == 0 && a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a)
        ? a
        : a.dup('c');
  }

  private void requireRank(String what, INDArray a, int rank) {
    if (a == null || a.rank() != rank) {
      throw new IllegalArgumentException(
          name
              + ": "
              + what
              + " must have rank "
              + rank
              + ", was "
              + (a == null ? "null" : Arrays.toString(a.shape())));
    }
  }

  private void requireShape(String what, INDArray a, long... shape) {
    if (a == null || !Arrays.equals(a.shape(), shape)) {
      throw new IllegalArgumentException(
          name
              + ": "
              + what
              + " must be "
              + Arrays.toString(shape)
              + ", was "
              + (a == null ? "null" : Arrays.toString(a.shape())));
    }
  }
}
