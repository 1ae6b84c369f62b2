package engram.models.plrnn;

import engram.api.SequenceKernel;
import engram.api.Trajectory;
import engram.kernels.Blas;
import engram.kernels.Buffers;
import engram.kernels.HostLoops;
import engram.models.common.GradientViews;
import engram.models.common.Shapes;
import java.util.Arrays;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The PLRNN's whole-sequence kernel: the forward pass and BPTT of {@link PlrnnCell} run step by
 * step (the oracle its tests compare it with), in float32 and float64 on ND4J's CPU backend, with
 * the state clamp of ablation ({@link SequenceKernel.ClampsState}). A step makes no ND4J op and
 * allocates nothing: its one product goes straight to OpenBLAS ({@link Blas}) and its elementwise
 * work is one pass of plain Java loops over the native buffers ({@link HostLoops}). The cell's step
 * allocates about six arrays and its VJP about ten, each costly where fresh native memory
 * page-faults; this kernel allocates only when a larger T·B than before arrives.
 *
 * <h2>Equations</h2>
 *
 * Row vectors, one row per sequence; r = ReLU(z); keep the clamp's 0/1 mask over the H units (all
 * ones when nothing is ablated); W the cell's w (its diagonal held at 0 by core, which also applies
 * to the cell). With W_k = W·diag(keep) (the columns of clamped units zeroed) and z_0 ⊙= keep:
 *
 * <pre>
 *   forward:  u_t = x_t·Cᵀ + h + r_{t−1}·W_kᵀ + a⊙z_{t−1}     (the cell's step, unclamped)
 *             rates_t = ReLU(u_t),   z_t = u_t ⊙ keep
 *   backward: δ_t = (dL/dz_t + a⊙δ_{t+1} + (δ_{t+1}·W_k)⊙[z_t &gt; 0]) ⊙ keep,  δ_{T+1} = 0
 *             da = Σ δ_t⊙z_{t−1},   dW = (Σ δ_tᵀ·rates_{t−1})·diag(keep),
 *             [dC | dh] = Σ δ_tᵀ·[x_t | 1]
 * </pre>
 *
 * (Σ over steps and rows; rates_0 = ReLU(z_0 ⊙ keep).) The rates are the extra {@code "rates"} and,
 * like the step-by-step runner's extras, are not clamped: a clamped unit reports the rate its
 * unclamped step would have. The recurrence needs the clamped rates ReLU(z_{t−1}) = rates_{t−1} ⊙
 * keep, which is what the zeroed columns of W_k make of rates_{t−1}, so one buffer of rates serves
 * both. Likewise dW's columns are zeroed for clamped units because the rates it is formed from are
 * unclamped; its rows are zero through δ. This is the cell's VJP with g = δ_t, which is the
 * runner's g ⊙= keep after dL/dh_t is added. dW includes its diagonal, as the cell's does (core
 * zeroes it). ReLU′(0) = 0, as in the cell.
 *
 * <h2>Layout and the loop</h2>
 *
 * z_1..z_T live in one buffer Z {@code [T, B, H]} at offset 0 (the trajectory) and the rates in R
 * likewise (the extra); z_0 ⊙ keep, its rates and the initial state as given (the trajectory's
 * {@code initialState}) have buffers of their own (a trajectory at a non-zero offset would hit the
 * ND4J 1.0.0-M2.1 bug described in LeakyRnnKernel). The input drive of all steps is one product of
 * X_a = [X | 1] {@code [T·B, I+1]} with [C | h] into Z before the loop. Per step:
 *
 * <ul>
 *   <li><b>forward</b>: Z[t] += R[t−1]·W_kᵀ (OpenBLAS), then one pass: Z[t] += a⊙z_{t−1}, R[t] =
 *       ReLU(Z[t]), Z[t] ⊙= keep;
 *   <li><b>backward</b>, on dL/dh in place: tmp = δ_{t+1}·W_k (OpenBLAS), then one pass forms δ_t
 *       as above ([z &gt; 0] without a branch) and adds δ_{t+1}⊙z_t to da's sums.
 * </ul>
 *
 * After the loop dW (two products: step 1 against rates_0, the rest against R) and [dC | dh] (one
 * product against X_a) are taken over all T·B rows. The loops run over chunks of whole rows with a
 * and keep tiled over a chunk's rows; each loop stores into one array (C2 vectorises those). The
 * sums differ from the cell's in order only, so results agree to rounding.
 *
 * <p>Buffers are allocated for the largest T·B seen and reused (views of a prefix) for smaller
 * ones. The kernel reads the cell's live parameters at every forward pass. One thread at a time.
 */
final class PlrnnKernel implements SequenceKernel.ClampsState {

  /** Elements per chunk of the step loops (whole rows): the Java scratch stays in L1/L2. */
  static final int CHUNK = 4096;

  private final int hidden;
  private final int inputs;
  private final DataType dataType;
  private final boolean isFloat;
  private final Buffers buffers;

  // The cell's parameters (live arrays).
  private final INDArray a;
  private final INDArray w;
  private final INDArray c;
  private final INDArray h;

  // Derived from the parameters and the clamp at every forward pass.
  private final INDArray recMatrix; // W_k [H, H]
  private final INDArray inMatrix; // [C | h] [H, I+1]
  private final Pointer recPointer;
  private final Pointer inPointer;
  private final double[] hostKeep; // keep [H]; all ones without a clamp
  private final double[] hostA;
  private final double[] hostRec; // [H·H]: W_k, and in backward dW
  private final double[] hostC; // [H·I]: C, and in backward dC
  private final double[] hostH; // [H]: h, and in backward dh
  private final double[] hostIn; // [H·(I+1)]: [C | h], and in backward [dC | dh]
  private boolean clamped; // whether the latest forward pass had a clamp

  // Backward results of parameter size.
  private final INDArray gradRec; // Σ δᵀ·rates_{t−1} [H, H]
  private final INDArray gradIn; // Σ δᵀ·[x | 1] [H, I+1]
  private final Pointer gradRecPointer;
  private final Pointer gradInPointer;

  // The loops' tiles (a and keep repeated over the rows of a chunk), da's sums per tile position,
  // and Java scratch of one chunk; float or double by the data type.
  private final int chunkRows;
  private final float[] aTileF;
  private final float[] keepTileF;
  private final float[] sumF;
  private final float[][] scratchF;
  private final double[] aTileD;
  private final double[] keepTileD;
  private final double[] sumD;
  private final double[][] scratchD;
  private float[] xStageF = new float[0]; // X, then X_a, staged for one bulk copy each
  private float[] xaStageF = new float[0];
  private double[] xStageD = new double[0];
  private double[] xaStageD = new double[0];

  // Growable native buffers, and the views and pointers of the current shape.
  private INDArray statesFlat; // Z: z_1..z_T [T·B·H], offset 0 (the trajectory)
  private INDArray ratesFlat; // R: rates_1..rates_T, offset 0 (the extra)
  private INDArray s0Flat; // the initial state as given [B·H]
  private INDArray z0Flat; // z_0 ⊙ keep
  private INDArray r0Flat; // rates_0 = ReLU(z_0 ⊙ keep)
  private INDArray inputsFlat; // X_a [T·B·(I+1)], last column 1
  private INDArray tmpFlat; // backward: δ_{t+1}·W_k [B·H]
  private int viewSteps = -1;
  private int viewBatch = -1;
  private INDArray hiddenView; // [T, B, H]
  private INDArray ratesView; // [T, B, H]
  private INDArray s0View; // [B, H]
  private Pointer statesPointer;
  private Pointer ratesPointer;
  private Pointer s0Pointer;
  private Pointer z0Pointer;
  private Pointer r0Pointer;
  private Pointer inputsPointer;
  private Pointer tmpPointer;

  private final GradientViews dLdhViews;
  private PlrnnTrajectory lastTrajectory;

  /**
   * A kernel for {@code cell}, float32 or float64.
   *
   * @param cell the cell whose parameters this kernel reads (live: every forward pass reads them)
   * @throws IllegalArgumentException for another data type
   */
  PlrnnKernel(PlrnnCell cell) {
    this.dataType = cell.dataType();
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      throw new IllegalArgumentException("plrnn/fused runs float32 and float64, not " + dataType);
    }
    this.isFloat = dataType == DataType.FLOAT;
    this.hidden = cell.hiddenSize();
    this.inputs = cell.inputSize();
    this.buffers = new Buffers(dataType);
    this.a = cell.a;
    this.w = cell.w;
    this.c = cell.c;
    this.h = cell.h;
    int hh = hidden;
    int cols = inputs + 1;
    recMatrix = Nd4j.create(dataType, hh, hh);
    inMatrix = Nd4j.create(dataType, hh, cols);
    recPointer = HostLoops.pointer(recMatrix);
    inPointer = HostLoops.pointer(inMatrix);
    hostKeep = new double[hh];
    hostA = new double[hh];
    hostRec = new double[hh * hh];
    hostC = new double[hh * inputs];
    hostH = new double[hh];
    hostIn = new double[hh * cols];
    gradRec = Nd4j.create(dataType, hh, hh);
    gradIn = Nd4j.create(dataType, hh, cols);
    gradRecPointer = HostLoops.pointer(gradRec);
    gradInPointer = HostLoops.pointer(gradIn);
    chunkRows = Math.max(1, CHUNK / hh);
    int tile = chunkRows * hh;
    aTileF = new float[isFloat ? tile : 0];
    keepTileF = new float[isFloat ? tile : 0];
    sumF = new float[isFloat ? tile : 0];
    scratchF = new float[isFloat ? 4 : 0][tile];
    aTileD = new double[isFloat ? 0 : tile];
    keepTileD = new double[isFloat ? 0 : tile];
    sumD = new double[isFloat ? 0 : tile];
    scratchD = new double[isFloat ? 0 : 4][tile];
    dLdhViews = new GradientViews(hh, dataType, buffers);
  }

  @Override
  public String name() {
    return "plrnn/fused";
  }

  // ---------------------------------------------------------------- forward

  /**
   * {@inheritDoc}
   *
   * @throws UnsupportedOperationException when a drive is given (the PLRNN takes none)
   */
  @Override
  public Trajectory forward(INDArray x, INDArray z0, INDArray drive) {
    return forward(x, z0, drive, null);
  }

  /**
   * {@inheritDoc}
   *
   * @throws UnsupportedOperationException when a drive is given (the PLRNN takes none)
   */
  @Override
  public Trajectory forward(INDArray x, INDArray z0, INDArray drive, INDArray keep) {
    if (drive != null) {
      throw new UnsupportedOperationException("plrnn does not accept a recurrent drive");
    }
    Shapes.checkInputs(x, inputs);
    int steps = Math.toIntExact(x.size(0));
    int batch = Math.toIntExact(x.size(1));
    Shapes.checkInitialState(z0, batch, hidden);
    if (keep != null && keep.length() != hidden) {
      throw new IllegalArgumentException(
          "keep must have " + hidden + " entries, was " + Shapes.shapeOf(keep));
    }
    lastTrajectory = null;
    shapeViews(steps, batch);
    prepare(keep);
    int rows = steps * batch;
    readInputs(x, rows);
    readInitialState(z0, batch);

    int cols = inputs + 1;
    long bh = (long) batch * hidden;
    // The input drive of every step at once: Z ← X_a·[C | h]ᵀ.
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
      Pointer prevRates = t == 0 ? r0Pointer : ratesPointer;
      Pointer prevStates = t == 0 ? z0Pointer : statesPointer;
      long prevAt = t == 0 ? 0 : (t - 1) * bh;
      long at = t * bh;
      Blas.gemm(
          false,
          true,
          batch,
          hidden,
          hidden,
          1.0,
          prevRates,
          prevAt,
          hidden,
          recPointer,
          0,
          hidden,
          1.0,
          statesPointer,
          at,
          hidden);
      if (isFloat) {
        chunks(batch, (e, n) -> forwardChunkFloat(prevStates, prevAt + e, at + e, n));
      } else {
        chunks(batch, (e, n) -> forwardChunkDouble(prevStates, prevAt + e, at + e, n));
      }
    }
    lastTrajectory =
        new PlrnnTrajectory(hiddenView, s0View, Map.of("rates", ratesView), steps, batch);
    return lastTrajectory;
  }

  /**
   * Z[at..at+n) += a⊙z_{t−1}, R = ReLU of it, then Z ⊙= keep; a method of its own so that C2
   * compiles it early and whole.
   */
  private void forwardChunkFloat(Pointer prev, long prevAt, long at, int n) {
    float[] z = scratchF[0];
    float[] zPrev = scratchF[1];
    float[] r = scratchF[2];
    float[] aT = aTileF;
    float[] kT = keepTileF;
    HostLoops.get(statesPointer, at, z, n);
    HostLoops.get(prev, prevAt, zPrev, n);
    for (int i = 0; i < n; i++) {
      z[i] = z[i] + aT[i] * zPrev[i];
    }
    for (int i = 0; i < n; i++) {
      r[i] = Math.max(z[i], 0f);
    }
    if (clamped) {
      for (int i = 0; i < n; i++) {
        z[i] = z[i] * kT[i];
      }
    }
    HostLoops.put(statesPointer, at, z, n);
    HostLoops.put(ratesPointer, at, r, n);
  }

  /** As {@link #forwardChunkFloat}, in double. */
  private void forwardChunkDouble(Pointer prev, long prevAt, long at, int n) {
    double[] z = scratchD[0];
    double[] zPrev = scratchD[1];
    double[] r = scratchD[2];
    double[] aT = aTileD;
    double[] kT = keepTileD;
    HostLoops.get(statesPointer, at, z, n);
    HostLoops.get(prev, prevAt, zPrev, n);
    for (int i = 0; i < n; i++) {
      z[i] = z[i] + aT[i] * zPrev[i];
    }
    for (int i = 0; i < n; i++) {
      r[i] = Math.max(z[i], 0.0);
    }
    if (clamped) {
      for (int i = 0; i < n; i++) {
        z[i] = z[i] * kT[i];
      }
    }
    HostLoops.put(statesPointer, at, z, n);
    HostLoops.put(ratesPointer, at, r, n);
  }

  /**
   * Reads the parameters and the clamp: W_k and [C | h] into their native matrices, a and keep into
   * the loops' tiles.
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
    HostLoops.read(a, hostA);
    HostLoops.read(w, hostRec);
    HostLoops.read(c, hostC);
    HostLoops.read(h, hostH);
    for (int i = 0; i < hh; i++) {
      for (int j = 0; j < hh; j++) {
        hostRec[i * hh + j] *= hostKeep[j]; // exact: keep is 0 or 1
      }
      System.arraycopy(hostC, i * inputs, hostIn, i * cols, inputs);
      hostIn[i * cols + inputs] = hostH[i];
    }
    HostLoops.write(recMatrix, hostRec);
    HostLoops.write(inMatrix, hostIn);
    for (int r = 0; r < chunkRows; r++) {
      for (int j = 0; j < hh; j++) {
        int i = r * hh + j;
        if (isFloat) {
          aTileF[i] = (float) hostA[j];
          keepTileF[i] = (float) hostKeep[j];
        } else {
          aTileD[i] = hostA[j];
          keepTileD[i] = hostKeep[j];
        }
      }
    }
  }

  /** X_a = [X | 1] from x {@code [T, B, I]} (any layout), in one bulk copy each way. */
  private void readInputs(INDArray x, int rows) {
    INDArray dense = HostLoops.dense(x, dataType) ? x : x.castTo(dataType).dup('c');
    Pointer p = HostLoops.pointer(dense);
    int n = rows * inputs;
    int cols = inputs + 1;
    if (isFloat) {
      if (xStageF.length < n) {
        xStageF = new float[n];
        xaStageF = new float[rows * cols];
      }
      HostLoops.get(p, 0, xStageF, n);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(xStageF, r * inputs, xaStageF, r * cols, inputs);
        xaStageF[r * cols + inputs] = 1f;
      }
      HostLoops.put(inputsPointer, 0, xaStageF, rows * cols);
    } else {
      if (xStageD.length < n) {
        xStageD = new double[n];
        xaStageD = new double[rows * cols];
      }
      HostLoops.get(p, 0, xStageD, n);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(xStageD, r * inputs, xaStageD, r * cols, inputs);
        xaStageD[r * cols + inputs] = 1.0;
      }
      HostLoops.put(inputsPointer, 0, xaStageD, rows * cols);
    }
  }

  /** The initial state as given, z_0 ⊙ keep and its rates, chunk by chunk. */
  private void readInitialState(INDArray z0, int batch) {
    INDArray dense = HostLoops.dense(z0, dataType) ? z0 : z0.castTo(dataType).dup('c');
    Pointer p = HostLoops.pointer(dense);
    chunks(
        batch,
        (e, n) -> {
          if (isFloat) {
            float[] z = scratchF[0];
            float[] r = scratchF[1];
            HostLoops.get(p, e, z, n);
            HostLoops.put(s0Pointer, e, z, n);
            for (int i = 0; i < n; i++) {
              z[i] = z[i] * keepTileF[i];
            }
            for (int i = 0; i < n; i++) {
              r[i] = Math.max(z[i], 0f);
            }
            HostLoops.put(z0Pointer, e, z, n);
            HostLoops.put(r0Pointer, e, r, n);
          } else {
            double[] z = scratchD[0];
            double[] r = scratchD[1];
            HostLoops.get(p, e, z, n);
            HostLoops.put(s0Pointer, e, z, n);
            for (int i = 0; i < n; i++) {
              z[i] = z[i] * keepTileD[i];
            }
            for (int i = 0; i < n; i++) {
              r[i] = Math.max(z[i], 0.0);
            }
            HostLoops.put(z0Pointer, e, z, n);
            HostLoops.put(r0Pointer, e, r, n);
          }
        });
  }

  // --------------------------------------------------------------- backward

  /**
   * BPTT from dL/dh (overwritten with δ).
   *
   * @throws IllegalArgumentException when {@code dLdExtras} is not empty (the rates are not
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
          "plrnn cannot backpropagate from its extras, was given " + dLdExtras.keySet());
    }
    int steps = lastTrajectory.steps();
    int batch = lastTrajectory.batch();
    Shapes.checkDLdh(dLdh, steps, batch, hidden);
    INDArray gA = Shapes.gradientArray(gradients, "a", a);
    INDArray gW = Shapes.gradientArray(gradients, "w", w);
    INDArray gC = Shapes.gradientArray(gradients, "c", c);
    INDArray gH = Shapes.gradientArray(gradients, "h", h);

    dLdhViews.bind(dLdh, steps, batch);
    Pointer g = HostLoops.pointer(dLdhViews.steps()[0]);
    long bh = (long) batch * hidden;
    if (isFloat) {
      Arrays.fill(sumF, 0f);
    } else {
      Arrays.fill(sumD, 0.0);
    }
    if (clamped) {
      chunks(batch, (e, n) -> maskChunk(g, (steps - 1) * bh + e, n));
    }
    for (int t = steps - 1; t >= 1; t--) {
      // tmp = δ_{t+1}·W_k, then δ_t and da's sums (t counts from 0 here: g[t] is δ of z_{t+1}).
      Blas.gemm(
          false,
          false,
          batch,
          hidden,
          hidden,
          1.0,
          g,
          t * bh,
          hidden,
          recPointer,
          0,
          hidden,
          0.0,
          tmpPointer,
          0,
          hidden);
      long at = t * bh;
      long back = (t - 1) * bh;
      chunks(batch, (e, n) -> backwardChunk(g, at + e, back + e, e, n));
    }
    chunks(batch, (e, n) -> sumChunk(g, e, z0Pointer, e, n)); // da's sums of the first step

    // The weight products over all T·B rows.
    int cols = inputs + 1;
    Blas.gemm(
        true,
        false,
        hidden,
        hidden,
        batch,
        1.0,
        g,
        0,
        hidden,
        r0Pointer,
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
          g,
          bh,
          hidden,
          ratesPointer,
          0,
          hidden,
          1.0,
          gradRecPointer,
          0,
          hidden);
    }
    Blas.gemm(
        true,
        false,
        hidden,
        cols,
        steps * batch,
        1.0,
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
    HostLoops.read(gradRec, hostRec);
    for (int i = 0; i < hh; i++) {
      for (int j = 0; j < hh; j++) {
        hostRec[i * hh + j] *= hostKeep[j]; // formed from unclamped rates
      }
    }
    HostLoops.read(gradIn, hostIn);
    for (int i = 0; i < hh; i++) {
      System.arraycopy(hostIn, i * cols, hostC, i * inputs, inputs);
      hostH[i] = hostIn[i * cols + inputs];
    }
    Arrays.fill(hostA, 0.0);
    for (int i = 0; i < chunkRows * hh; i++) {
      hostA[i % hh] += isFloat ? sumF[i] : sumD[i];
    }
    HostLoops.write(gA, hostA);
    HostLoops.write(gW, hostRec);
    HostLoops.write(gC, hostC);
    HostLoops.write(gH, hostH);
  }

  /** A loop body over elements [e, e + n) of a step, n whole rows. */
  private interface ChunkBody {
    void run(long e, int n);
  }

  /** Runs {@code body} over the chunks of a step's B rows. */
  private void chunks(int batch, ChunkBody body) {
    for (int r0 = 0; r0 < batch; r0 += chunkRows) {
      body.run((long) r0 * hidden, Math.min(chunkRows, batch - r0) * hidden);
    }
  }

  /** δ[at..at+n) ⊙= keep. */
  private void maskChunk(Pointer g, long at, int n) {
    if (isFloat) {
      float[] v = scratchF[0];
      HostLoops.get(g, at, v, n);
      for (int i = 0; i < n; i++) {
        v[i] = v[i] * keepTileF[i];
      }
      HostLoops.put(g, at, v, n);
    } else {
      double[] v = scratchD[0];
      HostLoops.get(g, at, v, n);
      for (int i = 0; i < n; i++) {
        v[i] = v[i] * keepTileD[i];
      }
      HostLoops.put(g, at, v, n);
    }
  }

  /** da's sums += δ[gAt..gAt+n) ⊙ z[zAt..zAt+n). */
  private void sumChunk(Pointer g, long gAt, Pointer z, long zAt, int n) {
    if (isFloat) {
      float[] d = scratchF[0];
      float[] v = scratchF[1];
      HostLoops.get(g, gAt, d, n);
      HostLoops.get(z, zAt, v, n);
      float[] s = sumF;
      for (int i = 0; i < n; i++) {
        s[i] += d[i] * v[i];
      }
    } else {
      double[] d = scratchD[0];
      double[] v = scratchD[1];
      HostLoops.get(g, gAt, d, n);
      HostLoops.get(z, zAt, v, n);
      double[] s = sumD;
      for (int i = 0; i < n; i++) {
        s[i] += d[i] * v[i];
      }
    }
  }

  /**
   * One chunk of a backward step: with δ = g[at..), tmp = δ·W_k and z = Z[back..) (the state the
   * step started from), da's sums += δ⊙z and g[back..) = (g[back..) + a⊙δ + tmp⊙[z &gt; 0]) ⊙ keep.
   */
  private void backwardChunk(Pointer g, long at, long back, long e, int n) {
    if (isFloat) {
      backwardChunkFloat(g, at, back, e, n);
    } else {
      backwardChunkDouble(g, at, back, e, n);
    }
  }

  private void backwardChunkFloat(Pointer g, long at, long back, long e, int n) {
    float[] prev = scratchF[0];
    float[] d = scratchF[1];
    float[] tmp = scratchF[2];
    float[] z = scratchF[3];
    float[] aT = aTileF;
    float[] kT = keepTileF;
    float[] s = sumF;
    HostLoops.get(g, back, prev, n);
    HostLoops.get(g, at, d, n);
    HostLoops.get(tmpPointer, e, tmp, n);
    HostLoops.get(statesPointer, back, z, n);
    for (int i = 0; i < n; i++) {
      s[i] += d[i] * z[i];
    }
    for (int i = 0; i < n; i++) {
      // [z > 0] without a branch: the smallest positive float times 1e76 exceeds 1.
      float on = Math.min(1f, Math.max(z[i], 0f) * 1e38f * 1e38f);
      prev[i] = (prev[i] + (aT[i] * d[i] + tmp[i] * on)) * kT[i];
    }
    HostLoops.put(g, back, prev, n);
  }

  private void backwardChunkDouble(Pointer g, long at, long back, long e, int n) {
    double[] prev = scratchD[0];
    double[] d = scratchD[1];
    double[] tmp = scratchD[2];
    double[] z = scratchD[3];
    double[] aT = aTileD;
    double[] kT = keepTileD;
    double[] s = sumD;
    HostLoops.get(g, back, prev, n);
    HostLoops.get(g, at, d, n);
    HostLoops.get(tmpPointer, e, tmp, n);
    HostLoops.get(statesPointer, back, z, n);
    for (int i = 0; i < n; i++) {
      s[i] += d[i] * z[i];
    }
    for (int i = 0; i < n; i++) {
      // [z > 0] without a branch: the smallest positive double times 1e600 exceeds 1.
      double on = Math.min(1.0, Math.max(z[i], 0.0) * 1e300 * 1e300);
      prev[i] = (prev[i] + (aT[i] * d[i] + tmp[i] * on)) * kT[i];
    }
    HostLoops.put(g, back, prev, n);
  }

  // ---------------------------------------------------------------- buffers

  /** Makes the buffers hold T steps of B sequences and rebuilds their views if needed. */
  private void shapeViews(int steps, int batch) {
    if (steps == viewSteps && batch == viewBatch) {
      return;
    }
    long bh = (long) batch * hidden;
    long rows = (long) steps * batch;
    statesFlat = buffers.ensure(statesFlat, steps * bh, 0.0);
    ratesFlat = buffers.ensure(ratesFlat, steps * bh, 0.0);
    s0Flat = buffers.ensure(s0Flat, bh, 0.0);
    z0Flat = buffers.ensure(z0Flat, bh, 0.0);
    r0Flat = buffers.ensure(r0Flat, bh, 0.0);
    tmpFlat = buffers.ensure(tmpFlat, bh, 0.0);
    inputsFlat = buffers.ensure(inputsFlat, rows * (inputs + 1), 1.0);
    hiddenView = buffers.view(statesFlat, 0, steps, batch, hidden);
    ratesView = buffers.view(ratesFlat, 0, steps, batch, hidden);
    s0View = buffers.view(s0Flat, 0, batch, hidden);
    statesPointer = HostLoops.pointer(statesFlat);
    ratesPointer = HostLoops.pointer(ratesFlat);
    s0Pointer = HostLoops.pointer(s0Flat);
    z0Pointer = HostLoops.pointer(z0Flat);
    r0Pointer = HostLoops.pointer(r0Flat);
    tmpPointer = HostLoops.pointer(tmpFlat);
    inputsPointer = HostLoops.pointer(inputsFlat);
    viewSteps = steps;
    viewBatch = batch;
  }

  /** Views into the kernel's buffers; valid until the next forward call. */
  private record PlrnnTrajectory(
      INDArray hidden, INDArray initialState, Map<String, INDArray> extras, int steps, int batch)
      implements Trajectory {}
}
