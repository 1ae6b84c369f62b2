package engram.models.plrnn;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.common.Ablation;
import engram.models.common.Buffers;
import engram.models.common.GradientViews;
import engram.models.common.Init;
import engram.models.common.Shapes;
import engram.models.plrnn.PlrnnModel.Config;
import engram.models.plrnn.PlrnnModel.InitialState;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One PLRNN (see {@link PlrnnModel} for the equations) with a hand-written BPTT.
 *
 * <h2>How the hot loop is laid out</h2>
 *
 * Row vectors, one row per sequence; W̃ = w with its diagonal masked, D = diag(a) as an [H, H]
 * matrix, r = ReLU(z). The states z_1..z_T live in one buffer Z {@code [T, B, H]} that starts at
 * offset 0 and is the trajectory itself, and the rates r_1..r_T likewise in R (the {@code "rates"}
 * extra); z_0 and r_0 have their own {@code [B, H]} buffers (a trajectory at a non-zero offset
 * would hit the ND4J 1.0.0-M2.1 bug described in the leaky RNN's network class). The input drive
 * of all steps is one gemm of X_a = [X | 1] {@code [T·B, I+1]} with [C | h] into Z before the loop.
 *
 * <ul>
 *   <li><b>Forward, 3 ops per step</b>: {@code gemm(z_{t−1}, D, Z[t], β = 1)}, {@code gemm(r_{t−1},
 *       W̃ᵀ, Z[t], β = 1)}, ReLU(Z[t]) into R[t]. (The product with the diagonal D costs B·H² flops
 *       instead of B·H but saves an op launch and a temporary; it is exact, the off-diagonal
 *       products being exact zeros.)
 *   <li><b>Backward, 4 ops per step</b> on dLdh in place, with q_t = [z_t &gt; 0] computed for all
 *       steps at once: {@code tmp = δz_t·W̃}, {@code tmp ⊙= q_{t−1}}, {@code gemm(δz_t, D,
 *       δz_{t−1}, β = 1)}, {@code δz_{t−1} += tmp}.
 * </ul>
 *
 * After the loop, dW (two gemms: step 1 against r_0, steps 2..T against r_1..r_{T−1}, then the
 * diagonal mask), [dC | dh] (one gemm against X_a) and da = Σ_rows δz_t ⊙ z_{t−1} (two products and
 * one column sum) are taken over all T·B rows.
 *
 * <p>Buffers are allocated for the largest T·B seen and reused (views of a prefix) for smaller
 * ones; per-step views are built once per shape. Not thread-safe (one network, one thread).
 */
final class PlrnnNetwork implements Network {

  private final int hidden;
  private final int inputs;
  private final DataType dataType;
  private final boolean zeroState;
  private final double h0Scale;
  private final Buffers buffers;

  // Parameters (live arrays).
  private final INDArray a;
  private final INDArray w;
  private final INDArray c;
  private final INDArray h;
  private final List<Parameter> parameters;

  // Derived from the parameters at every forward pass.
  private final INDArray offDiagonal; // 1 off the diagonal, 0 on it (constant)
  private final INDArray wMasked; // W̃
  private final INDArray diagA; // D = diag(a); off-diagonal stays 0
  private final INDArray diagAView; // its diagonal
  private final INDArray inMatrix; // [C | h]
  private final INDArray inMatrixW;
  private final INDArray inMatrixB;

  // Backward scratch of parameter size.
  private final INDArray gradRec; // [H, H]
  private final INDArray gradIn; // [H, I+1]
  private final INDArray gradInW;
  private final INDArray gradInB;
  private final INDArray sumH;

  // Growable flat buffers.
  private INDArray statesFlat; // z_1..z_T, offset 0
  private INDArray z0Flat;
  private INDArray ratesFlat; // r_1..r_T, offset 0
  private INDArray r0Flat;
  private INDArray inputsFlat; // X_a, last column 1
  private INDArray derivFlat; // backward: q, then δz ⊙ z_prev
  private INDArray tmpFlat;

  private int viewSteps = -1;
  private int viewBatch = -1;
  private INDArray[] stateSteps; // z_t, t = 0..T
  private INDArray[] rateSteps; // r_t, t = 0..T
  private INDArray hiddenView; // [T, B, H]
  private INDArray ratesView; // [T, B, H]
  private INDArray statesNext2d; // z_1..z_T as [T·B, H]
  private INDArray statesHead2d; // z_1..z_{T−1} (null if T = 1)
  private INDArray ratesHead2d; // r_1..r_{T−1} (null if T = 1)
  private INDArray inputs2d;
  private INDArray inputsData2d;

  private int derivSteps = -1;
  private int derivBatch = -1;
  private INDArray[] derivStepViews;
  private INDArray deriv2d;
  private INDArray derivRest;
  private INDArray tmpBH;

  private final GradientViews dLdhViews;
  private PlrnnTrajectory lastTrajectory;

  PlrnnNetwork(Config config, NetworkSpec spec, RandomGenerator rng) {
    this.hidden = config.hiddenSize();
    this.inputs = spec.inputSize();
    this.dataType = spec.dataType();
    this.zeroState = config.initialState() == InitialState.ZERO;
    this.h0Scale = config.h0Scale();
    this.buffers = new Buffers(dataType);
    int hh = hidden;
    int in = inputs;

    a = Nd4j.valueArrayOf(new long[] {hh}, config.aInit(), dataType);
    double sd = config.gain() / Math.sqrt(hh);
    double[] rec = new double[hh * hh];
    for (int i = 0; i < hh; i++) {
      for (int j = 0; j < hh; j++) {
        rec[i * hh + j] = i == j ? 0.0 : sd * rng.nextGaussian();
      }
    }
    w = Init.fromDoubles(rec, dataType, hh, hh);
    double inBound = 1.0 / Math.sqrt(in);
    c = Init.uniform(rng, -inBound, inBound, dataType, hh, in);
    h = Nd4j.zeros(dataType, hh);
    parameters =
        List.of(
            new Parameter("a", a, true),
            new Parameter("w", w, true),
            new Parameter("c", c, true),
            new Parameter("h", h, true));

    offDiagonal = Nd4j.ones(dataType, hh, hh);
    buffers.diagonal(offDiagonal).assign(0.0);
    wMasked = Nd4j.create(dataType, hh, hh);
    diagA = Nd4j.zeros(dataType, hh, hh);
    diagAView = buffers.diagonal(diagA);
    inMatrix = Nd4j.create(dataType, hh, in + 1);
    inMatrixW = buffers.columns(inMatrix, 0, in);
    inMatrixB = buffers.column(inMatrix, in);

    gradRec = Nd4j.create(dataType, hh, hh);
    gradIn = Nd4j.create(dataType, hh, in + 1);
    gradInW = buffers.columns(gradIn, 0, in);
    gradInB = buffers.column(gradIn, in);
    sumH = Nd4j.create(dataType, hh);
    dLdhViews = new GradientViews(hh, dataType, buffers);
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
   * <p>Zeroes row {@code unit} of {@code c} and of {@code w} (everything into the unit) and column
   * {@code unit} of {@code w} (its rate ReLU(z_i) onto the others, its only way out). Its self
   * term a_i and bias h_i stay: they act on z_i alone, so it evolves as z_i ← a_i·z_i + h_i, unseen
   * by the others, whose trajectories are then exactly those of the network without it.
   */
  @Override
  public void ablate(int unit) {
    Ablation.checkUnit("plrnn", unit, hidden);
    Ablation.zeroRowInEveryBlock(c, unit, hidden);
    Ablation.zeroRowInEveryBlock(w, unit, hidden);
    Ablation.zeroColumn(w, unit);
  }

  @Override
  public INDArray initialState(int batch, RandomGenerator rng) {
    return Init.initialState(batch, hidden, zeroState, h0Scale, rng, dataType);
  }

  // ---------------------------------------------------------------- forward

  @Override
  public Trajectory forward(INDArray x, INDArray z0) {
    Shapes.checkInputs(x, inputs);
    int steps = Math.toIntExact(x.size(0));
    int batch = Math.toIntExact(x.size(1));
    Shapes.checkInitialState(z0, batch, hidden);
    lastTrajectory = null;
    shapeViews(steps, batch);
    prepare();

    long rows = (long) steps * batch;
    inputsData2d.assign(x.reshape('c', rows, inputs)); // casts if the task's type differs
    INDArray[] z = stateSteps;
    INDArray[] r = rateSteps;
    z[0].assign(z0);
    Nd4j.exec(new RectifiedLinear(z[0], r[0], 0.0));
    Nd4j.gemm(inputs2d, inMatrix, statesNext2d, false, true, 1.0, 0.0);
    for (int t = 1; t <= steps; t++) {
      Nd4j.gemm(z[t - 1], diagA, z[t], false, false, 1.0, 1.0);
      Nd4j.gemm(r[t - 1], wMasked, z[t], false, true, 1.0, 1.0);
      Nd4j.exec(new RectifiedLinear(z[t], r[t], 0.0));
    }
    lastTrajectory =
        new PlrnnTrajectory(hiddenView, z[0], Map.of("rates", ratesView), steps, batch);
    return lastTrajectory;
  }

  /** Recomputes everything derived from the (possibly updated) parameters. */
  private void prepare() {
    Nd4j.exec(new MulOp(w, offDiagonal, wMasked));
    diagAView.assign(a);
    inMatrixW.assign(c);
    inMatrixB.assign(h);
  }

  // --------------------------------------------------------------- backward

  @Override
  public void backward(Trajectory trajectory, INDArray dLdh, Map<String, INDArray> gradients) {
    Shapes.checkLatest(trajectory, lastTrajectory);
    int steps = lastTrajectory.steps();
    int batch = lastTrajectory.batch();
    Shapes.checkDLdh(dLdh, steps, batch, hidden);
    INDArray gA = Shapes.gradientArray(gradients, "a", a);
    INDArray gW = Shapes.gradientArray(gradients, "w", w);
    INDArray gC = Shapes.gradientArray(gradients, "c", c);
    INDArray gH = Shapes.gradientArray(gradients, "h", h);

    derivViews(steps, batch);
    dLdhViews.bind(dLdh, steps, batch);
    INDArray[] g = dLdhViews.steps(); // g[t] = δz_{t+1}
    INDArray[] q = derivStepViews; // q[t] = [z_t > 0], t = 0..T−1
    INDArray[] z = stateSteps;
    Nd4j.exec(new Step(z[0], q[0], 0.0));
    if (steps > 1) {
      Nd4j.exec(new Step(statesHead2d, derivRest, 0.0));
    }
    for (int t = steps - 1; t >= 1; t--) {
      // δz_t += a ⊙ δz_{t+1} + (δz_{t+1}·W̃) ⊙ [z_t > 0]
      Nd4j.gemm(g[t], wMasked, tmpBH, false, false, 1.0, 0.0);
      Nd4j.exec(new MulOp(tmpBH, q[t], tmpBH));
      Nd4j.gemm(g[t], diagA, g[t - 1], false, false, 1.0, 1.0);
      g[t - 1].addi(tmpBH);
    }
    INDArray grad2d = dLdhViews.all();
    INDArray gradRest = dLdhViews.rest();
    // dW = Σ_t δz_tᵀ·r_{t−1}
    Nd4j.gemm(g[0], rateSteps[0], gradRec, true, false, 1.0, 0.0);
    if (steps > 1) {
      Nd4j.gemm(gradRest, ratesHead2d, gradRec, true, false, 1.0, 1.0);
    }
    Nd4j.exec(new MulOp(gradRec, offDiagonal, gW));
    // [dC | dh] = Σ_t δz_tᵀ·[s_t | 1]
    Nd4j.gemm(grad2d, inputs2d, gradIn, true, false, 1.0, 0.0);
    gC.assign(gradInW);
    gH.assign(gradInB);
    // da = Σ_rows δz_t ⊙ z_{t−1}
    Nd4j.exec(new MulOp(g[0], z[0], q[0]));
    if (steps > 1) {
      Nd4j.exec(new MulOp(gradRest, statesHead2d, derivRest));
    }
    Nd4j.exec(new Sum(deriv2d, sumH, 0));
    gA.assign(sumH);
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
    z0Flat = buffers.ensure(z0Flat, bh, 0.0);
    r0Flat = buffers.ensure(r0Flat, bh, 0.0);
    inputsFlat = buffers.ensure(inputsFlat, rows * (inputs + 1), 1.0);
    stateSteps = new INDArray[steps + 1];
    rateSteps = new INDArray[steps + 1];
    stateSteps[0] = buffers.view(z0Flat, 0, batch, hidden);
    rateSteps[0] = buffers.view(r0Flat, 0, batch, hidden);
    for (int t = 1; t <= steps; t++) {
      stateSteps[t] = buffers.view(statesFlat, (t - 1) * bh, batch, hidden);
      rateSteps[t] = buffers.view(ratesFlat, (t - 1) * bh, batch, hidden);
    }
    hiddenView = buffers.view(statesFlat, 0, steps, batch, hidden);
    ratesView = buffers.view(ratesFlat, 0, steps, batch, hidden);
    statesNext2d = buffers.view(statesFlat, 0, rows, hidden);
    statesHead2d = steps > 1 ? buffers.view(statesFlat, 0, rows - batch, hidden) : null;
    ratesHead2d = steps > 1 ? buffers.view(ratesFlat, 0, rows - batch, hidden) : null;
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
    derivFlat = buffers.ensure(derivFlat, steps * bh, 0.0);
    derivStepViews = buffers.steps(derivFlat, steps, batch, hidden);
    deriv2d = buffers.view(derivFlat, 0, (long) steps * batch, hidden);
    derivRest = steps > 1 ? buffers.view(derivFlat, bh, (long) (steps - 1) * batch, hidden) : null;
    tmpFlat = buffers.ensure(tmpFlat, bh, 0.0);
    tmpBH = buffers.view(tmpFlat, 0, batch, hidden);
    derivSteps = steps;
    derivBatch = batch;
  }

  /** Views into the network's buffers; valid until the next forward call. */
  private record PlrnnTrajectory(
      INDArray hidden, INDArray initialState, Map<String, INDArray> extras, int steps, int batch)
      implements Trajectory {}
}
