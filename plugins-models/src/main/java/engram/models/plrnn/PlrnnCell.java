package engram.models.plrnn;

import engram.api.Cell;
import engram.api.Constraint;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.models.common.Init;
import engram.models.plrnn.PlrnnModel.Config;
import engram.models.plrnn.PlrnnModel.InitialState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One step of the PLRNN (equations in {@link PlrnnModel}) and its VJP, in plain ND4J. Row vectors,
 * one row per sequence; r = ReLU(z); W's diagonal is 0 by its constraint.
 *
 * <pre>
 *   step:  z' = a⊙z + r·Wᵀ + x·Cᵀ + h,   rates' = ReLU(z')
 *   VJP:   with g = dL/dz',
 *          dL/dz = a⊙g + (g·W)⊙[z &gt; 0],   dL/dx = g·C
 *          da = Σ g⊙z,   dW = gᵀ·r,   dC = gᵀ·x,   dh = Σ g
 * </pre>
 *
 * (Σ over the rows of the batch; ReLU′(0) = 0. dW includes its diagonal, which core zeroes.)
 */
final class PlrnnCell implements Cell {
  private final int hidden;
  private final DataType dataType;
  private final boolean zeroState;
  private final double h0Scale;
  // The parameters, live; package-private for PlrnnKernel.
  final INDArray a;
  final INDArray w;
  final INDArray c;
  final INDArray h;
  private final List<Parameter> parameters;

  PlrnnCell(Config config, NetworkSpec spec, RandomGenerator rng) {
    this.hidden = config.hiddenSize();
    this.dataType = spec.dataType();
    this.zeroState = config.initialState() == InitialState.ZERO;
    this.h0Scale = config.h0Scale();
    int hh = hidden;
    // Draw order (w off the diagonal row by row, then c) fixes every run's parameters: keep it.
    a = Nd4j.valueArrayOf(new long[] {hh}, config.aInit(), dataType);
    double sd = config.gain() / Math.sqrt(hh);
    double[] rec = new double[hh * hh];
    for (int i = 0; i < hh; i++) {
      for (int j = 0; j < hh; j++) {
        rec[i * hh + j] = i == j ? 0.0 : sd * rng.nextGaussian(); // the diagonal draws nothing
      }
    }
    w = Init.fromDoubles(rec, dataType, hh, hh);
    double inBound = 1.0 / Math.sqrt(spec.inputSize());
    c = Init.uniform(rng, -inBound, inBound, dataType, hh, spec.inputSize());
    h = Nd4j.zeros(dataType, hh);
    parameters =
        List.of(
            new Parameter("a", a, true),
            new Parameter("w", w, true, Constraint.zeroDiagonal(hh, w)),
            new Parameter("c", c, true),
            new Parameter("h", h, true));
  }

  DataType dataType() {
    return dataType;
  }

  /** I, the width of x_t. */
  int inputSize() {
    return Math.toIntExact(c.size(1));
  }

  @Override
  public int hiddenSize() {
    return hidden;
  }

  /** {@inheritDoc} Here {@code w}. */
  @Override
  public Optional<String> recurrentWeights() {
    return Optional.of("w");
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    return Init.initialState(batch, hidden, zeroState, h0Scale, rng, dataType);
  }

  @Override
  public Map<String, Integer> extras() {
    return Map.of("rates", hidden);
  }

  @Override
  public Step step(INDArray z, INDArray x, INDArray drive) {
    INDArray r = Transforms.relu(z, true);
    INDArray next =
        z.mulRowVector(a).addi(r.mmul(w.transpose())).addi(x.mmul(c.transpose())).addiRowVector(h);
    return new Step(
        z, x, drive, next, Map.of("rates", Transforms.relu(next, true)), Map.of("r", r));
  }

  @Override
  public StepGradients vjp(
      Step step, INDArray g, Map<String, INDArray> gExtras, Map<String, INDArray> gParameters) {
    INDArray z = step.previous();
    INDArray r = step.saved().get("r");
    INDArray active = z.gt(0.0).castTo(dataType);
    INDArray gPrev = g.mulRowVector(a).addi(g.mmul(w).muli(active));
    gParameters.get("a").addi(g.mul(z).sum(0));
    gParameters.get("w").addi(g.transpose().mmul(r));
    gParameters.get("c").addi(g.transpose().mmul(step.input()));
    gParameters.get("h").addi(g.sum(0));
    return new StepGradients(gPrev, g.mmul(c));
  }
}
