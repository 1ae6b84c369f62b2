package engram.analysis.geometry;

import java.util.Arrays;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * The numerics of the geometry metrics, on plain arrays (rows = samples, columns = units or
 * components); every decomposition is Commons Math's.
 */
final class GeometryMath {
  private GeometryMath() {}

  /** Column means of {@code x} {@code [n][d]}. */
  static double[] mean(double[][] x) {
    double[] mean = new double[x[0].length];
    for (double[] row : x) {
      for (int j = 0; j < mean.length; j++) {
        mean[j] += row[j] / x.length;
      }
    }
    return mean;
  }

  /** x with its column means removed, as a new array. */
  static double[][] centred(double[][] x) {
    double[] mean = mean(x);
    double[][] out = new double[x.length][mean.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < mean.length; j++) {
        out[i][j] = x[i][j] - mean[j];
      }
    }
    return out;
  }

  /** aᵀb for {@code a [n][p]}, {@code b [n][q]}: {@code [p][q]}. */
  static double[][] crossProduct(double[][] a, double[][] b) {
    int p = a[0].length;
    int q = b[0].length;
    double[][] out = new double[p][q];
    for (int i = 0; i < a.length; i++) {
      double[] ai = a[i];
      double[] bi = b[i];
      for (int r = 0; r < p; r++) {
        double v = ai[r];
        if (v == 0) {
          continue;
        }
        double[] row = out[r];
        for (int c = 0; c < q; c++) {
          row[c] += v * bi[c];
        }
      }
    }
    return out;
  }

  private static double frobeniusSquared(double[][] m) {
    double sum = 0;
    for (double[] row : m) {
      for (double v : row) {
        sum += v * v;
      }
    }
    return sum;
  }

  /**
   * Linear CKA (Kornblith et al. 2019) between two sets of states of the same n samples: with
   * column-centred X {@code [n][p]} and Y {@code [n][q]}, CKA = ‖YᵀX‖²_F / (‖XᵀX‖_F·‖YᵀY‖_F), in
   * [0, 1]; 1 when Y is an orthogonal transform of X times a scalar. NaN when either is constant.
   */
  static double linearCka(double[][] x, double[][] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          "CKA needs the same samples, got " + x.length + " and " + y.length + " rows");
    }
    double[][] xc = centred(x);
    double[][] yc = centred(y);
    double cross = frobeniusSquared(crossProduct(yc, xc));
    double xx = Math.sqrt(frobeniusSquared(crossProduct(xc, xc)));
    double yy = Math.sqrt(frobeniusSquared(crossProduct(yc, yc)));
    return xx > 0 && yy > 0 ? cross / (xx * yy) : Double.NaN;
  }

  /** Participation ratio (Σλ)² / Σλ² of non-negative values; NaN when all are 0. */
  static double participationRatio(double[] lambda) {
    double sum = 0;
    double squares = 0;
    for (double l : lambda) {
      sum += l;
      squares += l * l;
    }
    return squares > 0 ? sum * sum / squares : Double.NaN;
  }

  /** Singular values of a matrix, largest first. */
  static double[] singularValues(double[][] m) {
    return new SingularValueDecomposition(new Array2DRowRealMatrix(m, false)).getSingularValues();
  }

  /** Moduli |λ| of the eigenvalues of a general square matrix, largest first. */
  static double[] eigenvalueModuli(double[][] w) {
    EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(w, false));
    double[] re = eigen.getRealEigenvalues();
    double[] im = eigen.getImagEigenvalues();
    double[] moduli = new double[re.length];
    for (int k = 0; k < re.length; k++) {
      moduli[k] = Math.hypot(re[k], im[k]);
    }
    Arrays.sort(moduli);
    reverse(moduli);
    return moduli;
  }

  static void reverse(double[] v) {
    for (int i = 0, j = v.length - 1; i < j; i++, j--) {
      double t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
  }

  /**
   * Principal axes of x {@code [n][d]}: the top {@code k} eigenvectors of the covariance (mean
   * centred, divided by n), as rows {@code [k][d]}, with the mean {@code [d]} and the variances.
   */
  record Pca(double[] mean, double[][] axes, double[] variances) {
    /** Coordinates of one state on the axes, {@code [k]}. */
    double[] project(double[] state) {
      double[] out = new double[axes.length];
      for (int c = 0; c < axes.length; c++) {
        double sum = 0;
        for (int j = 0; j < state.length; j++) {
          sum += (state[j] - mean[j]) * axes[c][j];
        }
        out[c] = sum;
      }
      return out;
    }

    double[][] project(double[][] states) {
      double[][] out = new double[states.length][];
      for (int i = 0; i < states.length; i++) {
        out[i] = project(states[i]);
      }
      return out;
    }

    static Pca fit(double[][] x, int k) {
      double[] mean = GeometryMath.mean(x);
      double[][] centred = centred(x);
      double[][] covariance = crossProduct(centred, centred);
      int d = mean.length;
      for (double[] row : covariance) {
        for (int j = 0; j < d; j++) {
          row[j] /= x.length;
        }
      }
      EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(covariance));
      double[] values = eigen.getRealEigenvalues();
      Integer[] order = new Integer[d];
      for (int i = 0; i < d; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
      int kept = Math.min(k, d);
      double[][] axes = new double[kept][];
      double[] variances = new double[d];
      for (int c = 0; c < d; c++) {
        variances[c] = Math.max(values[order[c]], 0);
        if (c < kept) {
          axes[c] = eigen.getEigenvector(order[c]).toArray();
        }
      }
      return new Pca(mean, axes, variances);
    }
  }

  /** Eigenvalues of a symmetric covariance matrix, largest first, clipped at 0. */
  static double[] covarianceSpectrum(double[][] covariance) {
    double[] values =
        new EigenDecomposition(new Array2DRowRealMatrix(covariance)).getRealEigenvalues().clone();
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.max(values[i], 0);
    }
    Arrays.sort(values);
    reverse(values);
    return values;
  }

  /** The covariance spectrum (divided by n) of the states x {@code [n][d]}, largest first. */
  static double[] spectrum(double[][] x) {
    double[][] centred = centred(x);
    double[][] covariance = crossProduct(centred, centred);
    for (double[] row : covariance) {
      for (int j = 0; j < row.length; j++) {
        row[j] /= x.length;
      }
    }
    return covarianceSpectrum(covariance);
  }

  /**
   * Separation of condition clouds: the mean over pairs c &lt; c′ of ‖μ_c − μ_c′‖, divided by the
   * pooled within-condition spread √(Σ_i ‖z_i − μ_{c(i)}‖² / n) (the RMS distance of a state to its
   * condition's mean). Two isotropic Gaussian clouds of standard deviation σ per dimension in d
   * dimensions at distance D give D/(σ√d).
   *
   * @param z states {@code [n][d]}
   * @param condition condition index of each state, in {@code [0, conditions)}
   * @param conditions number of conditions, ≥ 2, each with at least one state
   */
  static double separation(double[][] z, int[] condition, int conditions) {
    double[][] means = conditionMeans(z, condition, conditions);
    double within = 0;
    for (int i = 0; i < z.length; i++) {
      within += squaredDistance(z[i], means[condition[i]]);
    }
    double spread = Math.sqrt(within / z.length);
    double between = 0;
    int pairs = 0;
    for (int a = 0; a < conditions; a++) {
      for (int b = a + 1; b < conditions; b++) {
        between += Math.sqrt(squaredDistance(means[a], means[b]));
        pairs++;
      }
    }
    return spread > 0 ? between / pairs / spread : Double.NaN;
  }

  static double[][] conditionMeans(double[][] z, int[] condition, int conditions) {
    int d = z[0].length;
    double[][] means = new double[conditions][d];
    int[] counts = new int[conditions];
    for (int i = 0; i < z.length; i++) {
      counts[condition[i]]++;
      for (int j = 0; j < d; j++) {
        means[condition[i]][j] += z[i][j];
      }
    }
    for (int c = 0; c < conditions; c++) {
      for (int j = 0; j < d; j++) {
        means[c][j] /= counts[c];
      }
    }
    return means;
  }

  static double squaredDistance(double[] a, double[] b) {
    double sum = 0;
    for (int j = 0; j < a.length; j++) {
      double d = a[j] - b[j];
      sum += d * d;
    }
    return sum;
  }

  /**
   * Cross-validated accuracy of a ridge least-squares decoder of the condition: one-hot targets
   * (one column per condition), features centred on the training fold with an intercept, weights
   * minimising (1/n)‖Xw − Y‖² + λ‖w‖² (normal equations, Cholesky); the predicted condition is the
   * argmax. Folds are by group (trial), group g in fold g mod folds, so states of one trial are
   * never both trained on and tested.
   *
   * @param z states {@code [n][d]}
   * @param condition condition of each state, in {@code [0, conditions)}
   * @param group trial of each state, ≥ 0
   * @param conditions number of conditions
   * @param folds number of folds, ≥ 2
   * @param lambda ridge strength λ &gt; 0
   * @return the fraction of held-out states decoded right, in [0, 1]
   */
  static double decodingAccuracy(
      double[][] z, int[] condition, int[] group, int conditions, int folds, double lambda) {
    int d = z[0].length;
    int correct = 0;
    int tested = 0;
    for (int fold = 0; fold < folds; fold++) {
      int train = 0;
      double[] mean = new double[d];
      for (int i = 0; i < z.length; i++) {
        if (group[i] % folds != fold) {
          train++;
          for (int j = 0; j < d; j++) {
            mean[j] += z[i][j];
          }
        }
      }
      if (train == 0 || train == z.length) {
        continue;
      }
      for (int j = 0; j < d; j++) {
        mean[j] /= train;
      }
      double[][] gram = new double[d][d];
      double[][] xty = new double[d][conditions];
      double[] targetMean = new double[conditions];
      for (int i = 0; i < z.length; i++) {
        if (group[i] % folds != fold) {
          targetMean[condition[i]] += 1.0 / train;
        }
      }
      for (int i = 0; i < z.length; i++) {
        if (group[i] % folds == fold) {
          continue;
        }
        double[] x = new double[d];
        for (int j = 0; j < d; j++) {
          x[j] = z[i][j] - mean[j];
        }
        for (int r = 0; r < d; r++) {
          for (int c = 0; c < d; c++) {
            gram[r][c] += x[r] * x[c] / train;
          }
          for (int c = 0; c < conditions; c++) {
            double y = (condition[i] == c ? 1 : 0) - targetMean[c];
            xty[r][c] += x[r] * y / train;
          }
        }
      }
      for (int r = 0; r < d; r++) {
        gram[r][r] += lambda;
      }
      DecompositionSolver solver =
          new CholeskyDecomposition(new Array2DRowRealMatrix(gram, false)).getSolver();
      RealMatrix weights = solver.solve(new Array2DRowRealMatrix(xty, false));
      for (int i = 0; i < z.length; i++) {
        if (group[i] % folds != fold) {
          continue;
        }
        double[] x = new double[d];
        for (int j = 0; j < d; j++) {
          x[j] = z[i][j] - mean[j];
        }
        double[] score = weights.preMultiply(new ArrayRealVector(x, false)).toArray();
        int best = 0;
        for (int c = 1; c < conditions; c++) {
          if (score[c] + targetMean[c] > score[best] + targetMean[best]) {
            best = c;
          }
        }
        correct += best == condition[i] ? 1 : 0;
        tested++;
      }
    }
    return tested == 0 ? Double.NaN : correct / (double) tested;
  }
}
