package engram.analysis.fixedpoints;

import java.util.Arrays;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;

/**
 * Principal components of a cloud of states: the eigenvectors of the centred covariance (divided by
 * n), by decreasing eigenvalue (Apache Commons Math's symmetric eigensolver; an eigenvector's sign
 * is the solver's). Immutable by convention; deterministic.
 *
 * @param mean the mean state, {@code [S]}
 * @param components up to three unit components, {@code [min(3, S)][S]}
 */
public record Pca(double[] mean, double[][] components) {

  /**
   * Fits the basis.
   *
   * @param x states {@code [n][S]}, n ≥ 1
   * @param k components wanted (at most S are returned)
   * @return the basis
   */
  public static Pca fit(double[][] x, int k) {
    int s = x[0].length;
    double[] mean = new double[s];
    for (double[] row : x) {
      for (int j = 0; j < s; j++) {
        mean[j] += row[j] / x.length;
      }
    }
    double[][] cov = new double[s][s];
    for (double[] row : x) {
      for (int i = 0; i < s; i++) {
        double di = (row[i] - mean[i]) / x.length;
        for (int j = 0; j <= i; j++) {
          cov[i][j] += di * (row[j] - mean[j]);
        }
      }
    }
    for (int i = 0; i < s; i++) {
      for (int j = 0; j < i; j++) {
        cov[j][i] = cov[i][j];
      }
    }
    EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov));
    double[] values = eig.getRealEigenvalues();
    Integer[] order = new Integer[s];
    for (int i = 0; i < s; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
    double[][] components = new double[Math.min(k, s)][];
    for (int c = 0; c < components.length; c++) {
      components[c] = eig.getEigenvector(order[c]).toArray();
    }
    return new Pca(mean, components);
  }

  /**
   * The first three coordinates of a state.
   *
   * @param state {@code [S]}
   * @return (pc1, pc2, pc3), NaN beyond the available components
   */
  public double[] project(double[] state) {
    double[] c = {Double.NaN, Double.NaN, Double.NaN};
    for (int i = 0; i < components.length && i < 3; i++) {
      double sum = 0;
      for (int j = 0; j < state.length; j++) {
        sum += (state[j] - mean[j]) * components[i][j];
      }
      c[i] = sum;
    }
    return c;
  }

  /** The Euclidean distance of two projections over their non-NaN coordinates. */
  static double distance(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      if (!Double.isNaN(a[i]) && !Double.isNaN(b[i])) {
        sum += (a[i] - b[i]) * (a[i] - b[i]);
      }
    }
    return Math.sqrt(sum);
  }
}
