package engram.analysis.fixedpoints;

import engram.analysis.fixedpoints.FixedPointFinder.Options;
import engram.analysis.fixedpoints.FixedPointFinder.Point;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The search of {@link BatchedFixedPointFinder} with three shortcuts that keep every fixed point
 * and cut the time on trained networks of ~100 units from about a minute to seconds (measurements:
 * docs/perf/fixed-points.md). Tested against the reference {@link FixedPointFinder}.
 *
 * <ol>
 *   <li><b>Newton takes over early.</b> Adam stops a start as soon as its q ≤ max(fixed q, {@link
 *       #HANDOFF_Q}) (besides the stall rule of {@link BatchedFixedPointFinder}: q fell by less
 *       than 10% over 100 iterations). Near a regular zero of F(h) − h, Newton's step (J − I)δ =
 *       −(F − h) shrinks ‖F − h‖ quadratically, so one or two Newton iterations replace the
 *       hundreds of Adam iterations that took q from 1e-6 down to the arithmetic's floor.
 *   <li><b>A slow point is resolved to one step.</b> Before and after the refinement, a candidate h
 *       is a duplicate of a kept point p of lower q when ‖h − p‖ &lt; max(uniqueTol, ‖F(h) − h‖) =
 *       max(uniqueTol, √(2q(h))): a point that moves ‖F(h) − h‖ per step is not located more finely
 *       than that (the map carries it that far in one step), so the many starts that end strung
 *       along one slow stretch of state space are one slow point, refined once. For a fixed point
 *       √(2q) is below the arithmetic's resolution and the rule is the reference's uniqueTol.
 *   <li><b>Eigenvalues once per distinct point</b>, from one batched Jacobian call, after the
 *       second de-duplication (as {@link BatchedFixedPointFinder}).
 * </ol>
 *
 * Consequences: the fixed points (q ≤ fixed q) are those of the reference within the Newton
 * tolerance; slow points are fewer — one per neighbourhood of its own step length rather than one
 * per 1e-3 — and their q may be a little higher than after the reference's longer Adam run (they
 * are still refined by the same Levenberg–Marquardt steps). Deterministic.
 */
public final class FastFixedPointFinder {

  /** The q at which Adam hands a start to Newton. */
  static final double HANDOFF_Q = 1e-9;

  private final StepMap map;
  private final Options options;

  /**
   * A finder of {@code map}'s points.
   *
   * @param map F
   * @param options the search's options (the same as the reference's)
   */
  public FastFixedPointFinder(StepMap map, Options options) {
    this.map = map;
    this.options = options;
  }

  /**
   * Searches from every initial state, then filters, de-duplicates, refines, de-duplicates again
   * and classifies.
   *
   * @param initial {@code [n][S]}, n ≥ 1; not modified
   * @return the distinct points by increasing q
   */
  public List<Point> find(double[][] initial) {
    BatchedFixedPointFinder batched = new BatchedFixedPointFinder(map, options);
    double fixedQ = batched.fixedQ();
    PhaseClock clock = new PhaseClock();
    double[][] h =
        FixedPointFinder.optimise(
            map,
            options,
            initial,
            Math.max(fixedQ, HANDOFF_Q),
            BatchedFixedPointFinder.STALL_WINDOW,
            BatchedFixedPointFinder.STALL_RATIO);
    clock.lap("adam (" + initial.length + " starts)");
    double[] q = FixedPointFinder.speeds(h, map.apply(h));
    double[] centroid = FixedPointFinder.centroid(initial);
    double limit = options.outlierScale() * FixedPointFinder.medianDistance(initial, centroid);
    double[][] survivors = distinct(h, q, centroid, limit, Double.POSITIVE_INFINITY);
    clock.lap("de-duplication (" + survivors.length + " survivors)");
    double[][] states = refine(survivors, centroid, limit);
    clock.lap("refinement");
    double[] finalQ = FixedPointFinder.speeds(states, map.apply(states));
    double[][][] jacobians = map.jacobians(states);
    List<Point> points = new ArrayList<>();
    for (int i = 0; i < states.length; i++) {
      points.add(
          FixedPointFinder.classify(states[i], finalQ[i], finalQ[i] <= fixedQ, jacobians[i]));
    }
    clock.lap("jacobians and eigenvalues (" + states.length + " points)");
    points.sort(Comparator.comparingDouble(Point::q));
    return List.copyOf(points);
  }

  /**
   * {@code newtonIterations} rounds of one Levenberg–Marquardt iteration of {@link
   * BatchedFixedPointFinder#refine} each on the candidates with q above the fixed q (the others are
   * at the arithmetic's floor), de-duplicating after every round (candidates that converge to one
   * point are refined once from then on); stops when a round lowers no q.
   *
   * @return the distinct refined points with q ≤ maxQ
   */
  private double[][] refine(double[][] survivors, double[] centroid, double limit) {
    Options one =
        new Options(
            options.maxIterations(),
            options.learningRate(),
            options.tolQ(),
            1,
            options.maxQ(),
            options.uniqueTol(),
            options.outlierScale());
    BatchedFixedPointFinder step = new BatchedFixedPointFinder(map, one);
    double fixedQ = step.fixedQ();
    double[][] h = survivors.clone();
    double[] q = FixedPointFinder.speeds(h, map.apply(h));
    for (int round = 0; round < options.newtonIterations(); round++) {
      List<Integer> open = new ArrayList<>();
      for (int i = 0; i < h.length; i++) {
        if (q[i] > fixedQ) {
          open.add(i); // a point at the arithmetic's floor is done
        }
      }
      if (open.isEmpty()) {
        break;
      }
      double[][] moving = new double[open.size()][];
      for (int a = 0; a < moving.length; a++) {
        moving[a] = h[open.get(a)];
      }
      double[] after = step.refine(moving);
      boolean moved = false;
      for (int a = 0; a < moving.length; a++) {
        int i = open.get(a);
        moved |= after[a] < q[i];
        h[i] = moving[a];
        q[i] = after[a];
      }
      if (!moved) {
        break;
      }
      h = distinct(h, q, centroid, limit, Double.POSITIVE_INFINITY);
      q = FixedPointFinder.speeds(h, map.apply(h));
    }
    return distinct(h, q, centroid, limit, options.maxQ());
  }

  /**
   * The rows with finite q ≤ maxQ within {@code limit} of the centroid, by increasing q, dropping
   * each row closer than max(uniqueTol, √(2q)) (its own q) to an earlier kept one; copies.
   */
  private double[][] distinct(
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
      double radius = Math.max(options.uniqueTol(), Math.sqrt(2 * q[i]));
      boolean duplicate = false;
      for (double[] p : kept) {
        if (FixedPointFinder.distance(p, h[i]) < radius) {
          duplicate = true;
          break;
        }
      }
      if (!duplicate) {
        kept.add(h[i].clone());
      }
    }
    return kept.toArray(new double[0][]);
  }
}
