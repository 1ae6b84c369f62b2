package engram.models.gru;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.common.Ablation;
import engram.models.common.Blas;
import engram.models.common.Buffers;
import engram.models.common.FloatActivations;
import engram.models.common.GatedWeights;
import engram.models.common.GradientViews;
import engram.models.common.HostLoops;
import engram.models.common.Init;
import engram.models.common.Shapes;
import engram.models.common.Tau;
import engram.models.gru.GruModel.Config;
import engram.models.gru.GruModel.InitialState;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One GRU (see {@link GruModel} for the equations) with a hand-written BPTT.
 *
 * <h2>Trajectory extras</h2>
 *
 * {@link Trajectory#extras()} maps {@code "r"}, {@code "z"} and {@code "n"} to the reset gate,
 * update gate and candidate state at every step, each {@code [T, B, H]} (step t of the array
 * belongs to h_{t+1}, like {@link Trajectory#hidden()}). They are live views of the network's
 * buffers, valid (and not modified by {@link #backward}) until the next forward call.
 *
 * <h2>How the hot loop is laid out</h2>
 *
 * Row vectors, one row per sequence. Every per-step quantity lives in its own gate-major buffer
 * {@code [T·B, H]} (one per gate, all starting at offset 0), so every elementwise op works on a
 * contiguous {@code [B, H]} block. This is deliberate: in ND4J 1.0.0-M2.1 a pairwise op on a
 * column block of a {@code [B, 3H]} array (strides {@code [3H, 1]}) takes the generic strided path
 * and is about 10× slower than on a contiguous block (measured 150–260 µs against 15–20 µs at
 * B = 128, H = 256). For the same reason the recurrent product is three gemms per step, {@code
 * h_{t−1}·W_hgᵀ} with W_hg the contiguous row block g ∈ {r, z, n} of {@code w_hh} (no copy), each
 * writing a contiguous block, not one gemm into {@code [B, 3H]}: at that size a forward step took
 * 3.3–3.5 ms with one gemm and strided gate blocks, 2.4–2.6 ms as here (the gemms cost the same).
 *
 * <p>Before the loop, the input projection of all steps is one gemm per gate over all T·B rows of
 * X_a = [X | 1] {@code [T·B, I+1]} (the column of ones carries the biases): R ← X_a·[W_ir | b_ir +
 * b_hr]ᵀ, Z likewise, N ← X_a·[W_in | b_in]ᵀ and P ← X_a·[0 | b_hn]ᵀ (b_hn in every row). The
 * hidden states h_1..h_T live in one buffer S {@code [T, B, H]} at offset 0, which is the
 * trajectory itself; h_0 has its own buffer. (ND4J 1.0.0-M2.1 returns an empty scalar for {@code
 * slice(T−1)} of a view at a non-zero offset, so h_0 is not put in front of S.)
 *
 * <p><b>Forward, per step</b> (z̃ = z without the leak; with it z̃ = 1 − α(1 − z), so that h_t = n
 * + z̃⊙(h_{t−1} − n) covers both cases): three gemms with β = 1 onto R[t], Z[t], P[t]; σ on R[t]
 * and on Z[t]; [leak only: z̃ = z⊙α + (1 − α), two ops against α tiled to {@code [B, H]}]; P[t] ←
 * r⊙P[t]; N[t] += P[t]; tanh on N[t]; S[t] ← h_{t−1} − n; S[t] ⊙= z̃; S[t] += n. That is <b>11
 * ops per step</b> (3 gemms, 8 elementwise, of them 3 transcendental), 13 with the leak. P keeps
 * r⊙(h·W_hnᵀ + b_hn) for the backward pass.
 *
 * <p><b>Backward.</b> With δ_t the total dL/dh_t (dLdh plus what step t+1 sends back), the
 * derivatives of the gates are products of δ_t with factors that depend on the forward pass only,
 * so they are computed for all steps at once before the loop (10 whole-sequence elementwise ops):
 * Q_z = (h_{t−1} − n)⊙z⊙(1 − z̃), Q_n = (1 − z̃)⊙(1 − n²), Q_r = P⊙(1 − r). Per step, in place:
 * D_z = δ⊙Q_z, A_n = δ⊙Q_n (= dL/d(pre-activation of n)), D_r = A_n⊙Q_r, D_hn = A_n⊙r; then δ_{t−1}
 * += δ_t⊙z̃ (2 ops) and δ_{t−1} += D_r·W_hr + D_z·W_hz + D_hn·W_hn (3 gemms, β = 1, straight into
 * the dLdh buffer): <b>9 ops per step</b> (3 gemms, 6 elementwise), with or without the leak.
 * After the loop, [dW_ih | db_ih] is one gemm per gate block of (D_r, D_z, A_n)ᵀ·X_a over all T·B
 * rows, and dW_hh one gemm per gate block of (D_r, D_z, D_hn)ᵀ against the previous states (split
 * in two: step 1 against h_0, steps 2..T against h_1..h_{T−1}); db_hh is db_ih for r and z and the
 * column sums of D_hn for n. With the leak, dL/dτ_i = −α_i·Σ_{t,b} δ_t⊙(h_t − h_{t−1}) for τ_i ≥ 1
 * and 0 below, a whole-sequence reduction (h_t − h_{t−1} = α(1 − z)(n − h_{t−1}) and dh/dα = (1 −
 * z)(n − h_{t−1})).
 *
 * <p><b>The fast path</b> (float32 on ND4J's CPU backend, which is what training runs; the above
 * is the ND4J path, which float64 and other backends take): a step makes <b>no ND4J op</b>.
 * Measured at H = 256, B = 128 (one thread), an ND4J op on a contiguous {@code [B, H]} block is
 * no 15–20 µs either: Sigmoid takes about 250 µs and Tanh about 690 µs (not vectorised in ND4J
 * 1.0.0-M2.1), pairwise ops 80–200 µs, while the three gemms take about 130 µs each through
 * OpenBLAS directly. So:
 *
 * <ul>
 *   <li><b>Forward</b>, per step: the three gemms onto R[t], Z[t], P[t] straight through OpenBLAS
 *       ({@link Blas}), then one pass over the step's rows, a chunk of whole rows at a time
 *       (bulk-copied into Java arrays that stay in L1/L2, {@link HostLoops}), does everything
 *       else in the ND4J ops' order, with the vectorised σ and tanh of {@link FloatActivations}
 *       (within a few ulp of ND4J's). For I ≤ {@value #FOLD_MAX_INPUTS} the input projection is
 *       not formed before the loop (four products with I + 1 columns over all T·B rows, about 16
 *       ms at M, I = 1): the gemms write with β = 0 and the pass adds b + Σ_k x_k·W_k and b_hn,
 *       reading row-tiled copies of the weights.
 *   <li><b>Backward</b>, per step: one such pass forms D_z, A_n, D_r and D_hn from δ_t and the
 *       stored r, z, z̃, n, P and h_{t−1} (the factors Q are not formed for all steps beforehand:
 *       10 whole-sequence ops and three passes over T·B·H saved), adds δ_t⊙z̃ into δ_{t−1}, and
 *       sums db_hn (ND4J's column Sum over T·B rows took about 20 ms at M), dτ's Σ δ⊙(h_t −
 *       h_{t−1}) and, for I ≤ {@value #FOLD_MAX_INPUTS}, [dW_ih | db_ih]; the step's float sums go
 *       into totals in double. Then straight through OpenBLAS: the three products into δ_{t−1}
 *       and dW_hg += D_g[t]ᵀ·h_{t−1} (per step as the leaky RNN's fused path does; measured
 *       alternately at M, the T products of K = B took about as long as one over all T·B rows
 *       through OpenBLAS, 23 against 25 ms, and Nd4j.gemm 27 ms).
 * </ul>
 *
 * Each loop stores into one array: C2 (JDK 17) vectorises those, while a loop storing into
 * several arrays ran 4–5× slower per element. At M = (H 256, B 128, T 100) a training step then
 * takes roughly 0.6× the ND4J path's time, most of it in the gemms (see GruTiming under src/test,
 * which times both paths alternately).
 *
 * <p>Buffers are allocated for the largest T·B seen and reused (views of a prefix) for smaller
 * ones; per-step views are built once per shape. Memory: five {@code [T·B, H]} buffers for the
 * forward pass (R, Z, N, P, S; six with the leak, for z̃) and four for the backward pass (Q_z, Q_n,
 * Q_r, D_hn), plus a copy of dLdh when it cannot be used in place. Not thread-safe (one network,
 * one thread).
 */
final class GruNetwork implements Network {

  private final int hidden;
  private final int inputs;
  private final DataType dataType;
  /**
   * float32 on ND4J's CPU backend: the per-step products go straight to OpenBLAS ({@link Blas})
   * and all elementwise work of a step, σ and tanh included, runs as plain Java loops (see the
   * class javadoc); otherwise every op goes through ND4J.
   */
  private final boolean fast;
  /** Elements per chunk of the fast loops (whole rows): their Java scratch stays in L1/L2. */
  private static final int CHUNK = 2048;
  private final int rowsPerChunk;
  /**
   * Up to this many inputs the fast path adds the input projection inside its step loop and sums
   * [dW_ih | db_ih] in its backward loop, instead of the products over all T·B rows before and
   * after the loop: products with so few columns run far below the machine's speed (at H = 256,
   * B = 128, T = 100, I = 1 the four forward ones took about 16 ms and the three backward ones 11
   * ms). The loops keep 3·I weight rows and 3·I sums per chunk position, hence the small bound.
   */
  static final int FOLD_MAX_INPUTS = 4;
  /** Fast path with I ≤ FOLD_MAX_INPUTS. */
  private final boolean folded;
  private final boolean leak;
  private final boolean trainTau;
  private final InitialState initialStateKind;
  private final double h0Scale;
  private final Buffers buffers;

  // Parameters (live arrays) and views into them.
  private final INDArray wIh; // [3H, I]
  private final INDArray wHh; // [3H, H]
  private final INDArray bIh; // [3H]
  private final INDArray bHh; // [3H]
  private final INDArray taus; // [H] or null without the leak
  private final List<Parameter> parameters;
  private final INDArray wHr; // row blocks of w_hh, [H, H] each
  private final INDArray wHz;
  private final INDArray wHn;
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
  private final INDArray alpha; // 1 / max(τ, 1)
  private final INDArray oneMinusAlpha;

  // Backward scratch of parameter size.
  private final INDArray gradIn; // [3H, I+1] = [dW_ih | db_ih]
  private final INDArray gradInW;
  private final INDArray gradInB;
  private final INDArray gradInBRz;
  private final INDArray gradInR;
  private final INDArray gradInZ;
  private final INDArray gradInN;
  private final INDArray gradHh; // [3H, H]
  private final INDArray gradHr;
  private final INDArray gradHz;
  private final INDArray gradHn;
  private final INDArray gradBHh; // [3H]
  private final INDArray gradBHhRz;
  private final INDArray gradBHhN;
  private final INDArray sumH; // [H]

  // Growable flat buffers (each used from offset 0).
  private INDArray inputsFlat; // X_a: [T·B·(I+1)], last column 1
  private INDArray rFlat; // r
  private INDArray zFlat; // z
  private INDArray ztFlat; // z̃ (leak only; otherwise z itself)
  private INDArray nFlat; // n
  private INDArray pFlat; // r⊙(h·W_hnᵀ + b_hn)
  private INDArray statesFlat; // h_1..h_T
  private INDArray h0Flat; // h_0
  private INDArray tileFlat; // [2·B·H]: α and 1 − α tiled over the batch (leak only)
  private INDArray qzFlat; // backward: Q_z, then D_z, then scratch for dτ
  private INDArray qnFlat; // Q_n, then A_n
  private INDArray qrFlat; // Q_r, then D_r
  private INDArray dhnFlat; // scratch, then D_hn
  private INDArray tmpFlat; // [B·H]

  // Forward views of the current shape.
  private int viewSteps = -1;
  private int viewBatch = -1;
  private INDArray inputs2d; // X_a [T·B, I+1]
  private INDArray inputsData2d; // X_a[:, 0..I−1]
  private INDArray[] stateSteps; // h_t, t = 0..T, each [B, H] (t = 0 is the h_0 buffer)
  private INDArray[] rSteps;
  private INDArray[] zSteps;
  private INDArray[] ztSteps;
  private INDArray[] nSteps;
  private INDArray[] pSteps;
  private INDArray r2d;
  private INDArray z2d;
  private INDArray zt2d;
  private INDArray n2d;
  private INDArray p2d;
  private INDArray nRest; // n of steps 2..T, [(T−1)·B, H]
  private INDArray hiddenView; // h_1..h_T as [T, B, H], offset 0
  private INDArray statesHead2d; // h_1..h_{T−1} as [(T−1)·B, H] (null if T = 1)
  private INDArray statesTail2d; // h_2..h_T as [(T−1)·B, H] (null if T = 1)
  private INDArray alphaTile; // [B, H]
  private INDArray oneMinusAlphaTile; // [B, H]
  private Map<String, INDArray> extras;

  // Backward views of the current shape.
  private int derivSteps = -1;
  private int derivBatch = -1;
  private INDArray[] qzSteps;
  private INDArray[] qnSteps;
  private INDArray[] qrSteps;
  private INDArray[] dhnSteps;
  private INDArray qz2d;
  private INDArray qn2d;
  private INDArray qr2d;
  private INDArray dhn2d;
  private INDArray qzRest;
  private INDArray qrRest;
  private INDArray dhnRest;
  private INDArray tmpBH;

  private final GradientViews dLdhViews; // dLdh per step and as [T·B, H]

  // The fast path: pointers to the flat buffers (renewed with them) and Java scratch of one chunk.
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

  GruNetwork(Config config, NetworkSpec spec, RandomGenerator rng) {
    this(config, spec, rng, true);
  }

  /**
   * @param allowFast whether float32 may take the fast path (false: every op through ND4J, as for
   *     float64 or on a non-CPU backend; tests and the timing harness compare the two)
   */
  GruNetwork(Config config, NetworkSpec spec, RandomGenerator rng, boolean allowFast) {
    this.hidden = config.hiddenSize();
    this.inputs = spec.inputSize();
    this.dataType = spec.dataType();
    this.fast = allowFast && Blas.AVAILABLE && dataType == DataType.FLOAT;
    this.rowsPerChunk = Math.max(1, CHUNK / hidden);
    this.folded = fast && inputs <= FOLD_MAX_INPUTS;
    this.leak = config.tauLeak();
    this.trainTau = config.tauLeak() && config.trainTau();
    this.initialStateKind = config.initialState();
    this.h0Scale = config.h0Scale();
    this.buffers = new Buffers(dataType);
    int h = hidden;
    int in = inputs;
    long h3 = 3L * h;

    // PyTorch's nn.GRU.reset_parameters: every weight U(−1/√H, 1/√H), in this order.
    GatedWeights weights = GatedWeights.pytorchInit(rng, 3, h, in, dataType);
    wIh = weights.wIh();
    wHh = weights.wHh();
    bIh = weights.bIh();
    bHh = weights.bHh();
    taus =
        leak
            ? Tau.initial(
                rng, trainTau, config.tauInitMin(), config.tauInitMax(), config.fixedTau(), h,
                dataType)
            : null;
    parameters = weights.parameters(taus, trainTau);

    long hh = (long) h * h;
    wHr = buffers.view(wHh, 0, h, h);
    wHz = buffers.view(wHh, hh, h, h);
    wHn = buffers.view(wHh, 2 * hh, h, h);
    bHhRz = buffers.view(bHh, 0, 2L * h);
    bHhN = buffers.view(bHh, 2L * h, h);

    long inCols = in + 1L;
    inMatrix = Nd4j.create(dataType, h3, inCols);
    inMatrixW = buffers.columns(inMatrix, 0, in);
    inMatrixB = buffers.column(inMatrix, in);
    inMatrixBRz = buffers.view(inMatrix, in, new long[] {2L * h}, new long[] {inCols});
    inR = buffers.view(inMatrix, 0, h, inCols);
    inZ = buffers.view(inMatrix, h * inCols, h, inCols);
    inN = buffers.view(inMatrix, 2 * h * inCols, h, inCols);
    hnBias = Nd4j.create(dataType, h, inCols);
    hnBiasB = buffers.column(hnBias, in);
    tau = new Tau(h, dataType);
    alpha = tau.alpha();
    oneMinusAlpha = tau.oneMinusAlpha();

    gradIn = Nd4j.create(dataType, h3, inCols);
    gradInW = buffers.columns(gradIn, 0, in);
    gradInB = buffers.column(gradIn, in);
    gradInBRz = buffers.view(gradIn, in, new long[] {2L * h}, new long[] {inCols});
    gradInR = buffers.view(gradIn, 0, h, inCols);
    gradInZ = buffers.view(gradIn, h * inCols, h, inCols);
    gradInN = buffers.view(gradIn, 2 * h * inCols, h, inCols);
    gradHh = Nd4j.create(dataType, h3, h);
    gradHr = buffers.view(gradHh, 0, h, h);
    gradHz = buffers.view(gradHh, hh, h, h);
    gradHn = buffers.view(gradHh, 2 * hh, h, h);
    gradBHh = Nd4j.create(dataType, h3);
    gradBHhRz = buffers.view(gradBHh, 0, 2L * h);
    gradBHhN = buffers.view(gradBHh, 2L * h, h);
    sumH = Nd4j.create(dataType, h);
    dLdhViews = new GradientViews(h, dataType, buffers);
    int chunk = fast ? rowsPerChunk * h : 0;
    alphaRows = new float[leak ? chunk : 0];
    oneMinusAlphaRows = new float[leak ? chunk : 0];
    scratch = new float[fast ? 10 : 0][chunk];
    int foldLength = folded ? 3 * in : 0;
    foldW = new float[foldLength][chunk];
    foldBias = new float[folded ? 3 : 0][chunk];
    foldHnBias = new float[folded ? chunk : 0];
    xRows = new float[folded ? chunk : 0];
    sumX = new float[foldLength][chunk];
    sumBias = new float[folded ? 3 : 0][chunk];
    sumHn = new float[fast ? chunk : 0];
    sumTau = new float[fast && trainTau ? chunk : 0];
    totalX = new double[foldLength * h];
    totalBias = new double[folded ? 3 * h : 0];
    totalHn = new double[fast ? h : 0];
    totalTau = new double[fast && trainTau ? h : 0];
    hostStage = new float[fast ? 3 * h * (in + 1) : 0];
  }

  @Override
  public int hiddenSize() {
    return hidden;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Zeroes the unit's row in each of the r, z and n blocks of {@code w_ih} and {@code w_hh}
   * (everything into its gates) and column {@code unit} of {@code w_hh} (its only way out, into
   * every gate of every unit). Its biases (rows of b_ih, b_hh) and its τ stay: they drive the
   * unit's own gates alone, so it relaxes on its own, unseen by the others, whose trajectories
   * are then exactly those of the network without it.
   */
  @Override
  public void ablate(int unit) {
    Ablation.checkUnit("gru", unit, hidden);
    Ablation.zeroRowInEveryBlock(wIh, unit, hidden);
    Ablation.zeroRowInEveryBlock(wHh, unit, hidden);
    Ablation.zeroColumn(wHh, unit);
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    return Init.initialState(
        batch, hidden, initialStateKind == InitialState.ZERO, h0Scale, rng, dataType);
  }

  // ---------------------------------------------------------------- forward

  @Override
  public Trajectory forward(INDArray x, INDArray h0) {
    Shapes.checkInputs(x, inputs);
    int steps = Math.toIntExact(x.size(0));
    int batch = Math.toIntExact(x.size(1));
    Shapes.checkInitialState(h0, batch, hidden);
    lastTrajectory = null;
    shapeViews(steps, batch);
    prepare();

    long rows = (long) steps * batch;
    INDArray[] s = stateSteps;
    s[0].assign(h0);
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
    if (fast) {
      // Per step: R[t], Z[t], P[t] += h_{t−1}·W_hgᵀ straight through OpenBLAS (folded: ← instead
      // of +=, the loop adds the input projection), then one chunked Java pass does the rest of
      // the step (σ, the reset product, tanh, the update).
      double beta = folded ? 0.0 : 1.0;
      Pointer w = HostLoops.pointer(wHh);
      long bh = (long) batch * hidden;
      long hh = (long) hidden * hidden;
      for (int t = 0; t < steps; t++) {
        Pointer prev = t == 0 ? h0Pointer : statesPointer;
        long prevOffset = t == 0 ? 0 : (t - 1) * bh;
        long at = t * bh;
        Blas.gemm(false, true, batch, hidden, hidden, 1.0, prev, prevOffset, hidden, w, 0, hidden,
            beta, rPointer, at, hidden);
        Blas.gemm(false, true, batch, hidden, hidden, 1.0, prev, prevOffset, hidden, w, hh, hidden,
            beta, zPointer, at, hidden);
        Blas.gemm(false, true, batch, hidden, hidden, 1.0, prev, prevOffset, hidden, w, 2 * hh,
            hidden, beta, pPointer, at, hidden);
        forwardStepFast(t, batch);
      }
      lastTrajectory = new GruTrajectory(hiddenView, s[0], extras, steps, batch);
      return lastTrajectory;
    }
    INDArray[] r = rSteps;
    INDArray[] z = zSteps;
    INDArray[] zt = ztSteps;
    INDArray[] n = nSteps;
    INDArray[] p = pSteps;
    for (int t = 0; t < steps; t++) {
      INDArray prev = s[t];
      Nd4j.gemm(prev, wHr, r[t], false, true, 1.0, 1.0);
      Nd4j.gemm(prev, wHz, z[t], false, true, 1.0, 1.0);
      Nd4j.gemm(prev, wHn, p[t], false, true, 1.0, 1.0);
      Nd4j.exec(new Sigmoid(r[t], r[t]));
      Nd4j.exec(new Sigmoid(z[t], z[t]));
      if (leak) {
        Nd4j.exec(new MulOp(z[t], alphaTile, zt[t]));
        Nd4j.exec(new AddOp(zt[t], oneMinusAlphaTile, zt[t]));
      }
      Nd4j.exec(new MulOp(r[t], p[t], p[t]));
      Nd4j.exec(new AddOp(n[t], p[t], n[t]));
      Nd4j.exec(new Tanh(n[t], n[t]));
      INDArray next = s[t + 1];
      Nd4j.exec(new SubOp(prev, n[t], next));
      Nd4j.exec(new MulOp(next, zt[t], next));
      Nd4j.exec(new AddOp(next, n[t], next));
    }
    lastTrajectory = new GruTrajectory(hiddenView, s[0], extras, steps, batch);
    return lastTrajectory;
  }

  /**
   * The elementwise rest of forward step t on the fast path, a chunk of whole rows at a time, in
   * the order of the ND4J path's ops (so the results differ from it only through σ and tanh, see
   * {@link FloatActivations}): r = σ(R[t]), z = σ(Z[t]); P[t] ← r⊙P[t]; n = tanh(N[t] + P[t]);
   * [leak: z̃ = z⊙α + (1 − α)]; h_t = (h_{t−1} − n)⊙z̃ + n. Writes r, z, (z̃), P, n and h_t back.
   */
  private void forwardStepFast(int t, int batch) {
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
        float[] br = foldBias[0];
        float[] bz = foldBias[1];
        float[] bn = foldBias[2];
        float[] bhn = foldHnBias;
        addTo(r, br, len);
        addTo(z, bz, len);
        System.arraycopy(bn, 0, n, 0, len);
        addTo(p, bhn, len);
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
    INDArray c = x.dataType() == DataType.FLOAT && x.ordering() == 'c'
        && Shape.hasDefaultStridesForShape(x) ? x : x.castTo(DataType.FLOAT).dup('c');
    if (foldX == null || foldX.length < n) {
      foldX = new float[n];
    }
    HostLoops.get(HostLoops.pointer(c), 0, foldX, n);
  }

  /** Recomputes everything derived from the (possibly updated) parameters. */
  private void prepare() {
    inMatrixW.assign(wIh);
    inMatrixB.assign(bIh);
    inMatrixBRz.addi(bHhRz);
    hnBiasB.assign(bHhN);
    if (folded) {
      // inMatrix as the loops read it, each row of H repeated over the rows of a chunk.
      int h = hidden;
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
      if (fast) {
        int h = hidden;
        HostLoops.get(HostLoops.pointer(alpha), 0, alphaRows, h);
        HostLoops.get(HostLoops.pointer(oneMinusAlpha), 0, oneMinusAlphaRows, h);
        for (int row = 1; row < rowsPerChunk; row++) {
          System.arraycopy(alphaRows, 0, alphaRows, row * h, h);
          System.arraycopy(oneMinusAlphaRows, 0, oneMinusAlphaRows, row * h, h);
        }
      } else {
        alphaTile.assign(0.0).addiRowVector(alpha);
        oneMinusAlphaTile.assign(0.0).addiRowVector(oneMinusAlpha);
      }
    }
  }

  // --------------------------------------------------------------- backward

  @Override
  public void backward(Trajectory trajectory, INDArray dLdh, Map<String, INDArray> gradients) {
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
    INDArray[] g = dLdhViews.steps();

    if (fast) {
      // One chunked Java pass per step forms D_z, A_n, D_r, D_hn and δ_{t−1} += δ_t⊙z̃; the three
      // products into δ_{t−1} go straight through OpenBLAS.
      Pointer w = HostLoops.pointer(wHh);
      Pointer gPointer = HostLoops.pointer(g[0]);
      long bh = (long) batch * hidden;
      long hh = (long) hidden * hidden;
      Arrays.fill(totalX, 0.0);
      Arrays.fill(totalBias, 0.0);
      Arrays.fill(totalHn, 0.0);
      Arrays.fill(totalTau, 0.0);
      Pointer gradW = HostLoops.pointer(gradHh);
      for (int t = steps - 1; t >= 0; t--) {
        backwardStepFast(gPointer, t, batch, gTaus != null);
        long at = t * bh;
        // dW_hg += D_g[t]ᵀ·h_{t−1} per step (about as fast as one product over all T·B rows
        // through OpenBLAS, and no second pass over D and the states).
        Pointer prev = t == 0 ? h0Pointer : statesPointer;
        long prevOffset = t == 0 ? 0 : (t - 1) * bh;
        double beta = t == steps - 1 ? 0.0 : 1.0;
        Blas.gemm(true, false, hidden, hidden, batch, 1.0, qrPointer, at, hidden, prev, prevOffset,
            hidden, beta, gradW, 0, hidden);
        Blas.gemm(true, false, hidden, hidden, batch, 1.0, qzPointer, at, hidden, prev, prevOffset,
            hidden, beta, gradW, hh, hidden);
        Blas.gemm(true, false, hidden, hidden, batch, 1.0, dhnPointer, at, hidden, prev,
            prevOffset, hidden, beta, gradW, 2 * hh, hidden);
        if (t > 0) {
          long back = (t - 1) * bh;
          Blas.gemm(false, false, batch, hidden, hidden, 1.0, qrPointer, at, hidden, w, 0, hidden,
              1.0, gPointer, back, hidden);
          Blas.gemm(false, false, batch, hidden, hidden, 1.0, qzPointer, at, hidden, w, hh,
              hidden, 1.0, gPointer, back, hidden);
          Blas.gemm(false, false, batch, hidden, hidden, 1.0, dhnPointer, at, hidden, w, 2 * hh,
              hidden, 1.0, gPointer, back, hidden);
        }
      }
    } else {
      backwardLoopNd4j(steps, g);
    }
    weightGradients(steps, gTaus);
    if (fast) {
      // The sums of the loop: db_hn (and [dW_ih | db_ih] when folded, dτ with a trained τ).
      write(gradBHhN, totalHn, hidden);
      if (folded) {
        int h = hidden;
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
        gradBHhRz.assign(gradInBRz);
      }
      if (gTaus != null) {
        write(sumH, totalTau, hidden);
        Nd4j.exec(new MulOp(sumH, alpha, sumH));
        tau.gradient(sumH, gTaus);
      }
    }
    gWIh.assign(gradInW);
    gBIh.assign(gradInB);
    gWHh.assign(gradHh);
    gBHh.assign(gradBHh);
  }

  /**
   * Step t of the fast backward pass, a chunk of whole rows at a time, with the ND4J path's
   * factors and products in its order: D_z = (h_{t−1} − n)⊙z⊙(1 − z̃)⊙δ, A_n = (1 − z̃)⊙(1 −
   * n²)⊙δ, D_r = (1 − r)⊙P⊙A_n, D_hn = A_n⊙r into the buffers of Q_z, Q_n, Q_r and D_hn, and
   * δ_{t−1} += δ⊙z̃ in dL/dh.
   */
  private void backwardStepFast(Pointer gPointer, int t, int batch, boolean tauSum) {
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
        // Σ_rows δ⊙(h_t − h_{t−1}) (the ND4J path's dτ sum, one step at a time).
        HostLoops.get(statesPointer, at, next, len);
        float[] acc = sumTau;
        for (int i = 0; i < len; i++) {
          acc[i] += (next[i] - state[i]) * delta[i];
        }
      }
      // One loop per result: C2 vectorises a loop that stores into one array, not one that
      // stores into several (measured 4–5× slower per element).
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
    // The step's float sums into the totals in double (a sum over T·B rows in float would lose
    // the small terms' bits).
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

  /** The ND4J path's backward loop (with the factors it needs, for all steps at once). */
  private void backwardLoopNd4j(int steps, INDArray[] g) {
    INDArray[] s = stateSteps;
    INDArray[] r = rSteps;
    INDArray[] zt = ztSteps;
    INDArray[] qz = qzSteps;
    INDArray[] qn = qnSteps;
    INDArray[] qr = qrSteps;
    INDArray[] dhn = dhnSteps;
    // Factors that depend on the forward pass only, for all steps at once.
    // Q_z = (h_{t−1} − n)⊙z⊙(1 − z̃)
    Nd4j.exec(new SubOp(s[0], nSteps[0], qz[0]));
    if (steps > 1) {
      Nd4j.exec(new SubOp(statesHead2d, nRest, qzRest));
    }
    zt2d.rsub(1.0, qn2d);
    Nd4j.exec(new MulOp(qz2d, z2d, qz2d));
    Nd4j.exec(new MulOp(qz2d, qn2d, qz2d));
    // Q_n = (1 − z̃)⊙(1 − n²)
    Nd4j.exec(new MulOp(n2d, n2d, dhn2d));
    dhn2d.rsubi(1.0);
    Nd4j.exec(new MulOp(qn2d, dhn2d, qn2d));
    // Q_r = P⊙(1 − r) with P = r⊙(h·W_hnᵀ + b_hn)
    r2d.rsub(1.0, qr2d);
    Nd4j.exec(new MulOp(qr2d, p2d, qr2d));

    for (int t = steps - 1; t >= 0; t--) {
      INDArray delta = g[t];
      Nd4j.exec(new MulOp(qz[t], delta, qz[t])); // D_z
      Nd4j.exec(new MulOp(qn[t], delta, qn[t])); // A_n
      Nd4j.exec(new MulOp(qr[t], qn[t], qr[t])); // D_r
      Nd4j.exec(new MulOp(qn[t], r[t], dhn[t])); // D_hn
      if (t > 0) {
        INDArray back = g[t - 1];
        Nd4j.exec(new MulOp(delta, zt[t], tmpBH));
        Nd4j.exec(new AddOp(back, tmpBH, back));
        Nd4j.gemm(qr[t], wHr, back, false, false, 1.0, 1.0);
        Nd4j.gemm(qz[t], wHz, back, false, false, 1.0, 1.0);
        Nd4j.gemm(dhn[t], wHn, back, false, false, 1.0, 1.0);
      }
    }
  }

  /**
   * The weight gradients from D_r, D_z, A_n, D_hn of all steps (products over all T·B rows) into
   * the scratch gradIn, gradHh, gradBHh, and dL/dτ into {@code gTaus} (null: τ not trained); on
   * the fast path only the products the step loop did not sum (the caller writes the sums).
   */
  private void weightGradients(int steps, INDArray gTaus) {
    INDArray[] s = stateSteps;
    INDArray[] qz = qzSteps;
    INDArray[] qr = qrSteps;
    INDArray[] dhn = dhnSteps;
    // Weight gradients over all T·B rows (the fast path's loop summed the rest).
    if (!folded) {
      Nd4j.gemm(qr2d, inputs2d, gradInR, true, false, 1.0, 0.0);
      Nd4j.gemm(qz2d, inputs2d, gradInZ, true, false, 1.0, 0.0);
      Nd4j.gemm(qn2d, inputs2d, gradInN, true, false, 1.0, 0.0);
      gradBHhRz.assign(gradInBRz);
    }
    if (fast) {
      return;
    }
    recurrentGradient(qr[0], qrRest, gradHr, steps);
    recurrentGradient(qz[0], qzRest, gradHz, steps);
    recurrentGradient(dhn[0], dhnRest, gradHn, steps);
    Nd4j.exec(new Sum(dhn2d, sumH, 0));
    gradBHhN.assign(sumH);

    if (gTaus != null) {
      // dL/dτ = −α·Σ δ⊙(h_t − h_{t−1}) where τ ≥ 1; Q_z's buffer is free now.
      Nd4j.exec(new SubOp(s[1], s[0], qz[0]));
      if (steps > 1) {
        Nd4j.exec(new SubOp(statesTail2d, statesHead2d, qzRest));
      }
      Nd4j.exec(new MulOp(qz2d, dLdhViews.all(), qz2d));
      Nd4j.exec(new Sum(qz2d, sumH, 0));
      Nd4j.exec(new MulOp(sumH, alpha, sumH));
      tau.gradient(sumH, gTaus);
    }
  }

  /** dW = Σ_t D_tᵀ·h_{t−1}: step 1 against h_0, steps 2..T against h_1..h_{T−1}. */
  private void recurrentGradient(INDArray first, INDArray rest, INDArray out, int steps) {
    Nd4j.gemm(first, stateSteps[0], out, true, false, 1.0, 0.0);
    if (steps > 1) {
      Nd4j.gemm(rest, statesHead2d, out, true, false, 1.0, 1.0);
    }
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
    inputsFlat = buffers.ensure(inputsFlat, rows * (inputs + 1), 1.0);
    rFlat = buffers.ensure(rFlat, n, 0.0);
    zFlat = buffers.ensure(zFlat, n, 0.0);
    nFlat = buffers.ensure(nFlat, n, 0.0);
    pFlat = buffers.ensure(pFlat, n, 0.0);
    statesFlat = buffers.ensure(statesFlat, n, 0.0);
    h0Flat = buffers.ensure(h0Flat, bh, 0.0);
    inputs2d = buffers.view(inputsFlat, 0, rows, inputs + 1);
    inputsData2d = buffers.columns(inputs2d, 0, inputs);

    rSteps = buffers.steps(rFlat, steps, batch, hidden);
    zSteps = buffers.steps(zFlat, steps, batch, hidden);
    nSteps = buffers.steps(nFlat, steps, batch, hidden);
    pSteps = buffers.steps(pFlat, steps, batch, hidden);
    r2d = buffers.view(rFlat, 0, rows, hidden);
    z2d = buffers.view(zFlat, 0, rows, hidden);
    n2d = buffers.view(nFlat, 0, rows, hidden);
    p2d = buffers.view(pFlat, 0, rows, hidden);
    nRest = steps > 1 ? buffers.view(nFlat, bh, rows - batch, hidden) : null;
    if (leak) {
      ztFlat = buffers.ensure(ztFlat, n, 0.0);
      ztSteps = buffers.steps(ztFlat, steps, batch, hidden);
      zt2d = buffers.view(ztFlat, 0, rows, hidden);
      tileFlat = buffers.ensure(tileFlat, 2 * bh, 0.0);
      alphaTile = buffers.view(tileFlat, 0, batch, hidden);
      oneMinusAlphaTile = buffers.view(tileFlat, bh, batch, hidden);
    } else {
      ztSteps = zSteps;
      zt2d = z2d;
    }

    stateSteps = new INDArray[steps + 1];
    stateSteps[0] = buffers.view(h0Flat, 0, batch, hidden);
    for (int t = 1; t <= steps; t++) {
      stateSteps[t] = buffers.view(statesFlat, (t - 1) * bh, batch, hidden);
    }
    hiddenView = buffers.view(statesFlat, 0, steps, batch, hidden);
    statesHead2d = steps > 1 ? buffers.view(statesFlat, 0, rows - batch, hidden) : null;
    statesTail2d = steps > 1 ? buffers.view(statesFlat, bh, rows - batch, hidden) : null;
    if (fast) {
      rPointer = HostLoops.pointer(rFlat);
      zPointer = HostLoops.pointer(zFlat);
      ztPointer = leak ? HostLoops.pointer(ztFlat) : zPointer;
      nPointer = HostLoops.pointer(nFlat);
      pPointer = HostLoops.pointer(pFlat);
      statesPointer = HostLoops.pointer(statesFlat);
      h0Pointer = HostLoops.pointer(h0Flat);
    }
    extras =
        Map.of(
            "r", buffers.view(rFlat, 0, steps, batch, hidden),
            "z", buffers.view(zFlat, 0, steps, batch, hidden),
            "n", buffers.view(nFlat, 0, steps, batch, hidden));
    viewSteps = steps;
    viewBatch = batch;
  }

  /** The backward buffers and their views (allocated only once backward is used). */
  private void derivViews(int steps, int batch) {
    if (steps == derivSteps && batch == derivBatch) {
      return;
    }
    long bh = (long) batch * hidden;
    long rows = (long) steps * batch;
    long n = steps * bh;
    qzFlat = buffers.ensure(qzFlat, n, 0.0);
    qnFlat = buffers.ensure(qnFlat, n, 0.0);
    qrFlat = buffers.ensure(qrFlat, n, 0.0);
    dhnFlat = buffers.ensure(dhnFlat, n, 0.0);
    tmpFlat = buffers.ensure(tmpFlat, bh, 0.0);
    qzSteps = buffers.steps(qzFlat, steps, batch, hidden);
    qnSteps = buffers.steps(qnFlat, steps, batch, hidden);
    qrSteps = buffers.steps(qrFlat, steps, batch, hidden);
    dhnSteps = buffers.steps(dhnFlat, steps, batch, hidden);
    qz2d = buffers.view(qzFlat, 0, rows, hidden);
    qn2d = buffers.view(qnFlat, 0, rows, hidden);
    qr2d = buffers.view(qrFlat, 0, rows, hidden);
    dhn2d = buffers.view(dhnFlat, 0, rows, hidden);
    qzRest = steps > 1 ? buffers.view(qzFlat, bh, rows - batch, hidden) : null;
    qrRest = steps > 1 ? buffers.view(qrFlat, bh, rows - batch, hidden) : null;
    dhnRest = steps > 1 ? buffers.view(dhnFlat, bh, rows - batch, hidden) : null;
    tmpBH = buffers.view(tmpFlat, 0, batch, hidden);
    if (fast) {
      qzPointer = HostLoops.pointer(qzFlat);
      qnPointer = HostLoops.pointer(qnFlat);
      qrPointer = HostLoops.pointer(qrFlat);
      dhnPointer = HostLoops.pointer(dhnFlat);
    }
    derivSteps = steps;
    derivBatch = batch;
  }

  /** Views into the network's buffers; valid until the next forward call. */
  private record GruTrajectory(
      INDArray hidden, INDArray initialState, Map<String, INDArray> extras, int steps, int batch)
      implements Trajectory {}
}
