package engram.analysis.timescales;

import org.apache.commons.math3.transform.DftNormalization;
import org.apache.commons.math3.transform.FastFourierTransformer;
import org.apache.commons.math3.transform.TransformType;

/**
 * Trial-averaged, normalised autocorrelation of one neuron's activity (curriculum spec §5 item 2).
 *
 * <p>For every trial {@code x_0 … x_{n−1}} (time in simulation steps):
 *
 * <ol>
 *   <li>subtract the trial mean: {@code y_t = x_t − mean(x)};
 *   <li>raw lagged sums {@code S_k = Σ_{t=0}^{n−1−k} y_t · y_{t+k}}, computed by FFT: {@code y} is
 *       zero-padded to {@code L} = the next power of two ≥ n + maxLag (the spec's "2n" padding is
 *       what all lags need; for lags {@code k ≤ maxLag} the circular correlation already equals the
 *       linear one once {@code L ≥ n + k}, because every wrapped-around product then meets a padded
 *       zero), then {@code S = IFFT(|FFT(y)|²)} — Commons Math's in-place {@link
 *       FastFourierTransformer#transformInPlace} with {@link DftNormalization#STANDARD} (the
 *       inverse carries the 1/L factor). Two real trials share one complex transform ({@code z = y¹
 *       + i·y²}; {@code |Y¹_j|² = |Z_j + conj(Z_{L−j})|²/4}, {@code |Y²_j|² = |Z_j −
 *       conj(Z_{L−j})|²/4}; the inverse of the real, even {@code |Y¹|² + i·|Y²|²} has {@code S¹} as
 *       real and {@code S²} as imaginary part), so a trial costs one FFT of length L: O(n log n);
 *   <li>normalise lag {@code k} by <b>{@code n − 1 − k}</b>, exactly as the spec states: {@code C_k
 *       = S_k / (n − 1 − k)}. (The textbook unbiased estimator divides by {@code n − k}; the spec's
 *       divisor is one less, i.e. lag 0 is the sample variance with Bessel's correction. The
 *       difference after normalising by lag 0 is a factor {@code (n−1)(n−k)/(n(n−1−k))}, i.e. of
 *       order {@code k/n²}: negligible for long trials.) Because the divisor must be positive, lags
 *       are limited to {@code k ≤ n − 2}.
 * </ol>
 *
 * Then average {@code C_k} over trials (plain mean, each trial weighted equally) and divide by the
 * average at lag 0, so {@code acf[0] == 1} exactly. Lags are in steps.
 */
public final class Autocorrelation {

  private Autocorrelation() {}

  /**
   * Normalised autocorrelation for all lags {@code 0 … n_min − 2} ({@code n_min} = shortest trial).
   *
   * @param trials trials × time for ONE neuron; every trial needs at least 2 steps
   * @return {@code acf[k]} for {@code k = 0 … n_min − 2}, with {@code acf[0] = 1}
   * @throws IllegalArgumentException on no trials, too short trials, non-finite values, or when
   *     every trial is constant (zero variance, the autocorrelation is undefined)
   */
  public static double[] of(double[][] trials) {
    return of(trials, minLength(trials) - 2);
  }

  /**
   * Normalised autocorrelation for lags {@code 0 … maxLag}.
   *
   * @param trials trials × time for ONE neuron
   * @param maxLag largest lag in steps, {@code 0 ≤ maxLag ≤ n_min − 2}
   * @return {@code acf[k]} for {@code k = 0 … maxLag}, with {@code acf[0] = 1}
   */
  public static double[] of(double[][] trials, int maxLag) {
    int nMin = minLength(trials);
    if (maxLag < 0 || maxLag > nMin - 2) {
      throw new IllegalArgumentException(
          "maxLag must be in [0, n-2] = [0, " + (nMin - 2) + "], got " + maxLag);
    }
    double[] mean = new double[maxLag + 1];
    for (int i = 0; i < trials.length; i += 2) {
      double[] second = i + 1 < trials.length ? trials[i + 1] : null;
      double[][] c = pairAutocovariance(trials[i], second, maxLag);
      for (int j = 0; j < c.length; j++) {
        for (int k = 0; k <= maxLag; k++) {
          mean[k] += c[j][k] / trials.length;
        }
      }
    }
    double c0 = mean[0];
    if (!(c0 > 0)) {
      throw new IllegalArgumentException("zero variance in every trial: autocorrelation undefined");
    }
    double[] acf = new double[maxLag + 1];
    for (int k = 0; k <= maxLag; k++) {
      acf[k] = mean[k] / c0;
    }
    acf[0] = 1.0;
    return acf;
  }

  /**
   * {@code S_k / (n − 1 − k)} after mean subtraction, for {@code k = 0 … maxLag}, of {@code x} and
   * (unless null) {@code x2}, both from one complex FFT and one inverse.
   *
   * @return one row per given trial
   */
  static double[][] pairAutocovariance(double[] x, double[] x2, int maxLag) {
    int n = x.length;
    int n2 = x2 == null ? 0 : x2.length;
    int len = 1;
    while (len < Math.max(n, n2) + maxLag) { // circular = linear correlation for lags ≤ maxLag
      len <<= 1;
    }
    double[] re = new double[len];
    double[] im = new double[len];
    centre(x, re);
    if (x2 != null) {
      centre(x2, im);
    }
    double[][] data = {re, im};
    FastFourierTransformer.transformInPlace(data, DftNormalization.STANDARD, TransformType.FORWARD);
    double[] p1 = new double[len];
    double[] p2 = new double[len];
    for (int j = 0; j < len; j++) {
      int mirror = (len - j) & (len - 1);
      double a = re[j];
      double b = im[j];
      double c = re[mirror];
      double d = im[mirror];
      p1[j] = ((a + c) * (a + c) + (b - d) * (b - d)) / 4;
      p2[j] = ((a - c) * (a - c) + (b + d) * (b + d)) / 4;
    }
    data = new double[][] {p1, p2};
    FastFourierTransformer.transformInPlace(data, DftNormalization.STANDARD, TransformType.INVERSE);
    double[][] c = new double[x2 == null ? 1 : 2][maxLag + 1];
    for (int k = 0; k <= maxLag; k++) {
      c[0][k] = p1[k] / (n - 1 - k);
      if (x2 != null) {
        c[1][k] = p2[k] / (n2 - 1 - k);
      }
    }
    return c;
  }

  /** Writes {@code x − mean(x)} into the start of {@code out}. */
  private static void centre(double[] x, double[] out) {
    double m = 0;
    for (double v : x) {
      m += v;
    }
    m /= x.length;
    for (int t = 0; t < x.length; t++) {
      out[t] = x[t] - m;
    }
  }

  private static int minLength(double[][] trials) {
    if (trials == null || trials.length == 0) {
      throw new IllegalArgumentException("need at least one trial");
    }
    int nMin = Integer.MAX_VALUE;
    for (double[] trial : trials) {
      if (trial == null || trial.length < 2) {
        throw new IllegalArgumentException("every trial needs at least 2 steps");
      }
      for (double v : trial) {
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException("non-finite value in trial");
        }
      }
      nMin = Math.min(nMin, trial.length);
    }
    return nMin;
  }
}
