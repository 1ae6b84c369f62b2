package engram.models.rankone;

import static engram.models.common.Buffers.broadcastMul;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.common.Ablation;
import engram.models.common.Buffers;
import engram.models.common.GradientViews;
import engram.models.common.Init;
import engram.models.common.Shapes;
import engram.models.rankone.RankOneRnnModel.Config;
import engram.models.rankone.RankOneRnnModel.InitialState;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One rank-one RNN (see {@link RankOneRnnModel} for the equations) with a hand-written BPTT.
 *
 * <h2>How the hot loop is laid out</h2>
 *
 * Row vectors, one row per sequence; r = tanh(x); κ = r·n/H {@code [B, 1]}. The states x_1..x_T
 * live in one buffer X {@code [T, B, H]} at offset 0 (the trajectory), the rates r_1..r_T in R and
 * κ_1..κ_T in K {@code [T, B, 1]} (the extras); x_0, r_0, κ_0 have their own buffers (a trajectory
 * at a non-zero offset would hit the ND4J 1.0.0-M2.1 bug described in the leaky RNN's network
 * class). The input drive α·(s_t·W_inᵀ + b) of all steps is one gemm of X_a = [X | 1] with α·[W_in
 * | b] into X before the loop.
 *
 * <ul>
 *   <li><b>Forward, 4 ops per step</b>: X[t] += (1−α)·x_{t−1} (Axpy), {@code gemm(κ_{t−1} [B,1],
 *       α·mᵀ [1,H], X[t], β = 1)}, tanh(X[t]) into R[t], {@code gemm(R[t], n/H [H,1])} into K[t]
 *       (so κ of every step, including the last, is a by-product).
 *   <li><b>Backward, 4 ops per step</b> on dLdh in place, with P_t = (1 − r_t²) ⊙ n/H precomputed
 *       for all steps (3 ops): δκ_{t−1} = δx_t·(α·m) (gemm into a [B, 1] buffer), P_{t−1} ⊙=
 *       δκ_{t−1} (broadcast over columns), δx_{t−1} += P_{t−1}, δx_{t−1} += (1−α)·δx_t (Axpy).
 * </ul>
 *
 * After the loop: dm = α·Σ_t δx_tᵀ·κ_{t−1} and dn = Σ_t r_{t−1}ᵀ·δκ_{t−1}/H (two thin gemms each:
 * step 1 against the t = 0 buffers, steps 2..T against the trajectory), and [dW_in | db] = α·Gᵀ·X_a
 * (one gemm over all T·B rows).
 *
 * <p>Buffers are allocated for the largest T·B seen and reused (views of a prefix) for smaller
 * ones; per-step views are built once per shape. Not thread-safe (one network, one thread).
 */
final class RankOneRnnNetwork implements Network {

  private final int hidden;
  private final int inputs;
  private final DataType dataType;
  private final double alpha;
  private final boolean zeroState;
  private final double h0Scale;
  private final Buffers buffers;

  // Parameters (live arrays).
  private final INDArray m;
  private final INDArray n;
  private final INDArray wIn;
  private final INDArray b;
  private final List<Parameter> parameters;

  // Derived from the parameters at every forward pass.
  private final INDArray mAlpha; // α·m, [H]
  private final INDArray mAlphaRow; // [1, H] view
  private final INDArray mAlphaCol; // [H, 1] view
  private final INDArray nScaled; // n/H, [H]
  private final INDArray nScaledCol; // [H, 1] view
  private final INDArray inMatrix; // α·[W_in | b]
  private final INDArray inMatrixW;
  private final INDArray inMatrixB;

  // Backward scratch of parameter size.
  private final INDArray gradM; // [H]
  private final INDArray gradMCol; // [H, 1] view
  private final INDArray gradN;
  private final INDArray gradNCol;
  private final INDArray gradIn; // [H, I+1]
  private final INDArray gradInW;
  private final INDArray gradInB;

  // Growable flat buffers.
  private INDArray statesFlat; // x_1..x_T, offset 0
  private INDArray x0Flat;
  private INDArray ratesFlat; // r_1..r_T, offset 0
  private INDArray r0Flat;
  private INDArray kappaFlat; // κ_1..κ_T, offset 0
  private INDArray kappa0Flat;
  private INDArray inputsFlat; // X_a, last column 1
  private INDArray derivFlat; // backward: P
  private INDArray dKappaFlat; // backward: δκ_0..δκ_{T−1}

  private int viewSteps = -1;
  private int viewBatch = -1;
  private INDArray[] stateSteps; // x_t, t = 0..T
  private INDArray[] rateSteps; // r_t, t = 0..T
  private INDArray[] kappaSteps; // κ_t [B, 1], t = 0..T
  private INDArray hiddenView;
  private INDArray ratesView;
  private INDArray kappaView; // [T, B, 1]
  private INDArray statesNext2d;
  private INDArray ratesHead2d; // r_1..r_{T−1} as [(T−1)·B, H] (null if T = 1)
  private INDArray kappaHead2d; // κ_1..κ_{T−1} as [(T−1)·B, 1] (null if T = 1)
  private INDArray inputs2d;
  private INDArray inputsData2d;

  private int derivSteps = -1;
  private int derivBatch = -1;
  private INDArray[] derivStepViews; // P_t, t = 0..T−1 (P_0 unused)
  private INDArray derivRest; // P_1..P_{T−1}
  private INDArray[] dKappaSteps; // δκ_t [B, 1]
  private INDArray[] dKappaVectors; // δκ_t [B]
  private INDArray dKappaRest; // δκ_1..δκ_{T−1} as [(T−1)·B, 1]

  private final GradientViews dLdhViews;
  private RankOneTrajectory lastTrajectory;

  RankOneRnnNetwork(Config config, NetworkSpec spec, RandomGenerator rng) {
    this.hidden = config.hiddenSize();
    this.inputs = spec.inputSize();
    this.dataType = spec.dataType();
    this.alpha = config.dt() / config.tau();
    this.zeroState = config.initialState() == InitialState.ZERO;
    this.h0Scale = config.h0Scale();
    this.buffers = new Buffers(dataType);
    int hh = hidden;
    int in = inputs;

    m = Init.fromDoubles(gaussian(rng, config.loadingStd(), hh), dataType, hh);
    n = Init.fromDoubles(gaussian(rng, config.loadingStd(), hh), dataType, hh);
    double inBound = 1.0 / Math.sqrt(in);
    wIn = Init.uniform(rng, -inBound, inBound, dataType, hh, in);
    b = Nd4j.zeros(dataType, hh);
    parameters =
        List.of(
            new Parameter("m", m, true),
            new Parameter("n", n, true),
            new Parameter("w_in", wIn, true),
            new Parameter("b", b, true));

    mAlpha = Nd4j.create(dataType, hh);
    mAlphaRow = buffers.view(mAlpha, 0, 1, hh);
    mAlphaCol = buffers.view(mAlpha, 0, hh, 1);
    nScaled = Nd4j.create(dataType, hh);
    nScaledCol = buffers.view(nScaled, 0, hh, 1);
    inMatrix = Nd4j.create(dataType, hh, in + 1);
    inMatrixW = buffers.columns(inMatrix, 0, in);
    inMatrixB = buffers.column(inMatrix, in);

    gradM = Nd4j.create(dataType, hh);
    gradMCol = buffers.view(gradM, 0, hh, 1);
    gradN = Nd4j.create(dataType, hh);
    gradNCol = buffers.view(gradN, 0, hh, 1);
    gradIn = Nd4j.create(dataType, hh, in + 1);
    gradInW = buffers.columns(gradIn, 0, in);
    gradInB = buffers.column(gradIn, in);
    dLdhViews = new GradientViews(hh, dataType, buffers);
  }

  private static double[] gaussian(RandomGenerator rng, double sd, int count) {
    double[] v = new double[count];
    for (int i = 0; i < count; i++) {
      v[i] = sd * rng.nextGaussian();
    }
    return v;
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
   * <p>The recurrent matrix is m·nᵀ/H, so the unit's row is m_i·nᵀ/H and its column m·n_i/H:
   * zeroing m_i (what κ feeds into the unit), n_i (its share of κ, its only way out) and row
   * {@code unit} of {@code w_in} removes both. Its bias b_i stays: it acts on x_i alone, which then
   * relaxes to b_i unseen by the others. κ keeps its 1/H with the original H, so the others'
   * trajectories are exactly those of the network with the unit's loadings at zero.
   */
  @Override
  public void ablate(int unit) {
    Ablation.checkUnit("rank-one-rnn", unit, hidden);
    Ablation.zeroEntry(m, unit);
    Ablation.zeroEntry(n, unit);
    Ablation.zeroRowInEveryBlock(wIn, unit, hidden);
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    return Init.initialState(batch, hidden, zeroState, h0Scale, rng, dataType);
  }

  // ---------------------------------------------------------------- forward

  @Override
  public Trajectory forward(INDArray x, INDArray x0) {
    Shapes.checkInputs(x, inputs);
    int steps = Math.toIntExact(x.size(0));
    int batch = Math.toIntExact(x.size(1));
    Shapes.checkInitialState(x0, batch, hidden);
    lastTrajectory = null;
    shapeViews(steps, batch);
    prepare();

    long rows = (long) steps * batch;
    inputsData2d.assign(x.reshape('c', rows, inputs)); // casts if the task's type differs
    INDArray[] s = stateSteps;
    INDArray[] r = rateSteps;
    INDArray[] k = kappaSteps;
    s[0].assign(x0);
    Nd4j.exec(new Tanh(s[0], r[0]));
    Nd4j.gemm(r[0], nScaledCol, k[0], false, false, 1.0, 0.0);
    Nd4j.gemm(inputs2d, inMatrix, statesNext2d, false, true, 1.0, 0.0);
    double leak = 1.0 - alpha;
    for (int t = 1; t <= steps; t++) {
      Nd4j.exec(new Axpy(s[t - 1], s[t], s[t], leak));
      Nd4j.gemm(k[t - 1], mAlphaRow, s[t], false, false, 1.0, 1.0);
      Nd4j.exec(new Tanh(s[t], r[t]));
      Nd4j.gemm(r[t], nScaledCol, k[t], false, false, 1.0, 0.0);
    }
    lastTrajectory =
        new RankOneTrajectory(
            hiddenView, s[0], Map.of("rates", ratesView, "kappa", kappaView), steps, batch);
    return lastTrajectory;
  }

  /** Recomputes everything derived from the (possibly updated) parameters. */
  private void prepare() {
    m.mul(alpha, mAlpha);
    n.mul(1.0 / hidden, nScaled);
    inMatrixW.assign(wIn);
    inMatrixB.assign(b);
    inMatrix.muli(alpha);
  }

  // --------------------------------------------------------------- backward

  @Override
  public void backward(Trajectory trajectory, INDArray dLdh, Map<String, INDArray> gradients) {
    Shapes.checkLatest(trajectory, lastTrajectory);
    int steps = lastTrajectory.steps();
    int batch = lastTrajectory.batch();
    Shapes.checkDLdh(dLdh, steps, batch, hidden);
    INDArray gM = Shapes.gradientArray(gradients, "m", m);
    INDArray gN = Shapes.gradientArray(gradients, "n", n);
    INDArray gWIn = Shapes.gradientArray(gradients, "w_in", wIn);
    INDArray gB = Shapes.gradientArray(gradients, "b", b);

    derivViews(steps, batch);
    dLdhViews.bind(dLdh, steps, batch);
    INDArray[] g = dLdhViews.steps(); // g[t] = δx_{t+1}
    INDArray[] p = derivStepViews; // p[t] belongs to x_t
    INDArray[] dk = dKappaSteps; // dk[t] = δκ_t
    if (steps > 1) {
      // P_t = (1 − r_t²) ⊙ n/H for t = 1..T−1
      Nd4j.exec(new MulOp(ratesHead2d, ratesHead2d, derivRest));
      derivRest.rsubi(1.0);
      broadcastMul(derivRest, nScaled, derivRest, 1);
    }
    double leak = 1.0 - alpha;
    for (int t = steps - 1; t >= 0; t--) {
      Nd4j.gemm(g[t], mAlphaCol, dk[t], false, false, 1.0, 0.0);
      if (t > 0) {
        broadcastMul(p[t], dKappaVectors[t], p[t], 0);
        g[t - 1].addi(p[t]);
        Nd4j.exec(new Axpy(g[t], g[t - 1], g[t - 1], leak));
      }
    }
    INDArray grad2d = dLdhViews.all();
    INDArray gradRest = dLdhViews.rest();
    // dm = α·Σ_t δx_tᵀ·κ_{t−1}
    Nd4j.gemm(g[0], kappaSteps[0], gradMCol, true, false, alpha, 0.0);
    if (steps > 1) {
      Nd4j.gemm(gradRest, kappaHead2d, gradMCol, true, false, alpha, 1.0);
    }
    gM.assign(gradM);
    // dn = Σ_t r_{t−1}ᵀ·δκ_{t−1} / H
    Nd4j.gemm(rateSteps[0], dk[0], gradNCol, true, false, 1.0 / hidden, 0.0);
    if (steps > 1) {
      Nd4j.gemm(ratesHead2d, dKappaRest, gradNCol, true, false, 1.0 / hidden, 1.0);
    }
    gN.assign(gradN);
    // [dW_in | db] = α·Σ_t δx_tᵀ·[s_t | 1]
    Nd4j.gemm(grad2d, inputs2d, gradIn, true, false, alpha, 0.0);
    gWIn.assign(gradInW);
    gB.assign(gradInB);
  }

  // ---------------------------------------------------------------- buffers

  private void shapeViews(int steps, int batch) {
    if (steps == viewSteps && batch == viewBatch) {
      return;
    }
    long bh = (long) batch * hidden;
    long rows = (long) steps * batch;
    statesFlat = buffers.ensure(statesFlat, steps * bh, 0.0);
    ratesFlat = buffers.ensure(ratesFlat, steps * bh, 0.0);
    kappaFlat = buffers.ensure(kappaFlat, rows, 0.0);
    x0Flat = buffers.ensure(x0Flat, bh, 0.0);
    r0Flat = buffers.ensure(r0Flat, bh, 0.0);
    kappa0Flat = buffers.ensure(kappa0Flat, batch, 0.0);
    inputsFlat = buffers.ensure(inputsFlat, rows * (inputs + 1), 1.0);
    stateSteps = new INDArray[steps + 1];
    rateSteps = new INDArray[steps + 1];
    kappaSteps = new INDArray[steps + 1];
    stateSteps[0] = buffers.view(x0Flat, 0, batch, hidden);
    rateSteps[0] = buffers.view(r0Flat, 0, batch, hidden);
    kappaSteps[0] = buffers.view(kappa0Flat, 0, batch, 1);
    for (int t = 1; t <= steps; t++) {
      stateSteps[t] = buffers.view(statesFlat, (t - 1) * bh, batch, hidden);
      rateSteps[t] = buffers.view(ratesFlat, (t - 1) * bh, batch, hidden);
      kappaSteps[t] = buffers.view(kappaFlat, (long) (t - 1) * batch, batch, 1);
    }
    hiddenView = buffers.view(statesFlat, 0, steps, batch, hidden);
    ratesView = buffers.view(ratesFlat, 0, steps, batch, hidden);
    kappaView = buffers.view(kappaFlat, 0, steps, batch, 1);
    statesNext2d = buffers.view(statesFlat, 0, rows, hidden);
    ratesHead2d = steps > 1 ? buffers.view(ratesFlat, 0, rows - batch, hidden) : null;
    kappaHead2d = steps > 1 ? buffers.view(kappaFlat, 0, rows - batch, 1) : null;
    inputs2d = buffers.view(inputsFlat, 0, rows, inputs + 1);
    inputsData2d = buffers.columns(inputs2d, 0, inputs);
    viewSteps = steps;
    viewBatch = batch;
  }

  private void derivViews(int steps, int batch) {
    if (steps == derivSteps && batch == derivBatch) {
      return;
    }
    long bh = (long) batch * hidden;
    long rows = (long) steps * batch;
    derivFlat = buffers.ensure(derivFlat, steps * bh, 0.0);
    derivStepViews = buffers.steps(derivFlat, steps, batch, hidden);
    derivRest = steps > 1 ? buffers.view(derivFlat, bh, rows - batch, hidden) : null;
    dKappaFlat = buffers.ensure(dKappaFlat, rows, 0.0);
    dKappaSteps = new INDArray[steps];
    dKappaVectors = new INDArray[steps];
    for (int t = 0; t < steps; t++) {
      dKappaSteps[t] = buffers.view(dKappaFlat, (long) t * batch, batch, 1);
      dKappaVectors[t] = buffers.view(dKappaFlat, (long) t * batch, batch);
    }
    dKappaRest = steps > 1 ? buffers.view(dKappaFlat, batch, rows - batch, 1) : null;
    derivSteps = steps;
    derivBatch = batch;
  }

  /** Views into the network's buffers; valid until the next forward call. */
  private record RankOneTrajectory(
      INDArray hidden, INDArray initialState, Map<String, INDArray> extras, int steps, int batch)
      implements Trajectory {}
}
