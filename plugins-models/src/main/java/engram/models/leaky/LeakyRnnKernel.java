package engram.models.leaky;

import static engram.kernels.Buffers.broadcastMul;

import engram.api.SequenceKernel;
import engram.api.Trajectory;
import engram.kernels.Blas;
import engram.kernels.Buffers;
import engram.kernels.FloatActivations;
import engram.kernels.HostLoops;
import engram.models.common.GradientViews;
import engram.models.common.Shapes;
import engram.models.common.Tau;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The leaky RNN's fused whole-sequence kernel: the same forward pass and BPTT as {@link
 * LeakyRnnCell} run step by step (tested against it), with each step's product straight through
 * OpenBLAS ({@link Blas}) and its elementwise work as Java loops over the native buffers: no ND4J
 * op per time step. {@link LeakyRnnModel#kernel} offers it on ND4J's CPU backend for φ outside with
 * leaky-ReLU or ReLU (float32 and float64; the timescales paper's model) and for φ inside in
 * float32 (the geometry paper's rate RNN); everything else runs the cell.
 *
 * <h2>Layout</h2>
 *
 * Row vectors, one row per sequence; α = 1/max(τ, 1); W = w_rec (diagonal 0); u_t = x_t·W_inᵀ +
 * b_in + b_rec (+ ξ_t, the drive, inside φ's argument; backward treats it as a constant). The
 * hidden states h_1..h_T live in one buffer S {@code [T, B, H]} that starts at offset 0 and is the
 * trajectory itself; h_0 has its own {@code [B, H]} buffer. (Keeping h_0 in slot 0 of a {@code
 * [T+1, B, H]} buffer would make the trajectory a view at a non-zero offset, and ND4J 1.0.0-M2.1
 * returns an empty scalar for {@code slice(T−1)} and {@code get(point(T−1), ...)} of such views.)
 * The extra {@code "pre"} is the buffer Z resp. P below, which the loop fills anyway.
 *
 * <ul>
 *   <li><b>φ outside</b>: with A = diag(1−α) + diag(α)·W the leak folds into one matrix. For I ≤
 *       {@link #FOLD_MAX_INPUTS} each step is Z[t] ← h_{t−1}·Aᵀ (one product), then one loop adds
 *       α⊙(b_in + b_rec) + Σ_k x_k·(α⊙W_in)_k (+ α⊙ξ_t), keeps z_t in Z[t] and writes h_t = max(z,
 *       0) + slope·min(z, 0) (no branch, so C2 vectorises it). For larger I the input projection of
 *       all steps is one product of X_a = [X | 1] with [W_in | b] before the loop. Backward: the
 *       loop writes δ_t = δh_t⊙φ′ (+ dL/dpre_t) into dL/dh (φ′ read off h_t without a branch),
 *       [dW_in | db] += δ_tᵀ·X_a[t] while δ_t is in cache, δh_{t−1} += δ_t·A. The weight products
 *       are formed from δ and their rows scaled by α afterwards ((α⊙δ)ᵀ·Y = diag(α)·δᵀ·Y), and with
 *       a trainable τ, α_i·dL/dα_i = α_i(Σ_j W_ij·C_ij − C_ii) + Σ_k [W_in | b]_ik·C_in,ik (+
 *       α_i·Σ_rows (α⊙δ)_i·ξ_i with a drive, for which the kernel keeps a copy of ξ), C =
 *       δᵀ·H_prev, C_in = δᵀ·X_a: no further pass over the trajectory. The derived matrices and τ's
 *       arrays are prepared in Java from one read of each parameter.
 *   <li><b>φ inside</b>, in the variable k = h/α: k_t = (1−α)⊙k_{t−1} + φ(d_t), d_t =
 *       k_{t−1}·(W·diag(α))ᵀ + u_t. Each step is its product into P[t] (which holds u_t, afterwards
 *       d_t) and one pass over the step's rows: F[t] = φ(P[t]) (tanh from {@link FloatActivations})
 *       and k_t = (1−α)⊙k_{t−1} + F[t]; S is scaled back to h once after the loop. Backward: E_t =
 *       α⊙φ′(d_t)⊙δh_t (+ dL/dpre_t) into Q[t], δh_{t−1} += E_t·W (one product) and += (1−α)⊙δh_t;
 *       afterwards dW_rec and [dW_in | db] are products over all T·B rows and α_i·dL/dα_i = Σ_rows
 *       δh ⊙ (h_t − h_{t−1}).
 * </ul>
 *
 * dL/dτ_i = −α_i²·dL/dα_i for τ_i ≥ 1, 0 below (the clamp). Buffers are allocated for the largest
 * T·B seen and reused (views of a prefix) for smaller ones. Not thread-safe (one network, one
 * thread).
 *
 * <h2>Ablation</h2>
 *
 * With a keep mask ({@link SequenceKernel.ClampsState}) every path clamps as the step-by-step
 * runner does: h_0 ⊙ keep goes into its buffer, the loops multiply each h_t (k_t inside, the same
 * mask since k = h/α per unit) by keep before storing it, and the backward loops multiply the total
 * dL/dh_t by keep where they first read it. Z resp. P (the extra "pre") keep the unmasked arguments
 * of φ, as the cell's steps report them, and the derivatives read off them (φ′ off h_t outside: a
 * masked unit's h_t is 0, but its dL/dh_t is 0 too, so δ_t is just dL/dpre_t there) then give the
 * runner's BPTT: the weight products and the τ sums use the clamped states the recursion ran on.
 * Without a mask none of this work is done.
 */
final class LeakyRnnKernel implements SequenceKernel.ClampsState {

  private static final String PRE = LeakyRnnCell.PRE;

  private final int hidden;
  private final int inputs;
  private final DataType dataType;
  private final Nonlinearity nonlinearity;
  private final double slope;
  private final boolean inside;
  private final boolean trainTau;
  private final Buffers buffers;

  /**
   * Elements per bulk copy and loop of the fused path: the Java scratch (3 arrays) stays in L1/L2
   * rather than spanning a whole [B, H] step (512 KB at B = 256, H = 500).
   */
  private static final int CHUNK = 4096;

  /**
   * Up to this many inputs the fused path adds the input drive α⊙(x_t·W_inᵀ + b) inside its
   * per-step loop, and backward forms [dW_in | db] += δ_tᵀ·X_a[t] step by step right after δ_t
   * (still in cache), instead of one [T·B, I+1] product each way over the whole sequence: products
   * with I + 1 ≤ 17 columns run far below the machine's speed and stream all of Z resp. δ through
   * memory once more (over ten times the loop's cost at H = 500, B = 256, T = 100; numbers in
   * docs/perf/code-measurements.md).
   */
  static final int FOLD_MAX_INPUTS = 16;

  private final boolean isFloat;
  private Pointer phiPointer; // F (φ inside)
  private Pointer derivPointer; // Q, which holds E (φ inside, backward)
  private Pointer wMaskedPointer;
  private float[] alphaTile = new float[0]; // α and 1 − α tiled over a chunk's rows (φ inside)
  private float[] oneMinusAlphaTile = new float[0];
  private final double fusedSlope; // slope of φ for negative arguments (0 for ReLU)

  // Parameters (live arrays).
  private final INDArray wIn;
  private final INDArray bIn;
  private final INDArray wRec;
  private final INDArray bRec;
  private final INDArray taus;

  // Quantities derived from the parameters, recomputed at every forward pass.
  private final INDArray offDiagonal; // 1 off the diagonal, 0 on it (constant)
  private final Tau tau;
  private final INDArray tauClamped; // max(τ, 1)
  private final INDArray alpha; // 1 / max(τ, 1)
  private final INDArray oneMinusAlpha;
  private final INDArray wMasked; // w_rec with zero diagonal
  private final INDArray recMatrix; // outside: diag(1−α) + diag(α)·W; inside: W·diag(α)
  private final INDArray inMatrix; // [W_in | b_in + b_rec], times α per row when outside
  private final INDArray inMatrixW; // view: first I columns
  private final INDArray inMatrixB; // view: last column

  // Backward scratch of parameter size.
  private final INDArray gradRec; // [H, H]
  private final INDArray gradIn; // [H, I+1] = [dW_in | db]
  private final INDArray gradInW;
  private final INDArray gradInB;
  private final INDArray sumH;
  private final INDArray sumH2;

  // Growable flat buffers and the views of the current shape.
  private INDArray statesFlat; // h_1..h_T: [T·B·H], the trajectory starts at offset 0
  private INDArray h0Flat; // h_0: [B·H]
  private INDArray preFlat; // Z (outside) or P (inside), the extra "pre": [T·B·H]
  private INDArray phiFlat; // F = φ(P) (inside only): [T·B·H]
  private INDArray inputsFlat; // X_a: [T·B·(I+1)], last column 1
  private INDArray derivFlat; // Q (backward): [T·B·H]

  private int viewSteps = -1;
  private int viewBatch = -1;
  private INDArray[] stateSteps; // h_t, t = 0..T, each [B, H] (t = 0 is the h_0 buffer)
  private INDArray[] preSteps; // Z[t] or P[t]
  private INDArray hiddenView; // h_1..h_T as [T, B, H], offset 0
  private INDArray statesNext2d; // h_1..h_T as [T·B, H]
  private INDArray statesHead2d; // h_1..h_{T−1} as [(T−1)·B, H] (null if T = 1)
  private INDArray statesTail2d; // h_2..h_T as [(T−1)·B, H] (null if T = 1)
  private INDArray pre2d;
  private INDArray preView; // "pre" as [T, B, H], offset 0
  private INDArray inputs2d; // X_a [T·B, I+1]
  private INDArray inputsData2d; // X_a[:, 0..I−1]

  private int derivShapeSteps = -1;
  private int derivShapeBatch = -1;
  private INDArray[] derivStepViews;
  private INDArray deriv2d;
  private INDArray derivRest; // steps 2..T of Q, [(T−1)·B, H]

  private int driveShapeSteps = -1;
  private int driveShapeBatch = -1;
  private INDArray driveFlat; // copy of ξ (φ outside with trainable τ): [T·B·H]
  private INDArray drive2dView; // ξ as [T·B, H]

  private final GradientViews dLdhViews; // dLdh per step, as [T·B, H] and steps 2..T
  private final GradientViews dLdPreViews; // dL/dpre per step

  private LeakyTrajectory lastTrajectory;

  // The ablation clamp of the latest forward pass (ClampsState); clamping is false without one.
  // keep tiled over a chunk of whole rows plus H more, so that a flat chunk starting at any column
  // reads it from that column on (activateChunk): [max(CHUNK, tileLength) + H].
  private boolean clamping;
  private float[] keepTile = new float[0];
  private double[] keepTiled = new double[0];
  private INDArray keepVector; // keep as [H] in the network's type (masks h_0)
  private INDArray h0Given; // [B·H]: the unclamped h_0, the trajectory's initial state

  // The fused path: pointers into the flat buffers and Java scratch of one step, [B·H] each.
  private Pointer statesPointer;
  private Pointer prePointer;
  private Pointer h0Pointer;
  private Pointer recPointer; // recMatrix
  private Pointer gradRecPointer;
  // The folded input drive (fused, direct, I ≤ FOLD_MAX_INPUTS): the inputs of the
  // latest forward pass [T·B·I], α⊙W_in transposed [I·H] and α⊙(b_in + b_rec) [H].
  private boolean folded;
  private float[] foldX;
  private double[] foldXd;
  private float[] foldXa; // X_a = [X | 1], [T·B·(I+1)], staged for one bulk copy
  private double[] foldXad;
  private Pointer inputsPointer; // X_a (inputsFlat)
  private Pointer gradInPointer; // gradIn
  private final float[] foldW;
  private final double[] foldWd;
  private final float[] foldBias;
  private final float[] foldAlpha; // α rounded to float (the folded drive ξ)
  // The per-row vectors of the folded drive tiled over a chunk's rows (activateFolded):
  // tileLength = rows per chunk × H; W_in tiled per input, [I·tileLength].
  private final int tileLength;
  private final float[] foldBiasTile;
  private final float[] foldWTile;
  private final float[] foldAlphaTile;
  private final double[] foldBiasTiled;
  private final double[] foldWTiled;
  private final double[] foldAlphaTiled;
  private Pointer drivePointer; // the copy of ξ (driveFlat)
  private final double[] foldBiasd;
  private float[] fa;
  private float[] fb;
  private float[] fc;
  private float[] fd;
  // Host copies of the [H, H] and [H, I+1] matrices and [H] vectors (fused path), and a float
  // staging array for them: broadcasts and reductions along a dimension cost ND4J far more than
  // the arithmetic at these sizes.
  private final double[] hostW; // wMasked, later recMatrix
  private final double[] hostWMasked; // w_rec with its diagonal masked (fused, trainable τ)
  private final double[] hostWIn;
  private final double[] hostBIn;
  private final double[] hostBRec;
  private final double[] hostGradWIn; // dW_in, staged for the caller's array (fused)
  private final double[] hostGradB; // db_in = db_rec, staged likewise
  private final double[] hostC; // gradRec
  private final double[] hostIn; // inMatrix
  private final double[] hostCIn; // gradIn
  private final double[] hostAlpha;
  private final double[] hostOneMinusAlpha;
  private final double[] hostSum;
  private final float[] hostStage;
  private double[] da;
  private double[] db;
  private double[] dc;
  private double[] dd;

  /**
   * @param cell the cell whose parameters this kernel reads (live: every forward pass reads them)
   * @param inputs I
   */
  LeakyRnnKernel(LeakyRnnCell cell, int inputs) {
    Config config = cell.config();
    this.hidden = config.hiddenSize();
    this.inputs = inputs;
    this.dataType = cell.dataType();
    this.nonlinearity = config.nonlinearity();
    this.slope = config.leakySlope();
    this.inside = config.phi() == Phi.INSIDE;
    this.trainTau = config.trainTau();
    this.buffers = new Buffers(dataType);
    int h = hidden;
    int in = inputs;
    wIn = cell.wIn;
    bIn = cell.bIn;
    wRec = cell.wRec;
    bRec = cell.bRec;
    taus = cell.taus;

    offDiagonal = Nd4j.ones(dataType, h, h);
    buffers.diagonal(offDiagonal).assign(0.0);
    tau = new Tau(h, dataType);
    tauClamped = tau.clamped();
    alpha = tau.alpha();
    oneMinusAlpha = tau.oneMinusAlpha();
    wMasked = Nd4j.create(dataType, h, h);
    recMatrix = Nd4j.create(dataType, h, h);
    inMatrix = Nd4j.create(dataType, h, in + 1);
    inMatrixW = buffers.columns(inMatrix, 0, in);
    inMatrixB = buffers.column(inMatrix, in);

    gradRec = Nd4j.create(dataType, h, h);
    gradIn = Nd4j.create(dataType, h, in + 1);
    gradInW = buffers.columns(gradIn, 0, in);
    gradInB = buffers.column(gradIn, in);
    sumH = Nd4j.create(dataType, h);
    sumH2 = Nd4j.create(dataType, h);
    dLdhViews = new GradientViews(h, dataType, buffers);
    dLdPreViews = new GradientViews(h, dataType, buffers);
    isFloat = dataType == DataType.FLOAT;
    boolean fused = !inside;
    fusedSlope = nonlinearity == Nonlinearity.LEAKY_RELU ? slope : 0.0;
    int hh = fused ? h * h : 0;
    int hi = fused ? h * (in + 1) : 0;
    hostW = new double[hh];
    hostC = new double[hh];
    hostIn = new double[hi];
    hostCIn = new double[hi];
    hostAlpha = new double[fused ? h : 0];
    hostOneMinusAlpha = new double[fused ? h : 0];
    hostSum = new double[fused ? h : 0];
    hostWMasked = new double[fused && trainTau ? hh : 0];
    hostWIn = new double[fused ? h * in : 0];
    hostBIn = new double[fused ? h : 0];
    hostBRec = new double[fused ? h : 0];
    hostGradWIn = new double[fused ? h * in : 0];
    hostGradB = new double[fused ? h : 0];
    hostStage = new float[isFloat ? Math.max(hh, hi) : 0];
    boolean fold = fused && in <= FOLD_MAX_INPUTS;
    foldW = new float[fold && isFloat ? in * h : 0];
    foldWd = new double[fold && !isFloat ? in * h : 0];
    foldBias = new float[fold && isFloat ? h : 0];
    foldAlpha = new float[foldBias.length];
    tileLength = Math.max(1, CHUNK / h) * h;
    foldBiasTile = new float[fold && isFloat ? tileLength : 0];
    foldWTile = new float[fold && isFloat ? in * tileLength : 0];
    foldAlphaTile = new float[fold && isFloat ? tileLength : 0];
    foldBiasTiled = new double[fold && !isFloat ? tileLength : 0];
    foldWTiled = new double[fold && !isFloat ? in * tileLength : 0];
    foldAlphaTiled = new double[fold && !isFloat ? tileLength : 0];
    foldBiasd = new double[fold && !isFloat ? h : 0];
    recPointer = HostLoops.pointer(recMatrix);
    gradInPointer = HostLoops.pointer(gradIn);
    if (inside) {
      wMaskedPointer = HostLoops.pointer(wMasked);
    } else {
      gradRecPointer = HostLoops.pointer(gradRec);
    }
  }

  @Override
  public String name() {
    return inside ? "leaky-rnn/fused-inside" : "leaky-rnn/fused";
  }

  // ---------------------------------------------------------------- forward

  /**
   * Runs the network with the additive drive ξ {@code [T, B, H]} next to the input drive, inside
   * φ's argument (see the class Javadoc); null for none. The drive is converted to the network's
   * type like the inputs; when backward needs it (φ outside with a trainable τ) it is copied into a
   * buffer of the network, so the caller may reuse or change its array right after this call.
   */
  @Override
  public Trajectory forward(INDArray x, INDArray h0, INDArray drive) {
    return forward(x, h0, drive, null);
  }

  /**
   * As {@link #forward(INDArray, INDArray, INDArray)}, with the state clamped by {@code keep}
   * ({@code [H]}, 0 and 1; copied here, so the caller may change it afterwards) when it is not null
   * (see the class Javadoc). The trajectory's initial state is then a copy of the unclamped h_0, as
   * the runner reports it.
   */
  @Override
  public Trajectory forward(INDArray x, INDArray h0, INDArray drive, INDArray keep) {
    int steps = Math.toIntExact(x.size(0));
    int batch = Math.toIntExact(x.size(1));
    lastTrajectory = null;
    shapeViews(steps, batch);
    prepare();
    setKeep(keep);

    long rows = (long) steps * batch;
    folded = !inside && inputs <= FOLD_MAX_INPUTS;
    if (folded) {
      readInputs(x, steps * batch * inputs);
    } else {
      inputsData2d.assign(x.reshape('c', rows, inputs)); // casts if the task's type differs
    }
    INDArray drive2d = null; // ξ as [T·B, H] in the network's type, when backward needs it
    INDArray driveSource = null; // where ξ is read from during this forward pass
    if (drive != null) {
      driveSource = drive.reshape('c', rows, hidden); // a view when drive is C-contiguous
      if (folded || (!inside && trainTau)) { // (the folded loop reads the copy's buffer)
        drive2d = driveView(steps, batch);
        drive2d.assign(driveSource); // casts; a copy, safe against the caller reusing its array
        driveSource = drive2d;
      }
    }
    INDArray[] s = stateSteps;
    s[0].assign(h0);
    INDArray initial = s[0];
    if (clamping) {
      h0Given = buffers.ensure(h0Given, (long) batch * hidden);
      initial = buffers.view(h0Given, 0, batch, hidden).assign(h0);
      broadcastMul(s[0], keepVector, s[0], 1);
    }
    if (!inside) {
      // Z[t] ← α⊙(u_t + ξ_t) for all t, then per step: z_t = h_{t−1}·Aᵀ + Z[t] in place, and
      // h_t = φ(z_t) out of place, so Z keeps the pre-activations (the extra "pre").
      if (folded) {
        // Z[t] ← h_{t−1}·Aᵀ, then one loop adds α⊙u_t, keeps z_t in Z[t] and writes h_t = φ(z_t).
        int bh = batch * hidden;
        for (int t = 0; t < steps; t++) {
          Blas.gemm(
              false,
              true,
              batch,
              hidden,
              hidden,
              1.0,
              t == 0 ? h0Pointer : statesPointer,
              t == 0 ? 0 : (long) (t - 1) * bh,
              hidden,
              recPointer,
              0,
              hidden,
              0.0,
              prePointer,
              (long) t * bh,
              hidden);
          activateFolded(t, batch, drive2d == null ? null : drivePointer);
        }
        lastTrajectory =
            new LeakyTrajectory(
                hiddenView, initial, steps, batch, trainTau ? drive2d : null, preView);
        return lastTrajectory;
      } else if (driveSource == null) {
        Nd4j.gemm(inputs2d, inMatrix, pre2d, false, true, 1.0, 0.0);
      } else {
        pre2d.assign(driveSource); // casts
        broadcastMul(pre2d, alpha, pre2d, 1);
        Nd4j.gemm(inputs2d, inMatrix, pre2d, false, true, 1.0, 1.0);
      }
      int bh = batch * hidden;
      for (int t = 0; t < steps; t++) {
        Blas.gemm(
            false,
            true,
            batch,
            hidden,
            hidden,
            1.0,
            t == 0 ? h0Pointer : statesPointer,
            t == 0 ? 0 : (long) (t - 1) * bh,
            hidden,
            recPointer,
            0,
            hidden,
            1.0,
            prePointer,
            (long) t * bh,
            hidden);
        activateFused((long) t * bh, bh);
      }
    } else {
      // P[t] = u_t + ξ_t, then d_t in place (the extra "pre"); F[t] = φ(d_t) out of place; S
      // holds k = h/α during the loop.
      if (driveSource == null) {
        Nd4j.gemm(inputs2d, inMatrix, pre2d, false, true, 1.0, 0.0);
      } else {
        pre2d.assign(driveSource); // casts
        Nd4j.gemm(inputs2d, inMatrix, pre2d, false, true, 1.0, 1.0);
      }
      broadcastMul(s[0], tauClamped, s[0], 1);
      tileAlpha();
      int bh = batch * hidden;
      for (int t = 0; t < steps; t++) {
        Blas.gemm(
            false,
            true,
            batch,
            hidden,
            hidden,
            1.0,
            t == 0 ? h0Pointer : statesPointer,
            t == 0 ? 0 : (long) (t - 1) * bh,
            hidden,
            recPointer,
            0,
            hidden,
            1.0,
            prePointer,
            (long) t * bh,
            hidden);
        insideStepFused(t, batch);
      }
      broadcastMul(statesNext2d, alpha, statesNext2d, 1);
      s[0].assign(h0);
      if (clamping) {
        broadcastMul(s[0], keepVector, s[0], 1); // backward's dW_rec reads the clamped h_0
      }
    }
    lastTrajectory = new LeakyTrajectory(hiddenView, initial, steps, batch, drive2d, preView);
    return lastTrajectory;
  }

  /**
   * Takes the clamp of this forward pass: none for null, else keep copied into the tiles the loops
   * read (and keepVector).
   */
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
    if (keepVector == null) {
      keepVector = Nd4j.create(dataType, h);
    }
    keepVector.assign(keep.reshape(h)); // casts
    double[] row = keepVector.toDoubleVector();
    int n = Math.max(CHUNK, tileLength) + h;
    if (isFloat) {
      if (keepTile.length != n) {
        keepTile = new float[n];
      }
      for (int i = 0; i < n; i++) {
        keepTile[i] = (float) row[i % h];
      }
    } else {
      if (keepTiled.length != n) {
        keepTiled = new double[n];
      }
      for (int i = 0; i < n; i++) {
        keepTiled[i] = row[i % h];
      }
    }
  }

  /** Recomputes everything derived from the (possibly updated) parameters. */
  private void prepare() {
    if (!inside) {
      // The same values as the ND4J ops and broadcasts below, in Java from one read of each
      // parameter (bit for bit: one float operation each; at H = 128 the dozen ND4J ops cost
      // half a millisecond per forward pass).
      int h = hidden;
      int cols = inputs + 1;
      tau.update(taus, hostAlpha, hostOneMinusAlpha);
      read(wRec, hostW, h * h);
      for (int i = 0; i < h; i++) {
        hostW[i * h + i] = 0.0; // w_rec with its diagonal masked
      }
      if (hostWMasked.length > 0) {
        System.arraycopy(hostW, 0, hostWMasked, 0, h * h);
      }
      read(wIn, hostWIn, h * inputs);
      read(bIn, hostBIn, h);
      read(bRec, hostBRec, h);
      for (int i = 0; i < h; i++) {
        for (int k = 0; k < inputs; k++) {
          hostIn[i * cols + k] = hostWIn[i * inputs + k];
        }
        hostIn[i * cols + inputs] = round(hostBIn[i] + hostBRec[i]);
      }
      for (int i = 0; i < h; i++) {
        double a = hostAlpha[i];
        for (int j = 0; j < h; j++) {
          hostW[i * h + j] *= a;
        }
        hostW[i * h + i] = hostOneMinusAlpha[i];
        for (int k = 0; k < cols; k++) {
          hostIn[i * cols + k] *= a;
        }
      }
      write(recMatrix, hostW, h * h);
      write(inMatrix, hostIn, h * cols);
      // The folded drive, rounded as inMatrix holds it: W_in transposed (so a row of Z reads one
      // contiguous row per input) and the bias column.
      for (int i = 0; i < h; i++) {
        for (int k = 0; k < foldW.length / h; k++) {
          foldW[k * h + i] = (float) hostIn[i * cols + k];
        }
        for (int k = 0; k < foldWd.length / h; k++) {
          foldWd[k * h + i] = hostIn[i * cols + k];
        }
      }
      for (int i = 0; i < foldBias.length; i++) {
        foldBias[i] = (float) hostIn[i * cols + inputs];
        foldAlpha[i] = (float) hostAlpha[i];
      }
      for (int i = 0; i < foldBiasd.length; i++) {
        foldBiasd[i] = hostIn[i * cols + inputs];
      }
      for (int i = 0; i < tileLength; i++) {
        int j = i % h;
        if (isFloat && foldBiasTile.length > 0) {
          foldBiasTile[i] = foldBias[j];
          foldAlphaTile[i] = foldAlpha[j];
          for (int k = 0; k < inputs; k++) {
            foldWTile[k * tileLength + i] = foldW[k * h + j];
          }
        } else if (!isFloat && foldBiasTiled.length > 0) {
          foldBiasTiled[i] = foldBiasd[j];
          foldAlphaTiled[i] = hostAlpha[j];
          for (int k = 0; k < inputs; k++) {
            foldWTiled[k * tileLength + i] = foldWd[k * h + j];
          }
        }
      }
      return;
    }
    tau.update(taus);
    Nd4j.exec(new MulOp(wRec, offDiagonal, wMasked));
    inMatrixW.assign(wIn);
    Nd4j.exec(new AddOp(bIn, bRec, inMatrixB));
    broadcastMul(wMasked, alpha, recMatrix, 1);
  }

  /** x rounded to the network's type (float products computed in double round to the float one). */
  private double round(double x) {
    return isFloat ? (float) x : x;
  }

  /** dst[0..n) ← the first n elements of {@code a} (contiguous, FLOAT or DOUBLE; float widened). */
  private void read(INDArray a, double[] dst, int n) {
    if (isFloat) {
      HostLoops.get(HostLoops.pointer(a), 0, hostStage, n);
      for (int i = 0; i < n; i++) {
        dst[i] = hostStage[i];
      }
    } else {
      HostLoops.get(HostLoops.pointer(a), 0, dst, n);
    }
  }

  /**
   * The first n elements of {@code a} ← src[0..n) (rounded to float for FLOAT: a product of two
   * floats computed in double and rounded is the float product).
   */
  private void write(INDArray a, double[] src, int n) {
    if (isFloat) {
      for (int i = 0; i < n; i++) {
        hostStage[i] = (float) src[i];
      }
      HostLoops.put(HostLoops.pointer(a), 0, hostStage, n);
    } else {
      HostLoops.put(HostLoops.pointer(a), 0, src, n);
    }
  }

  /**
   * h_t = φ(z_t) for the block of n elements at {@code offset} of Z and S: max(z, 0) + slope·min(z,
   * 0), which equals z for z &gt; 0 and slope·z otherwise, without a branch (so C2 vectorises it).
   */
  private void activateFused(long offset, int n) {
    for (int c = 0; c < n; c += CHUNK) {
      activateChunk(offset + c, Math.min(CHUNK, n - c));
    }
  }

  private void activateChunk(long offset, int n) {
    if (isFloat) {
      float[] z = fa;
      float[] h = fb;
      float k = (float) fusedSlope;
      HostLoops.get(prePointer, offset, z, n);
      for (int i = 0; i < n; i++) {
        float v = z[i];
        h[i] = Math.max(v, 0f) + k * Math.min(v, 0f);
      }
      if (clamping) {
        multiply(h, keepTile, (int) (offset % hidden), n); // a flat chunk starts at any column
      }
      HostLoops.put(statesPointer, offset, h, n);
    } else {
      double[] z = da;
      double[] h = db;
      double k = fusedSlope;
      HostLoops.get(prePointer, offset, z, n);
      for (int i = 0; i < n; i++) {
        double v = z[i];
        h[i] = Math.max(v, 0.0) + k * Math.min(v, 0.0);
      }
      if (clamping) {
        multiply(h, keepTiled, (int) (offset % hidden), n);
      }
      HostLoops.put(statesPointer, offset, h, n);
    }
  }

  /**
   * The inputs of this forward pass as a Java array in the network's type, [T·B·I] row-major (for
   * the folded input drive and its gradient).
   */
  private void readInputs(INDArray x, int n) {
    INDArray c =
        x.dataType() == dataType
                && x.ordering() == 'c'
                && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(x)
            ? x
            : x.castTo(dataType).dup('c');
    Pointer p = HostLoops.pointer(c);
    int rows = n / Math.max(inputs, 1);
    int cols = inputs + 1;
    // X_a = [X | 1] for backward's per-step [dW_in | db] products (written here in one bulk copy;
    // ND4J's assign into the column block is a slow strided op).
    if (isFloat) {
      if (foldX == null || foldX.length < n) {
        foldX = new float[n];
        foldXa = new float[rows * cols];
      }
      HostLoops.get(p, 0, foldX, n);
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < inputs; k++) {
          foldXa[r * cols + k] = foldX[r * inputs + k];
        }
        foldXa[r * cols + inputs] = 1f;
      }
      HostLoops.put(inputsPointer, 0, foldXa, rows * cols);
    } else {
      if (foldXd == null || foldXd.length < n) {
        foldXd = new double[n];
        foldXad = new double[rows * cols];
      }
      HostLoops.get(p, 0, foldXd, n);
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < inputs; k++) {
          foldXad[r * cols + k] = foldXd[r * inputs + k];
        }
        foldXad[r * cols + inputs] = 1.0;
      }
      HostLoops.put(inputsPointer, 0, foldXad, rows * cols);
    }
  }

  /**
   * Step t of the folded forward pass, whole rows at a time: z = Z[t] + α⊙(b_in + b_rec) + Σ_k
   * x_k·(α⊙W_in)_k (+ α⊙ξ_t when {@code drive} points at the copy of ξ; added last, so a zero drive
   * gives bit for bit the result without one) back into Z[t] (the extra "pre"), and h_t = φ(z) into
   * S.
   */
  private void activateFolded(int t, int batch, Pointer drive) {
    // Flat loops over a chunk of whole rows against the per-row vectors tiled over the chunk's
    // rows (one short loop per row and term cost more than the arithmetic at H = 128); each term
    // is added in the order of the equation above, so the values do not depend on the layout.
    int h = hidden;
    int rowsPerChunk = Math.max(1, CHUNK / h);
    long stepOffset = (long) t * batch * h;
    for (int r0 = 0; r0 < batch; r0 += rowsPerChunk) {
      int rows = Math.min(rowsPerChunk, batch - r0);
      int n = rows * h;
      long offset = stepOffset + (long) r0 * h;
      int xBase = (t * batch + r0) * inputs;
      if (isFloat) {
        float[] z = fa;
        float[] out = fb;
        float[] expanded = fd;
        float k = (float) fusedSlope;
        HostLoops.get(prePointer, offset, z, n);
        addFlat(z, foldBiasTile, n);
        for (int c = 0; c < inputs; c++) {
          for (int r = 0; r < rows; r++) {
            Arrays.fill(expanded, r * h, (r + 1) * h, foldX[xBase + r * inputs + c]);
          }
          addProductFlat(z, expanded, foldWTile, c * tileLength, n);
        }
        if (drive != null) {
          float[] xi = fc;
          HostLoops.get(drive, offset, xi, n);
          addProductFlat(z, xi, foldAlphaTile, 0, n);
        }
        for (int i = 0; i < n; i++) {
          float v = z[i];
          out[i] = Math.max(v, 0f) + k * Math.min(v, 0f);
        }
        if (clamping) {
          multiply(out, keepTile, 0, n);
        }
        HostLoops.put(prePointer, offset, z, n);
        HostLoops.put(statesPointer, offset, out, n);
      } else {
        double[] z = da;
        double[] out = db;
        double[] expanded = dd;
        double k = fusedSlope;
        HostLoops.get(prePointer, offset, z, n);
        addFlat(z, foldBiasTiled, n);
        for (int c = 0; c < inputs; c++) {
          for (int r = 0; r < rows; r++) {
            Arrays.fill(expanded, r * h, (r + 1) * h, foldXd[xBase + r * inputs + c]);
          }
          addProductFlat(z, expanded, foldWTiled, c * tileLength, n);
        }
        if (drive != null) {
          double[] xi = dc;
          HostLoops.get(drive, offset, xi, n);
          addProductFlat(z, xi, foldAlphaTiled, 0, n);
        }
        for (int i = 0; i < n; i++) {
          double v = z[i];
          out[i] = Math.max(v, 0.0) + k * Math.min(v, 0.0);
        }
        if (clamping) {
          multiply(out, keepTiled, 0, n);
        }
        HostLoops.put(prePointer, offset, z, n);
        HostLoops.put(statesPointer, offset, out, n);
      }
    }
  }

  /** z[0..n) += add[0..n). */
  private static void addFlat(float[] z, float[] add, int n) {
    for (int i = 0; i < n; i++) {
      z[i] += add[i];
    }
  }

  /** z[0..n) += add[0..n). */
  private static void addFlat(double[] z, double[] add, int n) {
    for (int i = 0; i < n; i++) {
      z[i] += add[i];
    }
  }

  /** z[0..n) += x[0..n)·w[from..from+n) (x times w, as the per-row form multiplied). */
  private static void addProductFlat(float[] z, float[] x, float[] w, int from, int n) {
    for (int i = 0; i < n; i++) {
      z[i] += x[i] * w[from + i];
    }
  }

  /** z[0..n) += x[0..n)·w[from..from+n). */
  private static void addProductFlat(double[] z, double[] x, double[] w, int from, int n) {
    for (int i = 0; i < n; i++) {
      z[i] += x[i] * w[from + i];
    }
  }

  /** z[0..n) ⊙= mask[from..from+n) (the clamp). */
  private static void multiply(float[] z, float[] mask, int from, int n) {
    for (int i = 0; i < n; i++) {
      z[i] *= mask[from + i];
    }
  }

  /** z[0..n) ⊙= mask[from..from+n). */
  private static void multiply(double[] z, double[] mask, int from, int n) {
    for (int i = 0; i < n; i++) {
      z[i] *= mask[from + i];
    }
  }

  /** α and 1 − α of this pass, tiled over a chunk's rows (φ inside). */
  private void tileAlpha() {
    int h = hidden;
    if (alphaTile.length != tileLength) {
      alphaTile = new float[tileLength];
      oneMinusAlphaTile = new float[tileLength];
    }
    float[] a = new float[h];
    float[] om = new float[h];
    HostLoops.get(HostLoops.pointer(alpha), 0, a, h);
    HostLoops.get(HostLoops.pointer(oneMinusAlpha), 0, om, h);
    for (int i = 0; i < tileLength; i++) {
      alphaTile[i] = a[i % h];
      oneMinusAlphaTile[i] = om[i % h];
    }
  }

  /**
   * Step t of the fused φ-inside forward pass (after its product into P[t] = d_t), whole rows at a
   * time: F[t] = φ(d_t), then k_t = (1−α)⊙k_{t−1} + F[t] into S — the ND4J path's ops in the same
   * order (tanh: {@link FloatActivations#tanh}, within a few ulp of ND4J's).
   */
  private void insideStepFused(int t, int batch) {
    int h = hidden;
    int rowsPerChunk = Math.max(1, CHUNK / h);
    long bh = (long) batch * h;
    float k = (float) fusedSlope;
    boolean tanh = nonlinearity == Nonlinearity.TANH;
    for (int r0 = 0; r0 < batch; r0 += rowsPerChunk) {
      int n = Math.min(rowsPerChunk, batch - r0) * h;
      long offset = t * bh + (long) r0 * h;
      float[] d = fa;
      float[] f = fb;
      float[] prev = fc;
      float[] next = fd;
      HostLoops.get(prePointer, offset, d, n);
      if (tanh) {
        FloatActivations.tanh(d, f, n);
      } else {
        for (int i = 0; i < n; i++) {
          float v = d[i];
          f[i] = Math.max(v, 0f) + k * Math.min(v, 0f);
        }
      }
      HostLoops.put(phiPointer, offset, f, n);
      if (t == 0) {
        HostLoops.get(h0Pointer, (long) r0 * h, prev, n);
      } else {
        HostLoops.get(statesPointer, offset - bh, prev, n);
      }
      float[] om = oneMinusAlphaTile;
      for (int i = 0; i < n; i++) {
        next[i] = om[i] * prev[i] + f[i];
      }
      if (clamping) {
        multiply(next, keepTile, 0, n); // k_t ⊙ keep = (h_t ⊙ keep)/α
      }
      HostLoops.put(statesPointer, offset, next, n);
    }
  }

  /**
   * Step t of the fused φ-inside backward pass: E_t = (α⊙φ′(d_t))⊙δh_t (+ dL/dpre_t) into Q[t] (φ′
   * read off F: 1 − F² for tanh, [F &gt; 0]·(1 − slope) + slope for the ReLUs, as the ND4J path
   * computes it).
   */
  private void insideBackwardFused(Pointer dLdh, Pointer dLdPre, int t, int batch) {
    int h = hidden;
    int rowsPerChunk = Math.max(1, CHUNK / h);
    long bh = (long) batch * h;
    boolean tanh = nonlinearity == Nonlinearity.TANH;
    float oneMinusSlope = nonlinearity == Nonlinearity.LEAKY_RELU ? (float) (1.0 - slope) : 1f;
    float slopeF = nonlinearity == Nonlinearity.LEAKY_RELU ? (float) slope : 0f;
    for (int r0 = 0; r0 < batch; r0 += rowsPerChunk) {
      int n = Math.min(rowsPerChunk, batch - r0) * h;
      long offset = t * bh + (long) r0 * h;
      float[] f = fa;
      float[] g = fb;
      float[] extra = fc;
      float[] e = fd;
      HostLoops.get(phiPointer, offset, f, n);
      HostLoops.get(dLdh, offset, g, n);
      if (clamping) {
        // The total dL/dh_t ⊙ keep back into dL/dh, where the leak's term and dτ read it.
        multiply(g, keepTile, 0, n);
        HostLoops.put(dLdh, offset, g, n);
      }
      if (dLdPre != null) {
        HostLoops.get(dLdPre, offset, extra, n);
      } // else the caller zeroed it once for the whole pass
      float[] a = alphaTile;
      if (tanh) {
        for (int i = 0; i < n; i++) {
          e[i] = (1f - f[i] * f[i]) * a[i] * g[i] + extra[i];
        }
      } else {
        for (int i = 0; i < n; i++) {
          float m = Math.min(1f, Math.max(f[i], 0f) * 1e38f * 1e38f);
          e[i] = (m * oneMinusSlope + slopeF) * a[i] * g[i] + extra[i];
        }
      }
      HostLoops.put(derivPointer, offset, e, n);
    }
  }

  /** δh_{t−1} += (1−α)⊙δh_t (φ inside, after the step's product into δh_{t−1}). */
  private void insideLeakFused(Pointer dLdh, int t, int batch) {
    int h = hidden;
    int rowsPerChunk = Math.max(1, CHUNK / h);
    long bh = (long) batch * h;
    for (int r0 = 0; r0 < batch; r0 += rowsPerChunk) {
      int n = Math.min(rowsPerChunk, batch - r0) * h;
      long offset = t * bh + (long) r0 * h;
      float[] g = fa;
      float[] prev = fb;
      HostLoops.get(dLdh, offset, g, n);
      HostLoops.get(dLdh, offset - bh, prev, n);
      float[] om = oneMinusAlphaTile;
      for (int i = 0; i < n; i++) {
        prev[i] = prev[i] + om[i] * g[i];
      }
      HostLoops.put(dLdh, offset - bh, prev, n);
    }
  }

  /**
   * Step t of the fused backward pass (B·H elements), whole rows at a time: δ_t = δh_t⊙φ′(h_t) (+
   * dL/dpre_t) back into dL/dh, where the recursion and the weight gradients read it. φ′ is read
   * off h_t: m = min(1, max(h, 0)·10³⁸·10³⁸) is 1 for every h &gt; 0 (denormals included) and 0
   * otherwise, and δ = m·g + (1−m)·(slope·g) is then exactly g resp. slope·g, without a branch.
   */
  private void backwardStepFused(Pointer dLdh, Pointer dLdPre, int t, int batch) {
    int h = hidden;
    int rowsPerChunk = Math.max(1, CHUNK / h);
    long stepOffset = (long) t * batch * h;
    for (int r0 = 0; r0 < batch; r0 += rowsPerChunk) {
      int rows = Math.min(rowsPerChunk, batch - r0);
      backwardChunk(dLdh, dLdPre, stepOffset + (long) r0 * h, rows * h);
    }
  }

  private void backwardChunk(Pointer dLdh, Pointer dLdPre, long offset, int n) {
    if (isFloat) {
      float[] g = fa;
      float[] state = fb;
      float[] extra = fc;
      float k = (float) fusedSlope;
      HostLoops.get(dLdh, offset, g, n);
      HostLoops.get(statesPointer, offset, state, n);
      if (dLdPre != null) {
        HostLoops.get(dLdPre, offset, extra, n);
      }
      if (clamping) {
        multiply(g, keepTile, 0, n); // chunks are whole rows
      }
      // One flat loop (a nested loop over rows and columns is not vectorised by C2).
      for (int i = 0; i < n; i++) {
        float m = Math.min(1f, Math.max(state[i], 0f) * 1e38f * 1e38f);
        float v = g[i];
        g[i] = m * v + (1f - m) * (k * v) + extra[i];
      }
      HostLoops.put(dLdh, offset, g, n);
    } else {
      double[] g = da;
      double[] state = db;
      double[] extra = dc;
      double k = fusedSlope;
      HostLoops.get(dLdh, offset, g, n);
      HostLoops.get(statesPointer, offset, state, n);
      if (dLdPre != null) {
        HostLoops.get(dLdPre, offset, extra, n);
      }
      if (clamping) {
        multiply(g, keepTiled, 0, n);
      }
      // One flat loop (a nested loop over rows and columns is not vectorised by C2).
      for (int i = 0; i < n; i++) {
        double m = Math.min(1.0, Math.max(state[i], 0.0) * 1e300 * 1e300);
        double v = g[i];
        g[i] = m * v + (1.0 - m) * (k * v) + extra[i];
      }
      HostLoops.put(dLdh, offset, g, n);
    }
  }

  // --------------------------------------------------------------- backward

  /**
   * BPTT from dL/dh and dL/dpre. dL/dpre {@code [T, B, H]} (any order or type; only read) is added
   * where dL/dz (φ outside) or dL/dd (φ inside) is formed at each step, before the recursion uses
   * it. The runtime has checked names and shapes.
   */
  @Override
  public void backward(
      Trajectory trajectory,
      INDArray dLdh,
      Map<String, INDArray> dLdExtras,
      Map<String, INDArray> gradients) {
    INDArray dLdPre = dLdExtras.get(PRE);
    int steps = lastTrajectory.steps();
    int batch = lastTrajectory.batch();
    if (dLdPre != null) {
      if (dLdPre == dLdh || dLdPre.data() == dLdh.data()) {
        dLdPre = dLdPre.dup(); // dLdh is overwritten in place below
      }
    }
    INDArray gWIn = Shapes.gradientArray(gradients, "w_in", wIn);
    INDArray gBIn = Shapes.gradientArray(gradients, "b_in", bIn);
    INDArray gWRec = Shapes.gradientArray(gradients, "w_rec", wRec);
    INDArray gBRec = Shapes.gradientArray(gradients, "b_rec", bRec);
    INDArray gTaus = trainTau ? Shapes.gradientArray(gradients, "taus", taus) : null;
    boolean hostWritable = !inside && dense(gWRec) && dense(gWIn) && dense(gBIn) && dense(gBRec);
    derivViews(steps, batch);
    dLdhViews.bind(dLdh, steps, batch);
    INDArray[] g = dLdhViews.steps();
    INDArray[] gp = null; // dL/dpre per step, or null
    if (dLdPre != null) {
      dLdPreViews.bind(dLdPre, steps, batch);
      gp = dLdPreViews.steps();
    }
    INDArray grad2d = dLdhViews.all();
    INDArray[] q = derivStepViews;
    INDArray delta; // [T·B, H]: dL/d(drive) scaled as the weight products need it
    INDArray deltaFirst; // its first step, [B, H]
    INDArray deltaRest; // its other steps, [(T−1)·B, H]
    if (!inside) {
      // δ_t into dL/dh; the weight products below use δ and scale their rows by α afterwards.
      Pointer gPointer = HostLoops.pointer(g[0]);
      Pointer gpPointer = gp == null ? null : HostLoops.pointer(gp[0]);
      if (gp == null) {
        if (isFloat) {
          Arrays.fill(fc, 0f);
        } else {
          Arrays.fill(dc, 0.0);
        }
      }
      long bh = (long) batch * hidden;
      int cols = inputs + 1;
      for (int t = steps - 1; t >= 0; t--) {
        backwardStepFused(gPointer, gpPointer, t, batch);
        if (folded) {
          // [dW_in | db] += δ_tᵀ·X_a[t] while δ_t is still in cache (one pass less over δ)
          Blas.gemm(
              true,
              false,
              hidden,
              cols,
              batch,
              1.0,
              gPointer,
              t * bh,
              hidden,
              inputsPointer,
              (long) t * batch * cols,
              cols,
              t == steps - 1 ? 0.0 : 1.0,
              gradInPointer,
              0,
              cols);
        }
        if (t > 0) {
          Blas.gemm(
              false,
              false,
              batch,
              hidden,
              hidden,
              1.0,
              gPointer,
              t * bh,
              hidden,
              recPointer,
              0,
              hidden,
              1.0,
              gPointer,
              (t - 1) * bh,
              hidden);
        }
      }
      // dW_rec = Σ_t δ_tᵀ·h_{t−1}: step 1 against h_0, the rest against h_1..h_{T−1}.
      Blas.gemm(
          true,
          false,
          hidden,
          hidden,
          batch,
          1.0,
          gPointer,
          0,
          hidden,
          h0Pointer,
          0,
          hidden,
          0.0,
          gradRecPointer,
          0,
          hidden);
      if (steps > 1) {
        Blas.gemm(
            true,
            false,
            hidden,
            hidden,
            (steps - 1) * batch,
            1.0,
            gPointer,
            bh,
            hidden,
            statesPointer,
            0,
            hidden,
            1.0,
            gradRecPointer,
            0,
            hidden);
      }
      delta = grad2d;
      deltaFirst = g[0];
      deltaRest = dLdhViews.rest();
    } else {
      {
        // Per step: E_t = α⊙φ′⊙δh_t (+ dL/dpre_t) into Q[t] in Java, δh_{t−1} += E_t·W through
        // OpenBLAS, then δh_{t−1} += (1−α)⊙δh_t in Java (the ND4J path's order).
        Pointer gPointer = HostLoops.pointer(g[0]);
        Pointer gpPointer = gp == null ? null : HostLoops.pointer(gp[0]);
        if (gp == null) {
          Arrays.fill(fc, 0f); // no dL/dpre: the term it adds is 0 (fc is not written below)
        }
        long bh = (long) batch * hidden;
        for (int t = steps - 1; t >= 0; t--) {
          insideBackwardFused(gPointer, gpPointer, t, batch);
          if (t > 0) {
            Blas.gemm(
                false,
                false,
                batch,
                hidden,
                hidden,
                1.0,
                derivPointer,
                t * bh,
                hidden,
                wMaskedPointer,
                0,
                hidden,
                1.0,
                gPointer,
                (t - 1) * bh,
                hidden);
            insideLeakFused(gPointer, t, batch);
          }
        }
      }
      delta = deriv2d;
      deltaFirst = q[0];
      deltaRest = derivRest;
    }
    if (inside) {
      // dW_rec = Σ_t E_tᵀ·h_{t−1}: step 1 against h_0, the rest against h_1..h_{T−1}.
      Nd4j.gemm(deltaFirst, stateSteps[0], gradRec, true, false, 1.0, 0.0);
      if (steps > 1) {
        Nd4j.gemm(deltaRest, statesHead2d, gradRec, true, false, 1.0, 1.0);
      }
    }
    if (!folded) {
      Nd4j.gemm(delta, inputs2d, gradIn, true, false, 1.0, 0.0);
    }
    if (!inside) {
      // (α⊙δ)ᵀ·Y = diag(α)·(δᵀ·Y): the rows of both products scaled by α in Java, and with a
      // trainable τ the sums α_i·(Σ_j W_ij·C_ij − C_ii) + Σ_k [W_in | b]_ik·C_in,ik below too.
      int h = hidden;
      int cols = inputs + 1;
      read(gradRec, hostC, h * h);
      read(gradIn, hostCIn, h * cols);
      for (int i = 0; i < h; i++) {
        double a = hostAlpha[i];
        for (int j = 0; j < h; j++) {
          hostC[i * h + j] = round(hostC[i * h + j] * a);
        }
        for (int k = 0; k < cols; k++) {
          hostCIn[i * cols + k] = round(hostCIn[i * cols + k] * a);
        }
      }
      if (!hostWritable) {
        write(gradRec, hostC, h * h);
        write(gradIn, hostCIn, h * cols);
      }
      if (gTaus != null) {
        double[] w = hostWMasked; // W (hostW holds the recurrent matrix)
        for (int i = 0; i < h; i++) {
          double sum = 0;
          for (int j = 0; j < h; j++) {
            sum += w[i * h + j] * hostC[i * h + j];
          }
          double sumIn = 0;
          for (int k = 0; k < cols; k++) {
            sumIn += hostIn[i * cols + k] * hostCIn[i * cols + k];
          }
          hostSum[i] = (sum - hostC[i * h + i]) * hostAlpha[i] + sumIn;
        }
        write(sumH, hostSum, h);
      }
    }

    if (gTaus != null) {
      if (!inside) {
        // (sumH was computed above, in Java)
        INDArray drive2d = lastTrajectory.drive();
        if (drive2d != null) {
          // The drive's term α⊙Σ_rows (α⊙δ)⊙ξ; Q (φ′) is free after the loop.
          Nd4j.exec(new MulOp(delta, drive2d, deriv2d));
          Nd4j.exec(new Sum(deriv2d, sumH2, 0));
          sumH2.muli(alpha).muli(alpha); // α⊙Σ (α⊙δ)⊙ξ, with delta = δ (not α⊙δ)
          sumH.addi(sumH2);
        }
      } else {
        Nd4j.exec(new SubOp(stateSteps[1], stateSteps[0], q[0]));
        if (steps > 1) {
          Nd4j.exec(new SubOp(statesTail2d, statesHead2d, derivRest));
        }
        deriv2d.muli(grad2d);
        Nd4j.exec(new Sum(deriv2d, sumH, 0));
        sumH.muli(alpha);
      }
      tau.gradient(sumH, gTaus);
    }
    if (hostWritable) {
      // Straight from the host copies into the caller's arrays: W_rec's gradient with its
      // diagonal masked, [dW_in | db] split into dW_in, db_in and db_rec (4 ND4J ops, three of
      // them on strided column views, and two bulk copies fewer).
      int h = hidden;
      int cols = inputs + 1;
      for (int i = 0; i < h; i++) {
        hostC[i * h + i] = 0.0;
        for (int k = 0; k < inputs; k++) {
          hostGradWIn[i * inputs + k] = hostCIn[i * cols + k];
        }
        hostGradB[i] = hostCIn[i * cols + inputs];
      }
      write(gWRec, hostC, h * h);
      write(gWIn, hostGradWIn, h * inputs);
      write(gBIn, hostGradB, h);
      write(gBRec, hostGradB, h);
      return;
    }
    Nd4j.exec(new MulOp(gradRec, offDiagonal, gWRec));
    gWIn.assign(gradInW);
    gBIn.assign(gradInB);
    gBRec.assign(gradInB);
  }

  /** Whether {@code a} is a C-ordered, densely strided array of the network's type. */
  private boolean dense(INDArray a) {
    return a.dataType() == dataType
        && a.ordering() == 'c'
        && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(a);
  }

  // ---------------------------------------------------------------- buffers

  /** Makes the forward buffers hold T steps of B sequences and rebuilds their views if needed. */
  private void shapeViews(int steps, int batch) {
    if (steps == viewSteps && batch == viewBatch) {
      return;
    }
    long bh = (long) batch * hidden;
    long rows = (long) steps * batch;
    statesFlat = buffers.ensure(statesFlat, steps * bh, 0.0);
    h0Flat = buffers.ensure(h0Flat, bh, 0.0);
    inputsFlat = buffers.ensure(inputsFlat, rows * (inputs + 1), 1.0);
    stateSteps = new INDArray[steps + 1];
    stateSteps[0] = buffers.view(h0Flat, 0, batch, hidden);
    for (int t = 1; t <= steps; t++) {
      stateSteps[t] = buffers.view(statesFlat, (t - 1) * bh, batch, hidden);
    }
    hiddenView = buffers.view(statesFlat, 0, steps, batch, hidden);
    statesNext2d = buffers.view(statesFlat, 0, rows, hidden);
    statesHead2d = steps > 1 ? buffers.view(statesFlat, 0, rows - batch, hidden) : null;
    statesTail2d = steps > 1 ? buffers.view(statesFlat, bh, rows - batch, hidden) : null;
    inputs2d = buffers.view(inputsFlat, 0, rows, inputs + 1);
    inputsData2d = buffers.columns(inputs2d, 0, inputs);
    preFlat = buffers.ensure(preFlat, rows * hidden, 0.0);
    preSteps = buffers.steps(preFlat, steps, batch, hidden);
    pre2d = buffers.view(preFlat, 0, rows, hidden);
    preView = buffers.view(preFlat, 0, steps, batch, hidden);
    if (inside) {
      phiFlat = buffers.ensure(phiFlat, rows * hidden, 0.0);
    }
    {
      statesPointer = HostLoops.pointer(statesFlat);
      prePointer = HostLoops.pointer(preFlat);
      h0Pointer = HostLoops.pointer(h0Flat);
      inputsPointer = HostLoops.pointer(inputsFlat);
      phiPointer = inside ? HostLoops.pointer(phiFlat) : null;
      // flat chunks (activateFused) or whole rows (the folded loops), whichever is longer
      int n =
          Math.max(
              Math.min(batch * hidden, CHUNK),
              Math.min(batch, Math.max(1, CHUNK / hidden)) * hidden);
      if (isFloat && (fa == null || fa.length < n)) {
        fa = new float[n];
        fb = new float[n];
        fc = new float[n];
        fd = new float[n];
      } else if (!isFloat && (da == null || da.length < n)) {
        da = new double[n];
        db = new double[n];
        dc = new double[n];
        dd = new double[n];
      }
    }
    viewSteps = steps;
    viewBatch = batch;
  }

  /** The backward scratch buffer Q and its views (allocated only once backward is used). */
  private void derivViews(int steps, int batch) {
    if (steps == derivShapeSteps && batch == derivShapeBatch) {
      return;
    }
    long bh = (long) batch * hidden;
    derivFlat = buffers.ensure(derivFlat, steps * bh, 0.0);
    derivPointer = inside ? HostLoops.pointer(derivFlat) : null;
    derivStepViews = buffers.steps(derivFlat, steps, batch, hidden);
    deriv2d = buffers.view(derivFlat, 0, (long) steps * batch, hidden);
    derivRest = steps > 1 ? buffers.view(derivFlat, bh, (long) (steps - 1) * batch, hidden) : null;
    derivShapeSteps = steps;
    derivShapeBatch = batch;
  }

  /** The drive copy ξ as {@code [T·B, H]} (allocated only once a drive is copied). */
  private INDArray driveView(int steps, int batch) {
    if (steps != driveShapeSteps || batch != driveShapeBatch) {
      long rows = (long) steps * batch;
      driveFlat = buffers.ensure(driveFlat, rows * hidden, 0.0);
      drive2dView = buffers.view(driveFlat, 0, rows, hidden);
      drivePointer = inside ? null : HostLoops.pointer(driveFlat);
      driveShapeSteps = steps;
      driveShapeBatch = batch;
    }
    return drive2dView;
  }

  /**
   * Views into the network's buffers; valid until the next forward call. {@code drive} is the
   * network's copy of ξ as {@code [T·B, H]} when backward needs it (φ outside, trainable τ), else
   * null.
   */
  private record LeakyTrajectory(
      INDArray hidden, INDArray initialState, int steps, int batch, INDArray drive, INDArray pre)
      implements Trajectory {

    /** {@code "pre"} {@code [T, B, H]}, at offset 0 of the network's buffer. */
    @Override
    public Map<String, INDArray> extras() {
      return Map.of(PRE, pre);
    }
  }
}
