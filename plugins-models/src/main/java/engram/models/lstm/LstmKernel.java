package engram.models.lstm;

import static engram.kernels.Buffers.broadcastMul;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import engram.api.SequenceKernel;
import engram.api.Trajectory;
import engram.kernels.Blas;
import engram.kernels.Buffers;
import engram.kernels.FloatActivations;
import engram.kernels.HostLoops;
import engram.models.common.Shapes;
import engram.models.common.Tau;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The LSTM's fused float32 kernel (equations in {@link LstmModel}, the step and its VJP in {@link
 * LstmCell}, which it must match): the whole sequence with a hand-written BPTT, on ND4J's CPU
 * backend, where a step makes <b>no ND4J op</b>: its two products go straight to OpenBLAS ({@link
 * Blas}) and all its elementwise work, σ and tanh included, is one chunked pass of plain Java loops
 * ({@link HostLoops}, {@link FloatActivations}). It reads the cell's live parameters at every
 * forward pass. The state is s = [h | c]; s_0 may have any c_0.
 *
 * <h2>Layout: feature-major per step</h2>
 *
 * Every per-step quantity is stored <em>transposed</em>, as a {@code [rows, B]} block (one column
 * per sequence), and the blocks of consecutive steps follow each other in one buffer: with the
 * gates of step t computed as a {@code [4H, B]} block, each gate is a contiguous {@code [H, B]}
 * slab that one bulk copy moves between the native buffer and the Java loops, and a gemm writes
 * only into contiguous outputs. Internally the gate rows are ordered <b>o, i, f, g</b> (PyTorch's
 * are i, f, g, o), so that the σ gates are contiguous and the companion block Q below lines up with
 * them. {@link #prepare} copies the parameters into this order at every forward pass; {@link
 * #backward} copies the gradients back.
 *
 * <h2>Forward</h2>
 *
 * S_t = [h_{t−1}; x_t; 1] ({@code [H+I+1, B]}, blocks t = 0..T of one buffer; the row of ones
 * carries the biases) and W = [W_hh | W_ih | b_ih + b_hh] ({@code [4H, H+I+1]}), so the input
 * projection is part of the recurrent gemm (one gemm over all T·B rows could not produce the
 * per-step {@code [4H, B]} blocks of this layout without a copy). SIG_t = [o; i; f] and Q_t =
 * [tanh(c_t); g_t; c_{t−1}] ({@code [3H, B]} each) are kept for the backward pass; c_0, the second
 * block of s_0, sits in Q_0. Per step:
 *
 * <pre>
 *   gemm   Z = W·S_t                                     (scratch [4H, B])
 *   loop   SIG_t = σ(Z[o, i, f]),  Q_t[g] = tanh(Z[g]),  c_t = i⊙g + f⊙c_{t−1} → Q_{t+1}[c],
 *          Q_t[tanh c] = tanh(c_t),  h_t = o⊙tanh(c_t) → S_{t+1}[h]
 * </pre>
 *
 * With the τ leak the hidden rows of S hold k = h/α (per neuron) and the h-columns of W are scaled
 * by α, so that W·S is unchanged; the loop adds (1−α)⊙k_{t−1} (k_t = (1−α)⊙k_{t−1} + o⊙tanh(c_t)).
 * After the loop h_1..h_T are transposed into the trajectory {@code [T, B, H]} (times α with the
 * leak) in Java, one step's block at a time.
 *
 * <h2>Backward</h2>
 *
 * dL/dh is transposed into δH ({@code [T, H, B]}) in Java. Then, per step from t = T−1 down to 0,
 * with δh_t the total gradient at h_t (α⊙δh_t with the leak) and Y = δc_{t+1}⊙f_{t+1} carried
 * between steps (0 at t = T−1):
 *
 * <pre>
 *   loop   δc = δh_t⊙o⊙(1 − tanh²c_t) + Y,   Y ← δc⊙f_t,
 *          D = [δh_t⊙tanh(c_t)⊙o(1−o); δc⊙g⊙i(1−i); δc⊙c_{t−1}⊙f(1−f); δc⊙i⊙(1−g²)]
 *          (with the leak, first δh_{t−1} += (1−α)⊙δh_t)
 *   gemm   δh_{t−1} += W_hhᵀ·D                           (not at t = 0)
 *   gemm   dW += D·S_tᵀ                                  (β = 0 at t = T−1)
 * </pre>
 *
 * The last gemm accumulates dW = Σ_t D_t·S_tᵀ = [dW_hh | dW_ih | db] (db_ih = db_hh = the last
 * column). The loop computes σ′ and tanh′ on the spot from SIG_t and Q_t; W_hhᵀ·D is a plain
 * product against a transposed copy of W_hh made per forward pass. With the leak the h-columns of
 * dW are scaled by α afterwards (S holds k = h/α), and dL/dτ_i = −α_i·Σ_{t,b} δh_t·(h_t − h_{t−1})
 * for τ_i ≥ 1 (0 below) is one whole-sequence reduction, with δh the total dL/dh_t.
 *
 * <h2>Ablation</h2>
 *
 * With a keep mask over s = [h | c] ({@link SequenceKernel.ClampsState}) the kernel clamps as the
 * step-by-step runner does. The hidden rows of S (k = h/α with the leak: the same mask per unit)
 * hold the clamped h_t, from h_0 ⊙ keep on. Q keeps the unclamped c_t, the extra {@code c} as the
 * cell's steps report it; where c_t is the state (c_{t−1} in the next step's c and in D[f]) the
 * loops read it times keep. Backward, δh_t times keep goes back into δH where it is first read (so
 * the leak's term and dL/dτ see the clamped gradient) and the carry Y, dL/dc_t, is multiplied by
 * keep before δc is formed. Without a mask none of this work is done.
 *
 * <h2>Why the loops look as they do</h2>
 *
 * ND4J 1.0.0-M2.1's Sigmoid and Tanh are not vectorised and, on a step's block, cost more than the
 * step's gemm; the loops of {@link FloatActivations} are. Each loop stores into one array (C2
 * vectorises those, not loops that store into several), each chunk of a step is a method of its own
 * (inside the whole step loop C2 left the code in C1 for many calls), and chunks of {@link #CHUNK}
 * elements keep the Java scratch in L1/L2. The arithmetic follows the equations above in their
 * order. See LstmTiming under src/test for the kernel's speed against the cell's.
 *
 * <h2>Buffers</h2>
 *
 * Buffers are allocated for the largest T·B seen and reused for smaller ones; per-shape views are
 * built once per shape. The trajectory's hidden states, s_0 and every extra live in buffers of
 * their own and start at offset 0: ND4J 1.0.0-M2.1 returns an empty scalar for {@code slice(T−1)}
 * of a view at a non-zero offset. The extras are copied from SIG and Q (transposed) only when
 * {@link Trajectory#extras()} is first called, and refused for a stale trajectory. Memory: about
 * 9·T·B·H elements (11 with a trained τ; plus 5·T·B·H once extras are read). One thread at a time.
 */
final class LstmKernel implements SequenceKernel.ClampsState {

  /** Elements per chunk of the step loops: their Java scratch stays in L1/L2. */
  static final int CHUNK = 2048;

  private static final String[] EXTRAS = {"c", "i", "f", "g", "o"};

  private final int hidden;
  private final int inputs;
  private final int augmented; // H + I + 1: rows of S_t, columns of W
  private final boolean leak;
  private final boolean trainTau;
  private final Buffers buffers = new Buffers(DataType.FLOAT);

  // The cell's parameters (live arrays), PyTorch layout: row blocks i, f, g, o.
  private final INDArray wIh;
  private final INDArray wHh;
  private final INDArray bIh;
  private final INDArray bHh;
  private final INDArray taus; // null without the leak
  // Views: rows [0, 3H) hold i, f, g and rows [3H, 4H) hold o.
  private final INDArray wIhIfg;
  private final INDArray wIhO;
  private final INDArray wHhIfg;
  private final INDArray wHhO;
  private final INDArray bIhIfg;
  private final INDArray bIhO;
  private final INDArray bHhIfg;
  private final INDArray bHhO;

  // Derived from the parameters at every forward pass; internal row order o, i, f, g.
  private final INDArray weights; // W = [W_hh (·α with the leak) | W_ih | b_ih + b_hh]
  private final INDArray weightsH;
  private final INDArray weightsHo;
  private final INDArray weightsHifg;
  private final INDArray weightsXo;
  private final INDArray weightsXifg;
  private final INDArray weightsBo;
  private final INDArray weightsBifg;
  private final INDArray recurrent; // W_hh unscaled, [4H, H]: the source of its transpose
  // Its transpose [H, 4H]: W_hhᵀ·D as a plain (no-transpose) gemm, which OpenBLAS runs faster.
  private final INDArray recurrentTransposed;
  private final Tau tau;
  private final INDArray tauClamped; // max(τ, 1) = 1/α
  private final INDArray alpha;
  private final double[] alphaHost; // α and 1 − α per unit (Tau's Java update)
  private final double[] oneMinusAlphaHost;

  // Backward scratch of parameter size.
  private final INDArray gradW; // [4H, H+I+1] = [dW_hh | dW_ih | db], internal row order
  private final INDArray gradWh;
  private final INDArray gradWx;
  private final INDArray gradWb;
  private final INDArray sumH;

  // Growable flat buffers (each its own allocation, so every view offset is absolute).
  private INDArray stateFlat; // S: (T+1)·(H+I+1)·B
  private INDArray gateFlat; // Z: 4H·B
  private INDArray sigFlat; // SIG: T·3H·B
  private INDArray companionFlat; // Q: (T+1)·3H·B
  private INDArray hiddenFlat; // the trajectory: T·B·H
  private INDArray s0Flat; // the trajectory's s_0: B·2H
  private final INDArray[] extraFlats = new INDArray[EXTRAS.length];

  // Views of the current forward shape.
  private int viewSteps = -1;
  private int viewBatch = -1;
  private INDArray sHidden0; // S_0[h], [H, B]
  private INDArray qC0; // Q_0[c] = c_0, [H, B]
  private INDArray sInputs; // x rows of S_0..S_{T−1}, [T, I, B]
  private INDArray hiddenView; // [T, B, H], offset 0
  private INDArray s0View; // [B, 2H], offset 0
  private INDArray h0View; // s_0's first block, [B, H]
  private INDArray c0View; // s_0's second block, [B, H]

  // Backward buffers and views.
  private INDArray gradHFlat; // δH: T·H·B
  private INDArray deltaFlat; // D: 4H·B
  private INDArray diffFlat; // h_t − h_{t−1} (dL/dτ): T·B·H
  private INDArray diffTFlat; // its transpose, times δH: T·H·B
  private int derivSteps = -1;
  private int derivBatch = -1;
  private INDArray gradHAll; // δH as [T, H, B]

  // Java scratch of one chunk, and α, 1 − α repeated over the B columns (leak).
  private final float[][] scratch = new float[10][CHUNK];
  private float[] alphaColsHost;
  private float[] oneMinusAlphaColsHost;
  private float[] carryHost; // Y = δc_{t+1}⊙f_{t+1}, [H·B]
  private float[] blockA; // one step's [H·B] block, for the transposes in and out of the layout
  private float[] blockB;

  private long generation;
  private LstmTrajectory lastTrajectory;

  // The ablation clamp of the latest forward pass (ClampsState); clamping is false without one.
  private boolean clamping;
  private final INDArray keepH; // keep's h block as [H] (masks S_0[h])
  private float[] keepHCols; // keep's h and c blocks repeated over the B columns, [H·B]
  private float[] keepCCols;

  /**
   * A kernel for {@code cell}, which must be float32 (see {@link LstmModel#kernel}).
   *
   * @param cell the cell whose parameters this kernel reads (live: every forward pass reads them)
   */
  LstmKernel(LstmCell cell) {
    this.hidden = cell.hiddenSize();
    this.inputs = cell.inputSize();
    this.augmented = hidden + inputs + 1;
    this.leak = cell.config().tauLeak();
    this.trainTau = leak && cell.config().trainTau();
    int h = hidden;
    long h4 = 4L * h;
    wIh = cell.wIh;
    wHh = cell.wHh;
    bIh = cell.bIh;
    bHh = cell.bHh;
    taus = cell.taus;

    wIhIfg = buffers.block(wIh, 0, 3L * h, 0, inputs);
    wIhO = buffers.block(wIh, 3L * h, h, 0, inputs);
    wHhIfg = buffers.block(wHh, 0, 3L * h, 0, h);
    wHhO = buffers.block(wHh, 3L * h, h, 0, h);
    bIhIfg = buffers.segment(bIh, 0, 3L * h);
    bIhO = buffers.segment(bIh, 3L * h, h);
    bHhIfg = buffers.segment(bHh, 0, 3L * h);
    bHhO = buffers.segment(bHh, 3L * h, h);

    weights = Nd4j.create(DataType.FLOAT, h4, augmented);
    weightsH = buffers.block(weights, 0, h4, 0, h);
    weightsHo = buffers.block(weights, 0, h, 0, h);
    weightsHifg = buffers.block(weights, h, 3L * h, 0, h);
    weightsXo = buffers.block(weights, 0, h, h, inputs);
    weightsXifg = buffers.block(weights, h, 3L * h, h, inputs);
    weightsBo = columnVector(buffers.block(weights, 0, h, augmented - 1, 1));
    weightsBifg = columnVector(buffers.block(weights, h, 3L * h, augmented - 1, 1));
    recurrent = Nd4j.create(DataType.FLOAT, h4, h);
    recurrentTransposed = Nd4j.create(DataType.FLOAT, h, h4);
    tau = new Tau(h, DataType.FLOAT);
    tauClamped = tau.clamped();
    alpha = tau.alpha();
    alphaHost = new double[h];
    oneMinusAlphaHost = new double[h];

    gradW = Nd4j.create(DataType.FLOAT, h4, augmented);
    gradWh = buffers.block(gradW, 0, h4, 0, h);
    gradWx = buffers.block(gradW, 0, h4, h, inputs);
    gradWb = columnVector(buffers.block(gradW, 0, h4, augmented - 1, 1));
    sumH = Nd4j.create(DataType.FLOAT, h);
    keepH = Nd4j.create(DataType.FLOAT, h);
  }

  @Override
  public String name() {
    return "lstm/fused";
  }

  // ---------------------------------------------------------------- forward

  /**
   * Runs the LSTM from s_0 = [h_0 | c_0].
   *
   * @param x {@code [T, B, I]}; not modified
   * @param s0 {@code [B, 2H]}; not modified (copied into the trajectory)
   * @param drive must be null: the LSTM takes no recurrent drive
   * @return hidden states {@code [T, B, H]} and the extras c, i, f, g, o, valid until the next call
   */
  @Override
  public Trajectory forward(INDArray x, INDArray s0, INDArray drive) {
    return forward(x, s0, drive, null);
  }

  /**
   * As {@link #forward(INDArray, INDArray, INDArray)}, with the state clamped by {@code keep}
   * ({@code [2H]} over [h | c], 0 and 1; copied here) when it is not null (see the class Javadoc).
   * The trajectory's initial state stays the unclamped s_0 and its extra {@code c} the unclamped
   * c_t, as the runner reports them.
   */
  @Override
  public Trajectory forward(INDArray x, INDArray s0, INDArray drive, INDArray keep) {
    if (drive != null) {
      throw new UnsupportedOperationException("lstm does not accept a recurrent drive");
    }
    Shapes.checkInputs(x, inputs);
    int steps = Math.toIntExact(x.size(0));
    int batch = Math.toIntExact(x.size(1));
    if (s0 == null || s0.rank() != 2 || s0.size(0) != batch || s0.size(1) != 2L * hidden) {
      throw new IllegalArgumentException(
          "s0 must be [" + batch + ", " + 2 * hidden + "], was " + Shapes.shapeOf(s0));
    }
    lastTrajectory = null;
    generation++;
    shapeViews(steps, batch);
    prepare(batch);
    setKeep(keep, batch);

    sInputs.assign(x.permute(0, 2, 1)); // casts if the task's type differs
    s0View.assign(s0);
    sHidden0.assign(h0View.transpose());
    if (clamping) {
      broadcastMul(sHidden0, keepH, sHidden0, 0); // c_0 is masked where it is read
    }
    if (leak) {
      broadcastMul(sHidden0, tauClamped, sHidden0, 0); // k_0 = h_0/α
    }
    qC0.assign(c0View.transpose());

    int hb = hidden * batch;
    long kb = (long) augmented * batch;
    Pointer w = HostLoops.pointer(weights);
    Pointer state = HostLoops.pointer(stateFlat);
    Pointer gate = HostLoops.pointer(gateFlat);
    Pointer sigP = HostLoops.pointer(sigFlat);
    Pointer comp = HostLoops.pointer(companionFlat);
    for (int t = 0; t < steps; t++) {
      Blas.gemm(
          false,
          false,
          4 * hidden,
          batch,
          augmented,
          1.0,
          w,
          0,
          augmented,
          state,
          t * kb,
          batch,
          0.0,
          gate,
          0,
          batch);
      for (int e0 = 0; e0 < hb; e0 += CHUNK) {
        forwardChunk(state, gate, sigP, comp, t, hb, kb, e0, Math.min(CHUNK, hb - e0));
      }
    }
    // h_t = S_{t+1}[h]ᵀ (k_t·α with the leak): [H, B] blocks to the trajectory's [B, H].
    Pointer out = HostLoops.pointer(hiddenFlat);
    for (int t = 0; t < steps; t++) {
      HostLoops.get(state, (t + 1) * kb, blockA, hb);
      transpose(blockA, blockB, hidden, batch, leak ? alphaColsHost : null);
      HostLoops.put(out, (long) t * hb, blockB, hb);
    }
    lastTrajectory = new LstmTrajectory(hiddenView, s0View, steps, batch, generation);
    return lastTrajectory;
  }

  /**
   * Elements [e0, e0 + len) of forward step t (a method of its own, so that C2 compiles it early
   * and whole: as part of the step loop it stayed in C1's code for many calls).
   */
  private void forwardChunk(
      Pointer state,
      Pointer gate,
      Pointer sigP,
      Pointer comp,
      int t,
      int hb,
      long kb,
      int e0,
      int len) {
    long qb = 3L * hb;
    long sigAt = t * qb;
    float[] o = scratch[0];
    float[] in = scratch[1];
    float[] f = scratch[2];
    float[] g = scratch[3];
    float[] c = scratch[4]; // c_{t−1}, then c_t
    float[] tc = scratch[5];
    float[] hOut = scratch[6];
    float[] kPrev = scratch[7];
    float[] tmp = scratch[8];
    HostLoops.get(gate, e0, o, len);
    HostLoops.get(gate, hb + e0, in, len);
    HostLoops.get(gate, 2L * hb + e0, f, len);
    HostLoops.get(gate, 3L * hb + e0, g, len);
    HostLoops.get(comp, sigAt + 2L * hb + e0, c, len);
    if (clamping) {
      multiply(c, keepCCols, e0, len); // c_{t−1} of the clamped state (Q holds it unclamped)
    }
    FloatActivations.sigmoid(o, o, tmp, len);
    FloatActivations.sigmoid(in, in, tmp, len);
    FloatActivations.sigmoid(f, f, tmp, len);
    FloatActivations.tanh(g, g, len);
    for (int i = 0; i < len; i++) {
      c[i] = in[i] * g[i] + f[i] * c[i];
    }
    FloatActivations.tanh(c, tc, len);
    for (int i = 0; i < len; i++) {
      hOut[i] = o[i] * tc[i];
    }
    if (leak) {
      HostLoops.get(state, t * kb + e0, kPrev, len);
      float[] a = oneMinusAlphaColsHost;
      for (int i = 0; i < len; i++) {
        hOut[i] = hOut[i] + kPrev[i] * a[e0 + i];
      }
    }
    if (clamping) {
      multiply(hOut, keepHCols, e0, len);
    }
    HostLoops.put(sigP, sigAt + e0, o, len);
    HostLoops.put(sigP, sigAt + hb + e0, in, len);
    HostLoops.put(sigP, sigAt + 2L * hb + e0, f, len);
    HostLoops.put(comp, sigAt + e0, tc, len);
    HostLoops.put(comp, sigAt + hb + e0, g, len);
    HostLoops.put(comp, sigAt + qb + 2L * hb + e0, c, len);
    HostLoops.put(state, (t + 1) * kb + e0, hOut, len);
  }

  /** z[0..n) ⊙= mask[from..from+n) (the clamp). */
  private static void multiply(float[] z, float[] mask, int from, int n) {
    for (int i = 0; i < n; i++) {
      z[i] *= mask[from + i];
    }
  }

  /**
   * dst ← srcᵀ for a row-major [rows, cols] src, each element times scale[its index in src] when
   * scale is not null.
   */
  private static void transpose(float[] src, float[] dst, int rows, int cols, float[] scale) {
    for (int i = 0; i < rows; i++) {
      int from = i * cols;
      if (scale == null) {
        for (int j = 0; j < cols; j++) {
          dst[j * rows + i] = src[from + j];
        }
      } else {
        for (int j = 0; j < cols; j++) {
          dst[j * rows + i] = src[from + j] * scale[from + j];
        }
      }
    }
  }

  /**
   * Copies the parameters into the internal layout (row order o, i, f, g) and derives α, repeated
   * over {@code batch} columns.
   */
  private void prepare(int batch) {
    Nd4j.exec(new AddOp(bIhO, bHhO, weightsBo));
    Nd4j.exec(new AddOp(bIhIfg, bHhIfg, weightsBifg));
    weightsXo.assign(wIhO);
    weightsXifg.assign(wIhIfg);
    weightsHo.assign(wHhO);
    weightsHifg.assign(wHhIfg);
    recurrent.assign(weightsH);
    int n = 4 * hidden * hidden;
    float[] rows = new float[n];
    float[] columns = new float[n];
    HostLoops.get(HostLoops.pointer(recurrent), 0, rows, n);
    transpose(rows, columns, 4 * hidden, hidden, null);
    HostLoops.put(HostLoops.pointer(recurrentTransposed), 0, columns, n);
    if (leak) {
      tau.update(taus, alphaHost, oneMinusAlphaHost);
      broadcastMul(weightsH, alpha, weightsH, 1); // W_hh·diag(α), so that W_hh·h = (W_hh·diag(α))·k
      for (int u = 0; u < hidden; u++) {
        // α was computed in float (Tau's update), so these casts are exact.
        Arrays.fill(alphaColsHost, u * batch, (u + 1) * batch, (float) alphaHost[u]);
        Arrays.fill(
            oneMinusAlphaColsHost, u * batch, (u + 1) * batch, (float) oneMinusAlphaHost[u]);
      }
    }
  }

  /**
   * Takes the clamp of this forward pass: none for null, else keep's blocks copied into keepH and
   * the column-repeated keepHCols and keepCCols.
   */
  private void setKeep(INDArray keep, int batch) {
    clamping = keep != null;
    if (!clamping) {
      return;
    }
    int h = hidden;
    if (keep.length() != 2L * h) {
      throw new IllegalArgumentException(
          "keep must have the state's " + 2 * h + " entries, had " + keep.length());
    }
    double[] mask = keep.castTo(DataType.DOUBLE).reshape(2L * h).toDoubleVector();
    int n = h * batch;
    if (keepHCols == null || keepHCols.length != n) {
      keepHCols = new float[n];
      keepCCols = new float[n];
    }
    float[] row = new float[h];
    for (int u = 0; u < h; u++) {
      row[u] = (float) mask[u];
      Arrays.fill(keepHCols, u * batch, (u + 1) * batch, row[u]);
      Arrays.fill(keepCCols, u * batch, (u + 1) * batch, (float) mask[h + u]);
    }
    HostLoops.put(HostLoops.pointer(keepH), 0, row, h);
  }

  // --------------------------------------------------------------- backward

  /**
   * BPTT from dL/dh.
   *
   * @param trajectory the latest forward pass's
   * @param dLdh {@code [T, B, H]}; only read
   * @param dLdExtras must be empty: the LSTM's extras are not differentiable
   * @param gradients w_ih, w_hh, b_ih, b_hh (and taus when trained), overwritten with dL/dθ
   */
  @Override
  public void backward(
      Trajectory trajectory,
      INDArray dLdh,
      Map<String, INDArray> dLdExtras,
      Map<String, INDArray> gradients) {
    Shapes.checkLatest(trajectory, lastTrajectory);
    if (!dLdExtras.isEmpty()) {
      throw new IllegalArgumentException(
          "lstm cannot backpropagate from its extras " + dLdExtras.keySet());
    }
    int steps = lastTrajectory.steps;
    int batch = lastTrajectory.batch;
    Shapes.checkDLdh(dLdh, steps, batch, hidden);
    INDArray gWIh = Shapes.gradientArray(gradients, "w_ih", wIh);
    INDArray gWHh = Shapes.gradientArray(gradients, "w_hh", wHh);
    INDArray gBIh = Shapes.gradientArray(gradients, "b_ih", bIh);
    INDArray gBHh = Shapes.gradientArray(gradients, "b_hh", bHh);
    INDArray gTaus = trainTau ? Shapes.gradientArray(gradients, "taus", taus) : null;

    derivViews(steps, batch);
    backwardLoop(dLdh, steps, batch);

    if (leak) {
      broadcastMul(gradWh, alpha, gradWh, 1); // S held k = h/α
    }
    // Internal row order o, i, f, g back to PyTorch's i, f, g, o.
    long h3 = 3L * hidden;
    long h4 = 4L * hidden;
    gWHh.get(interval(0, h3), all()).assign(buffers.block(gradWh, hidden, h3, 0, hidden));
    gWHh.get(interval(h3, h4), all()).assign(buffers.block(gradWh, 0, hidden, 0, hidden));
    gWIh.get(interval(0, h3), all()).assign(buffers.block(gradWx, hidden, h3, 0, inputs));
    gWIh.get(interval(h3, h4), all()).assign(buffers.block(gradWx, 0, hidden, 0, inputs));
    gBIh.get(interval(0, h3)).assign(buffers.segment(gradWb, hidden, h3));
    gBIh.get(interval(h3, h4)).assign(buffers.segment(gradWb, 0, hidden));
    gBHh.assign(gBIh);

    if (gTaus != null) {
      tauGradient(steps, batch, gTaus);
    }
  }

  /**
   * The backward loop. dL/dh is transposed into δH in Java, one step's block at a time; then per
   * step one chunked Java pass forms D, the carry Y and, with the leak, adds (1 − α)⊙δh_t into
   * δh_{t−1}; the two products go straight to OpenBLAS.
   */
  private void backwardLoop(INDArray dLdh, int steps, int batch) {
    int hb = hidden * batch;
    long kb = (long) augmented * batch;
    INDArray source =
        dLdh.dataType() == DataType.FLOAT
                && dLdh.ordering() == 'c'
                && Shape.hasDefaultStridesForShape(dLdh)
            ? dLdh
            : dLdh.castTo(DataType.FLOAT).dup('c');
    Pointer src = HostLoops.pointer(source);
    Pointer gh = HostLoops.pointer(gradHFlat);
    for (int t = 0; t < steps; t++) {
      HostLoops.get(src, (long) t * hb, blockA, hb);
      transpose(blockA, blockB, batch, hidden, null);
      HostLoops.put(gh, (long) t * hb, blockB, hb);
    }
    Pointer sigP = HostLoops.pointer(sigFlat);
    Pointer comp = HostLoops.pointer(companionFlat);
    Pointer state = HostLoops.pointer(stateFlat);
    Pointer d = HostLoops.pointer(deltaFlat);
    Pointer rec = HostLoops.pointer(recurrentTransposed);
    Pointer gw = HostLoops.pointer(gradW);
    Arrays.fill(carryHost, 0, hb, 0f); // no Y at t = T−1 (adding 0 leaves δc as it is)
    for (int t = steps - 1; t >= 0; t--) {
      boolean last = t == steps - 1;
      for (int e0 = 0; e0 < hb; e0 += CHUNK) {
        backwardChunk(gh, sigP, comp, d, t, hb, e0);
      }
      if (t > 0) {
        Blas.gemm(
            false,
            false,
            hidden,
            batch,
            4 * hidden,
            1.0,
            rec,
            0,
            4 * hidden,
            d,
            0,
            batch,
            1.0,
            gh,
            (long) (t - 1) * hb,
            batch);
      }
      Blas.gemm(
          false,
          true,
          4 * hidden,
          augmented,
          batch,
          1.0,
          d,
          0,
          batch,
          state,
          t * kb,
          batch,
          last ? 0.0 : 1.0,
          gw,
          0,
          augmented);
    }
  }

  /** Elements [e0, e0 + CHUNK) ∩ [0, H·B) of backward step t (a method of its own, as forward). */
  private void backwardChunk(
      Pointer gh, Pointer sigP, Pointer comp, Pointer d, int t, int hb, int e0) {
    long at = t * 3L * hb;
    float[] dh = scratch[0];
    float[] o = scratch[1]; // o, then D[o]
    float[] in = scratch[2];
    float[] f = scratch[3]; // f, then D[f]
    float[] tc = scratch[4];
    float[] g = scratch[5]; // g, then D[g]
    float[] cPrev = scratch[6];
    float[] back = scratch[7];
    float[] dc = scratch[8]; // δc
    float[] dIn = scratch[9]; // D[i]
    float[] carry = carryHost;
    int len = Math.min(CHUNK, hb - e0);
    HostLoops.get(gh, (long) t * hb + e0, dh, len);
    HostLoops.get(sigP, at + e0, o, len);
    HostLoops.get(sigP, at + hb + e0, in, len);
    HostLoops.get(sigP, at + 2L * hb + e0, f, len);
    HostLoops.get(comp, at + e0, tc, len);
    HostLoops.get(comp, at + hb + e0, g, len);
    HostLoops.get(comp, at + 2L * hb + e0, cPrev, len);
    if (clamping) {
      // The total dL/dh_t ⊙ keep, also back into δH for the leak's term and dL/dτ; dL/dc_t ⊙
      // keep; c_{t−1} of the clamped state.
      multiply(dh, keepHCols, e0, len);
      HostLoops.put(gh, (long) t * hb + e0, dh, len);
      float[] keepC = keepCCols;
      for (int i = 0; i < len; i++) {
        carry[e0 + i] *= keepC[e0 + i];
      }
      multiply(cPrev, keepCCols, e0, len);
    }
    if (leak) {
      if (t > 0) {
        HostLoops.get(gh, (long) (t - 1) * hb + e0, back, len);
        float[] b = oneMinusAlphaColsHost;
        for (int i = 0; i < len; i++) {
          back[i] = back[i] + dh[i] * b[e0 + i];
        }
        HostLoops.put(gh, (long) (t - 1) * hb + e0, back, len);
      }
      float[] a = alphaColsHost;
      for (int i = 0; i < len; i++) {
        dh[i] = dh[i] * a[e0 + i];
      }
    }
    // One loop per result (C2 vectorises a loop that stores into one array, not one that
    // stores into several), in an order that reads every input before it is overwritten.
    for (int i = 0; i < len; i++) {
      dc[i] = dh[i] * ((1f - tc[i] * tc[i]) * o[i]) + carry[e0 + i];
    }
    for (int i = 0; i < len; i++) {
      o[i] = dh[i] * ((1f - o[i]) * o[i] * tc[i]);
    }
    for (int i = 0; i < len; i++) {
      carry[e0 + i] = dc[i] * f[i];
    }
    for (int i = 0; i < len; i++) {
      f[i] = dc[i] * ((1f - f[i]) * f[i] * cPrev[i]);
    }
    for (int i = 0; i < len; i++) {
      dIn[i] = dc[i] * ((1f - in[i]) * in[i] * g[i]);
    }
    for (int i = 0; i < len; i++) {
      g[i] = dc[i] * ((1f - g[i] * g[i]) * in[i]);
    }
    HostLoops.put(d, e0, o, len);
    HostLoops.put(d, hb + e0, dIn, len);
    HostLoops.put(d, 2L * hb + e0, f, len);
    HostLoops.put(d, 3L * hb + e0, g, len);
  }

  /**
   * dL/dτ_i = −α_i·Σ_{t,b} δh_t·(h_t − h_{t−1}) for τ_i ≥ 1, 0 below, with δh the total gradient
   * left in δH by the loop (once per call, in ND4J ops).
   */
  private void tauGradient(int steps, int batch, INDArray gTaus) {
    long bh = (long) batch * hidden;
    long rows = (long) steps * batch;
    INDArray diff = buffers.view(diffFlat, 0, steps, batch, hidden);
    Nd4j.exec(
        new SubOp(
            buffers.view(hiddenFlat, 0, batch, hidden),
            h0View,
            buffers.view(diffFlat, 0, batch, hidden)));
    if (steps > 1) {
      Nd4j.exec(
          new SubOp(
              buffers.view(hiddenFlat, bh, rows - batch, hidden),
              buffers.view(hiddenFlat, 0, rows - batch, hidden),
              buffers.view(diffFlat, bh, rows - batch, hidden)));
    }
    INDArray diffT = buffers.view(diffTFlat, 0, steps, hidden, batch);
    diffT.assign(diff.permute(0, 2, 1));
    Nd4j.exec(new MulOp(diffT, gradHAll, diffT));
    Nd4j.exec(new Sum(diffT, sumH, 0, 2));
    sumH.muli(alpha);
    tau.gradient(sumH, gTaus);
  }

  // ----------------------------------------------------------------- extras

  /** The extras of {@code trajectory}, copied (transposed) from SIG and Q on first use. */
  private Map<String, INDArray> extras(LstmTrajectory trajectory) {
    if (trajectory != lastTrajectory || trajectory.generation != generation) {
      throw new IllegalStateException(
          "extras of a trajectory are valid only until the next forward call");
    }
    if (trajectory.extras == null) {
      int steps = trajectory.steps;
      int batch = trajectory.batch;
      long hb = (long) hidden * batch;
      long qb = 3 * hb;
      long[] shape = {steps, hidden, batch};
      long[] strides = {qb, batch, 1};
      // Sources, each [T, H, B] with step stride 3H·B: c_t = Q_{t+1}[c], i, f, o in SIG, g in Q.
      INDArray[] sources = {
        buffers.view(companionFlat, qb + 2 * hb, shape, strides),
        buffers.view(sigFlat, hb, shape, strides),
        buffers.view(sigFlat, 2 * hb, shape, strides),
        buffers.view(companionFlat, hb, shape, strides),
        buffers.view(sigFlat, 0, shape, strides),
      };
      Map<String, INDArray> map = new LinkedHashMap<>();
      for (int k = 0; k < EXTRAS.length; k++) {
        extraFlats[k] = buffers.ensure(extraFlats[k], steps * hb);
        INDArray out = buffers.view(extraFlats[k], 0, steps, batch, hidden);
        out.assign(sources[k].permute(0, 2, 1));
        map.put(EXTRAS[k], out);
      }
      trajectory.extras = Collections.unmodifiableMap(map);
    }
    return trajectory.extras;
  }

  // ---------------------------------------------------------------- buffers

  /** Makes the forward buffers hold T steps of B sequences and rebuilds their views if needed. */
  private void shapeViews(int steps, int batch) {
    if (steps == viewSteps && batch == viewBatch) {
      return;
    }
    long hb = (long) hidden * batch;
    long kb = (long) augmented * batch;
    long qb = 3 * hb;
    stateFlat = buffers.ensure(stateFlat, (steps + 1) * kb);
    gateFlat = buffers.ensure(gateFlat, 4 * hb);
    sigFlat = buffers.ensure(sigFlat, steps * qb);
    companionFlat = buffers.ensure(companionFlat, (steps + 1) * qb);
    hiddenFlat = buffers.ensure(hiddenFlat, steps * hb);
    s0Flat = buffers.ensure(s0Flat, 2 * hb);

    sHidden0 = buffers.view(stateFlat, 0, hidden, batch);
    qC0 = buffers.view(companionFlat, 2 * hb, hidden, batch);
    // The row of ones of every S_t (the bias input); the other rows are written by every forward.
    buffers
        .view(
            stateFlat,
            (long) (hidden + inputs) * batch,
            new long[] {steps + 1, batch},
            new long[] {kb, 1})
        .assign(1.0);
    sInputs =
        buffers.view(stateFlat, hb, new long[] {steps, inputs, batch}, new long[] {kb, batch, 1});
    hiddenView = buffers.view(hiddenFlat, 0, steps, batch, hidden);
    s0View = buffers.view(s0Flat, 0, batch, 2L * hidden);
    h0View = buffers.view(s0Flat, 0, new long[] {batch, hidden}, new long[] {2L * hidden, 1});
    c0View = buffers.view(s0Flat, hidden, new long[] {batch, hidden}, new long[] {2L * hidden, 1});
    int n = Math.toIntExact(hb);
    if (blockA == null || blockA.length < n) {
      blockA = new float[n];
      blockB = new float[n];
      carryHost = new float[n];
    }
    if (leak) {
      alphaColsHost = new float[n];
      oneMinusAlphaColsHost = new float[n];
    }
    viewSteps = steps;
    viewBatch = batch;
  }

  /** The backward buffers and their views (allocated only once backward is used). */
  private void derivViews(int steps, int batch) {
    if (steps == derivSteps && batch == derivBatch) {
      return;
    }
    long hb = (long) hidden * batch;
    gradHFlat = buffers.ensure(gradHFlat, steps * hb);
    deltaFlat = buffers.ensure(deltaFlat, 4 * hb);
    if (trainTau) {
      diffFlat = buffers.ensure(diffFlat, steps * hb);
      diffTFlat = buffers.ensure(diffTFlat, steps * hb);
    }
    gradHAll = buffers.view(gradHFlat, 0, steps, hidden, batch);
    derivSteps = steps;
    derivBatch = batch;
  }

  /** A one-column matrix view as a (strided) vector. */
  private INDArray columnVector(INDArray column) {
    return buffers.segment(column, 0, column.size(0));
  }

  /** Views into the kernel's buffers; valid until the next forward call. */
  private final class LstmTrajectory implements Trajectory {
    private final INDArray hidden;
    private final INDArray initialState;
    private final int steps;
    private final int batch;
    private final long generation;
    private Map<String, INDArray> extras;

    LstmTrajectory(INDArray hidden, INDArray initialState, int steps, int batch, long generation) {
      this.hidden = hidden;
      this.initialState = initialState;
      this.steps = steps;
      this.batch = batch;
      this.generation = generation;
    }

    @Override
    public INDArray hidden() {
      return hidden;
    }

    /** s_0 = [h_0 | c_0], {@code [B, 2H]}: a copy of what forward was given. */
    @Override
    public INDArray initialState() {
      return initialState;
    }

    /** {@code c}, {@code i}, {@code f}, {@code g}, {@code o}, each {@code [T, B, H]}. */
    @Override
    public Map<String, INDArray> extras() {
      return LstmKernel.this.extras(this);
    }
  }
}
