package engram.analysis.timescales;

import org.apache.commons.math3.complex.Complex;
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
 *       zero-padded to {@code L} = the next power of two ≥ 2n (so the circular correlation equals
 *       the linear one for every lag {@code k < n}), then {@code S = IFFT(|FFT(y)|²)} — Commons
 *       Math's {@link FastFourierTransformer} with {@link DftNormalization#STANDARD} (the inverse
 *       carries the 1/L factor);
 *   <li>normalise lag {@code k} by <b>{@code n − 1 − k}</b>, exactly as the spec states:
 *       {@code C_k = S_k / (n − 1 − k)}. (The textbook unbiased estimator divides by {@code n − k};
 *       the spec's divisor is one less, i.e. lag 0 is the sample variance with Bessel's correction.
 *       The difference after normalising by lag 0 is a factor {@code (n−1)(n−k)/(n(n−1−k))}, i.e.
 *       of order {@code k/n²}: negligible for long trials.) Because the divisor must be positive,
 *       lags are limited to {@code k ≤ n − 2}.
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
    FastFourierTransformer fft = new FastFourierTransformer(DftNormalization.STANDARD);
    double[] mean = new double[maxLag + 1];
    for (double[] trial : trials) {
      double[] c = trialAutocovariance(fft, trial, maxLag);
      for (int k = 0; k <= maxLag; k++) {
        mean[k] += c[k] / trials.length;
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

  /** {@code S_k / (n − 1 − k)} for one trial, after mean subtraction, by zero-padded FFT. */
  static double[] trialAutocovariance(FastFourierTransformer fft, double[] x, int maxLag) {
    int n = x.length;
    double m = 0;
    for (double v : x) {
      m += v;
    }
    m /= n;
    int len = 1;
    while (len < 2 * n) { // next power of two ≥ 2n: circular = linear correlation for k < n
      len <<= 1;
    }
    double[] padded = new double[len];
    for (int t = 0; t < n; t++) {
      padded[t] = x[t] - m;
    }
    Complex[] spectrum = fft.transform(padded, TransformType.FORWARD);
    double[] power = new double[len];
    for (int i = 0; i < len; i++) {
      double re = spectrum[i].getReal();
      double im = spectrum[i].getImaginary();
      power[i] = re * re + im * im;
    }
    Complex[] raw = fft.transform(power, TransformType.INVERSE);
    double[] c = new double[maxLag + 1];
    for (int k = 0; k <= maxLag; k++) {
      c[k] = raw[k].getReal() / (n - 1 - k);
    }
    return c;
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
