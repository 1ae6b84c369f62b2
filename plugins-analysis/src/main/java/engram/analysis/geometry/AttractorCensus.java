package engram.analysis.geometry;

import engram.analysis.fixedpoints.StepMap;

/**
 * Attractor census of the memory states (spec memory-geometry §6: "stable points near each memory
 * state"; "fraction of seeds with all memory conditions captured by stable attractors").
 *
 * <p>For each class c of the remembered variable, its memory state m_c (the mean state at the end
 * of the delay) is run through the autonomous one-step map F (input 0, no noise) for {@code steps}
 * steps: e_c = F^steps(m_c). Then
 *
 * <ul>
 *   <li>speed_c = ‖F(e_c) − e_c‖ (Euclidean, state units per step); e_c is <em>converged</em> when
 *       speed_c ≤ {@code tol}. Forward iteration settles only on attracting sets, so a converged
 *       end point is a stable fixed point (up to a marginal direction that {@code tol} cannot
 *       resolve);
 *   <li>otherwise, when {@code maxPeriod} ≥ 2, e_c has <em>period</em> p for the smallest p in [2,
 *       maxPeriod] with ‖F^p(e_c) − e_c‖ ≤ {@code tol}: it lies on an attracting periodic orbit (a
 *       limit cycle of the discrete map), which holds a memory as well as a fixed point does. A
 *       fixed point has period 1; an end point on neither is <em>unsettled</em> (a slow transient,
 *       a quasi-periodic or a chaotic orbit) and period 0;
 *   <li>settled end points whose orbits come within {@code radius} (Euclidean) are one attractor:
 *       they are grouped greedily in class order, each joining the first group whose first member's
 *       orbit (its p points) passes within {@code radius} of it; {@code attractors} is the number
 *       of groups, {@code cycles} the number of groups whose first member has period ≥ 2;
 *   <li>class c is <em>captured</em> when e_c settled and no other class ended in its group:
 *       classes that must be remembered differently end on distinct attractors; captured_fraction =
 *       captured / C;
 *   <li>drift_c = ‖e_c − m_c‖, how far the memory state is from where it settles (reported, not
 *       part of the rule: a memory state far from its attractor still keeps its class if its basin
 *       does).
 * </ul>
 *
 * A contracting map with one fixed point sends every class there: one attractor, nothing captured.
 * Deterministic.
 *
 * @param steps iterations of F, ≥ 1
 * @param tol largest end speed of a converged class, state units per step, &gt; 0; also the largest
 *     ‖F^p(e) − e‖ of a periodic end point
 * @param radius largest distance between end points of one attractor, state units, &gt; 0
 * @param maxPeriod longest period searched, ≥ 1; 1 counts fixed points only
 */
public record AttractorCensus(int steps, double tol, double radius, int maxPeriod) {

  /**
   * The census of one checkpoint.
   *
   * @param capturedFraction captured classes over all classes, in [0, 1]
   * @param attractors distinct attractors (fixed points and periodic orbits) reached, ≥ 0
   * @param cycles how many of them are periodic orbits of period ≥ 2
   * @param maxSpeed largest end speed speed_c
   * @param maxDrift largest drift_c
   * @param ends e_c, {@code [C][S]}
   * @param captured whether each class is captured
   * @param periods each class's period: 1 a fixed point, p ≥ 2 a periodic orbit, 0 unsettled
   */
  public record Result(
      double capturedFraction,
      int attractors,
      int cycles,
      double maxSpeed,
      double maxDrift,
      double[][] ends,
      boolean[] captured,
      int[] periods) {}

  /** Fixed points only ({@code maxPeriod} 1). */
  public AttractorCensus(int steps, double tol, double radius) {
    this(steps, tol, radius, 1);
  }

  /**
   * @throws IllegalArgumentException naming the parameter out of range
   */
  public AttractorCensus {
    if (steps < 1) {
      throw new IllegalArgumentException("census-steps must be ≥ 1, e.g. 500, was " + steps);
    }
    if (!(tol > 0)) {
      throw new IllegalArgumentException(
          "census-tol must be > 0 (state units per step), e.g. 1e-4, was " + tol);
    }
    if (!(radius > 0)) {
      throw new IllegalArgumentException(
          "census-radius must be > 0 (state units), e.g. 0.1, was " + radius);
    }
    if (maxPeriod < 1) {
      throw new IllegalArgumentException(
          "census-max-period must be ≥ 1 (1: fixed points only), e.g. 50, was " + maxPeriod);
    }
  }

  /**
   * Runs the census.
   *
   * @param map F at input 0
   * @param memory m_c, {@code [C][S]}, C ≥ 1, S = the map's dimension; not modified
   * @return the census
   * @throws IllegalArgumentException when a memory state's width is not the map's dimension
   */
  public Result run(StepMap map, double[][] memory) {
    int classes = memory.length;
    double[][] ends = new double[classes][];
    for (int c = 0; c < classes; c++) {
      if (memory[c].length != map.dimension()) {
        throw new IllegalArgumentException(
            "memory state "
                + c
                + " has width "
                + memory[c].length
                + ", the map's state has "
                + map.dimension());
      }
      ends[c] = memory[c].clone();
    }
    for (int k = 0; k < steps; k++) {
      ends = map.apply(ends);
    }
    // orbits[c] = e_c, F(e_c), ..., F^maxPeriod(e_c)
    double[][][] orbits = new double[maxPeriod + 1][][];
    orbits[0] = ends;
    for (int k = 1; k <= maxPeriod; k++) {
      orbits[k] = map.apply(orbits[k - 1]);
    }
    double maxSpeed = 0;
    double maxDrift = 0;
    int[] periods = new int[classes];
    for (int c = 0; c < classes; c++) {
      double speed = Math.sqrt(GeometryMath.squaredDistance(orbits[1][c], ends[c]));
      maxSpeed = Math.max(maxSpeed, Double.isNaN(speed) ? Double.POSITIVE_INFINITY : speed);
      maxDrift = Math.max(maxDrift, Math.sqrt(GeometryMath.squaredDistance(ends[c], memory[c])));
      for (int p = 1; p <= maxPeriod && periods[c] == 0; p++) {
        if (GeometryMath.squaredDistance(orbits[p][c], ends[c]) <= tol * tol) {
          periods[c] = p;
        }
      }
    }
    int[] group = new int[classes];
    int[] leader = new int[classes];
    int groups = 0;
    int cycles = 0;
    for (int c = 0; c < classes; c++) {
      group[c] = -1;
      if (periods[c] == 0) {
        continue;
      }
      for (int g = 0; g < groups && group[c] < 0; g++) {
        int l = leader[g];
        for (int k = 0; k < periods[l] && group[c] < 0; k++) {
          if (GeometryMath.squaredDistance(ends[c], orbits[k][l]) <= radius * radius) {
            group[c] = g;
          }
        }
      }
      if (group[c] < 0) {
        leader[groups] = c;
        group[c] = groups++;
        cycles += periods[c] >= 2 ? 1 : 0;
      }
    }
    int[] members = new int[Math.max(groups, 1)];
    for (int c = 0; c < classes; c++) {
      if (group[c] >= 0) {
        members[group[c]]++;
      }
    }
    boolean[] captured = new boolean[classes];
    int count = 0;
    for (int c = 0; c < classes; c++) {
      captured[c] = group[c] >= 0 && members[group[c]] == 1;
      count += captured[c] ? 1 : 0;
    }
    return new Result(
        (double) count / classes, groups, cycles, maxSpeed, maxDrift, ends, captured, periods);
  }
}
