package engram.models.rankone;

import engram.api.SequenceKernel;
import engram.api.Trajectory;
import engram.kernels.Blas;
import engram.kernels.Buffers;
import engram.kernels.FloatActivations;
import engram.kernels.HostLoops;
import engram.models.common.GradientViews;
import engram.models.common.Shapes;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The rank-one RNN's whole-sequence kernel: the forward pass and BPTT of {@link RankOneRnnCell} run
 * step by step (the oracle its tests compare it with), in float32 and float64 on ND4J's CPU
 * backend, with the state clamp of ablation ({@link SequenceKernel.ClampsState}). The recurrence
 * m·nᵀ/H is rank one, so a step has no matrix product at all: it is one pass of plain Java loops
 * over the native buffers ({@link HostLoops}), with an outer product and a dot product per row, and
 * it makes no ND4J op and allocates nothing (the cell's step allocates about eight arrays and its
 * VJP about twelve, each costly where fresh native memory page-faults).
 *
 * <h2>Equations</h2>
 *
 * Row vectors, one row per sequence; α = dt/τ; keep the clamp's 0/1 mask over the H units (all ones
 * when nothing is ablated), n_k = n ⊙ keep; x_0 ⊙= keep, r_0 = tanh(x_0), κ̂_0 = r_0·n/H; D_t =
 * s_t·W_inᵀ + b:
 *
 * <pre>
 *   forward:  u_t = (1−α)·x_{t−1} + α·(D_t + κ̂_{t−1}·mᵀ)        (the cell's step, unclamped)
 *             rates_t = tanh(u_t),  kappa_t = rates_t·n/H,  κ̂_t = rates_t·n_k/H,  x_t = u_t ⊙ keep
 *   backward: dκ_t = (α·δ_{t+1})·m                                   [B, 1], δ_{T+1} = 0
 *             δ_t = (dL/dx_t + (1−α)·δ_{t+1} + (dκ_t·nᵀ/H)⊙(1 − rates_t²)) ⊙ keep
 *             dm = α·Σ δ_tᵀ·κ̂_{t−1},  dn = (Σ rates_{t−1}ᵀ·dκ_{t−1}/H) ⊙ keep,
 *             [dW_in | db] = α·Σ δ_tᵀ·[s_t | 1]
 * </pre>
 *
 * (Σ over steps and rows; rates_0 = r_0.) The extras {@code "rates"} and {@code "kappa"} are, like
 * the step-by-step runner's, not clamped: a clamped unit reports the rate its unclamped step would
 * have, and kappa sums them all. The recurrence needs κ of the clamped state, tanh(x_{t−1})·n/H =
 * rates_{t−1}·n_k/H = κ̂_{t−1} (tanh(0) = 0), so the kernel forms both dot products; without a
 * clamp κ̂ = kappa. Likewise dn is masked because the rates it is formed from are unclamped, and
 * δ_t's clamped columns, where 1 − rates² is not the clamped state's, are zeroed by keep before
 * anything reads them. This is the cell's VJP with g = δ_{t+1}, which is the runner's g ⊙= keep
 * after dL/dh_t is added.
 *
 * <h2>Layout and the loop</h2>
 *
 * x_1..x_T live in one buffer X {@code [T, B, H]} at offset 0 (the trajectory), the rates in R and
 * kappa in K {@code [T, B, 1]} likewise (the extras); x_0 ⊙ keep, r_0 and the initial state as
 * given (the trajectory's {@code initialState}) have buffers of their own (a trajectory at a
 * non-zero offset would hit the ND4J 1.0.0-M2.1 bug described in LeakyRnnKernel); κ̂ and kappa are
 * also kept in Java arrays. D of all steps is one product of X_a = [X | 1] {@code [T·B, I+1]} with
 * [W_in | b] into X before the loop. Each step is one pass over chunks of whole rows: u, tanh
 * (float32: {@link FloatActivations#tanh}, within a few ulp of ND4J's; float64: {@link Math#tanh}),
 * the two dot products per row, the clamp. Backward, per step and chunk on dL/dh in place: dκ per
 * row, the sums of dm and dn, and δ. After the loop [dW_in | db] is one product over all T·B rows.
 * The sums differ from the cell's in order only, so results agree to rounding.
 *
 * <p>Buffers are allocated for the largest T·B seen and reused (views of a prefix) for smaller
 * ones. The kernel reads the cell's live parameters at every forward pass. One thread at a time.
 */
final class RankOneRnnKernel implements SequenceKernel.ClampsState {

  /** Elements per chunk of the step loops (whole rows): the Java scratch stays in L1/L2. */
  static final int CHUNK = 4096;

  private final int hidden;
  private final int inputs;
  private final double alpha;
  private final DataType dataType;
  private final boolean isFloat;
  private final Buffers buffers;

  // The cell's parameters (live arrays).
  private final INDArray m;
  private final INDArray n;
  private final INDArray wIn;
  private final INDArray b;

  // Derived from the parameters and the clamp at every forward pass.
  private final INDArray inMatrix; // [W_in | b] [H, I+1]
  private final Pointer inPointer;
  private final double[] hostKeep; // keep [H]; all ones without a clamp
  private final double[] hostM;
  private final double[] hostN;
  private final double[] hostWIn; // [H·I]: W_in, and in backward dW_in
  private final double[] hostB; // [H]: b, and in backward db
  private final double[] hostIn; // [H·(I+1)]: [W_in | b], and in backward [dW_in | db]
  private boolean clamped; // whether the latest forward pass had a clamp

  // Backward result of parameter size.
  private final INDArray gradIn; // α·Σ δᵀ·[s | 1] [H, I+1]
  private final Pointer gradInPointer;

  // The loops' vectors (m, n, n_k) and tiles (m, n, keep repeated over the rows of a chunk), the
  // sums of dm and dn per tile position, Java scratch of one chunk, κ̂ and kappa of every step;
  // float or double by the data type.
  private final int chunkRows;
  private final float[] mF;
  private final float[] nF;
  private final float[] nkF;
  private final float[] mTileF;
  private final float[] nTileF;
  private final float[] keepTileF;
  private final float[] sumMF;
  private final float[] sumNF;
  private final float[][] scratchF;
  private float[] kHatF = new float[0]; // κ̂_0..κ̂_T, [(T+1)·B]
  private float[] kappaF = new float[0]; // kappa_1..kappa_T, [T·B]
  private final double[] mD;
  private final double[] nD;
  private final double[] nkD;
  private final double[] mTileD;
  private final double[] nTileD;
  private final double[] keepTileD;
  private final double[] sumMD;
  private final double[] sumND;
  private final double[][] scratchD;
  private double[] kHatD = new double[0];
  private double[] kappaD = new double[0];
  private float[] xStageF = new float[0]; // X, then X_a, staged for one bulk copy each
  private float[] xaStageF = new float[0];
  private double[] xStageD = new double[0];
  private double[] xaStageD = new double[0];

  // Growable native buffers, and the views and pointers of the current shape.
  private INDArray statesFlat; // X: x_1..x_T [T·B·H], offset 0 (the trajectory)
  private INDArray ratesFlat; // R: rates_1..rates_T, offset 0 (an extra)
  private INDArray kappaFlat; // K: kappa_1..kappa_T [T·B], offset 0 (an extra)
  private INDArray s0Flat; // the initial state as given [B·H]
  private INDArray x0Flat; // x_0 ⊙ keep
  private INDArray r0Flat; // r_0 = tanh(x_0 ⊙ keep)
  private INDArray inputsFlat; // X_a [T·B·(I+1)], last column 1
  private int viewSteps = -1;
  private int viewBatch = -1;
  private INDArray hiddenView; // [T, B, H]
  private INDArray s0View; // [B, H]
  private Map<String, INDArray> extras; // rates [T, B, H], kappa [T, B, 1]
  private Pointer statesPointer;
  private Pointer ratesPointer;
  private Pointer kappaPointer;
  private Pointer s0Pointer;
  private Pointer x0Pointer;
  private Pointer r0Pointer;
  private Pointer inputsPointer;

  private final GradientViews dLdhViews;
  private RankOneTrajectory lastTrajectory;

  /**
   * A kernel for {@code cell}, float32 or float64.
   *
   * @param cell the cell whose parameters this kernel reads (live: every forward pass reads them)
   * @throws IllegalArgumentException for another data type
   */
  RankOneRnnKernel(RankOneRnnCell cell) {
    this.dataType = cell.dataType();
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      throw new IllegalArgumentException(
          "rank-one-rnn/fused runs float32 and float64, not " + dataType);
    }
    this.isFloat = dataType == DataType.FLOAT;
    this.hidden = cell.hiddenSize();
    this.inputs = cell.inputSize();
    this.alpha = cell.alpha();
    this.buffers = new Buffers(dataType);
    this.m = cell.m;
    this.n = cell.n;
    this.wIn = cell.wIn;
    this.b = cell.b;
    int hh = hidden;
    int cols = inputs + 1;
    inMatrix = Nd4j.create(dataType, hh, cols);
    inPointer = HostLoops.pointer(inMatrix);
    hostKeep = new double[hh];
    hostM = new double[hh];
    hostN = new double[hh];
    hostWIn = new double[hh * inputs];
    hostB = new double[hh];
    hostIn = new double[hh * cols];
    gradIn = Nd4j.create(dataType, hh, cols);
    gradInPointer = HostLoops.pointer(gradIn);
    chunkRows = Math.max(1, CHUNK / hh);
    int tile = chunkRows * hh;
    int f = isFloat ? 1 : 0;
    int d = 1 - f;
    mF = new float[f * hh];
    nF = new float[f * hh];
    nkF = new float[f * hh];
    mTileF = new float[f * tile];
    nTileF = new float[f * tile];
    keepTileF = new float[f * tile];
    sumMF = new float[f * tile];
    sumNF = new float[f * tile];
    scratchF = new float[f * 5][tile];
    mD = new double[d * hh];
    nD = new double[d * hh];
    nkD = new double[d * hh];
    mTileD = new double[d * tile];
    nTileD = new double[d * tile];
    keepTileD = new double[d * tile];
    sumMD = new double[d * tile];
    sumND = new double[d * tile];
    scratchD = new double[d * 5][tile];
    dLdhViews = new GradientViews(hh, dataType, buffers);
  }

  @Override
  public String name() {
    return "rank-one-rnn/fused";
  }

  // ---------------------------------------------------------------- forward

  /**
   * {@inheritDoc}
   *
   * @throws UnsupportedOperationException when a drive is given (the rank-one RNN takes none)
   */
  @Override
  public Trajectory forward(INDArray s, INDArray x0, INDArray drive) {
    return forward(s, x0, drive, null);
  }

  /**
   * {@inheritDoc}
   *
   * @throws UnsupportedOperationException when a drive is given (the rank-one RNN takes none)
   */
  @Override
  public Trajectory forward(INDArray s, INDArray x0, INDArray drive, INDArray keep) {
    if (drive != null) {
      throw new UnsupportedOperationException("rank-one-rnn does not accept a recurrent drive");
    }
    Shapes.checkInputs(s, inputs);
    int steps = Math.toIntExact(s.size(0));
    int batch = Math.toIntExact(s.size(1));
    Shapes.checkInitialState(x0, batch, hidden);
    if (keep != null && keep.length() != hidden) {
      throw new IllegalArgumentException(
          "keep must have " + hidden + " entries, was " + Shapes.shapeOf(keep));
    }
    lastTrajectory = null;
    shapeViews(steps, batch);
    prepare(keep);
    int rows = steps * batch;
    readInputs(s, rows);
    readInitialState(x0, batch);

    int cols = inputs + 1;
    long bh = (long) batch * hidden;
    // D of every step at once: X ← X_a·[W_in | b]ᵀ.
    Blas.gemm(
        false,
        true,
        rows,
        hidden,
        cols,
        1.0,
        inputsPointer,
        0,
        cols,
        inPointer,
        0,
        cols,
        0.0,
        statesPointer,
        0,
        hidden);
    for (int t = 0; t < steps; t++) {
      Pointer prev = t == 0 ? x0Pointer : statesPointer;
      long prevAt = t == 0 ? 0 : (t - 1) * bh;
      long at = t * bh;
      int step = t;
      if (isFloat) {
        chunks(
            batch, (row0, count) -> forwardChunkFloat(prev, prevAt, at, step, batch, row0, count));
      } else {
        chunks(
            batch, (row0, count) -> forwardChunkDouble(prev, prevAt, at, step, batch, row0, count));
      }
    }
    if (isFloat) {
      HostLoops.put(kappaPointer, 0, kappaF, rows);
    } else {
      HostLoops.put(kappaPointer, 0, kappaD, rows);
    }
    lastTrajectory = new RankOneTrajectory(hiddenView, s0View, extras, steps, batch);
    return lastTrajectory;
  }

  /**
   * Rows [row0, row0 + count) of forward step t (0-based): u from D in X[t] and the previous state,
   * R[t] = tanh(u), kappa_{t+1} and κ̂_{t+1} per row, X[t] = u ⊙ keep. A method of its own so that
   * C2 compiles it early and whole.
   */
  private void forwardChunkFloat(
      Pointer prev, long prevAt, long at, int t, int batch, int row0, int count) {
    int hh = hidden;
    int len = count * hh;
    long e = (long) row0 * hh;
    float[] u = scratchF[0];
    float[] xPrev = scratchF[1];
    float[] r = scratchF[2];
    float[] kHat = scratchF[3];
    float[] mT = mTileF;
    HostLoops.get(statesPointer, at + e, u, len);
    HostLoops.get(prev, prevAt + e, xPrev, len);
    int from = t * batch + row0; // κ̂_t of these rows
    for (int q = 0; q < count; q++) {
      Arrays.fill(kHat, q * hh, (q + 1) * hh, kHatF[from + q]);
    }
    float leak = (float) (1.0 - alpha);
    float a = (float) alpha;
    for (int i = 0; i < len; i++) {
      u[i] = xPrev[i] * leak + (u[i] + kHat[i] * mT[i]) * a;
    }
    FloatActivations.tanh(u, r, len);
    float size = hh;
    int to = (t + 1) * batch + row0; // κ̂_{t+1} of these rows
    for (int q = 0; q < count; q++) {
      int o = q * hh;
      float dot = 0f;
      for (int j = 0; j < hh; j++) {
        dot += r[o + j] * nF[j];
      }
      kappaF[to - batch + q] = dot / size;
      if (clamped) {
        float dotK = 0f;
        for (int j = 0; j < hh; j++) {
          dotK += r[o + j] * nkF[j];
        }
        kHatF[to + q] = dotK / size;
      } else {
        kHatF[to + q] = dot / size;
      }
    }
    if (clamped) {
      float[] kT = keepTileF;
      for (int i = 0; i < len; i++) {
        u[i] = u[i] * kT[i];
      }
    }
    HostLoops.put(statesPointer, at + e, u, len);
    HostLoops.put(ratesPointer, at + e, r, len);
  }

  /** As {@link #forwardChunkFloat}, in double, with {@link Math#tanh}. */
  private void forwardChunkDouble(
      Pointer prev, long prevAt, long at, int t, int batch, int row0, int count) {
    int hh = hidden;
    int len = count * hh;
    long e = (long) row0 * hh;
    double[] u = scratchD[0];
    double[] xPrev = scratchD[1];
    double[] r = scratchD[2];
    double[] kHat = scratchD[3];
    double[] mT = mTileD;
    HostLoops.get(statesPointer, at + e, u, len);
    HostLoops.get(prev, prevAt + e, xPrev, len);
    int from = t * batch + row0;
    for (int q = 0; q < count; q++) {
      Arrays.fill(kHat, q * hh, (q + 1) * hh, kHatD[from + q]);
    }
    double leak = 1.0 - alpha;
    double a = alpha;
    for (int i = 0; i < len; i++) {
      u[i] = xPrev[i] * leak + (u[i] + kHat[i] * mT[i]) * a;
    }
    for (int i = 0; i < len; i++) {
      r[i] = Math.tanh(u[i]);
    }
    double size = hh;
    int to = (t + 1) * batch + row0;
    for (int q = 0; q < count; q++) {
      int o = q * hh;
      double dot = 0.0;
      for (int j = 0; j < hh; j++) {
        dot += r[o + j] * nD[j];
      }
      kappaD[to - batch + q] = dot / size;
      if (clamped) {
        double dotK = 0.0;
        for (int j = 0; j < hh; j++) {
          dotK += r[o + j] * nkD[j];
        }
        kHatD[to + q] = dotK / size;
      } else {
        kHatD[to + q] = dot / size;
      }
    }
    if (clamped) {
      double[] kT = keepTileD;
      for (int i = 0; i < len; i++) {
        u[i] = u[i] * kT[i];
      }
    }
    HostLoops.put(statesPointer, at + e, u, len);
    HostLoops.put(ratesPointer, at + e, r, len);
  }

  /**
   * Reads the parameters and the clamp: [W_in | b] into its native matrix, m, n, n_k and keep into
   * the loops' vectors and tiles.
   */
  private void prepare(INDArray keep) {
    clamped = keep != null;
    if (clamped) {
      HostLoops.read(keep, hostKeep);
    } else {
      Arrays.fill(hostKeep, 1.0);
    }
    int hh = hidden;
    int cols = inputs + 1;
    HostLoops.read(m, hostM);
    HostLoops.read(n, hostN);
    HostLoops.read(wIn, hostWIn);
    HostLoops.read(b, hostB);
    for (int i = 0; i < hh; i++) {
      System.arraycopy(hostWIn, i * inputs, hostIn, i * cols, inputs);
      hostIn[i * cols + inputs] = hostB[i];
    }
    HostLoops.write(inMatrix, hostIn);
    for (int j = 0; j < hh; j++) {
      if (isFloat) {
        mF[j] = (float) hostM[j];
        nF[j] = (float) hostN[j];
        nkF[j] = (float) (hostN[j] * hostKeep[j]); // exact: keep is 0 or 1
      } else {
        mD[j] = hostM[j];
        nD[j] = hostN[j];
        nkD[j] = hostN[j] * hostKeep[j];
      }
    }
    for (int q = 0; q < chunkRows; q++) {
      int o = q * hh;
      if (isFloat) {
        System.arraycopy(mF, 0, mTileF, o, hh);
        System.arraycopy(nF, 0, nTileF, o, hh);
        for (int j = 0; j < hh; j++) {
          keepTileF[o + j] = (float) hostKeep[j];
        }
      } else {
        System.arraycopy(mD, 0, mTileD, o, hh);
        System.arraycopy(nD, 0, nTileD, o, hh);
        System.arraycopy(hostKeep, 0, keepTileD, o, hh);
      }
    }
  }

  /** X_a = [X | 1] from the inputs {@code [T, B, I]} (any layout), in one bulk copy each way. */
  private void readInputs(INDArray s, int rows) {
    INDArray dense = HostLoops.dense(s, dataType) ? s : s.castTo(dataType).dup('c');
    Pointer p = HostLoops.pointer(dense);
    int count = rows * inputs;
    int cols = inputs + 1;
    if (isFloat) {
      if (xStageF.length < count) {
        xStageF = new float[count];
        xaStageF = new float[rows * cols];
      }
      HostLoops.get(p, 0, xStageF, count);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(xStageF, r * inputs, xaStageF, r * cols, inputs);
        xaStageF[r * cols + inputs] = 1f;
      }
      HostLoops.put(inputsPointer, 0, xaStageF, rows * cols);
    } else {
      if (xStageD.length < count) {
        xStageD = new double[count];
        xaStageD = new double[rows * cols];
      }
      HostLoops.get(p, 0, xStageD, count);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(xStageD, r * inputs, xaStageD, r * cols, inputs);
        xaStageD[r * cols + inputs] = 1.0;
      }
      HostLoops.put(inputsPointer, 0, xaStageD, rows * cols);
    }
  }

  /** The initial state as given, x_0 ⊙ keep, r_0 = tanh of it and κ̂_0 = r_0·n/H. */
  private void readInitialState(INDArray x0, int batch) {
    INDArray dense = HostLoops.dense(x0, dataType) ? x0 : x0.castTo(dataType).dup('c');
    Pointer p = HostLoops.pointer(dense);
    int hh = hidden;
    chunks(
        batch,
        (row0, count) -> {
          int len = count * hh;
          long e = (long) row0 * hh;
          if (isFloat) {
            float[] x = scratchF[0];
            float[] r = scratchF[1];
            HostLoops.get(p, e, x, len);
            HostLoops.put(s0Pointer, e, x, len);
            for (int i = 0; i < len; i++) {
              x[i] = x[i] * keepTileF[i];
            }
            FloatActivations.tanh(x, r, len);
            for (int q = 0; q < count; q++) {
              float dot = 0f;
              for (int j = 0; j < hh; j++) {
                dot += r[q * hh + j] * nkF[j];
              }
              kHatF[row0 + q] = dot / hh;
            }
            HostLoops.put(x0Pointer, e, x, len);
            HostLoops.put(r0Pointer, e, r, len);
          } else {
            double[] x = scratchD[0];
            double[] r = scratchD[1];
            HostLoops.get(p, e, x, len);
            HostLoops.put(s0Pointer, e, x, len);
            for (int i = 0; i < len; i++) {
              x[i] = x[i] * keepTileD[i];
            }
            for (int i = 0; i < len; i++) {
              r[i] = Math.tanh(x[i]);
            }
            for (int q = 0; q < count; q++) {
              double dot = 0.0;
              for (int j = 0; j < hh; j++) {
                dot += r[q * hh + j] * nkD[j];
              }
              kHatD[row0 + q] = dot / hh;
            }
            HostLoops.put(x0Pointer, e, x, len);
            HostLoops.put(r0Pointer, e, r, len);
          }
        });
  }

  // --------------------------------------------------------------- backward

  /**
   * BPTT from dL/dh (overwritten with δ).
   *
   * @throws IllegalArgumentException when {@code dLdExtras} is not empty (the extras are not
   *     differentiable) or a gradient array is missing or misshapen
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
          "rank-one-rnn cannot backpropagate from its extras, was"
              + " given "
              + dLdExtras.keySet());
    }
    int steps = lastTrajectory.steps();
    int batch = lastTrajectory.batch();
    Shapes.checkDLdh(dLdh, steps, batch, hidden);
    INDArray gM = Shapes.gradientArray(gradients, "m", m);
    INDArray gN = Shapes.gradientArray(gradients, "n", n);
    INDArray gWIn = Shapes.gradientArray(gradients, "w_in", wIn);
    INDArray gB = Shapes.gradientArray(gradients, "b", b);

    dLdhViews.bind(dLdh, steps, batch);
    Pointer g = HostLoops.pointer(dLdhViews.steps()[0]);
    long bh = (long) batch * hidden;
    if (isFloat) {
      Arrays.fill(sumMF, 0f);
      Arrays.fill(sumNF, 0f);
    } else {
      Arrays.fill(sumMD, 0.0);
      Arrays.fill(sumND, 0.0);
    }
    if (clamped) {
      chunks(
          batch,
          (row0, count) -> maskChunk(g, (steps - 1) * bh + (long) row0 * hidden, count * hidden));
    }
    for (int t = steps - 1; t >= 0; t--) {
      // g[t] is δ of x_{t+1} (t counts from 0 here); rates_t is R[t−1], or r_0.
      Pointer ratesPrev = t == 0 ? r0Pointer : ratesPointer;
      long ratesAt = t == 0 ? 0 : (t - 1) * bh;
      int step = t;
      if (isFloat) {
        chunks(
            batch,
            (row0, count) ->
                backwardChunkFloat(g, step, bh, ratesPrev, ratesAt, batch, row0, count));
      } else {
        chunks(
            batch,
            (row0, count) ->
                backwardChunkDouble(g, step, bh, ratesPrev, ratesAt, batch, row0, count));
      }
    }
    // [dW_in | db] = α·Σ δᵀ·X_a over all T·B rows.
    int cols = inputs + 1;
    Blas.gemm(
        true,
        false,
        hidden,
        cols,
        steps * batch,
        alpha,
        g,
        0,
        hidden,
        inputsPointer,
        0,
        cols,
        0.0,
        gradInPointer,
        0,
        cols);

    int hh = hidden;
    HostLoops.read(gradIn, hostIn);
    for (int i = 0; i < hh; i++) {
      System.arraycopy(hostIn, i * cols, hostWIn, i * inputs, inputs);
      hostB[i] = hostIn[i * cols + inputs];
    }
    Arrays.fill(hostM, 0.0);
    Arrays.fill(hostN, 0.0);
    for (int i = 0; i < chunkRows * hh; i++) {
      hostM[i % hh] += isFloat ? sumMF[i] : sumMD[i];
      hostN[i % hh] += isFloat ? sumNF[i] : sumND[i];
    }
    for (int j = 0; j < hh; j++) {
      hostM[j] *= alpha;
      hostN[j] = hostN[j] / hh * hostKeep[j]; // formed from unclamped rates
    }
    HostLoops.write(gM, hostM);
    HostLoops.write(gN, hostN);
    HostLoops.write(gWIn, hostWIn);
    HostLoops.write(gB, hostB);
  }

  /**
   * Rows [row0, row0 + count) of backward step t (0-based; δ = g[t], rates_t at {@code ratesAt}):
   * dκ_t per row, dm's sums += δ⊙κ̂_t, dn's sums += dκ_t⊙rates_t, and for t &gt; 0 g[t−1] = (g[t−1]
   * + (1−α)·δ + (dκ_t·n/H)⊙(1 − rates_t²)) ⊙ keep.
   */
  private void backwardChunkFloat(
      Pointer g, int t, long bh, Pointer ratesPrev, long ratesAt, int batch, int row0, int count) {
    int hh = hidden;
    int len = count * hh;
    long e = (long) row0 * hh;
    float[] d = scratchF[0];
    float[] r = scratchF[1];
    float[] prev = scratchF[2];
    float[] dk = scratchF[3];
    float[] kHat = scratchF[4];
    HostLoops.get(g, t * bh + e, d, len);
    HostLoops.get(ratesPrev, ratesAt + e, r, len);
    float a = (float) alpha;
    int from = t * batch + row0; // κ̂_t of these rows
    for (int q = 0; q < count; q++) {
      int o = q * hh;
      float dot = 0f;
      for (int j = 0; j < hh; j++) {
        dot += (d[o + j] * a) * mF[j];
      }
      Arrays.fill(dk, o, o + hh, dot);
      Arrays.fill(kHat, o, o + hh, kHatF[from + q]);
    }
    float[] sm = sumMF;
    for (int i = 0; i < len; i++) {
      sm[i] += d[i] * kHat[i];
    }
    float[] sn = sumNF;
    for (int i = 0; i < len; i++) {
      sn[i] += dk[i] * r[i];
    }
    if (t > 0) {
      long back = (t - 1) * bh + e;
      HostLoops.get(g, back, prev, len);
      float leak = (float) (1.0 - alpha);
      float size = hh;
      float[] nT = nTileF;
      float[] kT = keepTileF;
      for (int i = 0; i < len; i++) {
        prev[i] = (prev[i] + (d[i] * leak + dk[i] * nT[i] / size * (1f - r[i] * r[i]))) * kT[i];
      }
      HostLoops.put(g, back, prev, len);
    }
  }

  /** As {@link #backwardChunkFloat}, in double. */
  private void backwardChunkDouble(
      Pointer g, int t, long bh, Pointer ratesPrev, long ratesAt, int batch, int row0, int count) {
    int hh = hidden;
    int len = count * hh;
    long e = (long) row0 * hh;
    double[] d = scratchD[0];
    double[] r = scratchD[1];
    double[] prev = scratchD[2];
    double[] dk = scratchD[3];
    double[] kHat = scratchD[4];
    HostLoops.get(g, t * bh + e, d, len);
    HostLoops.get(ratesPrev, ratesAt + e, r, len);
    double a = alpha;
    int from = t * batch + row0;
    for (int q = 0; q < count; q++) {
      int o = q * hh;
      double dot = 0.0;
      for (int j = 0; j < hh; j++) {
        dot += (d[o + j] * a) * mD[j];
      }
      Arrays.fill(dk, o, o + hh, dot);
      Arrays.fill(kHat, o, o + hh, kHatD[from + q]);
    }
    double[] sm = sumMD;
    for (int i = 0; i < len; i++) {
      sm[i] += d[i] * kHat[i];
    }
    double[] sn = sumND;
    for (int i = 0; i < len; i++) {
      sn[i] += dk[i] * r[i];
    }
    if (t > 0) {
      long back = (t - 1) * bh + e;
      HostLoops.get(g, back, prev, len);
      double leak = 1.0 - alpha;
      double size = hh;
      double[] nT = nTileD;
      double[] kT = keepTileD;
      for (int i = 0; i < len; i++) {
        prev[i] = (prev[i] + (d[i] * leak + dk[i] * nT[i] / size * (1.0 - r[i] * r[i]))) * kT[i];
      }
      HostLoops.put(g, back, prev, len);
    }
  }

  /** δ[at..at+len) ⊙= keep. */
  private void maskChunk(Pointer g, long at, int len) {
    if (isFloat) {
      float[] v = scratchF[0];
      HostLoops.get(g, at, v, len);
      for (int i = 0; i < len; i++) {
        v[i] = v[i] * keepTileF[i];
      }
      HostLoops.put(g, at, v, len);
    } else {
      double[] v = scratchD[0];
      HostLoops.get(g, at, v, len);
      for (int i = 0; i < len; i++) {
        v[i] = v[i] * keepTileD[i];
      }
      HostLoops.put(g, at, v, len);
    }
  }

  /** A loop body over rows [row0, row0 + count) of a step. */
  private interface ChunkBody {
    void run(int row0, int count);
  }

  /** Runs {@code body} over the chunks of a step's B rows. */
  private void chunks(int batch, ChunkBody body) {
    for (int row0 = 0; row0 < batch; row0 += chunkRows) {
      body.run(row0, Math.min(chunkRows, batch - row0));
    }
  }

  // ---------------------------------------------------------------- buffers

  /** Makes the buffers hold T steps of B sequences and rebuilds their views if needed. */
  private void shapeViews(int steps, int batch) {
    if (steps == viewSteps && batch == viewBatch) {
      return;
    }
    long bh = (long) batch * hidden;
    int rows = steps * batch;
    statesFlat = buffers.ensure(statesFlat, steps * bh, 0.0);
    ratesFlat = buffers.ensure(ratesFlat, steps * bh, 0.0);
    kappaFlat = buffers.ensure(kappaFlat, rows, 0.0);
    s0Flat = buffers.ensure(s0Flat, bh, 0.0);
    x0Flat = buffers.ensure(x0Flat, bh, 0.0);
    r0Flat = buffers.ensure(r0Flat, bh, 0.0);
    inputsFlat = buffers.ensure(inputsFlat, (long) rows * (inputs + 1), 1.0);
    hiddenView = buffers.view(statesFlat, 0, steps, batch, hidden);
    s0View = buffers.view(s0Flat, 0, batch, hidden);
    Map<String, INDArray> views = new LinkedHashMap<>(); // the cell's order: rates, kappa
    views.put("rates", buffers.view(ratesFlat, 0, steps, batch, hidden));
    views.put("kappa", buffers.view(kappaFlat, 0, steps, batch, 1));
    extras = Collections.unmodifiableMap(views);
    statesPointer = HostLoops.pointer(statesFlat);
    ratesPointer = HostLoops.pointer(ratesFlat);
    kappaPointer = HostLoops.pointer(kappaFlat);
    s0Pointer = HostLoops.pointer(s0Flat);
    x0Pointer = HostLoops.pointer(x0Flat);
    r0Pointer = HostLoops.pointer(r0Flat);
    inputsPointer = HostLoops.pointer(inputsFlat);
    if (isFloat) {
      kappaF = kappaF.length < rows ? new float[rows] : kappaF;
      kHatF = kHatF.length < rows + batch ? new float[rows + batch] : kHatF;
    } else {
      kappaD = kappaD.length < rows ? new double[rows] : kappaD;
      kHatD = kHatD.length < rows + batch ? new double[rows + batch] : kHatD;
    }
    viewSteps = steps;
    viewBatch = batch;
  }

  /** Views into the kernel's buffers; valid until the next forward call. */
  private record RankOneTrajectory(
      INDArray hidden, INDArray initialState, Map<String, INDArray> extras, int steps, int batch)
      implements Trajectory {}
}
