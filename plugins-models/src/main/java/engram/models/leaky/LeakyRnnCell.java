package engram.models.leaky;

import engram.api.Cell;
import engram.api.Constraint;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.models.common.Init;
import engram.models.common.Tau;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One step of the leaky RNN (equations in {@link LeakyRnnModel}) and its VJP, in plain ND4J: the
 * oracle {@link LeakyRnnKernel} is tested against. Row vectors; α = 1/max(τ, 1); u = h·Wᵀ + b_rec +
 * x·W_inᵀ + b_in + ξ (W's diagonal is 0 by its constraint).
 *
 * <pre>
 *   φ outside: z = (1−α)⊙h + α⊙u,  h' = φ(z),               pre = z
 *              δ = dL/dh'⊙φ′(z) + dL/dpre,  a = α⊙δ
 *              dL/dh = (1−α)⊙δ + a·W,  dL/dx = a·W_in,  dW = aᵀh,  dW_in = aᵀx,  db = Σ a
 *              dL/dα = Σ δ⊙(u − h)
 *   φ inside:  h' = (1−α)⊙h + α⊙φ(u),                       pre = u
 *              e = α⊙φ′(u)⊙dL/dh' + dL/dpre
 *              dL/dh = (1−α)⊙dL/dh' + e·W,  dL/dx = e·W_in,  dW = eᵀh,  dW_in = eᵀx,  db = Σ e
 *              dL/dα = Σ dL/dh'⊙(φ(u) − h)
 *   dL/dτ = −α²·dL/dα where τ ≥ 1, 0 below (the clamp)
 * </pre>
 *
 * (Σ over the rows of the batch; b_rec and b_in get the same gradient.)
 */
final class LeakyRnnCell implements Cell, Cell.AcceptsDrive, Cell.DifferentiableExtras {
  /** The extra holding the argument of φ at every step. */
  static final String PRE = "pre";

  private final Config config;
  private final int hidden;
  private final int inputs;
  private final DataType dataType;
  final INDArray wIn;
  final INDArray bIn;
  final INDArray wRec;
  final INDArray bRec;
  final INDArray taus;
  private final List<Parameter> parameters;

  LeakyRnnCell(Config config, NetworkSpec spec, RandomGenerator rng) {
    this.config = config;
    this.hidden = config.hiddenSize();
    this.inputs = spec.inputSize();
    this.dataType = spec.dataType();
    int h = hidden;
    int in = spec.inputSize();
    double inBound = 1.0 / Math.sqrt(in);
    double recBound = 1.0 / Math.sqrt(h);
    // Draw order (w_in, b_in, w_rec, b_rec, taus) fixes every run's parameters: keep it.
    wIn = Init.uniform(rng, -inBound, inBound, dataType, h, in);
    bIn = Init.uniform(rng, -inBound, inBound, dataType, h);
    double[] rec;
    if (config.recurrentInit() == LeakyRnnModel.RecurrentInit.GAUSSIAN) {
      rec = new double[h * h];
      double std = config.gain() / Math.sqrt(h);
      for (int i = 0; i < rec.length; i++) {
        rec[i] = std * rng.nextGaussian();
      }
    } else if (config.recurrentInit() == LeakyRnnModel.RecurrentInit.XAVIER_UNIFORM) {
      double bound = config.gain() * Math.sqrt(6.0 / (h + h));
      rec = Init.draw(rng, -bound, bound, (long) h * h);
    } else {
      rec = Init.draw(rng, -recBound, recBound, (long) h * h);
    }
    for (int i = 0; i < h; i++) {
      rec[i * (h + 1)] = 0.0; // drawn, then held at 0 by the constraint: no self-connections
    }
    wRec = Init.fromDoubles(rec, dataType, h, h);
    bRec = Init.uniform(rng, -recBound, recBound, dataType, h);
    taus =
        Tau.initial(
            rng,
            config.trainTau(),
            config.tauInitMin(),
            config.tauInitMax(),
            config.fixedTau(),
            h,
            dataType);
    parameters =
        List.of(
            new Parameter("w_in", wIn, true),
            new Parameter("b_in", bIn, true),
            new Parameter("w_rec", wRec, true, Constraint.zeroDiagonal(h, wRec)),
            new Parameter("b_rec", bRec, true),
            new Parameter("taus", taus, config.trainTau()));
  }

  Config config() {
    return config;
  }

  int inputSize() {
    return inputs;
  }

  DataType dataType() {
    return dataType;
  }

  @Override
  public int hiddenSize() {
    return hidden;
  }

  /** {@inheritDoc} Here {@code w_rec}. */
  @Override
  public Optional<String> recurrentWeights() {
    return Optional.of("w_rec");
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    if (config.initialState() == LeakyRnnModel.InitialState.TANH_NORMAL && batch >= 1) {
      double[] v = new double[Math.multiplyExact(batch, hidden)];
      for (int i = 0; i < v.length; i++) {
        v[i] = Math.tanh(config.h0Scale() * rng.nextGaussian());
      }
      return Init.fromDoubles(v, dataType, batch, hidden);
    }
    return Init.initialState(batch, hidden, false, config.h0Scale(), rng, dataType);
  }

  @Override
  public Map<String, Integer> extras() {
    return Map.of(PRE, hidden);
  }

  @Override
  public Set<String> differentiableExtras() {
    return Set.of(PRE);
  }

  @Override
  public Step step(INDArray h, INDArray x, INDArray drive) {
    INDArray alpha = alpha();
    INDArray u =
        h.mmul(wRec.transpose())
            .addiRowVector(bRec)
            .addi(x.mmul(wIn.transpose()))
            .addiRowVector(bIn);
    if (drive != null) {
      u.addi(drive);
    }
    if (config.phi() == Phi.OUTSIDE) {
      INDArray z = h.mulRowVector(alpha.rsub(1.0)).addi(u.mulRowVector(alpha));
      return new Step(h, x, drive, phi(z), Map.of(PRE, z), Map.of("u", u));
    }
    INDArray f = phi(u);
    INDArray next = h.mulRowVector(alpha.rsub(1.0)).addi(f.mulRowVector(alpha));
    return new Step(h, x, drive, next, Map.of(PRE, u), Map.of("phi", f));
  }

  @Override
  public StepGradients vjp(
      Step step, INDArray gNext, Map<String, INDArray> gExtras, Map<String, INDArray> g) {
    INDArray alpha = alpha();
    INDArray h = step.previous();
    INDArray gPre = gExtras.get(PRE);
    INDArray a; // dL/du (α⊙δ outside, e inside)
    INDArray gPrev;
    INDArray dAlpha;
    if (config.phi() == Phi.OUTSIDE) {
      INDArray delta = gNext.mul(phiPrime(step.extras().get(PRE), step.next()));
      if (gPre != null) {
        delta.addi(gPre);
      }
      a = delta.mulRowVector(alpha);
      gPrev = delta.mulRowVector(alpha.rsub(1.0)).addi(a.mmul(wRec));
      dAlpha = delta.mul(step.saved().get("u").sub(h)).sum(0);
    } else {
      INDArray f = step.saved().get("phi");
      a = gNext.mulRowVector(alpha).muli(phiPrime(step.extras().get(PRE), f));
      if (gPre != null) {
        a.addi(gPre);
      }
      gPrev = gNext.mulRowVector(alpha.rsub(1.0)).addi(a.mmul(wRec));
      dAlpha = gNext.mul(f.sub(h)).sum(0);
    }
    g.get("w_rec").addi(a.transpose().mmul(h));
    g.get("w_in").addi(a.transpose().mmul(step.input()));
    INDArray db = a.sum(0);
    g.get("b_rec").addi(db);
    g.get("b_in").addi(db);
    // dL/dτ = −α²·dL/dα where τ ≥ 1 (the clamp passes the gradient at τ = 1), 0 below
    INDArray passes = taus.gte(1.0).castTo(dataType);
    g.get("taus").addi(dAlpha.muli(alpha).muli(alpha).muli(passes).negi());
    return new StepGradients(gPrev, a.mmul(wIn));
  }

  /** α = 1/max(τ, 1), per unit. */
  private INDArray alpha() {
    return Transforms.max(taus, 1.0, true).rdivi(1.0);
  }

  private INDArray phi(INDArray z) {
    return switch (config.nonlinearity()) {
      case TANH -> Transforms.tanh(z, true);
      case RELU -> Transforms.relu(z, true);
      case LEAKY_RELU -> Transforms.leakyRelu(z, config.leakySlope(), true);
    };
  }

  /** φ′ at the argument {@code z}, given φ(z) (tanh′ = 1 − φ²; the ReLUs' slope from z > 0). */
  private INDArray phiPrime(INDArray z, INDArray phiOfZ) {
    if (config.nonlinearity() == Nonlinearity.TANH) {
      return phiOfZ.mul(phiOfZ).rsubi(1.0);
    }
    double negative = config.nonlinearity() == Nonlinearity.LEAKY_RELU ? config.leakySlope() : 0.0;
    INDArray positive = z.gt(0.0).castTo(dataType);
    return positive.muli(1.0 - negative).addi(negative);
  }
}
