package engram.models.lstm;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.models.common.GatedWeights;
import engram.models.common.Init;
import engram.models.common.Tau;
import engram.models.lstm.LstmModel.Config;
import engram.models.lstm.LstmModel.InitialState;
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
 * One step of the LSTM (equations in {@link LstmModel}) and its VJP, in plain ND4J: the reference
 * for float64 and for everything {@link LstmKernel} does not cover, and the oracle that kernel is
 * tested against. The state is s = [h | c] ({@code [B, 2H]}); row vectors; the gate blocks of the
 * weights are PyTorch's i, f, g, o; α = 1/max(τ, 1) per unit with the leak, α = 1 without.
 *
 * <pre>
 *   z = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh = [z_i | z_f | z_g | z_o]
 *   i = σ(z_i),  f = σ(z_f),  g = tanh(z_g),  o = σ(z_o)
 *   c' = f⊙c + i⊙g,  u = o⊙tanh(c'),  h' = (1−α)⊙h + α⊙u
 *
 *   e  = α⊙dL/dh'                                      (dL/du)
 *   δc = dL/dc' + e⊙o⊙(1 − tanh²c')                    (dL/dc', all paths)
 *   δz = [δc⊙g⊙i(1−i) | δc⊙c⊙f(1−f) | δc⊙i⊙(1−g²) | e⊙tanh(c')⊙o(1−o)]
 *   dL/dh = δz·W_hh + (1−α)⊙dL/dh',  dL/dc = δc⊙f,  dL/dx = δz·W_ih
 *   dW_ih = δzᵀ·x,  dW_hh = δzᵀ·h,  db_ih = db_hh = Σ δz
 *   dL/dτ = −α²·Σ dL/dh'⊙(u − h) where τ ≥ 1, 0 below (the clamp; at τ = 1 it passes)
 * </pre>
 *
 * (Σ over the rows of the batch.) The leak acts on h only: c has its own, the forget gate.
 */
final class LstmCell implements Cell {
  private final Config config;
  private final int hidden;
  private final int inputs;
  private final DataType dataType;

  /** {@code w_ih [4H, I]}, live (the kernel reads it). */
  final INDArray wIh;

  /** {@code w_hh [4H, H]}, live. */
  final INDArray wHh;

  /** {@code b_ih [4H]}, live. */
  final INDArray bIh;

  /** {@code b_hh [4H]}, live. */
  final INDArray bHh;

  /** {@code taus [H]}, live, with the leak; null without it (no {@code taus} parameter then). */
  final INDArray taus;

  private final List<Parameter> parameters;
  private final Map<String, Integer> extras;

  /**
   * Draws the parameters exactly as PyTorch's {@code nn.LSTM} initialises them (see {@link
   * LstmModel}), then τ with the leak.
   *
   * @param config the validated configuration
   * @param spec input size I and data type
   * @param rng the only source of randomness
   */
  LstmCell(Config config, NetworkSpec spec, RandomGenerator rng) {
    this.config = config;
    this.hidden = config.hiddenSize();
    this.inputs = spec.inputSize();
    this.dataType = spec.dataType();
    // Draw order (w_ih, w_hh, b_ih, b_hh, then taus) fixes every run's parameters: keep it.
    GatedWeights w = GatedWeights.pytorchInit(rng, 4, hidden, inputs, dataType);
    wIh = w.wIh();
    wHh = w.wHh();
    bIh = w.bIh();
    bHh = w.bHh();
    taus =
        config.tauLeak()
            ? Tau.initial(
                rng,
                config.trainTau(),
                config.tauInitMin(),
                config.tauInitMax(),
                config.fixedTau(),
                hidden,
                dataType)
            : null;
    parameters = w.parameters(taus, config.trainTau());
    Map<String, Integer> widths = new LinkedHashMap<>();
    for (String name : List.of("c", "i", "f", "g", "o")) {
      widths.put(name, hidden);
    }
    extras = Collections.unmodifiableMap(widths);
  }

  /** The configuration this cell was created with. */
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

  /** S = 2H: the state is [h | c]. */
  @Override
  public int stateSize() {
    return 2 * hidden;
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

  /** [h_0 | c_0] with h_0 zero or h0-scale·U(0, 1) (as configured) and c_0 = 0. */
  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    INDArray h0 =
        Init.initialState(
            batch,
            hidden,
            config.initialState() == InitialState.ZERO,
            config.h0Scale(),
            rng,
            dataType);
    return Nd4j.hstack(h0, Nd4j.zeros(dataType, batch, hidden));
  }

  /** The cell state c_t and the gates i, f, g, o of every step, each of width H. */
  @Override
  public Map<String, Integer> extras() {
    return extras;
  }

  @Override
  public Step step(INDArray s, INDArray x, INDArray drive) {
    INDArray h = block(s, 0);
    INDArray z =
        x.mmul(wIh.transpose()).addiRowVector(bIh).addi(h.mmul(wHh.transpose())).addiRowVector(bHh);
    INDArray i = Transforms.sigmoid(block(z, 0), true);
    INDArray f = Transforms.sigmoid(block(z, 1), true);
    INDArray g = Transforms.tanh(block(z, 2), true);
    INDArray o = Transforms.sigmoid(block(z, 3), true);
    INDArray c = f.mul(block(s, 1)).addi(i.mul(g));
    INDArray tanhC = Transforms.tanh(c, true);
    INDArray u = o.mul(tanhC);
    INDArray hNext = u;
    if (taus != null) {
      INDArray alpha = alpha();
      hNext = h.mulRowVector(alpha.rsub(1.0)).addi(u.mulRowVector(alpha));
    }
    return new Step(
        s,
        x,
        drive,
        Nd4j.hstack(hNext, c),
        Map.of("c", c, "i", i, "f", f, "g", g, "o", o),
        Map.of("tanh_c", tanhC, "u", u));
  }

  @Override
  public StepGradients vjp(
      Step step, INDArray gNext, Map<String, INDArray> gExtras, Map<String, INDArray> gParameters) {
    INDArray i = step.extras().get("i");
    INDArray f = step.extras().get("f");
    INDArray g = step.extras().get("g");
    INDArray o = step.extras().get("o");
    INDArray tanhC = step.saved().get("tanh_c");
    INDArray h = block(step.previous(), 0);
    INDArray gh = block(gNext, 0);
    INDArray e = gh; // dL/du
    INDArray alpha = null;
    if (taus != null) {
      alpha = alpha();
      e = gh.mulRowVector(alpha);
      INDArray dAlpha = gh.mul(step.saved().get("u").sub(h)).sum(0);
      INDArray passes = taus.gte(1.0).castTo(dataType);
      gParameters.get("taus").addi(dAlpha.muli(alpha).muli(alpha).muli(passes).negi());
    }
    INDArray dc = block(gNext, 1).add(e.mul(o).muli(tanhC.mul(tanhC).rsubi(1.0)));
    INDArray dz =
        Nd4j.hstack(
            dc.mul(g).muli(sigmoidSlope(i)),
            dc.mul(block(step.previous(), 1)).muli(sigmoidSlope(f)),
            dc.mul(i).muli(g.mul(g).rsubi(1.0)),
            e.mul(tanhC).muli(sigmoidSlope(o)));
    gParameters.get("w_ih").addi(dz.transpose().mmul(step.input()));
    gParameters.get("w_hh").addi(dz.transpose().mmul(h));
    INDArray db = dz.sum(0);
    gParameters.get("b_ih").addi(db);
    gParameters.get("b_hh").addi(db);
    INDArray dh = dz.mmul(wHh);
    if (alpha != null) {
      dh.addi(gh.mulRowVector(alpha.rsub(1.0)));
    }
    return new StepGradients(Nd4j.hstack(dh, dc.mul(f)), dz.mmul(wIh));
  }

  /** α = 1/max(τ, 1), per unit. */
  private INDArray alpha() {
    return Transforms.max(taus, 1.0, true).rdivi(1.0);
  }

  /** σ′ from σ: σ⊙(1 − σ). */
  private static INDArray sigmoidSlope(INDArray sigma) {
    return sigma.mul(sigma.rsub(1.0));
  }

  /** Columns [kH, (k+1)H) of a {@code [B, nH]} array: block k of a state or of the gates. */
  private INDArray block(INDArray a, int k) {
    return a.get(all(), interval((long) k * hidden, (long) (k + 1) * hidden));
  }
}
