package engram.studies.geometry;

import java.util.Arrays;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.HypergeometricDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Statistics of times to an event that some runs never reach (right-censored at the run's budget,
 * written as +∞), and of counts. Distribution-free, deterministic; no randomness.
 *
 * <ul>
 *   <li>{@link #median}: the sample median with +∞ sorted last (so it is +∞ when at most half the
 *       runs reached the event).
 *   <li>{@link #medianInterval}: the order-statistic confidence interval of the median [x₍ₖ₎,
 *       x₍ₙ₋ₖ₊₁₎] with the largest k for which P(Binomial(n, ½) &lt; k) ≤ (1 − level)/2 (Conover,
 *       <i>Practical Nonparametric Statistics</i>, §3.2); it covers the median with probability ≥
 *       level; {@code null} when n is too small for any k ≥ 1.
 *   <li>{@link #lessP}: one-sided Mann–Whitney (Wilcoxon rank-sum) p-value that values of {@code a}
 *       tend to be smaller than those of {@code b}; ties (all +∞ tie) get mid-ranks, the normal
 *       approximation uses the tie-corrected variance and a continuity correction of ½.
 *   <li>{@link #moreSuccessesP}: one-sided Fisher exact p-value that group a succeeds more often
 *       than group b: P(X ≥ successes of a) for X hypergeometric with the margins of the 2 × 2
 *       table.
 * </ul>
 */
final class Censored {
  private Censored() {}

  /** Median with +∞ sorted last; NaN for no values. NaNs are ignored. */
  static double median(double[] values) {
    double[] x = sorted(values);
    int n = x.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? x[n / 2] : mid(x[n / 2 - 1], x[n / 2]);
  }

  private static double mid(double a, double b) {
    return Double.isInfinite(b) ? b : (a + b) / 2;
  }

  /**
   * The distribution-free confidence interval of the median.
   *
   * @param values times (+∞ for censored); NaNs ignored
   * @param level coverage wanted, in (0, 1), e.g. 0.95
   * @return {lower, upper, actual coverage}, or null when n is too small for that level
   */
  static double[] medianInterval(double[] values, double level) {
    double[] x = sorted(values);
    int n = x.length;
    if (n == 0) {
      return null;
    }
    BinomialDistribution b = new BinomialDistribution(null, n, 0.5);
    double tail = (1 - level) / 2;
    int k = 0;
    while (k + 1 <= n / 2 && b.cumulativeProbability(k) <= tail) {
      k++; // P(B ≤ k − 1) = P(B < k) ≤ tail for the new k
    }
    if (k == 0) {
      return null;
    }
    double coverage = 1 - 2 * b.cumulativeProbability(k - 1);
    return new double[] {x[k - 1], x[n - k], coverage};
  }

  /**
   * One-sided Mann–Whitney p-value for "a is smaller than b".
   *
   * @return p in [0, 1]; NaN when either sample is empty
   */
  static double lessP(double[] a, double[] b) {
    double[] x = sorted(a);
    double[] y = sorted(b);
    int n1 = x.length;
    int n2 = y.length;
    if (n1 == 0 || n2 == 0) {
      return Double.NaN;
    }
    double[] all = new double[n1 + n2];
    System.arraycopy(x, 0, all, 0, n1);
    System.arraycopy(y, 0, all, n1, n2);
    double[] pooled = all.clone();
    Arrays.sort(pooled);
    int n = n1 + n2;
    // rank sum of a with mid-ranks, and the tie term Σ (t³ − t)
    double rankSumA = 0;
    for (int i = 0; i < n1; i++) {
      rankSumA += midRank(pooled, x[i]);
    }
    double ties = 0;
    for (int i = 0; i < n; ) {
      int j = i;
      while (j < n && Double.compare(pooled[j], pooled[i]) == 0) {
        j++;
      }
      double t = j - i;
      ties += t * t * t - t;
      i = j;
    }
    double u = rankSumA - n1 * (n1 + 1) / 2.0; // pairs (a_i, b_j) with a_i > b_j, ties ½
    double mean = n1 * (double) n2 / 2;
    double variance = n1 * (double) n2 / 12 * ((n + 1) - ties / (n * (double) (n - 1)));
    if (variance <= 0) {
      return 1.0; // every value tied: no evidence either way
    }
    double z = (u - mean + 0.5) / Math.sqrt(variance);
    return new NormalDistribution(null, 0, 1).cumulativeProbability(z);
  }

  private static double midRank(double[] pooled, double v) {
    int first = -1;
    int last = -1;
    for (int i = 0; i < pooled.length; i++) {
      if (Double.compare(pooled[i], v) == 0) {
        if (first < 0) {
          first = i;
        }
        last = i;
      }
    }
    return (first + last) / 2.0 + 1;
  }

  /**
   * One-sided Fisher exact p-value that group a has a larger success fraction than group b.
   *
   * @param successesA successes in a
   * @param sizeA runs in a
   * @param successesB successes in b
   * @param sizeB runs in b
   * @return p in [0, 1]; NaN when either group is empty
   */
  static double moreSuccessesP(int successesA, int sizeA, int successesB, int sizeB) {
    if (sizeA == 0 || sizeB == 0) {
      return Double.NaN;
    }
    int successes = successesA + successesB;
    if (successes == 0) {
      return 1.0;
    }
    HypergeometricDistribution h =
        new HypergeometricDistribution(null, sizeA + sizeB, successes, sizeA);
    return h.upperCumulativeProbability(successesA);
  }

  private static double[] sorted(double[] values) {
    return Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
  }
}
