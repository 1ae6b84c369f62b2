package engram.models.gru;

import engram.api.SequenceKernel;
import engram.api.Trajectory;
import engram.kernels.Blas;
import engram.kernels.Buffers;
import engram.kernels.FloatActivations;
import engram.kernels.HostLoops;
import engram.models.common.GradientViews;
import engram.models.common.Shapes;
import engram.models.common.Tau;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The GRU's whole-sequence forward pass and BPTT in float32 on ND4J's CPU backend (equations in
 * {@link GruModel}; it gives what {@link GruCell} run step by step gives, up to float rounding). A
 * time step makes <b>no ND4J op</b>: its products go straight through OpenBLAS ({@link Blas}), and
 * all its elementwise work, σ and tanh included, runs as plain Java loops over a chunk of whole
 * rows at a time, bulk-copied between the native buffers and Java arrays small enough to stay in
 * L1/L2 ({@link HostLoops}). An ND4J op on a step's {@code [B, H]} block costs more than its
 * arithmetic at these sizes (dispatch, and ND4J 1.0.0-M2.1's σ and tanh are not vectorised), while
 * {@link FloatActivations}' σ and tanh are, within a few ulp of ND4J's.
 *
 * <h2>Buffers</h2>
 *
 * Row vectors, one row per sequence. Every per-step quantity lives in its own gate-major buffer
 * {@code [T·B, H]} (all from offset 0), so a step's block of each is contiguous: R and Z (the
 * gates' arguments, then r and z), N (then n), P (h_{t−1}·W_hnᵀ + b_hn, then r⊙ that), with the
 * leak Z̃ (z̃ below), and S, the hidden states h_1..h_T, which is the trajectory itself; h_0 has
 * its own buffer (ND4J 1.0.0-M2.1 returns an empty scalar for {@code slice(T−1)} of a view at a
 * non-zero offset, so h_0 is not put in front of S). The recurrent product is three gemms per step,
 * h_{t−1}·W_hgᵀ with W_hg the contiguous row block g ∈ {r, z, n} of w_hh, each writing one of those
 * buffers, not one gemm into strided gate blocks of a {@code [B, 3H]} array.
 *
 * <h2>Forward, per step</h2>
 *
 * With z̃ = z without the leak and z̃ = z⊙α + (1 − α) with it, h_t = (h_{t−1} − n)⊙z̃ + n covers
 * both. The three gemms onto R[t], Z[t], P[t], then one pass: r = σ(R[t]), z = σ(Z[t]), P[t] ←
 * r⊙P[t], n = tanh(N[t] + P[t]), [z̃], h_t. For I ≤ {@value #FOLD_MAX_INPUTS} the gemms write with
 * β = 0 and the pass adds the input projection b + Σ_k x_k·W_k (and b_hn into P), reading row-tiled
 * copies of the weights, because products with so few columns run far below the machine's speed.
 * For more inputs the projection is one gemm per gate over all T·B rows of X_a = [X | 1] before the
 * loop (R ← X_a·[W_ir | b_ir + b_hr]ᵀ, Z likewise, N ← X_a·[W_in | b_in]ᵀ, P ← X_a·[0 | b_hn]ᵀ; the
 * column of ones carries the biases) and the step's gemms add to it.
 *
 * <h2>Backward, per step</h2>
 *
 * With δ_t the total dL/dh_t (dL/dh plus what step t+1 sent back, accumulated in the dL/dh buffer),
 * one pass forms D_z = (h_{t−1} − n)⊙z⊙(1 − z̃)⊙δ, A_n = (1 − z̃)⊙(1 − n²)⊙δ, D_r = (1 − r)⊙P⊙A_n
 * and D_hn = A_n⊙r, which are the cell's e_z, e_n, e_r and e_n⊙r (1 − z̃ = α(1 − z) holds the
 * leak's α), adds δ_t⊙z̃ into δ_{t−1}, and sums db_hn, dτ's Σ δ⊙(h_t − h_{t−1}) and, folded, [dW_ih
 * | db_ih] over the rows; a step's float sums go into totals in double (a float sum over all T·B
 * rows would lose the small terms' bits). Then through OpenBLAS: δ_{t−1} += D_r·W_hr + D_z·W_hz +
 * D_hn·W_hn and dW_hg += D_g[t]ᵀ·h_{t−1}. Not folded, [dW_ih | db_ih] is one gemm per gate of (D_r,
 * D_z, A_n)ᵀ·X_a after the loop. db_hh is db_ih for r and z. With the leak, dL/dτ_i = −α_i·Σ_{t,b}
 * δ_t⊙(h_t − h_{t−1}) for τ_i ≥ 1 and 0 below (h_t − h_{t−1} = α⊙(c − h_{t−1}), so this is the
 * cell's −α²·Σ g⊙(c − h)).
 *
 * <h2>Ablation</h2>
 *
 * With a keep mask ({@link SequenceKernel.ClampsState}) the kernel clamps as the step-by-step
 * runner does: h_0 ⊙ keep goes into its buffer, the forward pass multiplies each h_t by keep before
 * storing it, and the backward pass multiplies δ_t by keep where it first reads it, so that every
 * D_g, δ_{t−1}, dW_hg and dτ term above is the runner's. The gates r, z, n (the extras) are not
 * masked, as the cell's steps report them.
 *
 * <p>Each Java loop stores into one array: C2 (JDK 17) vectorises those, not loops that store into
 * several. Buffers are allocated for the largest T·B seen and reused (views of a prefix) for
 * smaller ones. Memory: five {@code [T·B, H]} buffers for the forward pass (R, Z, N, P, S; six with
 * the leak) and four for the backward pass (D_z, A_n, D_r, D_hn), plus a copy of dL/dh when it
 * cannot be used in place. Not thread-safe (one kernel, one thread).
 */
final class GruKernel implements SequenceKernel.ClampsState {

  /** Elements per chunk of the loops (whole rows): their Java scratch stays in L1/L2. */
  private static final int CHUNK = 2048;

  /**
   * Up to this many inputs the loops add the input projection and sum [dW_ih | db_ih] (see the
   * class comment); they keep 3·I weight rows and 3·I sums per chunk position, hence the small
   * bound.
   */
  static final int FOLD_MAX_INPUTS = 4;

  private final int hidden;
  private final int inputs;
  private final int rowsPerChunk;
  private final boolean folded;
  private final boolean leak;
  private final boolean trainTau;
  private final Buffers buffers;

  // The cell's parameters (live arrays) and views into them.
  private final INDArray wIh; // [3H, I]
  private final INDArray wHh; // [3H, H]
  private final INDArray bIh; // [3H]
  private final INDArray bHh; // [3H]
  private final INDArray taus; // [H] or null without the leak
  private final INDArray bHhRz; // b_hh[0, 2H)
  private final INDArray bHhN; // b_hh[2H, 3H)

  // Derived from the parameters at every forward pass.
  private final INDArray inMatrix; // [3H, I+1] = [W_ih | b_ih + (b_hr, b_hz, 0)]
  private final INDArray inMatrixW; // its first I columns
  private final INDArray inMatrixB; // its last column, [3H]
  private final INDArray inMatrixBRz; // rows [0, 2H) of the last column
  private final INDArray inR; // row blocks of inMatrix, [H, I+1] each
  private final INDArray inZ;
  private final INDArray inN;
  private final INDArray hnBias; // [H, I+1] = [0 | b_hn]
  private final INDArray hnBiasB; // its last column
  private final Tau tau;

  // Backward scratch of parameter size.
  private final INDArray gradIn; // [3H, I+1] = [dW_ih | db_ih]
  private final INDArray gradInW;
  private final INDArray gradInB;
  private final INDArray gradInBRz;
  private final INDArray gradInR;
  private final INDArray gradInZ;
  private final INDArray gradInN;
  private final INDArray gradHh; // [3H, H]
  private final INDArray gradBHh; // [3H]
  private final INDArray gradBHhRz;
  private final INDArray gradBHhN;
  private final INDArray sumH; // [H]

  // Growable flat buffers (each used from offset 0).
  private INDArray inputsFlat; // X_a: [T·B·(I+1)], last column 1 (not folded)
  private INDArray rFlat; // r
  private INDArray zFlat; // z
  private INDArray ztFlat; // z̃ (leak only; otherwise z itself)
  private INDArray nFlat; // n
  private INDArray pFlat; // r⊙(h·W_hnᵀ + b_hn)
  private INDArray statesFlat; // h_1..h_T
  private INDArray h0Flat; // h_0
  private INDArray qzFlat; // backward: D_z
  private INDArray qnFlat; // A_n
  private INDArray qrFlat; // D_r
  private INDArray dhnFlat; // D_hn

  // Views of the current shape.
  private int viewSteps = -1;
  private int viewBatch = -1;
  private INDArray inputs2d; // X_a [T·B, I+1]
  private INDArray inputsData2d; // X_a[:, 0..I−1]
  private INDArray r2d; // [T·B, H] views of the gate buffers (the input projection's gemms)
  private INDArray z2d;
  private INDArray n2d;
  private INDArray p2d;
  private INDArray h0View; // [B, H]
  private INDArray hiddenView; // h_1..h_T as [T, B, H], offset 0
  private Map<String, INDArray> extras;
  private int derivSteps = -1;
  private int derivBatch = -1;
  private INDArray qz2d; // D_z, A_n, D_r as [T·B, H] ([dW_ih | db_ih] when not folded)
  private INDArray qn2d;
  private INDArray qr2d;

  private final GradientViews dLdhViews; // dL/dh in place, or a copy of it

  // Pointers to the flat buffers (renewed with them) and Java scratch of one chunk.
  private Pointer rPointer;
  private Pointer zPointer;
  private Pointer ztPointer;
  private Pointer nPointer;
  private Pointer pPointer;
  private Pointer statesPointer;
  private Pointer h0Pointer;
  private Pointer qzPointer;
  private Pointer qnPointer;
  private Pointer qrPointer;
  private Pointer dhnPointer;
  private final float[] alphaRows; // α tiled over the rows of a chunk (leak only)
  private final float[] oneMinusAlphaRows;
  private final float[][] scratch; // [10][rowsPerChunk·H]
  // The folded input projection, each array tiled over the rows of a chunk so that the loops
  // are flat (loops over single rows of H are too short for C2's vector code to pay off): W_ih's
  // column k of gate g at [g·I + k], the gates' biases (r: b_ir + b_hr, z: b_iz + b_hz, n: b_in),
  // b_hn; x_k of the chunk's rows; and the inputs of the latest forward pass [T·B·I].
  private final float[][] foldW;
  private final float[][] foldBias;
  private final float[] foldHnBias;
  private final float[] xRows;
  private float[] foldX;
  // Backward sums, per position in a chunk (summed over the step's chunks), laid out like foldW
  // and foldBias, of D_hn and of δ⊙(h_t − h_{t−1}) (for dτ); per step they are reduced over the
  // chunk's rows into totals in double ([g·I + k]·H + j, g·H + j, j).
  private final float[][] sumX;
  private final float[][] sumBias;
  private final float[] sumHn;
  private final float[] sumTau;
  private final double[] totalX;
  private final double[] totalBias;
  private final double[] totalHn;
  private final double[] totalTau;
  private final float[] hostStage; // [max(3H·(I+1), H)]: staging for writes into ND4J arrays

  private GruTrajectory lastTrajectory;

  // The ablation clamp of the latest forward pass (ClampsState); clamping is false without one.
  private boolean clamping;
  private final float[] keepRows; // keep tiled over the rows of a chunk
  private final INDArray keepVector; // keep as [H] (masks h_0)
  private INDArray h0Given; // [B·H]: the unclamped h_0, the trajectory's initial state

  /**
   * A kernel for {@code cell}, reading its parameter arrays on every call.
   *
   * @param cell a float32 GRU cell; ND4J must run on its CPU backend ({@link Blas#AVAILABLE})
   * @throws IllegalArgumentException when the cell is not float32
   */
  GruKernel(GruCell cell) {
    if (cell.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException(
          "gru/fused runs float32 cells only, was " + cell.dataType());
    }
    this.hidden = cell.hiddenSize();
    this.inputs = cell.inputSize();
    this.rowsPerChunk = Math.max(1, CHUNK / hidden);
    this.folded = inputs <= FOLD_MAX_INPUTS;
    this.taus = cell.taus;
    this.leak = taus != null;
    this.trainTau = leak && cell.config().trainTau();
    this.buffers = new Buffers(DataType.FLOAT);
    DataType type = DataType.FLOAT;
    int h = hidden;
    int in = inputs;
    long h3 = 3L * h;
    wIh = cell.wIh;
    wHh = cell.wHh;
    bIh = cell.bIh;
    bHh = cell.bHh;
    bHhRz = buffers.view(bHh, 0, 2L * h);
    bHhN = buffers.view(bHh, 2L * h, h);

    long inCols = in + 1L;
    inMatrix = Nd4j.create(type, h3, inCols);
    inMatrixW = buffers.columns(inMatrix, 0, in);
    inMatrixB = buffers.column(inMatrix, in);
    inMatrixBRz = buffers.view(inMatrix, in, new long[] {2L * h}, new long[] {inCols});
    inR = buffers.view(inMatrix, 0, h, inCols);
    inZ = buffers.view(inMatrix, h * inCols, h, inCols);
    inN = buffers.view(inMatrix, 2 * h * inCols, h, inCols);
    hnBias = Nd4j.create(type, h, inCols);
    hnBiasB = buffers.column(hnBias, in);
    tau = new Tau(h, type);

    gradIn = Nd4j.create(type, h3, inCols);
    gradInW = buffers.columns(gradIn, 0, in);
    gradInB = buffers.column(gradIn, in);
    gradInBRz = buffers.view(gradIn, in, new long[] {2L * h}, new long[] {inCols});
    gradInR = buffers.view(gradIn, 0, h, inCols);
    gradInZ = buffers.view(gradIn, h * inCols, h, inCols);
    gradInN = buffers.view(gradIn, 2 * h * inCols, h, inCols);
    gradHh = Nd4j.create(type, h3, h);
    gradBHh = Nd4j.create(type, h3);
    gradBHhRz = buffers.view(gradBHh, 0, 2L * h);
    gradBHhN = buffers.view(gradBHh, 2L * h, h);
    sumH = Nd4j.create(type, h);
    dLdhViews = new GradientViews(h, type, buffers);
    int chunk = rowsPerChunk * h;
    alphaRows = new float[leak ? chunk : 0];
    oneMinusAlphaRows = new float[leak ? chunk : 0];
    scratch = new float[10][chunk];
    int foldLength = folded ? 3 * in : 0;
    foldW = new float[foldLength][chunk];
    foldBias = new float[folded ? 3 : 0][chunk];
    foldHnBias = new float[folded ? chunk : 0];
    xRows = new float[folded ? chunk : 0];
    sumX = new float[foldLength][chunk];
    sumBias = new float[folded ? 3 : 0][chunk];
    sumHn = new float[chunk];
    sumTau = new float[trainTau ? chunk : 0];
    totalX = new double[foldLength * h];
    totalBias = new double[folded ? 3 * h : 0];
    totalHn = new double[h];
    totalTau = new double[trainTau ? h : 0];
    keepRows = new float[chunk];
    keepVector = Nd4j.create(type, h);
    hostStage = new float[(int) Math.max(h3 * inCols, h)];
  }

  @Override
  public String name() {
    return "gru/fused";
  }

  // ---------------------------------------------------------------- forward

  /**
   * {@inheritDoc}
   *
   * @throws UnsupportedOperationException when a drive is given (the GRU takes none)
   */
  @Override
  public Trajectory forward(INDArray x, INDArray h0, INDArray drive) {
    return forward(x, h0, drive, null);
  }

  /**
   * {@inheritDoc} Clamped (see the class Javadoc), the trajectory's initial state is a copy of the
   * unclamped h_0, as the runner reports it.
   *
   * @throws UnsupportedOperationException when a drive is given (the GRU takes none)
   */
  @Override
  public Trajectory forward(INDArray x, INDArray h0, INDArray drive, INDArray keep) {
    if (drive != null) {
      throw new UnsupportedOperationException("gru does not accept a recurrent drive");
    }
    Shapes.checkInputs(x, inputs);
    int steps = Math.toIntExact(x.size(0));
    int batch = Math.toIntExact(x.size(1));
    Shapes.checkInitialState(h0, batch, hidden);
    lastTrajectory = null;
    shapeViews(steps, batch);
    prepare();
    setKeep(keep);

    long rows = (long) steps * batch;
    h0View.assign(h0);
    INDArray initial = h0View;
    if (clamping) {
      h0Given = buffers.ensure(h0Given, (long) batch * hidden);
      initial = buffers.view(h0Given, 0, batch, hidden).assign(h0);
      h0View.muliRowVector(keepVector);
    }
    if (folded) {
      readInputs(x, steps * batch * inputs);
    } else {
      inputsData2d.assign(x.reshape('c', rows, inputs)); // casts if the task's type differs
      // Input projections of all steps (with every bias), gate by gate.
      Nd4j.gemm(inputs2d, inR, r2d, false, true, 1.0, 0.0);
      Nd4j.gemm(inputs2d, inZ, z2d, false, true, 1.0, 0.0);
      Nd4j.gemm(inputs2d, inN, n2d, false, true, 1.0, 0.0);
      Nd4j.gemm(inputs2d, hnBias, p2d, false, true, 1.0, 0.0);
    }
    // Per step: R[t], Z[t], P[t] (+)= h_{t−1}·W_hgᵀ (folded: ←, the loop adds the input
    // projection), then one chunked Java pass does the rest of the step.
    double beta = folded ? 0.0 : 1.0;
    Pointer w = HostLoops.pointer(wHh);
    long bh = (long) batch * hidden;
    long hh = (long) hidden * hidden;
    for (int t = 0; t < steps; t++) {
      Pointer prev = t == 0 ? h0Pointer : statesPointer;
      long prevOffset = t == 0 ? 0 : (t - 1) * bh;
      long at = t * bh;
      Blas.gemm(
          false,
          true,
          batch,
          hidden,
          hidden,
          1.0,
          prev,
          prevOffset,
          hidden,
          w,
          0,
          hidden,
          beta,
          rPointer,
          at,
          hidden);
      Blas.gemm(
          false,
          true,
          batch,
          hidden,
          hidden,
          1.0,
          prev,
          prevOffset,
          hidden,
          w,
          hh,
          hidden,
          beta,
          zPointer,
          at,
          hidden);
      Blas.gemm(
          false,
          true,
          batch,
          hidden,
          hidden,
          1.0,
          prev,
          prevOffset,
          hidden,
          w,
          2 * hh,
          hidden,
          beta,
          pPointer,
          at,
          hidden);
      forwardStep(t, batch);
    }
    lastTrajectory = new GruTrajectory(hiddenView, initial, extras, steps, batch);
    return lastTrajectory;
  }

  /**
   * The elementwise rest of forward step t, a chunk of whole rows at a time: r = σ(R[t]), z =
   * σ(Z[t]); P[t] ← r⊙P[t]; n = tanh(N[t] + P[t]); [leak: z̃ = z⊙α + (1 − α)]; h_t = (h_{t−1} −
   * n)⊙z̃ + n. Writes r, z, (z̃), P, n and h_t back.
   */
  private void forwardStep(int t, int batch) {
    int h = hidden;
    long bh = (long) batch * h;
    float[] r = scratch[0];
    float[] z = scratch[1];
    float[] p = scratch[2];
    float[] n = scratch[3];
    float[] state = scratch[4]; // h_{t−1}, then h_t
    float[] zt = leak ? scratch[5] : z;
    float[] tmp = scratch[6];
    for (int r0 = 0; r0 < batch; r0 += rowsPerChunk) {
      int len = Math.min(rowsPerChunk, batch - r0) * h;
      long at = t * bh + (long) r0 * h;
      HostLoops.get(rPointer, at, r, len);
      HostLoops.get(zPointer, at, z, len);
      HostLoops.get(pPointer, at, p, len);
      if (folded) {
        // The input projection u_g = b_g + Σ_k x_k·W_ig,k (and b_hn into P), flat over the chunk.
        addTo(r, foldBias[0], len);
        addTo(z, foldBias[1], len);
        System.arraycopy(foldBias[2], 0, n, 0, len);
        addTo(p, foldHnBias, len);
        for (int k = 0; k < inputs; k++) {
          float[] x = inputRows(t, batch, r0, len, k);
          addProduct(r, x, foldW[k], len);
          addProduct(z, x, foldW[inputs + k], len);
          addProduct(n, x, foldW[2 * inputs + k], len);
        }
      } else {
        HostLoops.get(nPointer, at, n, len);
      }
      if (t == 0) {
        HostLoops.get(h0Pointer, (long) r0 * h, state, len);
      } else {
        HostLoops.get(statesPointer, at - bh, state, len);
      }
      FloatActivations.sigmoid(r, r, tmp, len);
      FloatActivations.sigmoid(z, z, tmp, len);
      for (int i = 0; i < len; i++) {
        p[i] = r[i] * p[i];
      }
      for (int i = 0; i < len; i++) {
        n[i] = n[i] + p[i];
      }
      FloatActivations.tanh(n, n, len);
      if (leak) {
        float[] a = alphaRows;
        float[] b = oneMinusAlphaRows;
        for (int i = 0; i < len; i++) {
          zt[i] = z[i] * a[i] + b[i];
        }
        HostLoops.put(ztPointer, at, zt, len);
      }
      for (int i = 0; i < len; i++) {
        state[i] = (state[i] - n[i]) * zt[i] + n[i];
      }
      if (clamping) {
        float[] keep = keepRows;
        for (int i = 0; i < len; i++) {
          state[i] *= keep[i];
        }
      }
      HostLoops.put(rPointer, at, r, len);
      HostLoops.put(zPointer, at, z, len);
      HostLoops.put(pPointer, at, p, len);
      HostLoops.put(nPointer, at, n, len);
      HostLoops.put(statesPointer, at, state, len);
    }
  }

  /** dst[0..n) += src[0..n). */
  private static void addTo(float[] dst, float[] src, int n) {
    for (int i = 0; i < n; i++) {
      dst[i] += src[i];
    }
  }

  /** dst[0..n) += a[0..n)⊙b[0..n). */
  private static void addProduct(float[] dst, float[] a, float[] b, int n) {
    for (int i = 0; i < n; i++) {
      dst[i] += a[i] * b[i];
    }
  }

  /** x_k of the rows [r0, r0 + len/H) of step t, each repeated H times (into xRows). */
  private float[] inputRows(int t, int batch, int r0, int len, int k) {
    int h = hidden;
    for (int row = 0; row < len / h; row++) {
      Arrays.fill(xRows, row * h, row * h + h, foldX[(t * batch + r0 + row) * inputs + k]);
    }
    return xRows;
  }

  /** total[from + j] += Σ_rows acc[row·H + j] over the first {@code rows} rows, and acc ← 0. */
  private void reduceRows(double[] total, int from, float[] acc, int rows) {
    int h = hidden;
    for (int row = 0; row < rows; row++) {
      for (int j = 0; j < h; j++) {
        total[from + j] += acc[row * h + j];
      }
    }
    Arrays.fill(acc, 0, rows * h, 0f);
  }

  /** The inputs of this forward pass as floats, [T·B·I] row-major (the folded projection). */
  private void readInputs(INDArray x, int n) {
    INDArray c =
        x.dataType() == DataType.FLOAT && x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x)
            ? x
            : x.castTo(DataType.FLOAT).dup('c');
    if (foldX == null || foldX.length < n) {
      foldX = new float[n];
    }
    HostLoops.get(HostLoops.pointer(c), 0, foldX, n);
  }

  /** Takes the clamp of this forward pass: none for null, else keep copied into keepRows. */
  private void setKeep(INDArray keep) {
    clamping = keep != null;
    if (!clamping) {
      return;
    }
    int h = hidden;
    if (keep.length() != h) {
      throw new IllegalArgumentException(
          "keep must have the state's " + h + " entries, had " + keep.length());
    }
    keepVector.assign(keep.reshape(h)); // casts
    HostLoops.get(HostLoops.pointer(keepVector), 0, keepRows, h);
    for (int row = 1; row < rowsPerChunk; row++) {
      System.arraycopy(keepRows, 0, keepRows, row * h, h);
    }
  }

  /** Recomputes everything derived from the (possibly updated) parameters. */
  private void prepare() {
    inMatrixW.assign(wIh);
    inMatrixB.assign(bIh);
    inMatrixBRz.addi(bHhRz);
    hnBiasB.assign(bHhN);
    int h = hidden;
    if (folded) {
      // inMatrix as the loops read it, each row of H repeated over the rows of a chunk.
      int cols = inputs + 1;
      HostLoops.get(HostLoops.pointer(inMatrix), 0, hostStage, 3 * h * cols);
      for (int g = 0; g < 3; g++) {
        for (int j = 0; j < h; j++) {
          int row = (g * h + j) * cols;
          for (int k = 0; k < inputs; k++) {
            foldW[g * inputs + k][j] = hostStage[row + k];
          }
          foldBias[g][j] = hostStage[row + inputs];
        }
      }
      HostLoops.get(HostLoops.pointer(bHhN), 0, foldHnBias, h);
      for (int row = 1; row < rowsPerChunk; row++) {
        for (float[] a : foldW) {
          System.arraycopy(a, 0, a, row * h, h);
        }
        for (float[] a : foldBias) {
          System.arraycopy(a, 0, a, row * h, h);
        }
        System.arraycopy(foldHnBias, 0, foldHnBias, row * h, h);
      }
    }
    if (leak) {
      tau.update(taus);
      HostLoops.get(HostLoops.pointer(tau.alpha()), 0, alphaRows, h);
      HostLoops.get(HostLoops.pointer(tau.oneMinusAlpha()), 0, oneMinusAlphaRows, h);
      for (int row = 1; row < rowsPerChunk; row++) {
        System.arraycopy(alphaRows, 0, alphaRows, row * h, h);
        System.arraycopy(oneMinusAlphaRows, 0, oneMinusAlphaRows, row * h, h);
      }
    }
  }

  // --------------------------------------------------------------- backward

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException when {@code dLdExtras} is not empty (no extra of the GRU is
   *     differentiable) or a gradient array is missing or misshapen
   */
  @Override
  public void backward(
      Trajectory trajectory,
      INDArray dLdh,
      Map<String, INDArray> dLdExtras,
      Map<String, INDArray> gradients) {
    if (!dLdExtras.isEmpty()) {
      throw new IllegalArgumentException(
          "gru cannot backpropagate from its extras, was given " + dLdExtras.keySet());
    }
    Shapes.checkLatest(trajectory, lastTrajectory);
    int steps = lastTrajectory.steps();
    int batch = lastTrajectory.batch();
    Shapes.checkDLdh(dLdh, steps, batch, hidden);
    INDArray gWIh = Shapes.gradientArray(gradients, "w_ih", wIh);
    INDArray gWHh = Shapes.gradientArray(gradients, "w_hh", wHh);
    INDArray gBIh = Shapes.gradientArray(gradients, "b_ih", bIh);
    INDArray gBHh = Shapes.gradientArray(gradients, "b_hh", bHh);
    INDArray gTaus = trainTau ? Shapes.gradientArray(gradients, "taus", taus) : null;

    derivViews(steps, batch);
    dLdhViews.bind(dLdh, steps, batch);
    // One chunked Java pass per step forms D_z, A_n, D_r, D_hn and δ_{t−1} += δ_t⊙z̃; the three
    // products into δ_{t−1} go straight through OpenBLAS.
    Pointer w = HostLoops.pointer(wHh);
    Pointer gPointer = HostLoops.pointer(dLdhViews.steps()[0]);
    long bh = (long) batch * hidden;
    long hh = (long) hidden * hidden;
    Arrays.fill(totalX, 0.0);
    Arrays.fill(totalBias, 0.0);
    Arrays.fill(totalHn, 0.0);
    Arrays.fill(totalTau, 0.0);
    Pointer gradW = HostLoops.pointer(gradHh);
    for (int t = steps - 1; t >= 0; t--) {
      backwardStep(gPointer, t, batch, gTaus != null);
      long at = t * bh;
      // dW_hg += D_g[t]ᵀ·h_{t−1} per step, while D_g[t] is in cache (no second pass over D and
      // the states after the loop).
      Pointer prev = t == 0 ? h0Pointer : statesPointer;
      long prevOffset = t == 0 ? 0 : (t - 1) * bh;
      double beta = t == steps - 1 ? 0.0 : 1.0;
      Blas.gemm(
          true,
          false,
          hidden,
          hidden,
          batch,
          1.0,
          qrPointer,
          at,
          hidden,
          prev,
          prevOffset,
          hidden,
          beta,
          gradW,
          0,
          hidden);
      Blas.gemm(
          true,
          false,
          hidden,
          hidden,
          batch,
          1.0,
          qzPointer,
          at,
          hidden,
          prev,
          prevOffset,
          hidden,
          beta,
          gradW,
          hh,
          hidden);
      Blas.gemm(
          true,
          false,
          hidden,
          hidden,
          batch,
          1.0,
          dhnPointer,
          at,
          hidden,
          prev,
          prevOffset,
          hidden,
          beta,
          gradW,
          2 * hh,
          hidden);
      if (t > 0) {
        long back = (t - 1) * bh;
        Blas.gemm(
            false, false, batch, hidden, hidden, 1.0, qrPointer, at, hidden, w, 0, hidden, 1.0,
            gPointer, back, hidden);
        Blas.gemm(
            false, false, batch, hidden, hidden, 1.0, qzPointer, at, hidden, w, hh, hidden, 1.0,
            gPointer, back, hidden);
        Blas.gemm(
            false,
            false,
            batch,
            hidden,
            hidden,
            1.0,
            dhnPointer,
            at,
            hidden,
            w,
            2 * hh,
            hidden,
            1.0,
            gPointer,
            back,
            hidden);
      }
    }
    // The sums of the loop: db_hn, [dW_ih | db_ih] when folded (else products over all T·B
    // rows), dτ with a trained τ.
    write(gradBHhN, totalHn, hidden);
    int h = hidden;
    if (folded) {
      int cols = inputs + 1;
      for (int g3 = 0; g3 < 3; g3++) {
        for (int j = 0; j < h; j++) {
          int row = (g3 * h + j) * cols;
          for (int k = 0; k < inputs; k++) {
            hostStage[row + k] = (float) totalX[(g3 * inputs + k) * h + j];
          }
          hostStage[row + inputs] = (float) totalBias[g3 * h + j];
        }
      }
      HostLoops.put(HostLoops.pointer(gradIn), 0, hostStage, 3 * h * cols);
    } else {
      Nd4j.gemm(qr2d, inputs2d, gradInR, true, false, 1.0, 0.0);
      Nd4j.gemm(qz2d, inputs2d, gradInZ, true, false, 1.0, 0.0);
      Nd4j.gemm(qn2d, inputs2d, gradInN, true, false, 1.0, 0.0);
    }
    gradBHhRz.assign(gradInBRz);
    if (gTaus != null) {
      write(sumH, totalTau, hidden);
      Nd4j.exec(new MulOp(sumH, tau.alpha(), sumH));
      tau.gradient(sumH, gTaus);
    }
    gWIh.assign(gradInW);
    gBIh.assign(gradInB);
    gWHh.assign(gradHh);
    gBHh.assign(gradBHh);
  }

  /**
   * Step t of the backward pass, a chunk of whole rows at a time: D_z = (h_{t−1} − n)⊙z⊙(1 − z̃)⊙δ,
   * A_n = (1 − z̃)⊙(1 − n²)⊙δ, D_r = (1 − r)⊙P⊙A_n, D_hn = A_n⊙r into their buffers, and δ_{t−1} +=
   * δ⊙z̃ in dL/dh; sums of the step's rows into the per-position sums.
   */
  private void backwardStep(Pointer gPointer, int t, int batch, boolean tauSum) {
    int h = hidden;
    long bh = (long) batch * h;
    float[] next = scratch[8]; // h_t (dτ only)
    float[] delta = scratch[0];
    float[] state = scratch[1]; // h_{t−1}, then D_z
    float[] n = scratch[2];
    float[] an = scratch[9]; // A_n
    float[] z = scratch[3];
    float[] zt = leak ? scratch[4] : z;
    float[] r = scratch[5]; // r, then D_hn
    float[] p = scratch[6]; // P, then D_r
    float[] back = scratch[7]; // δ_{t−1}
    for (int r0 = 0; r0 < batch; r0 += rowsPerChunk) {
      int len = Math.min(rowsPerChunk, batch - r0) * h;
      long at = t * bh + (long) r0 * h;
      HostLoops.get(gPointer, at, delta, len);
      if (clamping) {
        float[] keep = keepRows;
        for (int i = 0; i < len; i++) {
          delta[i] *= keep[i];
        }
      }
      if (t == 0) {
        HostLoops.get(h0Pointer, (long) r0 * h, state, len);
      } else {
        HostLoops.get(statesPointer, at - bh, state, len);
      }
      HostLoops.get(nPointer, at, n, len);
      HostLoops.get(zPointer, at, z, len);
      if (leak) {
        HostLoops.get(ztPointer, at, zt, len);
      }
      HostLoops.get(rPointer, at, r, len);
      HostLoops.get(pPointer, at, p, len);
      if (tauSum) {
        // Σ_rows δ⊙(h_t − h_{t−1}), dτ's sum, one step at a time.
        HostLoops.get(statesPointer, at, next, len);
        float[] acc = sumTau;
        for (int i = 0; i < len; i++) {
          acc[i] += (next[i] - state[i]) * delta[i];
        }
      }
      // One loop per result: C2 vectorises a loop that stores into one array, not one that
      // stores into several.
      for (int i = 0; i < len; i++) {
        an[i] = (1f - zt[i]) * (1f - n[i] * n[i]) * delta[i];
      }
      for (int i = 0; i < len; i++) {
        state[i] = (state[i] - n[i]) * z[i] * (1f - zt[i]) * delta[i];
      }
      for (int i = 0; i < len; i++) {
        p[i] = (1f - r[i]) * p[i] * an[i];
      }
      for (int i = 0; i < len; i++) {
        r[i] = an[i] * r[i];
      }
      HostLoops.put(qzPointer, at, state, len);
      HostLoops.put(qnPointer, at, an, len);
      HostLoops.put(qrPointer, at, p, len);
      HostLoops.put(dhnPointer, at, r, len);
      addTo(sumHn, r, len);
      if (folded) {
        // [dW_ih | db_ih]: D_r, D_z, A_n times [x | 1], summed over rows.
        addTo(sumBias[0], p, len);
        addTo(sumBias[1], state, len);
        addTo(sumBias[2], an, len);
        for (int k = 0; k < inputs; k++) {
          float[] x = inputRows(t, batch, r0, len, k);
          addProduct(sumX[k], x, p, len);
          addProduct(sumX[inputs + k], x, state, len);
          addProduct(sumX[2 * inputs + k], x, an, len);
        }
      }
      if (t > 0) {
        HostLoops.get(gPointer, at - bh, back, len);
        for (int i = 0; i < len; i++) {
          back[i] = back[i] + delta[i] * zt[i];
        }
        HostLoops.put(gPointer, at - bh, back, len);
      }
    }
    // The step's float sums into the totals in double.
    int rows = Math.min(rowsPerChunk, batch);
    for (int g = 0; g < sumX.length; g++) {
      reduceRows(totalX, g * h, sumX[g], rows);
    }
    for (int g = 0; g < sumBias.length; g++) {
      reduceRows(totalBias, g * h, sumBias[g], rows);
    }
    reduceRows(totalHn, 0, sumHn, rows);
    if (tauSum) {
      reduceRows(totalTau, 0, sumTau, rows);
    }
  }

  /** dst[0..n) ← src rounded to float (dst contiguous FLOAT). */
  private void write(INDArray dst, double[] src, int n) {
    for (int i = 0; i < n; i++) {
      hostStage[i] = (float) src[i];
    }
    HostLoops.put(HostLoops.pointer(dst), 0, hostStage, n);
  }

  // ---------------------------------------------------------------- buffers

  /** Makes the forward buffers hold T steps of B sequences and rebuilds their views if needed. */
  private void shapeViews(int steps, int batch) {
    if (steps == viewSteps && batch == viewBatch) {
      return;
    }
    long bh = (long) batch * hidden;
    long rows = (long) steps * batch;
    long n = steps * bh;
    rFlat = buffers.ensure(rFlat, n, 0.0);
    zFlat = buffers.ensure(zFlat, n, 0.0);
    nFlat = buffers.ensure(nFlat, n, 0.0);
    pFlat = buffers.ensure(pFlat, n, 0.0);
    statesFlat = buffers.ensure(statesFlat, n, 0.0);
    h0Flat = buffers.ensure(h0Flat, bh, 0.0);
    if (!folded) {
      inputsFlat = buffers.ensure(inputsFlat, rows * (inputs + 1), 1.0);
      inputs2d = buffers.view(inputsFlat, 0, rows, inputs + 1);
      inputsData2d = buffers.columns(inputs2d, 0, inputs);
      r2d = buffers.view(rFlat, 0, rows, hidden);
      z2d = buffers.view(zFlat, 0, rows, hidden);
      n2d = buffers.view(nFlat, 0, rows, hidden);
      p2d = buffers.view(pFlat, 0, rows, hidden);
    }
    if (leak) {
      ztFlat = buffers.ensure(ztFlat, n, 0.0);
    }
    h0View = buffers.view(h0Flat, 0, batch, hidden);
    hiddenView = buffers.view(statesFlat, 0, steps, batch, hidden);
    rPointer = HostLoops.pointer(rFlat);
    zPointer = HostLoops.pointer(zFlat);
    ztPointer = leak ? HostLoops.pointer(ztFlat) : zPointer;
    nPointer = HostLoops.pointer(nFlat);
    pPointer = HostLoops.pointer(pFlat);
    statesPointer = HostLoops.pointer(statesFlat);
    h0Pointer = HostLoops.pointer(h0Flat);
    Map<String, INDArray> gates = new LinkedHashMap<>();
    gates.put("r", buffers.view(rFlat, 0, steps, batch, hidden));
    gates.put("z", buffers.view(zFlat, 0, steps, batch, hidden));
    gates.put("n", buffers.view(nFlat, 0, steps, batch, hidden));
    extras = Collections.unmodifiableMap(gates);
    viewSteps = steps;
    viewBatch = batch;
  }

  /** The backward buffers and their views (allocated only once backward is used). */
  private void derivViews(int steps, int batch) {
    if (steps == derivSteps && batch == derivBatch) {
      return;
    }
    long rows = (long) steps * batch;
    long n = rows * hidden;
    qzFlat = buffers.ensure(qzFlat, n, 0.0);
    qnFlat = buffers.ensure(qnFlat, n, 0.0);
    qrFlat = buffers.ensure(qrFlat, n, 0.0);
    dhnFlat = buffers.ensure(dhnFlat, n, 0.0);
    if (!folded) {
      qz2d = buffers.view(qzFlat, 0, rows, hidden);
      qn2d = buffers.view(qnFlat, 0, rows, hidden);
      qr2d = buffers.view(qrFlat, 0, rows, hidden);
    }
    qzPointer = HostLoops.pointer(qzFlat);
    qnPointer = HostLoops.pointer(qnFlat);
    qrPointer = HostLoops.pointer(qrFlat);
    dhnPointer = HostLoops.pointer(dhnFlat);
    derivSteps = steps;
    derivBatch = batch;
  }

  /** Views into the kernel's buffers; valid until the next forward call. */
  private record GruTrajectory(
      INDArray hidden, INDArray initialState, Map<String, INDArray> extras, int steps, int batch)
      implements Trajectory {}
}
