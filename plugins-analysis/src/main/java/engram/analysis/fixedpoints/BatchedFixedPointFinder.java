package engram.analysis.fixedpoints;

import engram.analysis.fixedpoints.FixedPointFinder.Options;
import engram.analysis.fixedpoints.FixedPointFinder.Point;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * The search of {@link FixedPointFinder} (same options, same q, same Adam, same Levenberg–Marquardt
 * steps, same filters and classes), reordered so that it scales to networks of hundreds of units;
 * {@link FixedPointFinder} stays the simple reference it is tested against.
 *
 * <p>Differences, all about cost:
 *
 * <ol>
 *   <li>Adam stops a point at q ≤ max(tol, ½·S·resolution²) — the smallest q the map's arithmetic
 *       can show — instead of at tol alone (a FLOAT network never reaches tol = 1e-12 at S = 128,
 *       so every point used to run all iterations), or when q has fallen by less than 10% over the
 *       last 100 iterations (a point crawling along a slow manifold; fixed-point-finder's tol_dq
 *       plays this part) — the Newton refinement then finishes points near a fixed point.
 *   <li>Outliers are dropped and the points de-duplicated (distance &lt; {@code uniqueTol}, lowest
 *       q kept) <em>before</em> the refinement, so Newton runs on the distinct survivors only, and
 *       again after it (two survivors may converge to one point).
 *   <li>Each refinement iteration computes the Jacobians of all active survivors in one batched
 *       call ({@link StepMap#jacobians}) and evaluates every trial step in one call of F; a
 *       rejected step raises μ and retries without a new Jacobian, as the reference does.
 *   <li>Eigenvalues come from one batched Jacobian call over the kept points.
 * </ol>
 *
 * Because de-duplication happens on unrefined points, two points further apart than {@code
 * uniqueTol} before refinement and closer after it are merged in the second pass; two points within
 * {@code uniqueTol} before refinement that would have parted during it are not both found —
 * immaterial when {@code uniqueTol} is small against the distance between distinct points.
 * Deterministic.
 */
public final class BatchedFixedPointFinder {

  /** Adam iterations over which a point must lower q by {@link #STALL_RATIO} to go on. */
  static final int STALL_WINDOW = 100;

  /** The fraction by which q must fall over {@link #STALL_WINDOW} iterations. */
  static final double STALL_RATIO = 0.1;

  private final StepMap map;
  private final Options options;

  /**
   * A finder of {@code map}'s points.
   *
   * @param map F
   * @param options the search's options
   */
  public BatchedFixedPointFinder(StepMap map, Options options) {
    this.map = map;
    this.options = options;
  }

  /** The q below which a point is fixed: the tolerance or the arithmetic's floor. */
  double fixedQ() {
    return Math.max(options.tolQ(), 0.5 * map.dimension() * map.resolution() * map.resolution());
  }

  /**
   * Searches from every initial state, then filters, de-duplicates, refines, de-duplicates again
   * and classifies.
   *
   * @param initial {@code [n][S]}, n ≥ 1; not modified
   * @return the distinct points by increasing q
   */
  public List<Point> find(double[][] initial) {
    double fixedQ = fixedQ();
    PhaseClock clock = new PhaseClock();
    double[][] h =
        FixedPointFinder.optimise(map, options, initial, fixedQ, STALL_WINDOW, STALL_RATIO);
    clock.lap("adam (" + initial.length + " starts)");
    double[] q = FixedPointFinder.speeds(h, map.apply(h));
    double[] centroid = FixedPointFinder.centroid(initial);
    double limit = options.outlierScale() * FixedPointFinder.medianDistance(initial, centroid);
    List<double[]> distinct = distinct(h, q, centroid, limit, Double.POSITIVE_INFINITY);
    double[][] survivors = distinct.toArray(new double[0][]);
    clock.lap("de-duplication (" + survivors.length + " survivors)");
    double[] refinedQ = refine(survivors);
    clock.lap("refinement");
    List<double[]> kept = distinct(survivors, refinedQ, centroid, limit, options.maxQ());
    double[][] states = kept.toArray(new double[0][]);
    double[] finalQ = FixedPointFinder.speeds(states, map.apply(states));
    double[][][] jacobians = map.jacobians(states);
    clock.lap("jacobians (" + states.length + " points)");
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < states.length; i++) {
      points.add(
          FixedPointFinder.classify(states[i], finalQ[i], finalQ[i] <= fixedQ, jacobians[i]));
    }
    clock.lap("eigenvalues");
    points.sort(Comparator.comparingDouble(Point::q));
    return List.copyOf(points);
  }

  /**
   * The rows with finite q ≤ maxQ within {@code limit} of the centroid (limit 0: no outlier test),
   * by increasing q, dropping each row closer than uniqueTol to an earlier kept one; copies.
   */
  private List<double[]> distinct(
      double[][] h, double[] q, double[] centroid, double limit, double maxQ) {
    Integer[] order = new Integer[h.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> q[i]));
    List<double[]> kept = new ArrayList<>();
    for (int i : order) {
      if (!(q[i] <= maxQ) || (limit > 0 && FixedPointFinder.distance(h[i], centroid) > limit)) {
        continue; // NaN q (a diverged search) is dropped too
      }
      boolean duplicate = false;
      for (double[] p : kept) {
        if (FixedPointFinder.distance(p, h[i]) < options.uniqueTol()) {
          duplicate = true;
          break;
        }
      }
      if (!duplicate) {
        kept.add(h[i].clone());
      }
    }
    return kept;
  }

  /**
   * Levenberg–Marquardt on F(h) − h = 0 for every row in place, as {@link FixedPointFinder#refine}
   * per row, batched over rows.
   *
   * @return the final q per row
   */
  double[] refine(double[][] h) {
    int n = h.length;
    int s = map.dimension();
    double[][] f = map.apply(h);
    double[] q = FixedPointFinder.speeds(h, f);
    double[] mu = new double[n];
    boolean[] done = new boolean[n];
    for (int it = 0; it < options.newtonIterations(); it++) {
      List<Integer> active = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (!done[i] && q[i] > 1e-30) {
          active.add(i);
        }
      }
      if (active.isEmpty()) {
        break;
      }
      double[][] at = new double[active.size()][];
      for (int a = 0; a < at.length; a++) {
        at[a] = h[active.get(a)];
      }
      double[][][] jacobians = map.jacobians(at);
      RealMatrix[] lhs = new RealMatrix[at.length];
      RealMatrix[] normal = new RealMatrix[at.length];
      ArrayRealVector[] rhs = new ArrayRealVector[at.length];
      double[][] r = new double[at.length][];
      for (int a = 0; a < at.length; a++) {
        int i = active.get(a);
        r[a] = FixedPointFinder.residual(f[i], h[i]);
        lhs[a] = new Array2DRowRealMatrix(jacobians[a], false);
        for (int k = 0; k < s; k++) {
          lhs[a].addToEntry(k, k, -1);
        }
      }
      boolean[] improved = new boolean[at.length];
      for (int tries = 0; tries < 12; tries++) {
        List<Integer> trying = new ArrayList<>();
        List<double[]> trials = new ArrayList<>();
        for (int a = 0; a < at.length; a++) {
          if (improved[a]) {
            continue;
          }
          if (mu[active.get(a)] > 0 && normal[a] == null) {
            // the damped normal equations only once a plain Newton step has failed
            normal[a] = lhs[a].transpose().multiply(lhs[a]);
            rhs[a] = new ArrayRealVector(lhs[a].transpose().operate(r[a]));
            rhs[a].mapMultiplyToSelf(-1);
          }
          double[] delta = step(lhs[a], normal[a], rhs[a], r[a], mu[active.get(a)]);
          if (delta == null) {
            bump(mu, active.get(a));
            continue;
          }
          double[] next = new double[s];
          for (int k = 0; k < s; k++) {
            next[k] = at[a][k] + delta[k];
          }
          trying.add(a);
          trials.add(next);
        }
        if (trying.isEmpty()) {
          if (allTrue(improved)) {
            break;
          }
          continue;
        }
        double[][] x = trials.toArray(new double[0][]);
        double[][] fx = map.apply(x);
        for (int t = 0; t < x.length; t++) {
          int a = trying.get(t);
          int i = active.get(a);
          double qn = FixedPointFinder.speed(x[t], fx[t]);
          if (qn < q[i]) {
            h[i] = x[t];
            f[i] = fx[t];
            q[i] = qn;
            improved[a] = true;
            mu[i] = mu[i] / 10; // 0 stays 0: plain Newton again
          } else {
            bump(mu, i);
          }
        }
        if (allTrue(improved)) {
          break;
        }
      }
      for (int a = 0; a < at.length; a++) {
        if (!improved[a]) {
          done[active.get(a)] = true; // a slow point: no step lowers q
        }
      }
    }
    return q;
  }

  /** A plain Newton step at μ = 0, else the damped normal equations; null when singular. */
  private static double[] step(
      RealMatrix lhs, RealMatrix normal, ArrayRealVector rhs, double[] r, double mu) {
    int s = r.length;
    try {
      if (mu == 0) {
        return new LUDecomposition(lhs, 1e-14)
            .getSolver()
            .solve(new ArrayRealVector(r).mapMultiply(-1))
            .toArray();
      }
      double scale = Math.max(normal.getTrace() / s, 1e-300);
      RealMatrix damped = normal.copy();
      for (int k = 0; k < s; k++) {
        damped.addToEntry(k, k, mu * scale);
      }
      return new LUDecomposition(damped, 0).getSolver().solve(rhs).toArray();
    } catch (RuntimeException singular) {
      return null;
    }
  }

  private static void bump(double[] mu, int i) {
    mu[i] = mu[i] == 0 ? 1e-10 : mu[i] * 100;
  }

  private static boolean allTrue(boolean[] b) {
    for (boolean x : b) {
      if (!x) {
        return false;
      }
    }
    return true;
  }
}
