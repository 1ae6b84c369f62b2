package engram.testkit;

import engram.api.Cell;
import engram.api.Constraint;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A minimal rate-RNN cell for tests that need a real network without a model plugin (a fake
 * analysis run, a regularizer on real trajectories). Row vectors, one row per sequence:
 *
 * <pre>
 *   h_t = (1 − α)⊙h_{t−1} + α⊙tanh(h_{t−1}·W_recᵀ + x_t·W_inᵀ + ξ_t),   α = 1/max(τ, 1)
 * </pre>
 *
 * with α = 1 for every unit when there is no {@code taus}. Parameters (all trainable): {@code w_in
 * [H, I]}, {@code w_rec [H, H]} with its diagonal held at 0, and optionally {@code taus [H]} (a τ
 * at or below 1 gets zero gradient). The initial state is 0; no extras; it accepts a drive ξ {@code
 * [B, H]}. S = H.
 */
public final class TinyRnnCell implements Cell, Cell.AcceptsDrive {
  private final INDArray wIn;
  private final INDArray wRec;
  private final INDArray taus;
  private final List<Parameter> parameters;

  /**
   * A cell over the given arrays, kept live (not copied).
   *
   * @param wIn {@code [H, I]}
   * @param wRec {@code [H, H]}, of the same data type
   * @param taus {@code [H]}, or null for α = 1
   * @throws IllegalArgumentException when the shapes or data types do not fit
   */
  public TinyRnnCell(INDArray wIn, INDArray wRec, INDArray taus) {
    long h = wRec.rows();
    if (wRec.rank() != 2
        || wRec.columns() != h
        || wIn.rank() != 2
        || wIn.rows() != h
        || (taus != null && (taus.rank() != 1 || taus.length() != h))
        || wIn.dataType() != wRec.dataType()
        || (taus != null && taus.dataType() != wRec.dataType())) {
      throw new IllegalArgumentException(
          "TinyRnnCell needs w_in [H, I], w_rec [H, H] and taus"
              + " [H] of one data type, got "
              + java.util.Arrays.toString(wIn.shape())
              + ", "
              + java.util.Arrays.toString(wRec.shape())
              + (taus == null ? "" : ", " + java.util.Arrays.toString(taus.shape())));
    }
    this.wIn = wIn;
    this.wRec = wRec;
    this.taus = taus;
    List<Parameter> ps = new ArrayList<>();
    ps.add(new Parameter("w_in", wIn, true));
    ps.add(new Parameter("w_rec", wRec, true, Constraint.zeroDiagonal((int) h, wRec)));
    if (taus != null) {
      ps.add(new Parameter("taus", taus, true));
    }
    parameters = List.copyOf(ps);
  }

  /**
   * A cell with random parameters: W_in ~ U(−1, 1), W_rec ~ N(0, g²/H) with g = 1.5 off the
   * diagonal, τ ~ U(1, 4).
   *
   * @param hidden H ≥ 1
   * @param inputs I ≥ 1
   * @param withTaus whether the cell has {@code taus}
   * @param type FLOAT or DOUBLE
   * @param rng the only source of randomness
   * @return the cell
   */
  public static TinyRnnCell random(
      int hidden, int inputs, boolean withTaus, DataType type, RandomGenerator rng) {
    INDArray wIn = Nd4j.create(DataType.DOUBLE, hidden, inputs);
    INDArray wRec = Nd4j.create(DataType.DOUBLE, hidden, hidden);
    INDArray taus = Nd4j.create(DataType.DOUBLE, hidden);
    for (int i = 0; i < hidden; i++) {
      for (int k = 0; k < inputs; k++) {
        wIn.putScalar(i, k, 2 * rng.nextDouble() - 1);
      }
      for (int j = 0; j < hidden; j++) {
        wRec.putScalar(i, j, i == j ? 0 : 1.5 * rng.nextGaussian() / Math.sqrt(hidden));
      }
      taus.putScalar(i, 1 + 3 * rng.nextDouble());
    }
    return new TinyRnnCell(
        wIn.castTo(type), wRec.castTo(type), withTaus ? taus.castTo(type) : null);
  }

  /**
   * A step-by-step network (the runtime's {@link CellNetwork}) over copies of checkpoint tensors:
   * {@code w_in}, {@code w_rec} and, when present, {@code taus}; other tensors are ignored.
   *
   * @param tensors tensors by name, e.g. {@link engram.api.Analyzer.Checkpoint#tensors()}
   * @return a new network of the tensors' data type
   * @throws IllegalArgumentException when {@code w_in} or {@code w_rec} is missing or shapes do not
   *     fit
   */
  public static CellNetwork network(Map<String, INDArray> tensors) {
    INDArray wIn = tensors.get("w_in");
    INDArray wRec = tensors.get("w_rec");
    if (wIn == null || wRec == null) {
      throw new IllegalArgumentException(
          "TinyRnnCell.network needs the tensors w_in and w_rec," + " got " + tensors.keySet());
    }
    INDArray taus = tensors.get("taus");
    DataType type = wRec.dataType();
    TinyRnnCell cell =
        new TinyRnnCell(
            wIn.castTo(type).dup('c'),
            wRec.dup('c'),
            taus == null ? null : taus.castTo(type).dup('c'));
    return Networks.wrap("tiny-rnn", cell, null, new NetworkSpec(wIn.columns(), type));
  }

  @Override
  public int hiddenSize() {
    return wRec.rows();
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    return Nd4j.zeros(wRec.dataType(), batch, hiddenSize());
  }

  /** α per unit as a {@code [H]} array: 1/max(τ, 1), or ones. */
  private INDArray alpha() {
    if (taus == null) {
      return Nd4j.ones(wRec.dataType(), hiddenSize());
    }
    return Transforms.max(taus, 1.0, true).rdivi(1.0);
  }

  @Override
  public Step step(INDArray previous, INDArray input, INDArray drive) {
    INDArray pre = previous.mmul(wRec.transpose()).addi(input.mmul(wIn.transpose()));
    if (drive != null) {
      pre.addi(drive);
    }
    INDArray a = Transforms.tanh(pre, true);
    INDArray next = a.sub(previous).muliRowVector(alpha()).addi(previous);
    return new Step(previous, input, drive, next, Map.of(), Map.of("a", a));
  }

  @Override
  public StepGradients vjp(
      Step step, INDArray gNext, Map<String, INDArray> gExtras, Map<String, INDArray> gParameters) {
    INDArray a = step.saved().get("a");
    INDArray alpha = alpha();
    INDArray dPre = gNext.mulRowVector(alpha).muli(a.mul(a).rsubi(1.0));
    INDArray dPrev = gNext.mulRowVector(alpha.rsub(1.0)).addi(dPre.mmul(wRec));
    INDArray dX = dPre.mmul(wIn);
    gParameters.get("w_rec").addi(dPre.transpose().mmul(step.previous()));
    gParameters.get("w_in").addi(dPre.transpose().mmul(step.input()));
    if (taus != null) {
      // dα/dτ = −1/τ² above the clamp, 0 at or below it
      INDArray dAlpha = gNext.mul(a.sub(step.previous())).sum(0);
      INDArray dTau = taus.mul(taus).rdivi(-1.0).muli(taus.gt(1.0).castTo(taus.dataType()));
      gParameters.get("taus").addi(dAlpha.muli(dTau));
    }
    return new StepGradients(dPrev, dX);
  }
}
