package engram.analysis.timescales;

import org.apache.commons.math3.analysis.MultivariateFunction;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Exponential fits of a normalised autocorrelation and model choice by AIC (curriculum spec §5
 * item 2). Lags {@code k} and timescales {@code τ} are in simulation steps.
 *
 * <p>Models, fitted by least squares on lags {@code k = 0 … maxLag} (the spec uses 30):
 *
 * <ul>
 *   <li>SINGLE: {@code f(k) = a·e^(−k/τ)}, {@code k_p = 2} parameters;
 *   <li>DOUBLE: {@code f(k) = a·[c·e^(−k/τ1) + (1−c)·e^(−k/τ2)]}, {@code k_p = 4};
 * </ul>
 *
 * with bounds {@code a, c ∈ [0, 1]} and {@code τ, τ1, τ2 ∈ [0, 100]} (at {@code τ = 0} the term
 * {@code e^(−k/τ)} is taken as its limit: 1 at {@code k = 0}, else 0). The model with the smaller
 * {@code AIC = 2·k_p + n·ln(RSS/n)} ({@code n = maxLag + 1} points, {@code RSS} = residual sum of
 * squares) is chosen; a tie goes to SINGLE. {@code τ_net} is the single τ, or the slower of τ1, τ2.
 * The DOUBLE result is reported canonically: {@code tau1 ≤ tau2} and {@code c} is the weight of the
 * fast component (swapping the components and replacing c by 1 − c leaves f unchanged).
 *
 * <p>Method: Apache Commons Math 3's {@link BOBYQAOptimizer} (Powell's derivative-free
 * trust-region method with simple bound constraints) minimises RSS directly. It was chosen over
 * Levenberg–Marquardt with a sigmoid parameter transform because the bounds are honoured exactly
 * and are reachable (an AR(1) autocorrelation has {@code a = 1} and a double fit that degenerates
 * to a single exponential has {@code c} at 0 or 1 — values a sigmoid transform can only approach
 * with vanishing gradients). Parameters are rescaled to the unit box (τ = 100·u) so one trust
 * region radius suits all of them. The single fit starts from τ ∈ {1, 5, 20, 60}; the double fit
 * from every τ1 ∈ {1, 3}, τ2 ∈ {10, 30, 80}, c ∈ {0.2, 0.5, 0.8} (a = 1); the best RSS is kept.
 */
public final class TimescaleFit {

  /** Upper bound of every τ, in steps. */
  public static final double TAU_MAX = 100.0;

  private static final double[] SINGLE_TAU_STARTS = {1, 5, 20, 60};
  private static final double[] DOUBLE_TAU1_STARTS = {1, 3};
  private static final double[] DOUBLE_TAU2_STARTS = {10, 30, 80};
  private static final double[] DOUBLE_C_STARTS = {0.2, 0.5, 0.8};
  private static final int MAX_EVAL = 20_000;

  /** Which model AIC selected. */
  public enum Model {
    SINGLE,
    DOUBLE
  }

  /**
   * Outcome of {@link #fit}.
   *
   * @param model the model AIC selected
   * @param tau τ_net in steps: the single τ, or max(τ1, τ2) when DOUBLE was selected
   * @param a amplitude of the selected model
   * @param c weight of the fast component (DOUBLE); NaN when SINGLE was selected
   * @param tau1 fast timescale of the double fit (always reported)
   * @param tau2 slow timescale of the double fit (always reported)
   * @param aicSingle AIC of the single fit
   * @param aicDouble AIC of the double fit
   * @param rssSingle residual sum of squares of the single fit
   * @param rssDouble residual sum of squares of the double fit
   * @param tauSingle τ of the single-exponential fit, whichever model was selected (a robust
   *     reading for one-timescale units: AIC selects DOUBLE on about 40% of pure AR(1) series)
   */
  public record Result(
      Model model,
      double tau,
      double a,
      double c,
      double tau1,
      double tau2,
      double aicSingle,
      double aicDouble,
      double rssSingle,
      double rssDouble,
      double tauSingle) {}

  private TimescaleFit() {}

  /**
   * Fits both models to {@code acf[0 … maxLag]} and chooses one by AIC.
   *
   * @param acf normalised autocorrelation (e.g. from {@link Autocorrelation#of}), lag 0 first
   * @param maxLag last lag fitted (spec: 30); needs {@code 4 ≤ maxLag < acf.length} so the double
   *     fit has more points than parameters
   */
  public static Result fit(double[] acf, int maxLag) {
    if (acf == null || maxLag < 4 || maxLag >= acf.length) {
      throw new IllegalArgumentException("need 4 <= maxLag < acf.length");
    }
    double[] y = new double[maxLag + 1];
    for (int k = 0; k <= maxLag; k++) {
      if (!Double.isFinite(acf[k])) {
        throw new IllegalArgumentException("non-finite autocorrelation at lag " + k);
      }
      y[k] = acf[k];
    }
    int n = y.length;

    // Single: u = (a, τ/100).
    MultivariateFunction single = u -> rss(y, u[0], 1.0, 100 * u[1], 0.0);
    double[] bestSingle = null;
    double rssSingle = Double.POSITIVE_INFINITY;
    for (double tau : SINGLE_TAU_STARTS) {
      PointValuePair p = minimise(single, new double[] {1.0, tau / TAU_MAX});
      if (p.getValue() < rssSingle) {
        rssSingle = p.getValue();
        bestSingle = p.getPoint();
      }
    }

    // Double: u = (a, c, τ1/100, τ2/100).
    MultivariateFunction dbl = u -> rss(y, u[0], u[1], 100 * u[2], 100 * u[3]);
    double[] bestDouble = null;
    double rssDouble = Double.POSITIVE_INFINITY;
    for (double t1 : DOUBLE_TAU1_STARTS) {
      for (double t2 : DOUBLE_TAU2_STARTS) {
        for (double c : DOUBLE_C_STARTS) {
          PointValuePair p = minimise(dbl, new double[] {1.0, c, t1 / TAU_MAX, t2 / TAU_MAX});
          if (p.getValue() < rssDouble) {
            rssDouble = p.getValue();
            bestDouble = p.getPoint();
          }
        }
      }
    }

    double aSingle = clamp01(bestSingle[0]);
    double tauSingle = TAU_MAX * clamp01(bestSingle[1]);
    double aDouble = clamp01(bestDouble[0]);
    double c = clamp01(bestDouble[1]);
    double tau1 = TAU_MAX * clamp01(bestDouble[2]);
    double tau2 = TAU_MAX * clamp01(bestDouble[3]);
    if (tau1 > tau2) { // canonical order: tau1 fast, c its weight
      double t = tau1;
      tau1 = tau2;
      tau2 = t;
      c = 1 - c;
    }

    double aicSingle = aic(2, n, rssSingle);
    double aicDouble = aic(4, n, rssDouble);
    if (aicDouble < aicSingle) {
      return new Result(Model.DOUBLE, tau2, aDouble, c, tau1, tau2,
          aicSingle, aicDouble, rssSingle, rssDouble, tauSingle);
    }
    return new Result(Model.SINGLE, tauSingle, aSingle, Double.NaN, tau1, tau2,
        aicSingle, aicDouble, rssSingle, rssDouble, tauSingle);
  }

  /** {@code AIC = 2·k_p + n·ln(RSS/n)}; RSS is floored at 1e-300 so a perfect fit stays finite. */
  static double aic(int kp, int n, double rss) {
    return 2.0 * kp + n * Math.log(Math.max(rss, 1e-300) / n);
  }

  /** {@code e^(−k/τ)}, with its limit at τ = 0 (1 at k = 0, otherwise 0). */
  static double decay(int k, double tau) {
    if (k == 0) {
      return 1.0;
    }
    return tau > 0 ? Math.exp(-k / tau) : 0.0;
  }

  /** RSS of {@code a·[c·e^(−k/τ1) + (1−c)·e^(−k/τ2)]} (single model: c = 1). */
  private static double rss(double[] y, double a, double c, double tau1, double tau2) {
    double s = 0;
    for (int k = 0; k < y.length; k++) {
      double f = a * (c * decay(k, tau1) + (1 - c) * decay(k, tau2));
      double r = y[k] - f;
      s += r * r;
    }
    return s;
  }

  /**
   * One bounded BOBYQA run from {@code start} in the unit box. Every evaluation is recorded and
   * the best point seen is returned, so a run that BOBYQA aborts (it can throw "trust region step
   * has failed to reduce Q" or run out of evaluations on degenerate data) still yields its best
   * feasible point instead of failing the whole fit.
   */
  private static PointValuePair minimise(MultivariateFunction f, double[] start) {
    int dim = start.length;
    double[] lower = new double[dim];
    double[] upper = new double[dim];
    java.util.Arrays.fill(upper, 1.0);
    double[][] bestPoint = {start.clone()};
    double[] bestValue = {f.value(start)};
    MultivariateFunction recorded = u -> {
      double[] v = new double[dim];
      for (int i = 0; i < dim; i++) {
        v[i] = clamp01(u[i]);
      }
      double value = f.value(v);
      if (value < bestValue[0]) {
        bestValue[0] = value;
        bestPoint[0] = v;
      }
      return value;
    };
    // 2·dim + 1 interpolation points (the recommended choice); initial radius 0.1 of the unit box.
    BOBYQAOptimizer opt = new BOBYQAOptimizer(2 * dim + 1, 0.1, 1e-10);
    try {
      opt.optimize(
          new MaxEval(MAX_EVAL),
          new ObjectiveFunction(recorded),
          GoalType.MINIMIZE,
          new InitialGuess(start),
          new SimpleBounds(lower, upper));
    } catch (MathIllegalStateException e) { // includes TooManyEvaluationsException
      // keep the best point evaluated so far
    }
    return new PointValuePair(bestPoint[0], bestValue[0]);
  }

  private static double clamp01(double v) {
    return Math.min(1.0, Math.max(0.0, v));
  }
}
