package engram.models.common;

import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMax;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The per-neuron timescale τ and its clamp α = 1/max(τ, 1): the arrays derived from τ at every
 * forward pass and the chain rule dL/dτ = −α²·dL/dα for τ ≥ 1 (0 below, where the clamp is
 * active; at τ = 1 the gradient passes, as torch.clamp does).
 */
public final class Tau {

  private final INDArray clamped; // max(τ, 1)
  private final INDArray alpha; // 1 / max(τ, 1)
  private final INDArray oneMinusAlpha;
  private final INDArray negGate; // −1 where τ ≥ 1, 0 where the clamp is active

  /** Scratch for {@code hidden} neurons. */
  public Tau(int hidden, DataType type) {
    clamped = Nd4j.create(type, hidden);
    alpha = Nd4j.create(type, hidden);
    oneMinusAlpha = Nd4j.create(type, hidden);
    negGate = Nd4j.create(type, hidden);
  }

  /** The τ parameter: U(min, max) per neuron when trainable (drawn from rng), else all fixed. */
  public static INDArray initial(
      RandomGenerator rng, boolean trainable, double min, double max, double fixed, int hidden,
      DataType type) {
    return trainable
        ? Init.uniform(rng, min, max, type, hidden)
        : Nd4j.valueArrayOf(new long[] {hidden}, fixed, type);
  }

  /** Recomputes max(τ, 1), α, 1 − α and the clamp's gradient mask from {@code taus}. */
  public void update(INDArray taus) {
    Nd4j.exec(new ScalarMax(taus, null, clamped, 1.0));
    clamped.rdiv(1.0, alpha);
    alpha.rsub(1.0, oneMinusAlpha);
    // (max(τ,1) > τ) − 1 = −[τ ≥ 1]: the clamp passes the gradient at τ = 1, as torch.clamp does.
    Nd4j.exec(new SubOp(clamped, taus, negGate));
    Nd4j.exec(new Step(negGate, negGate, 0.0));
    negGate.subi(1.0);
  }

  /** dL/dτ = −α·(α·dL/dα) where τ ≥ 1, 0 below: {@code dTau} ← −[τ ≥ 1]⊙alphaDLdAlpha. */
  public void gradient(INDArray alphaDLdAlpha, INDArray dTau) {
    Nd4j.exec(new MulOp(alphaDLdAlpha, negGate, dTau));
  }

  /** max(τ, 1) = 1/α. */
  public INDArray clamped() {
    return clamped;
  }

  /** α = 1/max(τ, 1). */
  public INDArray alpha() {
    return alpha;
  }

  /** 1 − α. */
  public INDArray oneMinusAlpha() {
    return oneMinusAlpha;
  }
}
