package engram.analysis.fixedpoints;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Fixed and slow points of a discrete-time map s' = F(s) (Sussillo &amp; Barak 2013; the options
 * follow mattgolub/fixed-point-finder). Pure numerics, no I/O.
 *
 * <p>For every initial state h (a row of {@code [n][S]}) it minimises the speed
 *
 * <pre>
 *   q(h) = ½‖F(h) − h‖²,   ∇q = (J − I)ᵀ (F(h) − h),   J = ∂F/∂h
 * </pre>
 *
 * (∇q from one VJP, no full Jacobian) with Adam, each point with its own learning rate: a step that
 * raises q is undone and the rate halved, a step that lowers it grows the rate by 5% (up to the
 * initial rate) — so q never increases. Points stop at q ≤ tol. Then Newton refinement
 * (Levenberg–Marquardt): ((J − I)ᵀ(J − I) + μI) δ = −(J − I)ᵀ(F(h) − h), μ from 0 (a plain Newton
 * step (J − I)δ = −(F − h)) growing ×100 while the step does not lower q; a singular J − I is
 * handled by μ > 0. A point with q ≤ max(tol, ½·S·resolution²) is a fixed point; otherwise it is a
 * slow point (a local minimum of q, e.g. a ghost) and reported with its q.
 *
 * <p>Then: points with q above {@code maxQ} are dropped; outliers farther from the centroid of the
 * initial states than {@code outlierScale} × the median distance of the initial states to it are
 * dropped; points closer than {@code uniqueTol} (Euclidean) to a point of lower q are duplicates.
 * At every kept point the eigenvalues λ of J (Apache Commons Math, non-symmetric) classify it for
 * the discrete map: {@code stable} when no |λ| exceeds 1, {@code unstable} when every |λ| does,
 * {@code saddle} otherwise.
 *
 * <p>The finder itself is deterministic; randomness enters only in {@link #initialStates}, from the
 * generator the caller passes.
 */
public final class FixedPointFinder {

  /**
   * @param maxIterations Adam iterations at most, ≥ 0
   * @param learningRate Adam's initial (and largest) step size, &gt; 0
   * @param tolQ q at which a point stops, ≥ 0 (1e-12 in fixed-point-finder)
   * @param newtonIterations Levenberg–Marquardt iterations at most, ≥ 0
   * @param maxQ points with a larger final q are dropped (+∞ keeps all)
   * @param uniqueTol distance under which two points are one, ≥ 0 (1e-3)
   * @param outlierScale outlier distance in medians of the initial states' distance (10; +∞ keeps
   *     all)
   */
  public record Options(
      int maxIterations,
      double learningRate,
      double tolQ,
      int newtonIterations,
      double maxQ,
      double uniqueTol,
      double outlierScale) {
    public Options {
      if (maxIterations < 0
          || newtonIterations < 0
          || !(learningRate > 0)
          || !(tolQ >= 0)
          || !(maxQ >= 0)
          || !(uniqueTol >= 0)
          || !(outlierScale > 0)) {
        throw new IllegalArgumentException(
            "bad fixed-point options: "
                + maxIterations
                + ", "
                + learningRate
                + ", "
                + tolQ
                + ", "
                + newtonIterations
                + ", "
                + maxQ
                + ", "
                + uniqueTol
                + ", "
                + outlierScale);
      }
    }

    /** The defaults of fixed-point-finder: 5,000 iterations, lr 1, tol 1e-12, 1e-3, 10×. */
    public static Options defaults() {
      return new Options(5000, 1.0, 1e-12, 20, Double.POSITIVE_INFINITY, 1e-3, 10);
    }
  }

  /** Stability of a point of a discrete-time map, from the moduli of J's eigenvalues. */
  public enum Stability {
    /** No |λ| above 1: an attractor (marginal when some |λ| = 1). */
    STABLE,
    /** Some |λ| above 1 and some not. */
    SADDLE,
    /** Every |λ| above 1: a repeller. */
    UNSTABLE;

    /** The spelling in tables. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One point found.
   *
   * @param state h, {@code [S]}
   * @param q ½‖F(h) − h‖² at h
   * @param fixed whether q is at the tolerance (else a slow point)
   * @param eigenReal real parts of J's eigenvalues, by decreasing |λ|
   * @param eigenImag imaginary parts, in the same order
   * @param stability the class from the |λ|
   * @param unstableCount how many |λ| exceed 1
   */
  public record Point(
      double[] state,
      double q,
      boolean fixed,
      double[] eigenReal,
      double[] eigenImag,
      Stability stability,
      int unstableCount) {
    /** |λ| of the leading eigenvalue. */
    public double leadingModulus() {
      return eigenReal.length == 0 ? 0 : Math.hypot(eigenReal[0], eigenImag[0]);
    }
  }

  private final StepMap map;
  private final Options options;

  /**
   * A finder of {@code map}'s points.
   *
   * @param map F
   * @param options the search's options
   */
  public FixedPointFinder(StepMap map, Options options) {
    this.map = map;
    this.options = options;
  }

  /**
   * n initial states: rows drawn uniformly (with replacement) from {@code states} plus N(0, noise²)
   * on every coordinate.
   *
   * @param states candidate states {@code [m][S]}, m ≥ 1, e.g. trajectory states
   * @param n how many, ≥ 1
   * @param noise standard deviation of the added noise, ≥ 0
   * @param rng the only randomness: n row indices, then n·S Gaussians, in that order
   * @return {@code [n][S]}, new
   */
  public static double[][] initialStates(
      double[][] states, int n, double noise, RandomGenerator rng) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = rng.nextInt(states.length);
    }
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) {
      out[i] = states[rows[i]].clone();
      for (int k = 0; k < out[i].length; k++) {
        out[i][k] += noise * rng.nextGaussian();
      }
    }
    return out;
  }

  /**
   * Searches from every initial state, then refines, filters, de-duplicates and classifies.
   *
   * @param initial {@code [n][S]}, n ≥ 1; not modified
   * @return the distinct points by increasing q
   */
  public List<Point> find(double[][] initial) {
    double[][] h = optimise(initial);
    double[] q = speeds(h, map.apply(h));
    for (int i = 0; i < h.length; i++) {
      q[i] = refine(h[i], q[i]);
    }
    double fixedQ =
        Math.max(options.tolQ(), 0.5 * map.dimension() * map.resolution() * map.resolution());
    double[] centroid = centroid(initial);
    double limit = options.outlierScale() * medianDistance(initial, centroid);
    Integer[] order = new Integer[h.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> q[i]));
    List<Point> kept = new ArrayList<>();
    for (int i : order) {
      if (!(q[i] <= options.maxQ()) || (limit > 0 && distance(h[i], centroid) > limit)) {
        continue; // NaN q (a diverged search) is dropped too
      }
      boolean duplicate = false;
      for (Point p : kept) {
        if (distance(p.state(), h[i]) < options.uniqueTol()) {
          duplicate = true;
          break;
        }
      }
      if (!duplicate) {
        kept.add(classify(h[i], q[i], q[i] <= fixedQ));
      }
    }
    return List.copyOf(kept);
  }

  /** Adam on q per point with the monotone adaptive rate of the class comment. */
  double[][] optimise(double[][] initial) {
    return optimise(map, options, initial, options.tolQ(), 0, 0);
  }

  /**
   * Adam on q per point with the monotone adaptive rate of the class comment, all active points in
   * one batched call of F and one of the VJP per iteration; a point stops when q ≤ {@code stopQ},
   * when its rate has fallen below 1e-14, or (when {@code stallWindow} &gt; 0) when q has fallen by
   * less than the fraction {@code stallRatio} over the last {@code stallWindow} iterations.
   */
  static double[][] optimise(
      StepMap map,
      Options options,
      double[][] initial,
      double stopQ,
      int stallWindow,
      double stallRatio) {
    int n = initial.length;
    int s = map.dimension();
    double[][] h = new double[n][];
    for (int i = 0; i < n; i++) {
      h[i] = initial[i].clone();
    }
    double[][] m = new double[n][s];
    double[][] v = new double[n][s];
    double[] lr = new double[n];
    int[] t = new int[n];
    Arrays.fill(lr, options.learningRate());
    double[][] f = map.apply(h);
    double[] q = speeds(h, f);
    double[] windowStart = q.clone();
    boolean[] stalled = new boolean[n];
    final double beta1 = 0.9;
    final double beta2 = 0.999;
    final double eps = 1e-8;
    for (int it = 0; it < options.maxIterations(); it++) {
      List<Integer> active = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (stallWindow > 0 && it > 0 && it % stallWindow == 0) {
          stalled[i] |= !(q[i] < (1 - stallRatio) * windowStart[i]);
          windowStart[i] = q[i];
        }
        if (q[i] > stopQ && lr[i] > 1e-14 && !stalled[i]) {
          active.add(i);
        }
      }
      if (active.isEmpty()) {
        break;
      }
      double[][] ha = new double[active.size()][];
      double[][] ra = new double[active.size()][];
      for (int a = 0; a < ha.length; a++) {
        int i = active.get(a);
        ha[a] = h[i];
        ra[a] = residual(f[i], h[i]);
      }
      double[][] jtr = map.vjp(ha, ra);
      double[][] trial = new double[ha.length][s];
      for (int a = 0; a < ha.length; a++) {
        int i = active.get(a);
        t[i]++;
        double c1 = 1 - Math.pow(beta1, t[i]);
        double c2 = 1 - Math.pow(beta2, t[i]);
        for (int k = 0; k < s; k++) {
          double g = jtr[a][k] - ra[a][k]; // (J − I)ᵀ r
          m[i][k] = beta1 * m[i][k] + (1 - beta1) * g;
          v[i][k] = beta2 * v[i][k] + (1 - beta2) * g * g;
          trial[a][k] = h[i][k] - lr[i] * (m[i][k] / c1) / (Math.sqrt(v[i][k] / c2) + eps);
        }
      }
      double[][] ft = map.apply(trial);
      for (int a = 0; a < ha.length; a++) {
        int i = active.get(a);
        double qt = speed(trial[a], ft[a]);
        if (qt < q[i]) {
          h[i] = trial[a];
          f[i] = ft[a];
          q[i] = qt;
          lr[i] = Math.min(options.learningRate(), lr[i] * 1.05);
        } else {
          // Undo the step: q never grows, so a point cannot wander off a basin it has found.
          lr[i] *= 0.5;
        }
      }
    }
    return h;
  }

  /** Levenberg–Marquardt on F(h) − h = 0 in place; returns the final q. */
  double refine(double[] h, double q) {
    int s = h.length;
    double mu = 0;
    for (int it = 0; it < options.newtonIterations() && q > 1e-30; it++) {
      double[] f = map.apply(new double[][] {h})[0];
      double[] r = residual(f, h);
      RealMatrix a = new Array2DRowRealMatrix(map.jacobian(h));
      for (int k = 0; k < s; k++) {
        a.addToEntry(k, k, -1);
      }
      RealMatrix normal = a.transpose().multiply(a);
      double scale = Math.max(normal.getTrace() / s, 1e-300);
      ArrayRealVector rhs = new ArrayRealVector(a.transpose().operate(r));
      rhs.mapMultiplyToSelf(-1);
      boolean improved = false;
      for (int tries = 0; tries < 12 && !improved; tries++) {
        double[] delta;
        try {
          if (mu == 0) {
            delta =
                new LUDecomposition(a, 1e-14)
                    .getSolver()
                    .solve(new ArrayRealVector(r).mapMultiply(-1))
                    .toArray();
          } else {
            RealMatrix damped = normal.copy();
            for (int k = 0; k < s; k++) {
              damped.addToEntry(k, k, mu * scale);
            }
            delta = new LUDecomposition(damped, 0).getSolver().solve(rhs).toArray();
          }
        } catch (RuntimeException singular) {
          delta = null;
        }
        if (delta != null) {
          double[] next = new double[s];
          for (int k = 0; k < s; k++) {
            next[k] = h[k] + delta[k];
          }
          double qn = speed(next, map.apply(new double[][] {next})[0]);
          if (qn < q) {
            System.arraycopy(next, 0, h, 0, s);
            q = qn;
            improved = true;
            mu = mu == 0 ? 0 : mu / 10;
            break;
          }
        }
        mu = mu == 0 ? 1e-10 : mu * 100;
      }
      if (!improved) {
        break; // a slow point: no step lowers q
      }
    }
    return q;
  }

  /** The eigenvalues of J at h and the class they give. */
  Point classify(double[] h, double q, boolean fixed) {
    return classify(h, q, fixed, map.jacobian(h));
  }

  /** The eigenvalues of {@code jacobian} (J at h) and the class they give. */
  static Point classify(double[] h, double q, boolean fixed, double[][] jacobian) {
    EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(jacobian));
    double[] re = eig.getRealEigenvalues();
    double[] im = eig.getImagEigenvalues();
    Integer[] order = new Integer[re.length];
    for (int k = 0; k < order.length; k++) {
      order[k] = k;
    }
    Arrays.sort(order, Comparator.comparingDouble(k -> -Math.hypot(re[k], im[k])));
    double[] sr = new double[re.length];
    double[] si = new double[re.length];
    int unstable = 0;
    for (int k = 0; k < order.length; k++) {
      sr[k] = re[order[k]];
      si[k] = im[order[k]];
      if (Math.hypot(sr[k], si[k]) > 1) {
        unstable++;
      }
    }
    Stability stability =
        unstable == 0
            ? Stability.STABLE
            : unstable == re.length ? Stability.UNSTABLE : Stability.SADDLE;
    return new Point(h.clone(), q, fixed, sr, si, stability, unstable);
  }

  static double[] residual(double[] f, double[] h) {
    double[] r = new double[h.length];
    for (int k = 0; k < h.length; k++) {
      r[k] = f[k] - h[k];
    }
    return r;
  }

  static double speed(double[] h, double[] f) {
    double sum = 0;
    for (int k = 0; k < h.length; k++) {
      double d = f[k] - h[k];
      sum += d * d;
    }
    return Double.isFinite(sum) ? 0.5 * sum : Double.NaN;
  }

  static double[] speeds(double[][] h, double[][] f) {
    double[] q = new double[h.length];
    for (int i = 0; i < h.length; i++) {
      q[i] = speed(h[i], f[i]);
    }
    return q;
  }

  static double[] centroid(double[][] x) {
    double[] c = new double[x[0].length];
    for (double[] row : x) {
      for (int k = 0; k < c.length; k++) {
        c[k] += row[k] / x.length;
      }
    }
    return c;
  }

  static double medianDistance(double[][] x, double[] c) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = distance(x[i], c);
    }
    Arrays.sort(d);
    return d.length % 2 == 1 ? d[d.length / 2] : 0.5 * (d[d.length / 2 - 1] + d[d.length / 2]);
  }

  static double distance(double[] a, double[] b) {
    double sum = 0;
    for (int k = 0; k < a.length; k++) {
      sum += (a[k] - b[k]) * (a[k] - b[k]);
    }
    return Math.sqrt(sum);
  }
}
