package engram.models.gru;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.common.Ablation;
import engram.models.common.Buffers;
import engram.models.common.GatedWeights;
import engram.models.common.GradientViews;
import engram.models.common.Init;
import engram.models.common.Shapes;
import engram.models.common.Tau;
import engram.models.gru.GruModel.Config;
import engram.models.gru.GruModel.InitialState;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
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

  private GruTrajectory lastTrajectory;

  GruNetwork(Config config, NetworkSpec spec, RandomGenerator rng) {
    this.hidden = config.hiddenSize();
    this.inputs = spec.inputSize();
    this.dataType = spec.dataType();
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
    inputsData2d.assign(x.reshape('c', rows, inputs)); // casts if the task's type differs
    INDArray[] s = stateSteps;
    s[0].assign(h0);
    // Input projections of all steps (with every bias), gate by gate.
    Nd4j.gemm(inputs2d, inR, r2d, false, true, 1.0, 0.0);
    Nd4j.gemm(inputs2d, inZ, z2d, false, true, 1.0, 0.0);
    Nd4j.gemm(inputs2d, inN, n2d, false, true, 1.0, 0.0);
    Nd4j.gemm(inputs2d, hnBias, p2d, false, true, 1.0, 0.0);
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

  /** Recomputes everything derived from the (possibly updated) parameters. */
  private void prepare() {
    inMatrixW.assign(wIh);
    inMatrixB.assign(bIh);
    inMatrixBRz.addi(bHhRz);
    hnBiasB.assign(bHhN);
    if (leak) {
      tau.update(taus);
      alphaTile.assign(0.0).addiRowVector(alpha);
      oneMinusAlphaTile.assign(0.0).addiRowVector(oneMinusAlpha);
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

    // Weight gradients over all T·B rows.
    Nd4j.gemm(qr2d, inputs2d, gradInR, true, false, 1.0, 0.0);
    Nd4j.gemm(qz2d, inputs2d, gradInZ, true, false, 1.0, 0.0);
    Nd4j.gemm(qn2d, inputs2d, gradInN, true, false, 1.0, 0.0);
    recurrentGradient(qr[0], qrRest, gradHr, steps);
    recurrentGradient(qz[0], qzRest, gradHz, steps);
    recurrentGradient(dhn[0], dhnRest, gradHn, steps);
    Nd4j.exec(new Sum(dhn2d, sumH, 0));
    gradBHhRz.assign(gradInBRz);
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
    gWIh.assign(gradInW);
    gBIh.assign(gradInB);
    gWHh.assign(gradHh);
    gBHh.assign(gradBHh);
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
    derivSteps = steps;
    derivBatch = batch;
  }

  /** Views into the network's buffers; valid until the next forward call. */
  private record GruTrajectory(
      INDArray hidden, INDArray initialState, Map<String, INDArray> extras, int steps, int batch)
      implements Trajectory {}
}
