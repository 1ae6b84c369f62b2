package engram.analysis.fixedpoints;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A hand-written test cell with known fixed points: s' = φ(s·Wᵀ + b + x·Uᵀ), rows are sequences, φ
 * = identity (a linear RNN) or tanh. W {@code [S, S]}, b {@code [S]}, U {@code [S, 1]} = 0 (the
 * input does not matter), all DOUBLE; initial state 0.
 */
final class MapCell implements Cell {
  private final INDArray w;
  private final INDArray b;
  private final INDArray u;
  private final boolean tanh;

  MapCell(double[][] w, double[] b, boolean tanh) {
    this.w = Nd4j.createFromArray(w);
    this.b = Nd4j.createFromArray(b);
    this.u = Nd4j.zeros(DataType.DOUBLE, w.length, 1);
    this.tanh = tanh;
  }

  /** The cell as a step-by-step runtime network. */
  static CellNetwork network(double[][] w, double[] b, boolean tanh) {
    return Networks.wrap("map", new MapCell(w, b, tanh), null, new NetworkSpec(1, DataType.DOUBLE));
  }

  @Override
  public int hiddenSize() {
    return w.rows();
  }

  @Override
  public List<Parameter> parameters() {
    return List.of(
        new Parameter("w", w, true), new Parameter("b", b, true), new Parameter("u", u, true));
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    return Nd4j.zeros(DataType.DOUBLE, batch, hiddenSize());
  }

  @Override
  public Step step(INDArray previous, INDArray input, INDArray drive) {
    INDArray pre = previous.mmul(w.transpose()).addiRowVector(b).addi(input.mmul(u.transpose()));
    INDArray next = tanh ? Transforms.tanh(pre, true) : pre;
    return new Step(previous, input, drive, next, Map.of(), Map.of("next", next));
  }

  @Override
  public StepGradients vjp(
      Step step, INDArray gNext, Map<String, INDArray> gExtras, Map<String, INDArray> gParameters) {
    INDArray next = step.saved().get("next");
    INDArray dPre = tanh ? gNext.mul(next.mul(next).rsubi(1.0)) : gNext.dup();
    gParameters.get("w").addi(dPre.transpose().mmul(step.previous()));
    gParameters.get("b").addi(dPre.sum(0));
    return new StepGradients(dPre.mmul(w), dPre.mmul(u));
  }
}
