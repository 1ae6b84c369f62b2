package engram.models.gru;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.models.common.GatedWeights;
import engram.models.common.Init;
import engram.models.common.Tau;
import engram.models.gru.GruModel.Config;
import engram.models.gru.GruModel.InitialState;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One step of the GRU (equations in {@link GruModel}) and its VJP, in plain ND4J: the oracle {@link
 * GruKernel} is tested against. Row vectors; the {@code [B, 3H]} products p and q have PyTorch's
 * column blocks r, z, n (p_r, p_z, p_n, ...); α = 1/max(τ, 1) with the leak.
 *
 * <pre>
 *   p = x·W_ihᵀ + b_ih,  q = h·W_hhᵀ + b_hh           (the input's and the state's part)
 *   r = σ(p_r + q_r),  z = σ(p_z + q_z),  n = tanh(p_n + r⊙q_n)
 *   c = (1 − z)⊙n + z⊙h;  h' = c, or with the leak h' = (1 − α)⊙h + α⊙c
 *
 *   VJP, with g = dL/dh':
 *   g_c = g (with the leak: α⊙g)                                  dL/dc
 *   e_n = g_c⊙(1 − z)⊙(1 − n²),  e_r = e_n⊙q_n⊙r⊙(1 − r),  e_z = g_c⊙(h − n)⊙z⊙(1 − z)
 *   d_p = [e_r | e_z | e_n],  d_q = [e_r | e_z | e_n⊙r]           dL/dp, dL/dq
 *   dL/dh = g_c⊙z + d_q·W_hh (+ (1 − α)⊙g),  dL/dx = d_p·W_ih
 *   dW_ih = d_pᵀ·x,  db_ih = Σ d_p,  dW_hh = d_qᵀ·h,  db_hh = Σ d_q
 *   dL/dα = Σ g⊙(c − h),  dL/dτ = −α²·dL/dα where τ ≥ 1, 0 below (the clamp)
 * </pre>
 *
 * (Σ over the rows of the batch.) The extras are the gates r, z and n, each {@code [B, H]}; none is
 * differentiable, and the cell takes no drive.
 */
final class GruCell implements Cell {
  private final Config config;
  private final int hidden;
  private final DataType dataType;
  private final int inputs;

  /** w_ih {@code [3H, I]}, rows r, z, n: the live parameter, which {@link GruKernel} reads. */
  final INDArray wIh;

  /** w_hh {@code [3H, H]}, rows r, z, n (live). */
  final INDArray wHh;

  /** b_ih {@code [3H]} (live). */
  final INDArray bIh;

  /** b_hh {@code [3H]} (live). */
  final INDArray bHh;

  /** τ {@code [H]} (live), or null without the leak. */
  final INDArray taus;

  private final List<Parameter> parameters;
  private final Map<String, Integer> extras;

  /**
   * Draws the parameters: w_ih, w_hh, b_ih, b_hh (PyTorch's order and U(−1/√H, 1/√H)), then τ when
   * the leak is on and τ is trainable. This order fixes every run's parameters: keep it.
   */
  GruCell(Config config, NetworkSpec spec, RandomGenerator rng) {
    this.config = config;
    this.hidden = config.hiddenSize();
    this.dataType = spec.dataType();
    this.inputs = spec.inputSize();
    GatedWeights weights = GatedWeights.pytorchInit(rng, 3, hidden, inputs, dataType);
    wIh = weights.wIh();
    wHh = weights.wHh();
    bIh = weights.bIh();
    bHh = weights.bHh();
    boolean trainTau = config.tauLeak() && config.trainTau();
    taus =
        config.tauLeak()
            ? Tau.initial(
                rng,
                trainTau,
                config.tauInitMin(),
                config.tauInitMax(),
                config.fixedTau(),
                hidden,
                dataType)
            : null;
    parameters = weights.parameters(taus, trainTau);
    Map<String, Integer> widths = new LinkedHashMap<>();
    for (String gate : new String[] {"r", "z", "n"}) {
      widths.put(gate, hidden);
    }
    extras = Collections.unmodifiableMap(widths);
  }

  /** The configuration the cell was created with. */
  Config config() {
    return config;
  }

  /** I, the width of x_t. */
  int inputSize() {
    return inputs;
  }

  /** The data type of every parameter and state. */
  DataType dataType() {
    return dataType;
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

  /** {@inheritDoc} Zero (PyTorch's default) or h0-scale·U(0, 1) per unit, by the config. */
  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    return Init.initialState(
        batch, hidden, config.initialState() == InitialState.ZERO, config.h0Scale(), rng, dataType);
  }

  @Override
  public Map<String, Integer> extras() {
    return extras;
  }

  @Override
  public Step step(INDArray h, INDArray x, INDArray drive) {
    INDArray p = x.mmul(wIh.transpose()).addiRowVector(bIh);
    INDArray q = h.mmul(wHh.transpose()).addiRowVector(bHh);
    INDArray r = Transforms.sigmoid(block(p, 0).add(block(q, 0)), false);
    INDArray z = Transforms.sigmoid(block(p, 1).add(block(q, 1)), false);
    INDArray qN = block(q, 2);
    INDArray n = Transforms.tanh(block(p, 2).add(r.mul(qN)), false);
    INDArray c = z.rsub(1.0).muli(n).addi(z.mul(h));
    INDArray next = c;
    if (taus != null) {
      INDArray alpha = alpha();
      next = h.mulRowVector(alpha.rsub(1.0)).addi(c.mulRowVector(alpha));
    }
    Map<String, INDArray> gates = new LinkedHashMap<>();
    gates.put("r", r);
    gates.put("z", z);
    gates.put("n", n);
    return new Step(h, x, null, next, gates, Map.of("q_n", qN, "c", c));
  }

  @Override
  public StepGradients vjp(
      Step step, INDArray g, Map<String, INDArray> gExtras, Map<String, INDArray> gParameters) {
    INDArray h = step.previous();
    INDArray r = step.extras().get("r");
    INDArray z = step.extras().get("z");
    INDArray n = step.extras().get("n");
    INDArray alpha = taus == null ? null : alpha();
    INDArray gc = taus == null ? g : g.mulRowVector(alpha);
    INDArray eN = gc.mul(z.rsub(1.0)).muli(n.mul(n).rsubi(1.0));
    INDArray eR = eN.mul(step.saved().get("q_n")).muli(r).muli(r.rsub(1.0));
    INDArray eZ = gc.mul(h.sub(n)).muli(z).muli(z.rsub(1.0));
    INDArray dP = Nd4j.hstack(eR, eZ, eN);
    INDArray dQ = Nd4j.hstack(eR, eZ, eN.mul(r));
    gParameters.get("w_ih").addi(dP.transpose().mmul(step.input()));
    gParameters.get("b_ih").addi(dP.sum(0));
    gParameters.get("w_hh").addi(dQ.transpose().mmul(h));
    gParameters.get("b_hh").addi(dQ.sum(0));
    INDArray gPrev = gc.mul(z).addi(dQ.mmul(wHh));
    if (taus != null) {
      gPrev.addi(g.mulRowVector(alpha.rsub(1.0)));
      INDArray dAlpha = g.mul(step.saved().get("c").sub(h)).sum(0);
      // the clamp passes the gradient at τ = 1 (as torch.clamp) and blocks it below
      INDArray passes = taus.gte(1.0).castTo(dataType);
      gParameters.get("taus").addi(dAlpha.muli(alpha).muli(alpha).muli(passes).negi());
    }
    return new StepGradients(gPrev, dP.mmul(wIh));
  }

  /** α = 1/max(τ, 1), per unit (a new array). */
  private INDArray alpha() {
    return Transforms.max(taus, 1.0, true).rdivi(1.0);
  }

  /** Column block {@code gate} (0 r, 1 z, 2 n) of a {@code [B, 3H]} array, as a view. */
  private INDArray block(INDArray gates, int gate) {
    return gates.get(all(), interval((long) gate * hidden, (long) (gate + 1) * hidden));
  }
}
