package engram.models.lowrank;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.models.common.Init;
import engram.models.lowrank.LowRankRnnModel.Config;
import engram.models.lowrank.LowRankRnnModel.InitialState;
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
 * One step of the rank-r RNN (equations in {@link LowRankRnnModel}) and its VJP, in plain ND4J. Row
 * vectors, one row per sequence; M = {@code m}, N = {@code n} {@code [H, r]}; α = dt/τ.
 *
 * <pre>
 *   step:  ρ = tanh(x),  κ = ρ·N/H  [B, r],  x' = (1−α)·x + α·(κ·Mᵀ + s·W_inᵀ + b)
 *          rates' = tanh(x'),  kappa' = rates'·N/H
 *   VJP:   with g = dL/dx' and u = α·g (the gradient on the drive),
 *          dκ = u·M  [B, r]
 *          dL/dx = (1−α)·g + (dκ·Nᵀ/H)⊙(1 − ρ²),   dL/ds = u·W_in
 *          dM = uᵀ·κ,   dN = ρᵀ·dκ/H,   dW_in = uᵀ·s,   db = Σ u
 * </pre>
 *
 * (Σ over the rows of the batch.) There is no fused kernel: core runs this cell step by step.
 */
final class LowRankRnnCell implements Cell {
  private final Config config;
  private final int hidden;
  private final int rank;
  private final DataType dataType;
  private final double alpha;
  private final INDArray m;
  private final INDArray n;
  private final INDArray wIn;
  private final INDArray b;
  private final List<Parameter> parameters;
  private final Map<String, Integer> extras;

  LowRankRnnCell(Config config, NetworkSpec spec, RandomGenerator rng) {
    this.config = config;
    this.hidden = config.hiddenSize();
    this.rank = config.rank();
    this.dataType = spec.dataType();
    this.alpha = config.dt() / config.tau();
    // Draw order (m, n, w_in) fixes every run's parameters: keep it. With rank 1 the draws are
    // those of rank-one-rnn with the same seed.
    m = Init.gaussian(rng, config.loadingStd(), dataType, hidden, rank);
    n = Init.gaussian(rng, config.loadingStd(), dataType, hidden, rank);
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
    widths.put("kappa", rank);
    extras = Collections.unmodifiableMap(widths);
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
    if (config.initialState() == InitialState.GAUSSIAN) {
      if (batch < 1) {
        throw new IllegalArgumentException("batch must be ≥ 1, was " + batch);
      }
      return Init.gaussian(rng, config.h0Scale(), dataType, batch, hidden);
    }
    boolean zero = config.initialState() == InitialState.ZERO;
    return Init.initialState(batch, hidden, zero, config.h0Scale(), rng, dataType);
  }

  @Override
  public Map<String, Integer> extras() {
    return extras;
  }

  @Override
  public Step step(INDArray x, INDArray s, INDArray drive) {
    if (drive != null) {
      throw new UnsupportedOperationException("low-rank-rnn does not accept a recurrent drive");
    }
    INDArray rho = Transforms.tanh(x, true);
    INDArray kappa = kappa(rho);
    INDArray u = kappa.mmul(m.transpose()).addi(s.mmul(wIn.transpose())).addiRowVector(b);
    INDArray next = x.mul(1.0 - alpha).addi(u.muli(alpha));
    INDArray rates = Transforms.tanh(next, true);
    return new Step(
        x,
        s,
        drive,
        next,
        Map.of("rates", rates, "kappa", kappa(rates)),
        Map.of("rho", rho, "kappa", kappa));
  }

  @Override
  public StepGradients vjp(
      Step step, INDArray g, Map<String, INDArray> gExtras, Map<String, INDArray> gParameters) {
    INDArray rho = step.saved().get("rho");
    INDArray u = g.mul(alpha);
    INDArray dKappa = u.mmul(m);
    INDArray tanhPrime = rho.mul(rho).rsubi(1.0);
    INDArray gPrev =
        g.mul(1.0 - alpha).addi(dKappa.mmul(n.transpose()).divi(hidden).muli(tanhPrime));
    gParameters.get("m").addi(u.transpose().mmul(step.saved().get("kappa")));
    gParameters.get("n").addi(rho.transpose().mmul(dKappa).divi(hidden));
    gParameters.get("w_in").addi(u.transpose().mmul(step.input()));
    gParameters.get("b").addi(u.sum(0));
    return new StepGradients(gPrev, u.mmul(wIn));
  }

  /** κ = ρ·N/H, {@code [B, r]}. */
  private INDArray kappa(INDArray rho) {
    return rho.mmul(n).divi(hidden);
  }
}
