package engram.analysis.lowrank;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;

/**
 * The two-dimensional latent flow of a rank-two rate network at zero input (Mastrogiuseppe &amp;
 * Ostojic 2018; spec memory-geometry §8):
 *
 * <pre>
 *   F(κ) = −κ + Qᵀ tanh(U κ + b),     J(κ) = ∂F/∂κ = −I + Qᵀ diag(1 − tanh²(U κ + b)) U
 * </pre>
 *
 * with κ ∈ ℝ², U, Q {@code [H, 2]} and b {@code [H]}. For the {@code low-rank-rnn} U = M and Q =
 * N/H (the loadings); for a full-rank network truncated by its SVD, U = U_2 and Q = V_2 S_2 (see
 * {@link LowRankReduction}). F is the continuous-time field τ·dκ/dt; a leaky network with step α
 * moves κ by about α·F per step, so its zeros are the network's fixed points whatever α.
 *
 * <p><b>Grid.</b> {@code points × points} equally spaced κ over [−range_1, range_1] × [−range_2,
 * range_2]; every zero lies in |κ_k| ≤ Σ_i |Q_ik| ({@link #bound}) since |tanh| ≤ 1.
 *
 * <p><b>Zeros.</b> Newton's method κ ← κ − J⁻¹F (2×2 solve by Cramer's rule, at most {@value
 * #NEWTON_ITERATIONS} iterations) is started from every interior grid local minimum of ‖F‖² (a grid
 * point below its 8 neighbours; of equal neighbours the first in row-major order counts); it has
 * converged when ‖F‖ ≤ {@value #ZERO_TOLERANCE}. Zeros closer than 1e−8·max(range) are one. A zero
 * is classified by the eigenvalues λ of J (Commons Math {@link EigenDecomposition}), as a fixed
 * point of the continuous-time flow: <i>stable</i> when every Re λ &lt; 0, <i>unstable</i> when
 * every Re λ &gt; 0, <i>saddle</i> when they have opposite signs, <i>marginal</i> when some |Re λ|
 * ≤ 1e−9. (For the discrete map of a leaky network with step α the multipliers are 1 + αλ; with α ≤
 * 1 and real λ the classes agree, they can differ only for complex λ with large α.)
 *
 * <p><b>Ghosts.</b> A grid local minimum of ‖F‖² is a <i>ghost</i> (slow region left by a
 * saddle-node pair that annihilated) when Newton started there does not converge to a zero within
 * {@value #GHOST_RADIUS} grid spacings along each axis; the ghost is reported at the grid point.
 * Ghosts within that radius of each other are one (the slower is kept). A zero Newton reaches from
 * farther away is still reported as a zero. The rule is ours: the group's code marks slow points by
 * eye on the same speed map.
 *
 * @param u U {@code [H][2]}
 * @param q Q {@code [H][2]}
 * @param b b {@code [H]}
 */
record PlaneFlow(double[][] u, double[][] q, double[] b) {

  static final int NEWTON_ITERATIONS = 100;
  static final double ZERO_TOLERANCE = 1e-11;
  static final int GHOST_RADIUS = 2;

  /** A zero or a ghost of F. */
  enum Kind {
    STABLE("stable"),
    SADDLE("saddle"),
    UNSTABLE("unstable"),
    MARGINAL("marginal"),
    GHOST("ghost");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /**
   * A special point of the flow.
   *
   * @param kappa κ {@code [2]}
   * @param speedSquared ‖F(κ)‖²
   * @param eigenReal Re λ of J(κ), ascending {@code [2]}
   * @param eigenImaginary Im λ in the same order {@code [2]}
   * @param kind its class
   */
  record Point(
      double[] kappa,
      double speedSquared,
      double[] eigenReal,
      double[] eigenImaginary,
      Kind kind) {}

  /**
   * The field on a grid and its special points.
   *
   * @param axis1 the grid values of κ_1 {@code [P]}
   * @param axis2 the grid values of κ_2 {@code [P]}
   * @param speedSquared ‖F‖² at (axis1[i], axis2[j]) at {@code [i][j]}
   * @param points zeros, then ghosts, each by increasing κ_1 then κ_2 (rounded to 1e−9)
   */
  record Plane(double[] axis1, double[] axis2, double[][] speedSquared, List<Point> points) {}

  /** F(κ), {@code [2]}. */
  double[] field(double k1, double k2) {
    double f1 = -k1;
    double f2 = -k2;
    for (int i = 0; i < b.length; i++) {
      double t = Math.tanh(u[i][0] * k1 + u[i][1] * k2 + b[i]);
      f1 += q[i][0] * t;
      f2 += q[i][1] * t;
    }
    return new double[] {f1, f2};
  }

  /** J(κ) = −I + Qᵀ diag(1 − tanh²(Uκ + b)) U, {@code [2][2]}. */
  double[][] jacobian(double k1, double k2) {
    double[][] j = {{-1, 0}, {0, -1}};
    for (int i = 0; i < b.length; i++) {
      double t = Math.tanh(u[i][0] * k1 + u[i][1] * k2 + b[i]);
      double d = 1 - t * t;
      for (int r = 0; r < 2; r++) {
        for (int c = 0; c < 2; c++) {
          j[r][c] += q[i][r] * d * u[i][c];
        }
      }
    }
    return j;
  }

  /** Σ_i |Q_ik|: every zero has |κ_k| within it. */
  double bound(int axis) {
    double sum = 0;
    for (double[] row : q) {
      sum += Math.abs(row[axis]);
    }
    return sum;
  }

  /**
   * The field's speed on the grid, its zeros and its ghosts.
   *
   * @param range1 half-width of the κ_1 axis, &gt; 0
   * @param range2 half-width of the κ_2 axis, &gt; 0
   * @param points grid points per axis, ≥ 3
   */
  Plane analyse(double range1, double range2, int points) {
    double[] axis1 = RankOneFlow.grid(range1, points);
    double[] axis2 = RankOneFlow.grid(range2, points);
    double[][] speed = new double[points][points];
    for (int i = 0; i < points; i++) {
      for (int j = 0; j < points; j++) {
        double[] f = field(axis1[i], axis2[j]);
        speed[i][j] = f[0] * f[0] + f[1] * f[1];
      }
    }
    double h1 = axis1[1] - axis1[0];
    double h2 = axis2[1] - axis2[0];
    double same = 1e-8 * Math.max(range1, range2);
    List<double[]> zeros = new ArrayList<>();
    List<Point> ghosts = new ArrayList<>();
    for (int i = 1; i + 1 < points; i++) {
      for (int j = 1; j + 1 < points; j++) {
        if (!isMinimum(speed, i, j)) {
          continue;
        }
        double[] zero = newton(axis1[i], axis2[j]);
        if (zero != null && zeros.stream().noneMatch(z -> distance(z, zero) <= same)) {
          zeros.add(zero);
        }
        boolean nearby =
            zero != null
                && Math.abs(zero[0] - axis1[i]) <= GHOST_RADIUS * h1
                && Math.abs(zero[1] - axis2[j]) <= GHOST_RADIUS * h2;
        if (!nearby) {
          addGhost(ghosts, point(axis1[i], axis2[j], true), h1, h2);
        }
      }
    }
    List<Point> all = new ArrayList<>();
    zeros.stream().map(z -> point(z[0], z[1], false)).sorted(ORDER).forEach(all::add);
    ghosts.stream().sorted(ORDER).forEach(all::add);
    return new Plane(axis1, axis2, speed, all);
  }

  // By κ_1, then κ_2, each rounded to 1e−9 so that zeros equal up to Newton's rounding sort by κ_2.
  private static final Comparator<Point> ORDER =
      Comparator.<Point>comparingDouble(p -> Math.rint(p.kappa()[0] * 1e9))
          .thenComparingDouble(p -> Math.rint(p.kappa()[1] * 1e9));

  /**
   * Newton's method from (k1, k2).
   *
   * @return the zero, or null when it does not converge within the iterations (or J is singular)
   */
  double[] newton(double k1, double k2) {
    double x = k1;
    double y = k2;
    for (int it = 0; it <= NEWTON_ITERATIONS; it++) {
      double[] f = field(x, y);
      if (Math.hypot(f[0], f[1]) <= ZERO_TOLERANCE) {
        return new double[] {x, y};
      }
      if (it == NEWTON_ITERATIONS) {
        break;
      }
      double[][] j = jacobian(x, y);
      double det = j[0][0] * j[1][1] - j[0][1] * j[1][0];
      if (det == 0 || !Double.isFinite(det)) {
        return null;
      }
      x -= (j[1][1] * f[0] - j[0][1] * f[1]) / det;
      y -= (-j[1][0] * f[0] + j[0][0] * f[1]) / det;
      if (!Double.isFinite(x) || !Double.isFinite(y)) {
        return null;
      }
    }
    return null;
  }

  /** A point at κ with its speed and the eigenvalues of J; a ghost, or a zero classified by J. */
  Point point(double k1, double k2, boolean ghost) {
    double[] f = field(k1, k2);
    EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(jacobian(k1, k2)));
    double[] re = eigen.getRealEigenvalues().clone();
    double[] im = eigen.getImagEigenvalues().clone();
    if (re[0] > re[1] || (re[0] == re[1] && im[0] > im[1])) {
      double t = re[0];
      re[0] = re[1];
      re[1] = t;
      t = im[0];
      im[0] = im[1];
      im[1] = t;
    }
    Kind kind;
    if (ghost) {
      kind = Kind.GHOST;
    } else if (Math.abs(re[0]) <= 1e-9 || Math.abs(re[1]) <= 1e-9) {
      kind = Kind.MARGINAL;
    } else if (re[1] < 0) {
      kind = Kind.STABLE;
    } else if (re[0] > 0) {
      kind = Kind.UNSTABLE;
    } else {
      kind = Kind.SADDLE;
    }
    return new Point(new double[] {k1, k2}, f[0] * f[0] + f[1] * f[1], re, im, kind);
  }

  /**
   * Whether grid point (i, j) is a local minimum of ‖F‖²: strictly below the neighbours before it
   * in row-major order, at most equal to those after it (so one of a tied pair counts).
   */
  private static boolean isMinimum(double[][] speed, int i, int j) {
    double here = speed[i][j];
    for (int di = -1; di <= 1; di++) {
      for (int dj = -1; dj <= 1; dj++) {
        if (di == 0 && dj == 0) {
          continue;
        }
        double other = speed[i + di][j + dj];
        boolean before = di < 0 || (di == 0 && dj < 0);
        if (before ? !(here < other) : !(here <= other)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Adds a ghost unless a slower one lies within the radius (a faster one there is replaced). */
  private static void addGhost(List<Point> ghosts, Point ghost, double h1, double h2) {
    for (int k = 0; k < ghosts.size(); k++) {
      Point other = ghosts.get(k);
      if (Math.abs(other.kappa()[0] - ghost.kappa()[0]) <= GHOST_RADIUS * h1
          && Math.abs(other.kappa()[1] - ghost.kappa()[1]) <= GHOST_RADIUS * h2) {
        if (ghost.speedSquared() < other.speedSquared()) {
          ghosts.set(k, ghost);
        }
        return;
      }
    }
    ghosts.add(ghost);
  }

  private static double distance(double[] a, double[] b) {
    return Math.hypot(a[0] - b[0], a[1] - b[1]);
  }
}
