package engram.models.rankone;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.models.common.Init;
import engram.models.rankone.RankOneRnnModel.Config;
import engram.models.rankone.RankOneRnnModel.InitialState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One step of the rank-one RNN (equations in {@link RankOneRnnModel}) and its VJP, in plain ND4J.
 * Row vectors, one row per sequence; m, n as columns {@code [H, 1]}; α = dt/τ.
 *
 * <pre>
 *   step:  r = tanh(x),  κ = r·n/H  [B, 1],  x' = (1−α)·x + α·(κ·mᵀ + s·W_inᵀ + b)
 *          rates' = tanh(x'),  kappa' = rates'·n/H
 *   VJP:   with g = dL/dx' and u = α·g (the gradient on the drive),
 *          dκ = u·m  [B, 1]
 *          dL/dx = (1−α)·g + (dκ·nᵀ/H)⊙(1 − r²),   dL/ds = u·W_in
 *          dm = uᵀ·κ,   dn = rᵀ·dκ/H,   dW_in = uᵀ·s,   db = Σ u
 * </pre>
 *
 * (Σ over the rows of the batch.)
 */
final class RankOneRnnCell implements Cell {
  private final Config config;
  private final int hidden;
  private final DataType dataType;
  private final double alpha;
  // The parameters, live; package-private for RankOneRnnKernel.
  final INDArray m;
  final INDArray n;
  final INDArray wIn;
  final INDArray b;
  private final List<Parameter> parameters;
  private final Map<String, Integer> extras;

  RankOneRnnCell(Config config, NetworkSpec spec, RandomGenerator rng) {
    this.config = config;
    this.hidden = config.hiddenSize();
    this.dataType = spec.dataType();
    this.alpha = config.dt() / config.tau();
    // Draw order (m, n, w_in) fixes every run's parameters: keep it.
    m = Init.gaussian(rng, config.loadingStd(), dataType, hidden);
    n = Init.gaussian(rng, config.loadingStd(), dataType, hidden);
    double inBound = 1.0 / Math.sqrt(spec.inputSize());
    wIn = Init.uniform(rng, -inBound, inBound, dataType, hidden, spec.inputSize());
    b = Nd4j.zeros(dataType, hidden);
    parameters =
        List.of(
            new Parameter("m", m, true),
            new Parameter("n", n, true),
            new Parameter("w_in", wIn, true),
            new Parameter("b", b, true));
    Map<String, Integer> widths = new LinkedHashMap<>(); // Map.of's order may change between runs
    widths.put("rates", hidden);
    widths.put("kappa", 1);
    extras = Collections.unmodifiableMap(widths);
  }

  DataType dataType() {
    return dataType;
  }

  /** α = dt/τ. */
  double alpha() {
    return alpha;
  }

  /** I, the width of s_t. */
  int inputSize() {
    return Math.toIntExact(wIn.size(1));
  }

  @Override
  public int hiddenSize() {
    return hidden;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    boolean zero = config.initialState() == InitialState.ZERO;
    return Init.initialState(batch, hidden, zero, config.h0Scale(), rng, dataType);
  }

  @Override
  public Map<String, Integer> extras() {
    return extras;
  }

  @Override
  public Step step(INDArray x, INDArray s, INDArray drive) {
    INDArray r = Transforms.tanh(x, true);
    INDArray kappa = kappa(r);
    INDArray u = kappa.mmul(m.reshape(1, hidden)).addi(s.mmul(wIn.transpose())).addiRowVector(b);
    INDArray next = x.mul(1.0 - alpha).addi(u.muli(alpha));
    INDArray rates = Transforms.tanh(next, true);
    return new Step(
        x,
        s,
        drive,
        next,
        Map.of("rates", rates, "kappa", kappa(rates)),
        Map.of("r", r, "kappa", kappa));
  }

  @Override
  public StepGradients vjp(
      Step step, INDArray g, Map<String, INDArray> gExtras, Map<String, INDArray> gParameters) {
    INDArray r = step.saved().get("r");
    INDArray u = g.mul(alpha);
    INDArray dKappa = u.mmul(m.reshape(hidden, 1));
    INDArray tanhPrime = r.mul(r).rsubi(1.0);
    INDArray gPrev =
        g.mul(1.0 - alpha).addi(dKappa.mmul(n.reshape(1, hidden)).divi(hidden).muli(tanhPrime));
    gParameters.get("m").addi(u.transpose().mmul(step.saved().get("kappa")).reshape(hidden));
    gParameters.get("n").addi(r.transpose().mmul(dKappa).divi(hidden).reshape(hidden));
    gParameters.get("w_in").addi(u.transpose().mmul(step.input()));
    gParameters.get("b").addi(u.sum(0));
    return new StepGradients(gPrev, u.mmul(wIn));
  }

  /** κ = r·n/H, {@code [B, 1]}. */
  private INDArray kappa(INDArray r) {
    return r.mmul(n.reshape(hidden, 1)).divi(hidden);
  }
}
