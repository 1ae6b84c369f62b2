package engram.models.common;

import engram.kernels.HostLoops;
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
 * forward pass and the chain rule dL/dτ = −α²·dL/dα for τ ≥ 1 (0 below, where the clamp is active;
 * at τ = 1 the gradient passes, as torch.clamp does).
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
      RandomGenerator rng,
      boolean trainable,
      double min,
      double max,
      double fixed,
      int hidden,
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

  /**
   * {@link #update(INDArray)} in plain Java for a C-contiguous FLOAT or DOUBLE τ (one read of τ,
   * four bulk writes, instead of six ND4J ops), with the same values bit for bit (float arithmetic
   * for FLOAT); also hands α and 1 − α back in {@code alphaOut} and {@code oneMinusAlphaOut}
   * (widened to double), each of length H.
   */
  public void update(INDArray taus, double[] alphaOut, double[] oneMinusAlphaOut) {
    int n = alphaOut.length;
    if (taus.dataType() == DataType.FLOAT) {
      float[] t = new float[n];
      float[] c = new float[n];
      float[] a = new float[n];
      float[] om = new float[n];
      float[] g = new float[n];
      HostLoops.get(HostLoops.pointer(taus), 0, t, n);
      for (int i = 0; i < n; i++) {
        c[i] = Math.max(t[i], 1f);
        a[i] = 1f / c[i];
        om[i] = 1f - a[i];
        g[i] = c[i] - t[i] > 0f ? 0f : -1f;
        alphaOut[i] = a[i];
        oneMinusAlphaOut[i] = om[i];
      }
      HostLoops.put(HostLoops.pointer(clamped), 0, c, n);
      HostLoops.put(HostLoops.pointer(alpha), 0, a, n);
      HostLoops.put(HostLoops.pointer(oneMinusAlpha), 0, om, n);
      HostLoops.put(HostLoops.pointer(negGate), 0, g, n);
    } else {
      double[] t = new double[n];
      double[] c = new double[n];
      double[] g = new double[n];
      HostLoops.get(HostLoops.pointer(taus), 0, t, n);
      for (int i = 0; i < n; i++) {
        c[i] = Math.max(t[i], 1.0);
        alphaOut[i] = 1.0 / c[i];
        oneMinusAlphaOut[i] = 1.0 - alphaOut[i];
        g[i] = c[i] - t[i] > 0.0 ? 0.0 : -1.0;
      }
      HostLoops.put(HostLoops.pointer(clamped), 0, c, n);
      HostLoops.put(HostLoops.pointer(alpha), 0, alphaOut, n);
      HostLoops.put(HostLoops.pointer(oneMinusAlpha), 0, oneMinusAlphaOut, n);
      HostLoops.put(HostLoops.pointer(negGate), 0, g, n);
    }
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
