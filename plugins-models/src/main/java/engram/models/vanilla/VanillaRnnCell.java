package engram.models.vanilla;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.models.common.Init;
import engram.models.vanilla.VanillaRnnModel.Config;
import engram.models.vanilla.VanillaRnnModel.InitialState;
import engram.models.vanilla.VanillaRnnModel.Nonlinearity;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One step of the vanilla RNN (equations in {@link VanillaRnnModel}) and its VJP, in plain ND4J.
 * Row vectors, one row per sequence.
 *
 * <pre>
 *   step:  h' = φ(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)
 *   VJP:   with δ = dL/dh' ⊙ φ′, where φ′ = 1 − h'² (tanh) or [h' &gt; 0] (ReLU),
 *          dL/dh = δ·W_hh,   dL/dx = δ·W_ih
 *          dW_ih = δᵀ·x,   dW_hh = δᵀ·h,   db_ih = db_hh = Σ δ
 * </pre>
 *
 * (Σ over the rows of the batch; ReLU′(0) = 0, as in PyTorch.)
 */
final class VanillaRnnCell implements Cell {
  private final Config config;
  private final int hidden;
  private final DataType dataType;
  private final INDArray wIh;
  private final INDArray wHh;
  private final INDArray bIh;
  private final INDArray bHh;
  private final List<Parameter> parameters;

  VanillaRnnCell(Config config, NetworkSpec spec, RandomGenerator rng) {
    this.config = config;
    this.hidden = config.hiddenSize();
    this.dataType = spec.dataType();
    // PyTorch's nn.RNN init: every tensor U(−1/√H, 1/√H), in the order of its parameters
    // (w_ih, w_hh, b_ih, b_hh); the order fixes every run's parameters: keep it.
    double bound = 1.0 / Math.sqrt(hidden);
    wIh = Init.uniform(rng, -bound, bound, dataType, hidden, spec.inputSize());
    wHh = Init.uniform(rng, -bound, bound, dataType, hidden, hidden);
    bIh = Init.uniform(rng, -bound, bound, dataType, hidden);
    bHh = Init.uniform(rng, -bound, bound, dataType, hidden);
    parameters =
        List.of(
            new Parameter("w_ih", wIh, true),
            new Parameter("w_hh", wHh, true),
            new Parameter("b_ih", bIh, true),
            new Parameter("b_hh", bHh, true));
  }

  @Override
  public int hiddenSize() {
    return hidden;
  }

  /** {@inheritDoc} Here {@code w_hh}. */
  @Override
  public Optional<String> recurrentWeights() {
    return Optional.of("w_hh");
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
  public Step step(INDArray h, INDArray x, INDArray drive) {
    INDArray u =
        x.mmul(wIh.transpose()).addiRowVector(bIh).addi(h.mmul(wHh.transpose())).addiRowVector(bHh);
    INDArray next =
        config.nonlinearity() == Nonlinearity.TANH
            ? Transforms.tanh(u, false)
            : Transforms.relu(u, false);
    return new Step(h, x, drive, next, Map.of(), Map.of());
  }

  @Override
  public StepGradients vjp(
      Step step, INDArray gNext, Map<String, INDArray> gExtras, Map<String, INDArray> gParameters) {
    INDArray next = step.next();
    // φ′ from φ's value: tanh′ = 1 − tanh², and ReLU(u) > 0 exactly where u > 0.
    INDArray phiPrime =
        config.nonlinearity() == Nonlinearity.TANH
            ? next.mul(next).rsubi(1.0)
            : next.gt(0.0).castTo(dataType);
    INDArray delta = gNext.mul(phiPrime);
    gParameters.get("w_ih").addi(delta.transpose().mmul(step.input()));
    gParameters.get("w_hh").addi(delta.transpose().mmul(step.previous()));
    INDArray db = delta.sum(0);
    gParameters.get("b_ih").addi(db);
    gParameters.get("b_hh").addi(db);
    return new StepGradients(delta.mmul(wHh), delta.mmul(wIh));
  }
}
