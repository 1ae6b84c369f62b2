package engram.models.lstm;

import static engram.models.common.Buffers.broadcastMul;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.common.Ablation;
import engram.models.common.Blas;
import engram.models.common.Buffers;
import engram.models.common.FloatActivations;
import engram.models.common.GatedWeights;
import engram.models.common.HostLoops;
import engram.models.common.Init;
import engram.models.common.Shapes;
import engram.models.common.Tau;
import engram.models.lstm.LstmModel.Config;
import engram.models.lstm.LstmModel.InitialState;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One LSTM (see {@link LstmModel} for the equations) with a hand-written BPTT.
 *
 * <h2>Layout: feature-major per step</h2>
 *
 * Inside the network every per-step quantity is stored <em>transposed</em>, as a {@code [rows,
 * B]} block (one column per sequence), and the blocks of consecutive steps follow each other in
 * one buffer. The reason is measured, not aesthetic: in ND4J 1.0.0-M2.1 an elementwise op whose
 * operands are not contiguous (element-wise stride ≠ 1, e.g. the f-columns of a {@code [B, 4H]}
 * gate matrix) takes 5–10 ns per element against 0.4–1 ns for contiguous operands, and a gemm
 * writes only into contiguous outputs. With the gates of step t computed as a {@code [4H, B]}
 * block, each gate is a contiguous {@code [H, B]} slab, so every per-step elementwise op below
 * runs on contiguous memory (only the once-per-call copies in and out of this layout are
 * strided). (Broadcast ops were also measured and are 2–3× slower than pairwise ones, so
 * none is used per step.)
 *
 * <p>Internally the gate rows are ordered <b>o, i, f, g</b> (PyTorch's are i, f, g, o): the three
 * σ gates are contiguous (one sigmoid op), i, f sit next to each other (one product for the cell
 * update) and the companion block Q below lines up with them. {@link #prepare} copies the
 * parameters into this order once per forward call; {@link #backward} copies the gradients back.
 *
 * <h2>Forward</h2>
 *
 * S_t = [h_{t−1}; x_t; 1] ({@code [H+I+1, B]}, blocks t = 0..T of one buffer; the row of ones
 * carries the biases) and W = [W_hh | W_ih | b_ih + b_hh] ({@code [4H, H+I+1]}). The input
 * projection is folded into the recurrent gemm: the extra I+1 rows of S_t cost the same
 * multiply-adds as a separate projection of all steps would, and there is no pre-loop gemm to
 * make (one gemm over all T·B rows cannot produce the per-step contiguous {@code [4H, B]} blocks
 * of this layout; it would need a copy, or an add per step). SIG_t = [o; i; f] and Q_t = [tanh(c_t); g_t; c_{t−1}]
 * ({@code [3H, B]} each) are kept for the backward pass; c_0 = 0 sits in Q_0. Per step, <b>7
 * ops</b>:
 *
 * <pre>
 *   1 gemm     Z = W·S_t                       (scratch [4H, B], β = 0)
 *   2 sigmoid  SIG_t = σ(Z[o, i, f])
 *   3 tanh     Q_t[g] = tanh(Z[g])
 *   4 mul      P = SIG_t[i, f] ⊙ Q_t[g, c_{t−1}]  = [i⊙g; f⊙c_{t−1}]  (one op on [2H, B])
 *   5 add      c_t = P[0] + P[1]                → Q_{t+1}[c]
 *   6 tanh     Q_t[tanh c] = tanh(c_t)
 *   7 mul      h_t = o ⊙ tanh(c_t)              → S_{t+1}[h]
 * </pre>
 *
 * With the τ leak the hidden rows of S hold k = h/α (per neuron) and the h-columns of W are
 * scaled by α, so that W·S is unchanged; step 7 writes h'_t and two more ops add (1−α)⊙k_{t−1}
 * (k_t = (1−α)⊙k_{t−1} + h'_t): <b>9 ops</b>. After the loop one permuting copy writes h_1..h_T
 * into the trajectory {@code [T, B, H]} (times α with the leak).
 *
 * <h2>Backward</h2>
 *
 * Everything that does not depend on the recurrence is computed for all steps at once, in six
 * ops over whole contiguous buffers (SIG and Q are aligned, so the products line up):
 *
 * <pre>
 *   K = (1 − SIG) ⊙ SIG ⊙ Q        = [tanh(c)·σ'(o); g·σ'(i); c_{t−1}·σ'(f)]
 *   E = (1 − Q ⊙ Q) ⊙ SIG          = [o·(1 − tanh²c); i·(1 − g²); (unused)]
 * </pre>
 *
 * dL/dh is transposed into δH ({@code [T, H, B]}, one op). Then, per step from t = T−1 down to 0,
 * with δh_t the total gradient at h_t and δc carried between steps, <b>9 ops</b>:
 *
 * <pre>
 *   1 mul   D[o] = δh_t ⊙ K[o]                       (D: scratch [4H, B], pre-activation grads)
 *   2 mul   δc   = δh_t ⊙ E[c]
 *   3 add   δc  += Y                                  (Y = δc_{t+1} ⊙ f_{t+1}; not at t = T−1)
 *   4 mul   D[i] = δc ⊙ K[i]
 *   5 mul   D[f] = δc ⊙ K[f]
 *   6 mul   D[g] = δc ⊙ E[g]
 *   7 mul   Y    = δc ⊙ f_t                           (the gradient into c_{t−1}; not at t = 0)
 *   8 gemm  δh_{t−1} += W_hhᵀ·D                       (β = 1; not at t = 0)
 *   9 gemm  dW += D·S_tᵀ                              (β = 1; β = 0 at t = T−1)
 * </pre>
 *
 * Op 9 is the weight gradient: with per-step blocks, D of all steps is not one matrix, so dW =
 * Σ_t D_t·S_tᵀ = [dW_hh | dW_ih | db] is accumulated by one gemm per step (the same multiply-adds
 * as one gemm over all T·B columns; db_ih = db_hh = the last column). With the leak, op 0 scales
 * δh_t by α before ops 1–2 and two ops after op 8 add (1−α)⊙δh_t to δh_{t−1}: <b>12 ops</b>; the
 * h-columns of dW are scaled by α afterwards (S holds k = h/α), and dL/dτ_i = −α_i·Σ_{t,b}
 * δh_t·(h_t − h_{t−1}) for τ_i ≥ 1 (0 below) is one whole-sequence reduction.
 *
 * <h2>The fast path (how the hot loop runs in float32)</h2>
 *
 * Everything above describes the ND4J path, which float64 and non-CPU backends take. Float32 on
 * ND4J's CPU backend (what training runs) keeps the layout, the buffers and the per-call work, but
 * a step makes <b>no ND4J op</b>: measured at H = 256, B = 128 on one thread, ND4J's Sigmoid and
 * Tanh take about 250 and 690 µs per {@code [H, B]} block (they are not vectorised in ND4J
 * 1.0.0-M2.1), so ops 2–7 cost more than the step's gemm. Instead:
 *
 * <ul>
 *   <li><b>Forward</b>, per step: op 1 straight through OpenBLAS ({@link Blas}); ops 2–7 (and the
 *       leak's two) in one pass over the step's H·B elements, in chunks whose Java copies stay in
 *       L1/L2 ({@link HostLoops}), with the vectorised σ and tanh of {@link FloatActivations}
 *       (within a few ulp of ND4J's) and otherwise the ND4J ops' arithmetic in their order. The
 *       permuting copy into the trajectory is a Java transpose, one step's block at a time.
 *   <li><b>Backward</b>: dL/dh is transposed into δH in Java; the six whole-sequence ops for K and
 *       E are gone: per step one chunked pass computes K and E on the spot from SIG_t and Q_t and
 *       forms D, δc, Y (and with the leak α⊙δh and (1−α)⊙δh_t into δh_{t−1}, added before op 8
 *       instead of after: a rounding difference only); ops 8 and 9 go straight to OpenBLAS, op 8 as
 *       a plain product against a transposed copy of W_hh made per forward call.
 * </ul>
 *
 * Each loop stores into one array (C2 vectorises those; a loop storing into several ran 4–5×
 * slower per element) and each chunk is a method of its own (inside the whole step loop C2 left
 * the code in C1 for many calls). At M = (H 256, B 128, T 100) a training step then takes about
 * two thirds of the ND4J path's time, most of it in the two gemms per step (see LstmTiming under
 * src/test, which times both paths alternately).
 *
 * <h2>Buffers</h2>
 *
 * Buffers are allocated for the largest T·B seen and reused for smaller ones; per-step views are
 * built once per shape. The trajectory's hidden states, h_0 and every extra live in buffers of
 * their own and start at offset 0: ND4J 1.0.0-M2.1 returns an empty scalar for {@code
 * slice(T−1)} of a view at a non-zero offset (see the leaky RNN). The extras are copied from SIG
 * and Q (transposed) only when {@link Trajectory#extras()} is first called. Memory: about 15·T·B·H
 * elements (plus 5·T·B·H once extras are read). Not thread-safe (one network, one thread).
 */
final class LstmNetwork implements Network {

  private final int hidden;
  private final int inputs;
  private final int augmented; // H + I + 1: rows of S_t, columns of W
  private final DataType dataType;
  /**
   * float32 on ND4J's CPU backend: the per-step products go straight to OpenBLAS ({@link Blas})
   * and all elementwise work of a step, σ and tanh included, runs as one chunked Java pass (see
   * the class javadoc); otherwise every op goes through ND4J.
   */
  private final boolean fast;
  /** Elements per chunk of the fast loops: their Java scratch stays in L1/L2. */
  private static final int CHUNK = 2048;
  private final boolean leak;
  private final boolean trainTau;
  private final InitialState initial;
  private final double h0Scale;
  private final Buffers buffers;

  // Parameters (live arrays), PyTorch layout: row blocks i, f, g, o.
  private final INDArray wIh;
  private final INDArray wHh;
  private final INDArray bIh;
  private final INDArray bHh;
  private final INDArray taus; // null without the leak
  private final List<Parameter> parameters;
  // Views: rows [0, 3H) hold i, f, g and rows [3H, 4H) hold o.
  private final INDArray wIhIfg;
  private final INDArray wIhO;
  private final INDArray wHhIfg;
  private final INDArray wHhO;
  private final INDArray bIhIfg;
  private final INDArray bIhO;
  private final INDArray bHhIfg;
  private final INDArray bHhO;

  // Derived from the parameters at every forward call; internal row order o, i, f, g.
  private final INDArray weights; // W = [W_hh (·α with the leak) | W_ih | b_ih + b_hh]
  private final INDArray weightsH;
  private final INDArray weightsHo;
  private final INDArray weightsHifg;
  private final INDArray weightsXo;
  private final INDArray weightsXifg;
  private final INDArray weightsBo;
  private final INDArray weightsBifg;
  private final INDArray recurrent; // W_hh, unscaled, [4H, H]
  // Its transpose [H, 4H] (fast path): the product W_hhᵀ·D as a plain (no-transpose) gemm, about
  // 12% faster than OpenBLAS's transposed-operand product at H = 256, B = 128.
  private final INDArray recurrentTransposed;
  private final Tau tau;
  private final INDArray tauClamped; // max(τ, 1) = 1/α
  private final INDArray alpha;
  private final INDArray oneMinusAlpha;

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
  private INDArray pairFlat; // P: 2H·B
  private INDArray hiddenFlat; // the trajectory: T·B·H
  private INDArray h0Flat; // the trajectory's h_0: B·H
  private INDArray leakTmpFlat; // (1−α)⊙k_{t−1}: H·B
  private INDArray alphaColsFlat; // α repeated over the B columns: H·B
  private INDArray oneMinusAlphaColsFlat;
  private final INDArray[] extraFlats = new INDArray[EXTRAS.length];

  // Views of the current forward shape.
  private int viewSteps = -1;
  private int viewBatch = -1;
  private INDArray[] sStep; // S_t, [H+I+1, B], t = 0..T
  private INDArray[] sHidden; // S_t[h], [H, B], t = 0..T
  private INDArray sInputs; // x rows of S_0..S_{T−1}, [T, I, B]
  private INDArray sHiddenAfter; // S_1..S_T [h], [T, H, B] (strided)
  private INDArray gates; // Z
  private INDArray gatesSig; // Z[o, i, f]
  private INDArray gatesG; // Z[g]
  private INDArray[] sig; // SIG_t
  private INDArray[] sigO;
  private INDArray[] sigIf;
  private INDArray[] sigF;
  private INDArray[] qTanhC; // Q_t[tanh c_t]
  private INDArray[] qG; // Q_t[g_t]
  private INDArray[] qGc; // Q_t[g_t; c_{t−1}]
  private INDArray[] qC; // Q_t[c_{t−1}], t = 0..T
  private INDArray sigAll; // SIG as one flat vector
  private INDArray companionAll; // Q_0..Q_{T−1} as one flat vector
  private INDArray pair;
  private INDArray pairFirst;
  private INDArray pairSecond;
  private INDArray hiddenView; // [T, B, H], offset 0
  private INDArray h0View; // [B, H], offset 0
  private INDArray leakTmp;
  private INDArray alphaCols;
  private INDArray oneMinusAlphaCols;

  // Backward buffers and views.
  private INDArray gradHFlat; // δH: T·H·B
  private INDArray kFlat; // K: T·3H·B
  private INDArray eFlat; // E: T·3H·B
  private INDArray deltaFlat; // D: 4H·B
  private INDArray cellGradFlat; // δc: H·B
  private INDArray carryFlat; // Y: H·B
  private INDArray scaledGradFlat; // α⊙δh (leak): H·B
  private INDArray leakGradFlat; // (1−α)⊙δh (leak): H·B
  private int derivSteps = -1;
  private int derivBatch = -1;
  private INDArray[] gradH; // δh_t, [H, B]
  private INDArray gradHAll; // [T, H, B]
  private INDArray kAll;
  private INDArray eAll;
  private INDArray[] kO;
  private INDArray[] kI;
  private INDArray[] kF;
  private INDArray[] eC;
  private INDArray[] eG;
  private INDArray delta;
  private INDArray deltaO;
  private INDArray deltaI;
  private INDArray deltaF;
  private INDArray deltaG;
  private INDArray cellGrad;
  private INDArray carry;
  private INDArray scaledGrad;
  private INDArray leakGrad;

  private static final String[] EXTRAS = {"c", "i", "f", "g", "o"};

  // The fast path: Java scratch of one chunk, and α, 1 − α repeated over the B columns (leak).
  private final float[][] scratch; // [10][CHUNK]
  private float[] alphaColsHost;
  private float[] oneMinusAlphaColsHost;
  private float[] carryHost; // Y = δc_{t+1}⊙f_{t+1}, [H·B]
  private float[] blockA; // one step's [H·B] block, for the transposes in and out of the layout
  private float[] blockB;

  private long generation;
  private LstmTrajectory lastTrajectory;

  LstmNetwork(Config config, NetworkSpec spec, RandomGenerator rng) {
    this(config, spec, rng, true);
  }

  /**
   * @param allowFast whether float32 may take the fast path (false: every op through ND4J, as for
   *     float64 or on a non-CPU backend; tests and the timing harness compare the two)
   */
  LstmNetwork(Config config, NetworkSpec spec, RandomGenerator rng, boolean allowFast) {
    this.hidden = config.hiddenSize();
    this.inputs = spec.inputSize();
    this.augmented = hidden + inputs + 1;
    this.dataType = spec.dataType();
    this.fast = allowFast && Blas.AVAILABLE && dataType == DataType.FLOAT;
    this.scratch = new float[fast ? 10 : 0][CHUNK];
    this.leak = config.tauLeak();
    this.trainTau = config.tauLeak() && config.trainTau();
    this.initial = config.initialState();
    this.h0Scale = config.h0Scale();
    this.buffers = new Buffers(dataType);
    int h = hidden;
    long h4 = 4L * h;

    GatedWeights init = GatedWeights.pytorchInit(rng, 4, h, inputs, dataType);
    wIh = init.wIh();
    wHh = init.wHh();
    bIh = init.bIh();
    bHh = init.bHh();
    taus =
        leak
            ? Tau.initial(
                rng, config.trainTau(), config.tauInitMin(), config.tauInitMax(),
                config.fixedTau(), h, dataType)
            : null;
    parameters = init.parameters(taus, config.trainTau());

    wIhIfg = buffers.block(wIh, 0, 3L * h, 0, inputs);
    wIhO = buffers.block(wIh, 3L * h, h, 0, inputs);
    wHhIfg = buffers.block(wHh, 0, 3L * h, 0, h);
    wHhO = buffers.block(wHh, 3L * h, h, 0, h);
    bIhIfg = buffers.segment(bIh, 0, 3L * h);
    bIhO = buffers.segment(bIh, 3L * h, h);
    bHhIfg = buffers.segment(bHh, 0, 3L * h);
    bHhO = buffers.segment(bHh, 3L * h, h);

    weights = Nd4j.create(dataType, h4, augmented);
    weightsH = buffers.block(weights, 0, h4, 0, h);
    weightsHo = buffers.block(weights, 0, h, 0, h);
    weightsHifg = buffers.block(weights, h, 3L * h, 0, h);
    weightsXo = buffers.block(weights, 0, h, h, inputs);
    weightsXifg = buffers.block(weights, h, 3L * h, h, inputs);
    weightsBo = columnVector(buffers.block(weights, 0, h, augmented - 1, 1));
    weightsBifg = columnVector(buffers.block(weights, h, 3L * h, augmented - 1, 1));
    recurrent = Nd4j.create(dataType, h4, h);
    recurrentTransposed = fast ? Nd4j.create(dataType, h, h4) : null;
    tau = new Tau(h, dataType);
    tauClamped = tau.clamped();
    alpha = tau.alpha();
    oneMinusAlpha = tau.oneMinusAlpha();

    gradW = Nd4j.create(dataType, h4, augmented);
    gradWh = buffers.block(gradW, 0, h4, 0, h);
    gradWx = buffers.block(gradW, 0, h4, h, inputs);
    gradWb = columnVector(buffers.block(gradW, 0, h4, augmented - 1, 1));
    sumH = Nd4j.create(dataType, h);
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
   * <p>Zeroes the unit's row in each of the i, f, g and o blocks of {@code w_ih} and {@code w_hh}
   * (everything into its gates) and column {@code unit} of {@code w_hh} (its only way out: its
   * cell state c is private, only h reaches other units). Its biases (rows of b_ih, b_hh) and its
   * τ stay: they drive the unit's own gates and cell alone, so it runs on its own, unseen by the
   * others, whose trajectories are then exactly those of the network without it.
   */
  @Override
  public void ablate(int unit) {
    Ablation.checkUnit("lstm", unit, hidden);
    Ablation.zeroRowInEveryBlock(wIh, unit, hidden);
    Ablation.zeroRowInEveryBlock(wHh, unit, hidden);
    Ablation.zeroColumn(wHh, unit);
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    return Init.initialState(batch, hidden, initial == InitialState.ZERO, h0Scale, rng, dataType);
  }

  // ---------------------------------------------------------------- forward

  @Override
  public Trajectory forward(INDArray x, INDArray h0) {
    Shapes.checkInputs(x, inputs);
    int steps = Math.toIntExact(x.size(0));
    int batch = Math.toIntExact(x.size(1));
    Shapes.checkInitialState(h0, batch, hidden);
    lastTrajectory = null;
    generation++;
    shapeViews(steps, batch);
    prepare();

    sInputs.assign(x.permute(0, 2, 1)); // casts if the task's type differs
    h0View.assign(h0);
    sHidden[0].assign(h0View.transpose());
    if (leak) {
      broadcastMul(sHidden[0], tauClamped, sHidden[0], 0); // k_0 = h_0/α
    }
    qC[0].assign(0.0); // c_0 = 0
    if (fast) {
      forwardFast(steps, batch);
      lastTrajectory = new LstmTrajectory(hiddenView, h0View, steps, batch, generation);
      return lastTrajectory;
    }
    for (int t = 0; t < steps; t++) {
      Nd4j.gemm(weights, sStep[t], gates, false, false, 1.0, 0.0);
      Nd4j.exec(new Sigmoid(gatesSig, sig[t]));
      Nd4j.exec(new Tanh(gatesG, qG[t]));
      Nd4j.exec(new MulOp(sigIf[t], qGc[t], pair));
      Nd4j.exec(new AddOp(pairFirst, pairSecond, qC[t + 1]));
      Nd4j.exec(new Tanh(qC[t + 1], qTanhC[t]));
      Nd4j.exec(new MulOp(sigO[t], qTanhC[t], sHidden[t + 1]));
      if (leak) {
        Nd4j.exec(new MulOp(sHidden[t], oneMinusAlphaCols, leakTmp));
        Nd4j.exec(new AddOp(sHidden[t + 1], leakTmp, sHidden[t + 1]));
      }
    }
    hiddenView.assign(sHiddenAfter.permute(0, 2, 1));
    if (leak) {
      broadcastMul(hiddenView, alpha, hiddenView, 2); // h = α⊙k
    }
    lastTrajectory = new LstmTrajectory(hiddenView, h0View, steps, batch, generation);
    return lastTrajectory;
  }

  /**
   * The fast forward loop: per step Z = W·S_t straight through OpenBLAS, then one chunked Java pass
   * over the step's H·B elements does ops 2–7 (and the leak's two) in the ND4J path's order, with
   * the σ and tanh of {@link FloatActivations}; afterwards h_1..h_T are transposed into the
   * trajectory (times α with the leak) in Java, one step's block at a time.
   */
  private void forwardFast(int steps, int batch) {
    int hb = hidden * batch;
    long kb = (long) augmented * batch;
    Pointer w = HostLoops.pointer(weights);
    Pointer state = HostLoops.pointer(stateFlat);
    Pointer gate = HostLoops.pointer(gateFlat);
    Pointer sigP = HostLoops.pointer(sigFlat);
    Pointer comp = HostLoops.pointer(companionFlat);
    for (int t = 0; t < steps; t++) {
      Blas.gemm(false, false, 4 * hidden, batch, augmented, 1.0, w, 0, augmented, state, t * kb,
          batch, 0.0, gate, 0, batch);
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
  }

  /**
   * Elements [e0, e0 + len) of forward step t (a method of its own, so that C2 compiles it early
   * and whole: as part of the step loop it stayed in C1's code for many calls).
   */
  private void forwardChunk(Pointer state, Pointer gate, Pointer sigP, Pointer comp, int t, int hb,
      long kb, int e0, int len) {
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
    HostLoops.put(sigP, sigAt + e0, o, len);
    HostLoops.put(sigP, sigAt + hb + e0, in, len);
    HostLoops.put(sigP, sigAt + 2L * hb + e0, f, len);
    HostLoops.put(comp, sigAt + e0, tc, len);
    HostLoops.put(comp, sigAt + hb + e0, g, len);
    HostLoops.put(comp, sigAt + qb + 2L * hb + e0, c, len);
    HostLoops.put(state, (t + 1) * kb + e0, hOut, len);
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

  /** Copies the parameters into the internal layout (row order o, i, f, g) and derives α. */
  private void prepare() {
    Nd4j.exec(new AddOp(bIhO, bHhO, weightsBo));
    Nd4j.exec(new AddOp(bIhIfg, bHhIfg, weightsBifg));
    weightsXo.assign(wIhO);
    weightsXifg.assign(wIhIfg);
    weightsHo.assign(wHhO);
    weightsHifg.assign(wHhIfg);
    recurrent.assign(weightsH);
    if (fast) {
      int n = 4 * hidden * hidden;
      float[] rows = new float[n];
      float[] columns = new float[n];
      HostLoops.get(HostLoops.pointer(recurrent), 0, rows, n);
      transpose(rows, columns, 4 * hidden, hidden, null);
      HostLoops.put(HostLoops.pointer(recurrentTransposed), 0, columns, n);
    }
    if (leak) {
      tau.update(taus);
      broadcastMul(weightsH, alpha, weightsH, 1); // W_hh·diag(α), so that W_hh·h = (W_hh·diag(α))·k
      Nd4j.exec(new BroadcastCopyOp(alphaCols, alpha, alphaCols, 0));
      Nd4j.exec(new BroadcastCopyOp(oneMinusAlphaCols, oneMinusAlpha, oneMinusAlphaCols, 0));
      if (fast) {
        int hb = Math.toIntExact(alphaCols.length());
        HostLoops.get(HostLoops.pointer(alphaCols), 0, alphaColsHost, hb);
        HostLoops.get(HostLoops.pointer(oneMinusAlphaCols), 0, oneMinusAlphaColsHost, hb);
      }
    }
  }

  // --------------------------------------------------------------- backward

  @Override
  public void backward(Trajectory trajectory, INDArray dLdh, Map<String, INDArray> gradients) {
    Shapes.checkLatest(trajectory, lastTrajectory);
    int steps = lastTrajectory.steps;
    int batch = lastTrajectory.batch;
    Shapes.checkDLdh(dLdh, steps, batch, hidden);
    INDArray gWIh = Shapes.gradientArray(gradients, "w_ih", wIh);
    INDArray gWHh = Shapes.gradientArray(gradients, "w_hh", wHh);
    INDArray gBIh = Shapes.gradientArray(gradients, "b_ih", bIh);
    INDArray gBHh = Shapes.gradientArray(gradients, "b_hh", bHh);
    INDArray gTaus = trainTau ? Shapes.gradientArray(gradients, "taus", taus) : null;

    derivViews(steps, batch);
    if (fast) {
      backwardFast(dLdh, steps, batch);
    } else {
      backwardLoopNd4j(dLdh, steps);
    }

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
   * The fast backward loop. dL/dh is transposed into δH in Java, one step's block at a time; then
   * per step one chunked Java pass forms D (= [δh'⊙K_o; δc⊙K_i; δc⊙K_f; δc⊙E_g], the factors K
   * and E computed on the spot from SIG_t and Q_t instead of for all steps beforehand, in the
   * ND4J path's order), the carry Y and, with the leak, adds (1 − α)⊙δh_t into δh_{t−1} (before
   * the product below rather than after it: a rounding difference only); ops 8 and 9 go straight
   * to OpenBLAS.
   */
  private void backwardFast(INDArray dLdh, int steps, int batch) {
    int hb = hidden * batch;
    long kb = (long) augmented * batch;
    INDArray source = dLdh.dataType() == DataType.FLOAT && dLdh.ordering() == 'c'
        && Shape.hasDefaultStridesForShape(dLdh) ? dLdh : dLdh.castTo(DataType.FLOAT).dup('c');
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
        Blas.gemm(false, false, hidden, batch, 4 * hidden, 1.0, rec, 0, 4 * hidden, d, 0, batch,
            1.0, gh, (long) (t - 1) * hb, batch);
      }
      Blas.gemm(false, true, 4 * hidden, augmented, batch, 1.0, d, 0, batch, state, t * kb, batch,
          last ? 0.0 : 1.0, gw, 0, augmented);
    }
  }

  /** Elements [e0, e0 + CHUNK) ∩ [0, H·B) of backward step t (a method of its own, as forward). */
  private void backwardChunk(Pointer gh, Pointer sigP, Pointer comp, Pointer d, int t, int hb,
      int e0) {
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

  /** The ND4J path's backward loop (with the factors K and E for all steps at once). */
  private void backwardLoopNd4j(INDArray dLdh, int steps) {
    gradHAll.assign(dLdh.permute(0, 2, 1)); // casts if needed; dLdh itself is not modified

    // Everything that does not depend on the recurrence, over all steps at once.
    Nd4j.exec(new ScalarReverseSubtraction(sigAll, null, kAll, 1.0));
    Nd4j.exec(new MulOp(kAll, sigAll, kAll));
    Nd4j.exec(new MulOp(kAll, companionAll, kAll));
    Nd4j.exec(new MulOp(companionAll, companionAll, eAll));
    Nd4j.exec(new ScalarReverseSubtraction(eAll, null, eAll, 1.0));
    Nd4j.exec(new MulOp(eAll, sigAll, eAll));

    for (int t = steps - 1; t >= 0; t--) {
      INDArray dh = gradH[t];
      if (leak) {
        Nd4j.exec(new MulOp(dh, alphaCols, scaledGrad)); // δh' = α⊙δh
        dh = scaledGrad;
      }
      Nd4j.exec(new MulOp(dh, kO[t], deltaO));
      Nd4j.exec(new MulOp(dh, eC[t], cellGrad));
      if (t < steps - 1) {
        Nd4j.exec(new AddOp(cellGrad, carry, cellGrad));
      }
      Nd4j.exec(new MulOp(cellGrad, kI[t], deltaI));
      Nd4j.exec(new MulOp(cellGrad, kF[t], deltaF));
      Nd4j.exec(new MulOp(cellGrad, eG[t], deltaG));
      if (t > 0) {
        Nd4j.exec(new MulOp(cellGrad, sigF[t], carry));
        Nd4j.gemm(recurrent, delta, gradH[t - 1], true, false, 1.0, 1.0);
        if (leak) {
          Nd4j.exec(new MulOp(gradH[t], oneMinusAlphaCols, leakGrad));
          Nd4j.exec(new AddOp(gradH[t - 1], leakGrad, gradH[t - 1]));
        }
      }
      Nd4j.gemm(delta, sStep[t], gradW, false, true, 1.0, t == steps - 1 ? 0.0 : 1.0);
    }
  }

  /**
   * dL/dτ_i = −α_i·Σ_{t,b} δh_t·(h_t − h_{t−1}) for τ_i ≥ 1, 0 below, with δh the total gradient
   * left in δH by the loop. K and E are free now and serve as scratch.
   */
  private void tauGradient(int steps, int batch, INDArray gTaus) {
    long bh = (long) batch * hidden;
    long rows = (long) steps * batch;
    INDArray diff = buffers.view(kFlat, 0, steps, batch, hidden);
    Nd4j.exec(new SubOp(buffers.view(hiddenFlat, 0, batch, hidden), h0View, buffers.view(kFlat, 0, batch, hidden)));
    if (steps > 1) {
      Nd4j.exec(
          new SubOp(
              buffers.view(hiddenFlat, bh, rows - batch, hidden),
              buffers.view(hiddenFlat, 0, rows - batch, hidden),
              buffers.view(kFlat, bh, rows - batch, hidden)));
    }
    INDArray diffT = buffers.view(eFlat, 0, steps, hidden, batch);
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
      // Sources, each [T, H, B] with step stride 3H·B: c_t = Q_{t+1}[c], i, f, o in SIG, g in Q.
      INDArray[] sources = {
        buffers.view(companionFlat, qb + 2 * hb, new long[] {steps, hidden, batch}, new long[] {qb, batch, 1}),
        buffers.view(sigFlat, hb, new long[] {steps, hidden, batch}, new long[] {qb, batch, 1}),
        buffers.view(sigFlat, 2 * hb, new long[] {steps, hidden, batch}, new long[] {qb, batch, 1}),
        buffers.view(companionFlat, hb, new long[] {steps, hidden, batch}, new long[] {qb, batch, 1}),
        buffers.view(sigFlat, 0, new long[] {steps, hidden, batch}, new long[] {qb, batch, 1}),
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
    pairFlat = buffers.ensure(pairFlat, 2 * hb);
    hiddenFlat = buffers.ensure(hiddenFlat, steps * hb);
    h0Flat = buffers.ensure(h0Flat, hb);

    sStep = new INDArray[steps + 1];
    sHidden = new INDArray[steps + 1];
    qC = new INDArray[steps + 1];
    for (int t = 0; t <= steps; t++) {
      sStep[t] = buffers.view(stateFlat, t * kb, augmented, batch);
      sHidden[t] = buffers.view(stateFlat, t * kb, hidden, batch);
      qC[t] = buffers.view(companionFlat, t * qb + 2 * hb, hidden, batch);
    }
    // The row of ones of every S_t (the bias input); the other rows are written by every forward.
    buffers.view(stateFlat, (long) (hidden + inputs) * batch, new long[] {steps + 1, batch},
        new long[] {kb, 1}).assign(1.0);
    sInputs = buffers.view(stateFlat, hb, new long[] {steps, inputs, batch}, new long[] {kb, batch, 1});
    sHiddenAfter = buffers.view(stateFlat, kb, new long[] {steps, hidden, batch}, new long[] {kb, batch, 1});
    gates = buffers.view(gateFlat, 0, 4L * hidden, batch);
    gatesSig = buffers.view(gateFlat, 0, 3L * hidden, batch);
    gatesG = buffers.view(gateFlat, qb, hidden, batch);
    sig = new INDArray[steps];
    sigO = new INDArray[steps];
    sigIf = new INDArray[steps];
    sigF = new INDArray[steps];
    qTanhC = new INDArray[steps];
    qG = new INDArray[steps];
    qGc = new INDArray[steps];
    for (int t = 0; t < steps; t++) {
      long s = t * qb;
      sig[t] = buffers.view(sigFlat, s, 3L * hidden, batch);
      sigO[t] = buffers.view(sigFlat, s, hidden, batch);
      sigIf[t] = buffers.view(sigFlat, s + hb, 2L * hidden, batch);
      sigF[t] = buffers.view(sigFlat, s + 2 * hb, hidden, batch);
      qTanhC[t] = buffers.view(companionFlat, s, hidden, batch);
      qG[t] = buffers.view(companionFlat, s + hb, hidden, batch);
      qGc[t] = buffers.view(companionFlat, s + hb, 2L * hidden, batch);
    }
    sigAll = buffers.view(sigFlat, 0, steps * qb);
    companionAll = buffers.view(companionFlat, 0, steps * qb);
    pair = buffers.view(pairFlat, 0, 2L * hidden, batch);
    pairFirst = buffers.view(pairFlat, 0, hidden, batch);
    pairSecond = buffers.view(pairFlat, hb, hidden, batch);
    hiddenView = buffers.view(hiddenFlat, 0, steps, batch, hidden);
    h0View = buffers.view(h0Flat, 0, batch, hidden);
    if (leak) {
      leakTmpFlat = buffers.ensure(leakTmpFlat, hb);
      alphaColsFlat = buffers.ensure(alphaColsFlat, hb);
      oneMinusAlphaColsFlat = buffers.ensure(oneMinusAlphaColsFlat, hb);
      leakTmp = buffers.view(leakTmpFlat, 0, hidden, batch);
      alphaCols = buffers.view(alphaColsFlat, 0, hidden, batch);
      oneMinusAlphaCols = buffers.view(oneMinusAlphaColsFlat, 0, hidden, batch);
    }
    if (fast) {
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
    long qb = 3 * hb;
    gradHFlat = buffers.ensure(gradHFlat, steps * hb);
    kFlat = buffers.ensure(kFlat, steps * qb);
    eFlat = buffers.ensure(eFlat, steps * qb);
    deltaFlat = buffers.ensure(deltaFlat, 4 * hb);
    cellGradFlat = buffers.ensure(cellGradFlat, hb);
    carryFlat = buffers.ensure(carryFlat, hb);
    gradH = new INDArray[steps];
    kO = new INDArray[steps];
    kI = new INDArray[steps];
    kF = new INDArray[steps];
    eC = new INDArray[steps];
    eG = new INDArray[steps];
    for (int t = 0; t < steps; t++) {
      long s = t * qb;
      gradH[t] = buffers.view(gradHFlat, t * hb, hidden, batch);
      kO[t] = buffers.view(kFlat, s, hidden, batch);
      kI[t] = buffers.view(kFlat, s + hb, hidden, batch);
      kF[t] = buffers.view(kFlat, s + 2 * hb, hidden, batch);
      eC[t] = buffers.view(eFlat, s, hidden, batch);
      eG[t] = buffers.view(eFlat, s + hb, hidden, batch);
    }
    gradHAll = buffers.view(gradHFlat, 0, steps, hidden, batch);
    kAll = buffers.view(kFlat, 0, steps * qb);
    eAll = buffers.view(eFlat, 0, steps * qb);
    delta = buffers.view(deltaFlat, 0, 4L * hidden, batch);
    deltaO = buffers.view(deltaFlat, 0, hidden, batch);
    deltaI = buffers.view(deltaFlat, hb, hidden, batch);
    deltaF = buffers.view(deltaFlat, 2 * hb, hidden, batch);
    deltaG = buffers.view(deltaFlat, 3 * hb, hidden, batch);
    cellGrad = buffers.view(cellGradFlat, 0, hidden, batch);
    carry = buffers.view(carryFlat, 0, hidden, batch);
    if (leak) {
      scaledGradFlat = buffers.ensure(scaledGradFlat, hb);
      leakGradFlat = buffers.ensure(leakGradFlat, hb);
      scaledGrad = buffers.view(scaledGradFlat, 0, hidden, batch);
      leakGrad = buffers.view(leakGradFlat, 0, hidden, batch);
    }
    derivSteps = steps;
    derivBatch = batch;
  }

  /** A one-column matrix view as a (strided) vector. */
  private INDArray columnVector(INDArray column) {
    return buffers.segment(column, 0, column.size(0));
  }

  /** Views into the network's buffers; valid until the next forward call. */
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

    @Override
    public INDArray initialState() {
      return initialState;
    }

    /** {@code c}, {@code i}, {@code f}, {@code g}, {@code o}, each {@code [T, B, H]}. */
    @Override
    public Map<String, INDArray> extras() {
      return LstmNetwork.this.extras(this);
    }
  }
}
