package engram.api.study;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Collection;
import java.util.Locale;
import org.apiguardian.api.API;

/**
 * Summary of one quantity over runs (seeds): count, mean, sample standard deviation (divisor n − 1;
 * 0 for a single value), min and max. Non-finite values are left out; with none left, n = 0 and the
 * rest are NaN.
 *
 * @param n the number of finite values
 * @param mean their mean
 * @param std their sample standard deviation
 * @param min the smallest
 * @param max the largest
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record Stats(int n, double mean, double std, double min, double max) {

  /**
   * Statistics of the finite values.
   *
   * @param values any values; NaN and infinities are left out
   * @return the summary
   */
  public static Stats of(double... values) {
    int n = 0;
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (Double.isFinite(v)) {
        n++;
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    if (n == 0) {
      return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    double mean = sum / n;
    double squares = 0;
    for (double v : values) {
      if (Double.isFinite(v)) {
        squares += (v - mean) * (v - mean);
      }
    }
    return new Stats(n, mean, n > 1 ? Math.sqrt(squares / (n - 1)) : 0.0, min, max);
  }

  /**
   * Statistics of the finite values.
   *
   * @param values any values, no null element
   * @return the summary
   */
  public static Stats of(Collection<Double> values) {
    return of(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /**
   * Whether there is at least one value.
   *
   * @return {@code n > 0}
   */
  public boolean present() {
    return n > 0;
  }

  /**
   * Pooled standard deviation of two groups, √(((n₁−1)s₁² + (n₂−1)s₂²)/(n₁+n₂−2)).
   *
   * @param a one group
   * @param b the other
   * @return the pooled std; 0 when both have one value (or none)
   */
  public static double pooledStd(Stats a, Stats b) {
    int dof = a.n + b.n - 2;
    if (dof <= 0) {
      return 0.0;
    }
    return Math.sqrt(((a.n - 1) * a.std * a.std + (b.n - 1) * b.std * b.std) / dof);
  }

  /**
   * {@code mean ± std (n = k)} with three significant digits.
   *
   * @return the text, or {@code no data} when there is no value
   */
  public String format() {
    return present() ? number(mean) + " ± " + number(std) + " (n = " + n + ")" : "no data";
  }

  /**
   * A number as reports write it: whole numbers below 10⁶ as integers, others with three
   * significant digits ('.' as decimal separator), very small or large ones as {@code 1.23e-05}.
   *
   * @param value any number
   * @return its text; {@code NaN} and {@code Infinity} as Java writes them
   */
  public static String number(double value) {
    if (!Double.isFinite(value)) {
      return String.valueOf(value);
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e6) {
      return String.valueOf((long) value);
    }
    double magnitude = Math.abs(value);
    if (magnitude >= 1e-3 && magnitude < 1e6) {
      return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
    return String.format(Locale.ROOT, "%.2e", value);
  }
}
