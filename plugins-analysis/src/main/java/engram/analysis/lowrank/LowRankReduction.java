package engram.analysis.lowrank;

import engram.analysis.fixedpoints.StepMap;
import engram.analysis.lowrank.LowRankFlowAnalyzer.Source;
import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network reduced to its r-dimensional latent flow F(κ) = −κ + Qᵀ tanh(Uκ + b) (r = 1 or 2) at
 * zero input, from one of two sources.
 *
 * <p><b>Loadings</b> (the {@code rank-one-rnn}, {@code m}, {@code n} {@code [H]}, or the {@code
 * low-rank-rnn}, {@code m}, {@code n} {@code [H, r]}; bias {@code b}): the cell x' = (1−α)x + α(M
 * Nᵀ tanh(x)/H + W_in s + b) relaxes onto x = Mκ + b, κ = Nᵀ tanh(x)/H, so U = M, Q = N/H; a zero
 * κ* is the fixed point x* = Mκ* + b; κ_t is the model's extra {@code kappa}.
 *
 * <p><b>SVD</b> of a full-rank W for a cell whose one-step map at zero input is
 *
 * <pre>
 *   h' = (1 − a) ⊙ h + a ⊙ tanh(W h + b),     a ∈ (0, 1]^H
 * </pre>
 *
 * (the {@code leaky-rnn} with {@code phi: inside, nonlinearity: tanh}: a = 1/max(τ, 1), b = b_rec +
 * b_in + W_in·0; the {@code vanilla-rnn} with tanh: a = 1, b = b_ih + b_hh). Truncate W to W_r = U
 * S Vᵀ, its r leading singular triplets (U, V {@code [H, r]}, S = diag(σ_1..σ_r), Commons Math
 * {@link SingularValueDecomposition}). A fixed point of the truncated map satisfies h = tanh(W_r h
 * + b) whatever a (a &gt; 0). Let κ = S Vᵀ h ∈ ℝ^r; then h = tanh(Uκ + b), and substituting back, κ
 * = S Vᵀ tanh(Uκ + b). So the fixed points are h* = tanh(Uκ* + b) with κ* the zeros of
 *
 * <pre>
 *   F(κ) = −κ + S Vᵀ tanh(U κ + b),     i.e. U as given, Q = V S,
 * </pre>
 *
 * and conversely every zero gives a fixed point. For a uniform a (a leaky network with one τ) the
 * latent moves exactly as κ_{t+1} = κ_t + a·F(κ_t) under the truncated map (κ_{t+1} = S Vᵀ h_{t+1}
 * = (1−a)κ_t + a S Vᵀ tanh(U κ_t + b)). The latent of a trajectory is κ_t = S Vᵀ h_t (the real
 * network's h_t projected; W_r ≠ W unless W has rank r). How much of W the truncation keeps is
 * σ_k/‖W‖_F and Σ_{j≤k} σ_j²/‖W‖_F².
 *
 * <p>Which cells step that way is decided from the cell itself, never its id: W is the tensor named
 * by {@code Cell.recurrentWeights()} ({@code [H, H]}), b the sum of every {@code [H]} parameter
 * named {@code b} or {@code b_*}, and the cell's own step at zero input is compared with the form
 * above on 8 states drawn U(−0.9, 0.9) from a fixed seed (a fitted per unit by least squares;
 * residual ≤ max(1e−9, 1000·the map's rounding), a ∈ (0, 1]). Any other cell (φ outside the leak,
 * ReLU, gates) is refused in one line naming the model, why and the fix.
 *
 * @param source where U and Q came from
 * @param u U {@code [H][r]}
 * @param q Q {@code [H][r]}
 * @param b b {@code [H]}
 * @param rankOneN for r = 1 the n of {@link RankOneFlow} (the loading as stored, or H·Q), else null
 * @param sigma σ_1..σ_r for the SVD source; empty for loadings
 * @param frobenius ‖W‖_F for the SVD source; NaN for loadings
 */
record LowRankReduction(
    Source source,
    double[][] u,
    double[][] q,
    double[] b,
    double[] rankOneN,
    double[] sigma,
    double frobenius) {

  /** The rank r. */
  int rank() {
    return u[0].length;
  }

  /** The 1-D flow (r = 1). */
  RankOneFlow rankOne() {
    return new RankOneFlow(column(u, 0), rankOneN, b);
  }

  /** The 2-D flow (r = 2). */
  PlaneFlow plane() {
    return new PlaneFlow(u, q, b);
  }

  /** The network state of latent κ: Uκ + b (loadings: the pre-activation x), tanh of it (SVD). */
  double[] lift(double[] kappa) {
    double[] s = new double[b.length];
    for (int i = 0; i < b.length; i++) {
      double v = b[i];
      for (int k = 0; k < kappa.length; k++) {
        v += u[i][k] * kappa[k];
      }
      s[i] = source == Source.SVD ? Math.tanh(v) : v;
    }
    return s;
  }

  /**
   * κ_t of every step and sequence of a trajectory, {@code [T·B][r]} (row t·B + b).
   *
   * @throws IllegalStateException for loadings when the model has no extra {@code kappa} of width r
   */
  double[][] latent(Trajectory trajectory, String id, String modelId) {
    int r = rank();
    if (source == Source.LOADINGS) {
      INDArray kappa = trajectory.extras().get("kappa");
      if (kappa == null || kappa.rank() != 3 || kappa.size(2) != r) {
        throw new IllegalStateException(
            id
                + ": model '"
                + modelId
                + "' has loadings m and n but no extra 'kappa' of width "
                + r
                + " for the latent trajectory");
      }
      return kappa
          .castTo(DataType.DOUBLE)
          .reshape(kappa.size(0) * kappa.size(1), r)
          .toDoubleMatrix();
    }
    INDArray h = trajectory.hidden();
    double[] flat = h.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    int width = b.length;
    int rows = flat.length / width;
    double[][] out = new double[rows][r];
    for (int row = 0; row < rows; row++) {
      for (int i = 0; i < width; i++) {
        double v = flat[row * width + i];
        for (int k = 0; k < r; k++) {
          out[row][k] += q[i][k] * v;
        }
      }
    }
    return out;
  }

  /**
   * The reduction of a low-rank model's loadings.
   *
   * @param tensors the checkpoint's tensors
   * @param rank the wanted rank, or 0 for the loadings' own
   * @throws IllegalStateException naming the model and its tensors when there are no loadings m, n
   *     and bias b, when their rank exceeds 2, or when it differs from {@code rank}
   */
  static LowRankReduction loadings(
      Map<String, INDArray> tensors, int rank, String id, String modelId) {
    INDArray m = tensors.get("m");
    INDArray n = tensors.get("n");
    INDArray b = tensors.get("b");
    if (m == null
        || n == null
        || b == null
        || m.rank() < 1
        || m.rank() > 2
        || b.rank() != 1
        || !Arrays.equals(m.shape(), n.shape())
        || m.size(0) != b.size(0)) {
      throw new IllegalStateException(
          id
              + " (source: loadings) analyses networks whose recurrence is given by loadings m, n"
              + " and a bias b (a rank-one-rnn or low-rank-rnn); model '"
              + modelId
              + "' has "
              + new TreeSet<>(tensors.keySet())
              + " (for a leaky-rnn with phi: inside or a vanilla-rnn, tanh, use source: svd)");
    }
    int hidden = (int) m.size(0);
    int own = m.rank() == 1 ? 1 : (int) m.size(1);
    if (own > 2) {
      throw new IllegalStateException(
          id
              + " draws the latent flow of rank 1 or 2; model '"
              + modelId
              + "' has loadings of rank "
              + own
              + ": train it with rank 1 or 2");
    }
    if (rank != 0 && rank != own) {
      throw new IllegalStateException(
          id
              + ": rank "
              + rank
              + " was asked but model '"
              + modelId
              + "' has loadings of rank "
              + own
              + ": set rank to 0 (the loadings' own) or "
              + own);
    }
    double[][] mm = m.castTo(DataType.DOUBLE).reshape(hidden, own).toDoubleMatrix();
    double[][] nn = n.castTo(DataType.DOUBLE).reshape(hidden, own).toDoubleMatrix();
    double[][] q = new double[hidden][own];
    for (int i = 0; i < hidden; i++) {
      for (int k = 0; k < own; k++) {
        q[i][k] = nn[i][k] / hidden;
      }
    }
    return new LowRankReduction(
        Source.LOADINGS,
        mm,
        q,
        b.castTo(DataType.DOUBLE).toDoubleVector(),
        own == 1 ? column(nn, 0) : null,
        new double[0],
        Double.NaN);
  }

  /**
   * The SVD reduction of a restored network, after checking that its cell steps as h' = (1 − a)⊙h +
   * a⊙tanh(W h + b) at zero input.
   *
   * @param network the restored network (parameters read, never changed)
   * @param inputSize I, the width of the zero input
   * @param rank 1 or 2
   * @throws IllegalStateException naming the model, why and the fix when the cell does not reduce
   */
  static LowRankReduction svd(Network network, int inputSize, int rank, String id, String modelId) {
    String fix =
        " (the leaky-rnn with phi: inside and nonlinearity: tanh, or the vanilla-rnn with"
            + " nonlinearity: tanh): train such a model, or a low-rank-rnn with source: loadings";
    int hidden = network.hiddenSize();
    String wName = network.cell().recurrentWeights().orElse(null);
    List<Parameter> parameters = network.parameters();
    INDArray w =
        parameters.stream()
            .filter(p -> p.name().equals(wName))
            .map(Parameter::value)
            .findFirst()
            .orElse(null);
    if (w == null || w.rank() != 2 || w.size(0) != hidden || w.size(1) != hidden) {
      throw new IllegalStateException(
          id
              + " (source: svd) needs one recurrent matrix W [H, H]; model '"
              + modelId
              + "' has none"
              + fix);
    }
    double[] b = new double[hidden];
    for (Parameter p : parameters) {
      INDArray v = p.value();
      if ((p.name().equals("b") || p.name().startsWith("b_"))
          && v.rank() == 1
          && v.length() == hidden) {
        double[] d = v.castTo(DataType.DOUBLE).toDoubleVector();
        for (int i = 0; i < hidden; i++) {
          b[i] += d[i];
        }
      }
    }
    double[][] wd = w.castTo(DataType.DOUBLE).toDoubleMatrix();
    if (network.stateSize() != hidden || !stepsInside(network, inputSize, wd, b)) {
      throw new IllegalStateException(
          id
              + " (source: svd) needs a cell whose step at zero input is h' = (1−a)⊙h +"
              + " a⊙tanh(W h + b); model '"
              + modelId
              + "' steps otherwise (φ outside the leak, another nonlinearity or gates), so the"
              + " rank-"
              + rank
              + " flow would not give its fixed points"
              + fix);
    }
    SingularValueDecomposition svd = new SingularValueDecomposition(new Array2DRowRealMatrix(wd));
    double[] all = svd.getSingularValues();
    double[][] uu = svd.getU().getData();
    double[][] vv = svd.getV().getData();
    double[][] u = new double[hidden][rank];
    double[][] q = new double[hidden][rank];
    double frobenius = 0;
    for (double s : all) {
      frobenius += s * s;
    }
    for (int i = 0; i < hidden; i++) {
      for (int k = 0; k < rank; k++) {
        u[i][k] = uu[i][k];
        q[i][k] = vv[i][k] * all[k];
      }
    }
    double[] rankOneN = null;
    if (rank == 1) {
      rankOneN = new double[hidden];
      for (int i = 0; i < hidden; i++) {
        rankOneN[i] = hidden * q[i][0];
      }
    }
    return new LowRankReduction(
        Source.SVD, u, q, b, rankOneN, Arrays.copyOf(all, rank), Math.sqrt(frobenius));
  }

  /** Whether the cell's map at zero input is (1 − a)⊙h + a⊙tanh(W h + b) on 8 fixed states. */
  private static boolean stepsInside(Network network, int inputSize, double[][] w, double[] b) {
    int hidden = b.length;
    int samples = 8;
    SplittableRandom rng = new SplittableRandom(0);
    double[][] h = new double[samples][hidden];
    for (double[] row : h) {
      for (int i = 0; i < hidden; i++) {
        row[i] = rng.nextDouble(-0.9, 0.9);
      }
    }
    StepMap map = StepMap.of(network, new double[inputSize]);
    double[][] y = map.apply(h);
    double[][] z = new double[samples][hidden];
    for (int s = 0; s < samples; s++) {
      for (int i = 0; i < hidden; i++) {
        double v = b[i];
        for (int j = 0; j < hidden; j++) {
          v += w[i][j] * h[s][j];
        }
        z[s][i] = Math.tanh(v);
      }
    }
    double tolerance = Math.max(1e-9, 1000 * map.resolution());
    for (int i = 0; i < hidden; i++) {
      double num = 0;
      double den = 0;
      for (int s = 0; s < samples; s++) {
        num += (y[s][i] - h[s][i]) * (z[s][i] - h[s][i]);
        den += (z[s][i] - h[s][i]) * (z[s][i] - h[s][i]);
      }
      double a = num / den;
      if (!(a > 0 && a <= 1 + tolerance)) {
        return false;
      }
      for (int s = 0; s < samples; s++) {
        double predicted = h[s][i] + a * (z[s][i] - h[s][i]);
        if (!(Math.abs(predicted - y[s][i]) <= tolerance)) {
          return false;
        }
      }
    }
    return true;
  }

  private static double[] column(double[][] a, int k) {
    double[] c = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i][k];
    }
    return c;
  }
}
