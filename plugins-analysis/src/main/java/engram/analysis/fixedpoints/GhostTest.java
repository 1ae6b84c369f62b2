package engram.analysis.fixedpoints;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;

/**
 * Tells ghosts from other slow points. A point h of the map F with speed q(h) = ½‖r‖², r = F(h) −
 * h, and gradient g = ∇q = (J − I)ᵀ r is
 *
 * <ul>
 *   <li><b>fixed</b> when q ≤ q_fixed (the finder's tolerance or the arithmetic's floor);
 *   <li>a <b>ghost</b> when it is a strict local minimum of q that is not a zero: q &gt; q_fixed,
 *       the gradient has converged, ‖g‖ ≤ {@code gradientTol}·‖r‖ (so J − I is nearly singular
 *       along r: the flow almost stops there, the trace of a vanished saddle-node pair), and the
 *       Hessian of q is positive definite: every eigenvalue of its symmetric part exceeds {@code
 *       hessianTol}·max|eigenvalue|;
 *   <li><b>slow</b> otherwise (not converged, or a flat direction: a point on a slow manifold).
 * </ul>
 *
 * The Hessian is ∇²q = (J − I)ᵀ(J − I) + Σᵢ rᵢ∇²Fᵢ; the second term needs second derivatives, so H
 * is taken by central differences of the exact gradient (one VJP per row): column j = (g(h + εeⱼ) −
 * g(h − εeⱼ)) / 2ε with ε = max(1e-5, √resolution) (1e-3 for a FLOAT network, whose gradient is
 * then resolved to about 1e-4 — near-flat directions of a FLOAT network are therefore uncertain),
 * then symmetrised. All points' 2S shifted gradients go through F and the VJP in batches.
 * Deterministic.
 *
 * @param gradientTol bound on ‖g‖/‖r‖, &gt; 0 (default 1e-2)
 * @param hessianTol bound on λ_min/λ_max of the Hessian, ≥ 0 (default 0: positive definite)
 */
public record GhostTest(double gradientTol, double hessianTol) {

  /** What a point is. */
  public enum Kind {
    /** q at the tolerance. */
    FIXED,
    /** A strict local minimum of q above the tolerance. */
    GHOST,
    /** Neither. */
    SLOW;

    /** The spelling in tables. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public GhostTest {
    if (!(gradientTol > 0) || !(hessianTol >= 0) || hessianTol >= 1) {
      throw new IllegalArgumentException(
          "ghost test needs gradient-tol > 0 and hessian-tol in [0, 1) (were "
              + gradientTol
              + ", "
              + hessianTol
              + ")");
    }
  }

  /** gradient-tol 1e-2, hessian-tol 0. */
  public static GhostTest defaults() {
    return new GhostTest(1e-2, 0);
  }

  /**
   * The kind of every point.
   *
   * @param map F
   * @param states {@code [n][S]}; not modified
   * @param fixedQ q at or below which a point is fixed
   * @return the kinds, in row order
   */
  public Kind[] kinds(StepMap map, double[][] states, double fixedQ) {
    int n = states.length;
    Kind[] kinds = new Kind[n];
    double[][] f = map.apply(states);
    double[][] g = gradients(map, states);
    int candidates = 0;
    boolean[] candidate = new boolean[n];
    for (int i = 0; i < n; i++) {
      double q = FixedPointFinder.speed(states[i], f[i]);
      double r = Math.sqrt(2 * q);
      if (q <= fixedQ) {
        kinds[i] = Kind.FIXED;
      } else if (norm(g[i]) <= gradientTol * r) {
        candidate[i] = true;
        candidates++;
      } else {
        kinds[i] = Kind.SLOW;
      }
    }
    double[][] at = new double[candidates][];
    for (int i = 0, c = 0; i < n; i++) {
      if (candidate[i]) {
        at[c++] = states[i];
      }
    }
    double[][][] hessians = hessians(map, at);
    for (int i = 0, c = 0; i < n; i++) {
      if (candidate[i]) {
        kinds[i] = positiveDefinite(hessians[c++]) ? Kind.GHOST : Kind.SLOW;
      }
    }
    return kinds;
  }

  /** Whether every eigenvalue of the symmetric matrix exceeds hessianTol·max|eigenvalue|. */
  boolean positiveDefinite(double[][] h) {
    double[] eig = new EigenDecomposition(new Array2DRowRealMatrix(h)).getRealEigenvalues();
    double largest = 0;
    double smallest = Double.POSITIVE_INFINITY;
    for (double e : eig) {
      largest = Math.max(largest, Math.abs(e));
      smallest = Math.min(smallest, e);
    }
    return smallest > hessianTol * largest && smallest > 0;
  }

  /**
   * ∇q = (J − I)ᵀ(F(h) − h) at every row, from one VJP.
   *
   * @return {@code [n][S]}
   */
  static double[][] gradients(StepMap map, double[][] states) {
    double[][] r = new double[states.length][];
    double[][] f = map.apply(states);
    for (int i = 0; i < states.length; i++) {
      r[i] = FixedPointFinder.residual(f[i], states[i]);
    }
    double[][] g = map.vjp(states, r);
    for (int i = 0; i < states.length; i++) {
      for (int k = 0; k < g[i].length; k++) {
        g[i][k] -= r[i][k];
      }
    }
    return g;
  }

  /**
   * The symmetrised central-difference Hessian of q at every row (see the class comment).
   *
   * @return {@code [n][S][S]}
   */
  static double[][][] hessians(StepMap map, double[][] states) {
    int s = map.dimension();
    double eps = Math.max(1e-5, Math.sqrt(map.resolution()));
    int chunk = Math.max(1, 8_192 / s);
    double[][][] out = new double[states.length][][];
    for (int from = 0; from < states.length; from += chunk) {
      int n = Math.min(chunk, states.length - from);
      double[][] shifted = new double[2 * n * s][];
      for (int b = 0; b < n; b++) {
        for (int j = 0; j < s; j++) {
          double[] plus = states[from + b].clone();
          double[] minus = states[from + b].clone();
          plus[j] += eps;
          minus[j] -= eps;
          shifted[(b * s + j) * 2] = plus;
          shifted[(b * s + j) * 2 + 1] = minus;
        }
      }
      double[][] g = gradients(map, shifted);
      for (int b = 0; b < n; b++) {
        double[][] h = new double[s][s];
        for (int j = 0; j < s; j++) {
          double[] gp = g[(b * s + j) * 2];
          double[] gm = g[(b * s + j) * 2 + 1];
          for (int i = 0; i < s; i++) {
            h[i][j] = (gp[i] - gm[i]) / (2 * eps);
          }
        }
        for (int i = 0; i < s; i++) {
          for (int j = 0; j < i; j++) {
            double m = 0.5 * (h[i][j] + h[j][i]);
            h[i][j] = m;
            h[j][i] = m;
          }
        }
        out[from + b] = h;
      }
    }
    return out;
  }

  private static double norm(double[] x) {
    double sum = 0;
    for (double v : x) {
      sum += v * v;
    }
    return Math.sqrt(sum);
  }
}
