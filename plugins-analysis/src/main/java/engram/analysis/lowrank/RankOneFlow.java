package engram.analysis.lowrank;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.analysis.solvers.BrentSolver;

/**
 * The one-dimensional latent flow of a rank-one rate network with recurrence J = m nᵀ/H and bias b
 * (Mastrogiuseppe &amp; Ostojic 2018), at zero input.
 *
 * <p>The network x_{t+1} = (1 − α)x_t + α(m κ_t + b), κ_t = nᵀ tanh(x_t)/H, relaxes onto the line x
 * = m κ + b (the part of x off that line decays by (1 − α) per step), on which
 *
 * <pre>
 *   F(κ) = −κ + nᵀ tanh(m κ + b) / H,       κ_{t+1} − κ_t ≈ α·F(κ_t)
 * </pre>
 *
 * (exactly the continuous-time field dκ/dt·τ; the discrete map's per-step change is α·F). Its zeros
 * are the network's fixed points x* = m κ* + b; a zero with F′(κ*) &lt; 0 is stable, &gt; 0
 * unstable. A local minimum of F² that is not a zero is a ghost (slow region, the remnant of a
 * saddle-node pair). With m = 1 and n = g·1 (gain g = nᵀm/H), b = 0: F = −κ + g·tanh κ, with the
 * single zero 0 for g ≤ 1 and the pair ±κ* (κ* = g tanh κ*) around an unstable 0 above.
 *
 * @param m the loading m {@code [H]}
 * @param n the loading n {@code [H]}
 * @param b the bias b {@code [H]}
 */
record RankOneFlow(double[] m, double[] n, double[] b) {

  /** A zero or a ghost of F. */
  enum Kind {
    STABLE("stable"),
    UNSTABLE("unstable"),
    GHOST("ghost");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /**
   * A special point of the flow.
   *
   * @param kappa κ
   * @param speedSquared F(κ)²
   * @param slope F′(κ)
   * @param kind stable or unstable zero, or ghost
   */
  record Point(double kappa, double speedSquared, double slope, Kind kind) {}

  /** F(κ). */
  double field(double kappa) {
    double sum = 0;
    for (int i = 0; i < m.length; i++) {
      sum += n[i] * Math.tanh(m[i] * kappa + b[i]);
    }
    return -kappa + sum / m.length;
  }

  /** F′(κ) = −1 + Σ n_i m_i (1 − tanh²(m_i κ + b_i)) / H. */
  double slope(double kappa) {
    double sum = 0;
    for (int i = 0; i < m.length; i++) {
      double t = Math.tanh(m[i] * kappa + b[i]);
      sum += n[i] * m[i] * (1 - t * t);
    }
    return -1 + sum / m.length;
  }

  /** Every zero lies in |κ| ≤ Σ|n_i|/H, because |tanh| ≤ 1. */
  double bound() {
    double sum = 0;
    for (double v : n) {
      sum += Math.abs(v);
    }
    return sum / n.length;
  }

  /** {@code points} equally spaced values from −range to range. */
  static double[] grid(double range, int points) {
    double[] grid = new double[points];
    for (int i = 0; i < points; i++) {
      grid[i] = -range + 2 * range * i / (points - 1);
    }
    return grid;
  }

  /**
   * The zeros of F on the grid (sign changes, refined by Brent's method to 1e-12) and the ghosts
   * (interior grid minima of F² with no sign change of F next to them), by increasing κ.
   */
  List<Point> specialPoints(double[] grid) {
    double[] f = new double[grid.length];
    for (int i = 0; i < grid.length; i++) {
      f[i] = field(grid[i]);
    }
    List<Point> points = new ArrayList<>();
    BrentSolver brent = new BrentSolver(1e-12);
    for (int i = 0; i + 1 < grid.length; i++) {
      boolean zeroHere = f[i] == 0;
      boolean crossing = f[i] * f[i + 1] < 0;
      if (zeroHere || crossing) {
        double kappa = zeroHere ? grid[i] : brent.solve(200, this::field, grid[i], grid[i + 1]);
        double slope = slope(kappa);
        double value = field(kappa);
        points.add(new Point(kappa, value * value, slope, slope < 0 ? Kind.STABLE : Kind.UNSTABLE));
      }
      if (i > 0) {
        double here = f[i] * f[i];
        boolean minimum = here < f[i - 1] * f[i - 1] && here <= f[i + 1] * f[i + 1];
        boolean signChangeNear = f[i - 1] * f[i] <= 0 || f[i] * f[i + 1] <= 0;
        if (minimum && !signChangeNear) {
          points.add(new Point(grid[i], here, slope(grid[i]), Kind.GHOST));
        }
      }
    }
    points.sort((p, q) -> Double.compare(p.kappa(), q.kappa()));
    return points;
  }
}
