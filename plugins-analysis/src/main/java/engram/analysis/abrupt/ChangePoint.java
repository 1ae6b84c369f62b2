package engram.analysis.abrupt;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealVector;

/**
 * Change point of a series by a continuous two-segment piecewise-linear least-squares fit (a
 * "broken-stick" or hinge regression, e.g. Muggeo 2003 with the break searched exhaustively).
 *
 * <p>For every candidate break τ = x_k with at least {@code minSide} points on each side (counting
 * x_k on both), the model y ≈ a + b₁·min(x − τ, 0) + b₂·max(x − τ, 0) is fitted by ordinary least
 * squares (Commons Math QR); the change point is the τ with the smallest residual sum of squares
 * SSE(τ). Two lines that meet at τ describe a metric that is flat (or drifts) and then starts to
 * move, so τ is the <em>onset</em> of the change, where a change-in-mean method would put the
 * middle of a ramp. Breaks are searched at the data points only, so τ is resolved to the spacing of
 * x. Also returned: the ratio SSE(τ)/SSE(one line), near 0 for a clear break and near 1 when a
 * single line fits as well (no change).
 *
 * @param minSide the fewest points on each side of a break, ≥ 2
 */
public record ChangePoint(int minSide) {

  /**
   * @param onset τ, the x of the break; NaN when the series is too short
   * @param index k with x_k = τ; −1 when too short
   * @param slopeBefore b₁, the slope before τ (units of y per unit of x)
   * @param slopeAfter b₂, the slope after τ
   * @param sseRatio SSE(τ)/SSE(one line), in [0, 1]; NaN when too short or a line fits exactly
   */
  public record Fit(
      double onset, int index, double slopeBefore, double slopeAfter, double sseRatio) {}

  /**
   * @throws IllegalArgumentException when {@code minSide} &lt; 2
   */
  public ChangePoint {
    if (minSide < 2) {
      throw new IllegalArgumentException("min-side must be ≥ 2, was " + minSide);
    }
  }

  /**
   * The best break of (x, y).
   *
   * @param x positions, strictly increasing (steps)
   * @param y values, finite, same length
   * @return the fit; NaN onset when fewer than 2·minSide − 1 points
   * @throws IllegalArgumentException when the lengths differ or a value is not finite
   */
  public Fit fit(double[] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          "positions and values differ in length: " + x.length + " and " + y.length);
    }
    for (int i = 0; i < y.length; i++) {
      if (!Double.isFinite(y[i]) || !Double.isFinite(x[i])) {
        throw new IllegalArgumentException("value at " + x[i] + " is not finite: " + y[i]);
      }
    }
    int n = x.length;
    if (n < 2 * minSide - 1) {
      return new Fit(Double.NaN, -1, Double.NaN, Double.NaN, Double.NaN);
    }
    double lineSse = sse(x, y, Double.NaN)[0];
    double best = Double.POSITIVE_INFINITY;
    double[] bestFit = null;
    int bestIndex = -1;
    for (int k = minSide - 1; k <= n - minSide; k++) {
      double[] fit = sse(x, y, x[k]);
      if (fit[0] < best) {
        best = fit[0];
        bestFit = fit;
        bestIndex = k;
      }
    }
    double ratio = lineSse > 0 ? best / lineSse : Double.NaN;
    return new Fit(x[bestIndex], bestIndex, bestFit[2], bestFit[3], ratio);
  }

  /**
   * Least squares of y on [1, min(x − τ, 0), max(x − τ, 0)], or on [1, x] when τ is NaN.
   *
   * @return {SSE, a, b₁, b₂}
   */
  private static double[] sse(double[] x, double[] y, double tau) {
    int n = x.length;
    boolean line = Double.isNaN(tau);
    double[][] design = new double[n][line ? 2 : 3];
    for (int i = 0; i < n; i++) {
      design[i][0] = 1;
      if (line) {
        design[i][1] = x[i];
      } else {
        design[i][1] = Math.min(x[i] - tau, 0);
        design[i][2] = Math.max(x[i] - tau, 0);
      }
    }
    Array2DRowRealMatrix a = new Array2DRowRealMatrix(design, false);
    RealVector b = new ArrayRealVector(y, false);
    RealVector coefficients = new QRDecomposition(a, 1e-12).getSolver().solve(b);
    RealVector residual = a.operate(coefficients).subtract(b);
    double sse = residual.dotProduct(residual);
    return line
        ? new double[] {sse, coefficients.getEntry(0), coefficients.getEntry(1), Double.NaN}
        : new double[] {
          sse, coefficients.getEntry(0), coefficients.getEntry(1), coefficients.getEntry(2)
        };
  }
}
