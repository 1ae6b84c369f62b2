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
 * The speed solver of the ghost-mechanism code (spec memory-geometry §8): minimise the speed q(h) =
 * ½‖F(h) − h‖² from every trajectory state (no added noise), then one Newton step on q, then
 * de-duplicate in a 3-D PCA projection. It finds fixed points and the minima of q that are not
 * zeros (ghosts) alike; {@link GhostTest} tells them apart.
 *
 * <ol>
 *   <li>Adam on q per point exactly as {@link FixedPointFinder} ({@code maxIterations}, {@code
 *       learningRate}, monotone adaptive rate), stopping at q ≤ max(tol, ½·S·resolution²) or at the
 *       rate floor, with no stall stop as in {@link BatchedFixedPointFinder}: near a ghost q falls
 *       slowly by nature, and a stall stop leaves points short of the minimum.
 *   <li>One Newton step on q: h ← h − (H + 1e-4·I)⁻¹ ∇q, H the central-difference Hessian of q of
 *       {@link GhostTest#hessians}; the step is kept only where it lowers q (H + 1e-4·I need not be
 *       positive definite away from a minimum).
 *   <li>Points with non-finite q or q above {@code maxQ} and outliers ({@code outlierScale} × the
 *       median distance of the starting states to their centroid) are dropped.
 *   <li>By increasing q, a point whose (pc1, pc2, pc3) in the given basis lies within {@code
 *       projectionTol} (0.1 in the reference code) of a kept one is a duplicate.
 *   <li>Eigenvalues of J classify every kept point (stable / saddle / unstable) as in {@link
 *       FixedPointFinder}; {@code fixed} is q ≤ max(tol, ½·S·resolution²).
 * </ol>
 *
 * Deterministic.
 */
public final class SpeedSolver {

  /** The damping added to the Hessian of q in the Newton step. */
  static final double DAMPING = 1e-4;

  private final StepMap map;
  private final Options options;
  private final double projectionTol;

  /**
   * A solver.
   *
   * @param map F
   * @param options Adam's iterations, rate and tolerance, maxQ and outlierScale (the others are not
   *     used)
   * @param projectionTol de-duplication distance in the PCA projection, ≥ 0
   */
  public SpeedSolver(StepMap map, Options options, double projectionTol) {
    if (!(projectionTol >= 0)) {
      throw new IllegalArgumentException(
          "projection tolerance must be ≥ 0 (was " + projectionTol + ")");
    }
    this.map = map;
    this.options = options;
    this.projectionTol = projectionTol;
  }

  /**
   * The distinct minima of q reached from {@code states}.
   *
   * @param states starting states {@code [n][S]}, n ≥ 1 (trajectory states); not modified
   * @param basis the PCA basis of the de-duplication
   * @return the points by increasing q
   */
  public List<Point> find(double[][] states, Pca basis) {
    double fixedQ =
        Math.max(options.tolQ(), 0.5 * map.dimension() * map.resolution() * map.resolution());
    double[][] h = FixedPointFinder.optimise(map, options, states, fixedQ, 0, 0);
    newtonStep(h);
    double[] q = FixedPointFinder.speeds(h, map.apply(h));
    double[] centroid = FixedPointFinder.centroid(states);
    double limit = options.outlierScale() * FixedPointFinder.medianDistance(states, centroid);
    Integer[] order = new Integer[h.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> q[i]));
    List<double[]> kept = new ArrayList<>();
    List<double[]> projections = new ArrayList<>();
    List<Double> keptQ = new ArrayList<>();
    for (int i : order) {
      if (!(q[i] <= options.maxQ())
          || (limit > 0 && FixedPointFinder.distance(h[i], centroid) > limit)) {
        continue;
      }
      double[] p = basis.project(h[i]);
      boolean duplicate = false;
      for (double[] other : projections) {
        if (Pca.distance(p, other) < projectionTol) {
          duplicate = true;
          break;
        }
      }
      if (!duplicate) {
        kept.add(h[i]);
        projections.add(p);
        keptQ.add(q[i]);
      }
    }
    double[][] at = kept.toArray(new double[0][]);
    double[][][] jacobians = map.jacobians(at);
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < at.length; i++) {
      points.add(
          FixedPointFinder.classify(at[i], keptQ.get(i), keptQ.get(i) <= fixedQ, jacobians[i]));
    }
    return List.copyOf(points);
  }

  /** One damped Newton step on q at every row, kept where it lowers q; in place. */
  void newtonStep(double[][] h) {
    int s = map.dimension();
    double[] q = FixedPointFinder.speeds(h, map.apply(h));
    double[][] g = GhostTest.gradients(map, h);
    double[][][] hessians = GhostTest.hessians(map, h);
    double[][] trial = new double[h.length][];
    for (int i = 0; i < h.length; i++) {
      RealMatrix a = new Array2DRowRealMatrix(hessians[i], false);
      for (int k = 0; k < s; k++) {
        a.addToEntry(k, k, DAMPING);
      }
      double[] delta;
      try {
        delta = new LUDecomposition(a, 0).getSolver().solve(new ArrayRealVector(g[i])).toArray();
      } catch (RuntimeException singular) {
        delta = new double[s];
      }
      trial[i] = h[i].clone();
      for (int k = 0; k < s; k++) {
        trial[i][k] -= delta[k];
      }
    }
    double[] qt = FixedPointFinder.speeds(trial, map.apply(trial));
    for (int i = 0; i < h.length; i++) {
      if (qt[i] < q[i]) {
        h[i] = trial[i];
      }
    }
  }
}
