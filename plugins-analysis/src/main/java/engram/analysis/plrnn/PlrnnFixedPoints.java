package engram.analysis.plrnn;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealVector;

/**
 * Every fixed point of a piecewise-linear RNN z' = A z + W·ReLU(z) + k (A = diag(a), k = h + C s at
 * a constant input s), found exactly region by region (as SCYFI, Eisenmann et al. 2023, does for
 * 1-cycles).
 *
 * <p>In the region of sign pattern d ∈ {0, 1}^M (D = diag(d), unit i active when z_i &gt; 0) the
 * map is affine, z' = (A + W D) z + k, so its only candidate fixed point is z* = (I − A − W D)⁻¹ k
 * (Commons Math LU). It is kept when it lies in its region: z*_i &gt; 0 exactly where d_i = 1 (z_i
 * ≤ 0 where d_i = 0, matching ReLU′(0) = 0). The Jacobian there is A + W D; as a discrete map the
 * point is stable when every |λ| &lt; 1, unstable when every |λ| &gt; 1, a saddle otherwise. A
 * singular I − A − W D (a line of fixed points or none) is skipped and counted. All 2^M regions are
 * enumerated, so M is capped.
 *
 * @param a the diagonal of A {@code [M]}
 * @param w W {@code [M][M]}
 * @param k the constant drive h + C s {@code [M]}
 */
record PlrnnFixedPoints(double[] a, double[][] w, double[] k) {

  /** Stability of a fixed point of the discrete map. */
  enum Kind {
    STABLE("stable"),
    SADDLE("saddle"),
    UNSTABLE("unstable");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /**
   * One fixed point.
   *
   * @param z the state {@code [M]}
   * @param moduli |λ| of the eigenvalues of A + W D, largest first
   * @param kind stable, saddle or unstable
   * @param active number of active units (d_i = 1)
   */
  record Point(double[] z, double[] moduli, Kind kind, int active) {
    /** The number of eigenvalues with |λ| &gt; 1. */
    int unstableDimensions() {
      int count = 0;
      for (double m : moduli) {
        count += m > 1 ? 1 : 0;
      }
      return count;
    }
  }

  /**
   * @param points the fixed points, in the order of their regions (d read as a binary number, unit
   *     0 the lowest bit)
   * @param singularRegions regions whose I − A − W D was singular and were skipped
   */
  record Result(List<Point> points, int singularRegions) {}

  /**
   * Enumerates all 2^M regions.
   *
   * @param maxUnits the largest M allowed
   * @throws IllegalArgumentException when M &gt; maxUnits, naming M and the cap
   */
  Result find(int maxUnits) {
    int units = a.length;
    if (units > maxUnits) {
      throw new IllegalArgumentException(
          "exact enumeration visits 2^M regions and M = "
              + units
              + " exceeds max-units = "
              + maxUnits
              + "; raise max-units (cost doubles per unit) or use the fixed-points analyzer");
    }
    List<Point> points = new ArrayList<>();
    int singular = 0;
    for (long pattern = 0; pattern < (1L << units); pattern++) {
      double[][] jacobian = jacobian(pattern);
      double[][] system = new double[units][units];
      for (int i = 0; i < units; i++) {
        for (int j = 0; j < units; j++) {
          system[i][j] = (i == j ? 1 : 0) - jacobian[i][j];
        }
      }
      DecompositionSolver solver =
          new LUDecomposition(new Array2DRowRealMatrix(system, false), 1e-12).getSolver();
      if (!solver.isNonSingular()) {
        singular++;
        continue;
      }
      RealVector z = solver.solve(new ArrayRealVector(k, true));
      if (!inRegion(z.toArray(), pattern)) {
        continue;
      }
      double[] moduli = moduli(jacobian);
      boolean allBelow = moduli[0] < 1;
      boolean allAbove = moduli[moduli.length - 1] > 1;
      Kind kind = allBelow ? Kind.STABLE : allAbove ? Kind.UNSTABLE : Kind.SADDLE;
      points.add(new Point(z.toArray(), moduli, kind, Long.bitCount(pattern)));
    }
    return new Result(points, singular);
  }

  /** A + W D for the sign pattern (bit i set: unit i active). */
  double[][] jacobian(long pattern) {
    int units = a.length;
    double[][] j = new double[units][units];
    for (int r = 0; r < units; r++) {
      for (int c = 0; c < units; c++) {
        j[r][c] = ((pattern >> c) & 1) == 1 ? w[r][c] : 0;
      }
      j[r][r] += a[r];
    }
    return j;
  }

  /** One step of the map, for checks: A z + W ReLU(z) + k. */
  double[] step(double[] z) {
    double[] next = new double[z.length];
    for (int r = 0; r < z.length; r++) {
      double sum = a[r] * z[r] + k[r];
      for (int c = 0; c < z.length; c++) {
        sum += w[r][c] * Math.max(z[c], 0);
      }
      next[r] = sum;
    }
    return next;
  }

  private static boolean inRegion(double[] z, long pattern) {
    for (int i = 0; i < z.length; i++) {
      boolean active = ((pattern >> i) & 1) == 1;
      if (active != (z[i] > 0)) {
        return false;
      }
    }
    return true;
  }

  private static double[] moduli(double[][] m) {
    EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(m, false));
    double[] re = eigen.getRealEigenvalues();
    double[] im = eigen.getImagEigenvalues();
    double[] out = new double[re.length];
    for (int i = 0; i < re.length; i++) {
      out[i] = Math.hypot(re[i], im[i]);
    }
    java.util.Arrays.sort(out);
    for (int i = 0, j = out.length - 1; i < j; i++, j--) {
      double t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }
}
