package engram.bench;

import java.util.Arrays;

/**
 * Median and spread of repeated measurements (quantiles by linear interpolation between order
 * statistics, as numpy's default).
 */
public record Summary(double median, double p25, double p75, double min, double max, int count) {

  /**
   * Summarises {@code values}.
   *
   * @throws IllegalArgumentException when there are none
   */
  public static Summary of(double... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values to summarise");
    }
    double[] v = values.clone();
    Arrays.sort(v);
    return new Summary(
        quantile(v, 0.5), quantile(v, 0.25), quantile(v, 0.75), v[0], v[v.length - 1], v.length);
  }

  /** The q-quantile of sorted values, interpolating linearly. */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /**
   * Engram's time over PyTorch's (above 1: Engram is slower), from the two medians.
   *
   * @return NaN when either is missing or the reference is not positive
   */
  public static double ratio(double engramMs, double torchMs) {
    if (!(torchMs > 0) || !Double.isFinite(engramMs)) {
      return Double.NaN;
    }
    return engramMs / torchMs;
  }

  /** {@code 123.4 ms (IQR 120.1–125.0, min–max 119.0–130.2, n=5)}. */
  public String describe() {
    return String.format(
        java.util.Locale.ROOT,
        "%.1f ms (IQR %.1f–%.1f, min–max %.1f–%.1f, n=%d)",
        median,
        p25,
        p75,
        min,
        max,
        count);
  }
}
