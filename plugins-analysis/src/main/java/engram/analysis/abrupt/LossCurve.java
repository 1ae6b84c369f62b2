package engram.analysis.abrupt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Plateau and drop of one loss curve, by fixed, documented rules (spec memory-geometry §6; the
 * paper states no rule, so these are reconstructed and every threshold is a parameter).
 *
 * <p>Input: points (x_i, y_i), x strictly increasing (optimizer steps; spacing may be uneven, e.g.
 * log-spaced or one point per epoch), y the loss (&gt; 0 for the log-scale rules).
 *
 * <ol>
 *   <li><b>Smoothing</b>: s_i = median of y over the points i − ⌊w/2⌋ … i + ⌊w/2⌋ (a centred moving
 *       median over w <em>points</em>, truncated at both ends). The window counts points, not
 *       steps, so uneven spacing needs no resampling; a median ignores isolated spikes.
 *   <li><b>Shelves</b>: the smoothed curve is cut greedily, left to right, into maximal stretches
 *       [i, j] with max s / min s ≤ 1 + ε over the stretch (a relative band ε); each is then
 *       widened to both sides while s stays within [P/(1 + ε), P·(1 + ε)] of its level P (the
 *       median of s over the cut stretch), so noise near a band edge does not end it; its level is
 *       then the median of s over the widened stretch. A stretch is a <em>shelf</em> when it spans
 *       at least {@code minPlateauSteps} steps, x_j − x_i ≥ minPlateauSteps, and at least w points
 *       (a shorter one is not resolved by the smoothing).
 *   <li><b>Plateaus</b>: a shelf is a <em>plateau</em> when it also lasts at least a fraction
 *       {@code minPlateau} of the steps before its end, x_j − x_i ≥ minPlateau·(x_j − x_0). The
 *       rule looks only backwards, so how long training went on after a plateau never decides
 *       whether it was one (with the old fraction of the whole run, a 2,200-step plateau of a 10⁵
 *       step run was no plateau). With the default 0.5 a plateau lasts at least as long as the
 *       descent before it: it spans at least a factor 1/(1 − minPlateau) = 2 in time, a fixed
 *       length on a log-time axis, which is how plateaus of gradient descent near a saddle scale.
 *       The initial fall is never that flat (except over its very first points, which {@code
 *       minPlateauSteps} excludes).
 *   <li><b>Levels</b>: two levels P &gt; L are <em>distinct</em> when their bands do not overlap, L
 *       &lt; P/(1 + ε)²; a distinct-level shelf therefore shares no point with the plateau.
 *   <li><b>The plateau and the drop</b>: <em>the</em> plateau is the first plateau in time that is
 *       followed by a fall of at least a fraction {@code minDrop} of its level (some later s_k ≤ (1
 *       − minDrop)·P); when later plateaus overlap it at a level that is not distinct (a cut that
 *       began in the tail of the initial fall and the flat part it overlaps), the longest of them.
 *       The level after it, L, is the level of the first later shelf at a distinct lower level
 *       (when later shelves overlap it at a level not distinct from its own, the longest of them),
 *       or, when none, the last smoothed value s_last. t_drop (spec §6) is the first point after
 *       the plateau with s ≤ P − f·(P − L), f = {@code dropFraction} = 0.5 by default ("fallen
 *       halfway from the plateau to the next level"). With several drops (a staircase of plateaus,
 *       as DMTS trained with SGD shows) this is the <em>first</em> escape from the first plateau
 *       and halfway to the <em>next</em> level, not to the final loss: each drop is a transition
 *       between two metastable states (saddle-to-saddle dynamics), the first one is where the
 *       network leaves the initial state that GR is supposed to precede, and halfway to the final
 *       value would place t_drop inside a later transition. {@code minDrop} only decides whether
 *       the run learned at all (the loss eventually falls that far below the plateau); the first
 *       step itself may be smaller.
 *   <li><b>t_steepest</b>: the midpoint (x_k + x_j)/2, j = k + w, of the span of w points (between
 *       the plateau's end and the next shelf) over which log s falls fastest per step, −(log s_j −
 *       log s_k)/(x_j − x_k); a span of w points rather than 1 keeps the leftover noise of s out of
 *       the slope.
 *   <li><b>drops</b>: the number of plateaus, in time order, that are followed by a fall of at
 *       least {@code minDrop} and whose level is distinct from (lower than) that of the previous
 *       plateau counted, so one plateau cut into two pieces counts once. <b>t_last_drop</b>: t_drop
 *       of the last of them, by the same rules (its next level, halfway): with a staircase, where
 *       the loss leaves its last plateau.
 *   <li><b>Verdicts</b>: {@code drop} as above; {@code no-drop} when there are plateaus but none is
 *       followed by a fall of {@code minDrop} (the loss stays on the plateau to the end of the run:
 *       "did not learn within the budget"; then the longest plateau is reported and both times are
 *       NaN); {@code no-plateau} when no shelf is a plateau (a smooth descent; everything NaN but
 *       the final loss). A verdict, not an error.
 * </ol>
 *
 * @param smoothWindow w, points in the moving median, ≥ 1 (odd values centre the window)
 * @param band ε, relative band of a flat stretch, &gt; 0
 * @param minPlateau shortest plateau as a fraction of the steps from the curve's first point to the
 *     plateau's end, in (0, 1]
 * @param minPlateauSteps shortest shelf or plateau in steps (the unit of x), ≥ 0
 * @param minDrop smallest relative fall below the plateau that counts as a drop, in (0, 1)
 * @param dropFraction f, the fraction of the fall from P to L that places t_drop, in (0, 1)
 */
public record LossCurve(
    int smoothWindow,
    double band,
    double minPlateau,
    double minPlateauSteps,
    double minDrop,
    double dropFraction) {

  /** The outcome for one curve. */
  public enum Verdict {
    /** A plateau followed by a fall of at least {@code minDrop}. */
    DROP("drop"),
    /** Plateaus, but the loss never falls by {@code minDrop} after any of them. */
    NO_DROP("no-drop"),
    /** No flat stretch long enough to be a plateau. */
    NO_PLATEAU("no-plateau");

    private final String label;

    Verdict(String label) {
      this.label = label;
    }

    /**
     * @return the label written to tables ({@code drop}, {@code no-drop}, {@code no-plateau})
     */
    public String label() {
      return label;
    }
  }

  /**
   * What the rules found; steps are in the unit of x, NaN when not defined by the verdict.
   *
   * @param verdict drop, no-drop or no-plateau
   * @param plateauStart x of the plateau's first point
   * @param plateauEnd x of the plateau's last point
   * @param plateauLevel P, median smoothed loss over the plateau
   * @param afterLevel L, the level the loss falls to after the plateau
   * @param tDrop x of the first point after the plateau with s ≤ P − f·(P − L)
   * @param tSteepest midpoint of the steepest fall of log s between the plateau and level L
   * @param finalLevel s_last, the smoothed loss at the last point (defined for every verdict)
   * @param drops number of plateaus followed by a fall of minDrop, at distinct levels (0 unless the
   *     verdict is drop)
   * @param tLastDrop t_drop of the last of those plateaus, by the same rule (= tDrop when drops is
   *     1; NaN unless drop)
   * @param smoothed s, the smoothed loss at every point
   */
  public record Result(
      Verdict verdict,
      double plateauStart,
      double plateauEnd,
      double plateauLevel,
      double afterLevel,
      double tDrop,
      double tSteepest,
      double finalLevel,
      int drops,
      double tLastDrop,
      double[] smoothed) {}

  /** A flat stretch [first, last] (point indices) and its level. */
  record Stretch(int first, int last, double level) {}

  /**
   * @throws IllegalArgumentException naming the parameter out of range
   */
  public LossCurve {
    if (smoothWindow < 1) {
      throw new IllegalArgumentException("smooth-window must be ≥ 1, was " + smoothWindow);
    }
    if (!(band > 0)) {
      throw new IllegalArgumentException("band must be > 0, e.g. 0.1, was " + band);
    }
    if (!(minPlateau > 0 && minPlateau <= 1)) {
      throw new IllegalArgumentException(
          "min-plateau must be a fraction in (0, 1] of the steps before the plateau's end, e.g."
              + " 0.5, was "
              + minPlateau);
    }
    if (!(minPlateauSteps >= 0 && Double.isFinite(minPlateauSteps))) {
      throw new IllegalArgumentException(
          "min-plateau-steps must be a finite number of steps ≥ 0, e.g. 100, was "
              + minPlateauSteps);
    }
    if (!(minDrop > 0 && minDrop < 1)) {
      throw new IllegalArgumentException(
          "min-drop must be a fraction in (0, 1), e.g. 0.5, was " + minDrop);
    }
    if (!(dropFraction > 0 && dropFraction < 1)) {
      throw new IllegalArgumentException(
          "drop-fraction must be a fraction in (0, 1), e.g. 0.5, was " + dropFraction);
    }
  }

  /**
   * Applies the rules.
   *
   * @param x steps, strictly increasing, length ≥ 2
   * @param y losses, finite and &gt; 0, same length
   * @return the plateau, the drop and the verdict
   * @throws IllegalArgumentException when the lengths differ, there are fewer than 2 points, x does
   *     not increase or a loss is not a finite positive number
   */
  public Result analyse(double[] x, double[] y) {
    check(x, y);
    double[] s = movingMedian(y, smoothWindow);
    double finalLevel = s[s.length - 1];
    List<Stretch> shelves = new ArrayList<>();
    for (Stretch stretch : flatStretches(s, band)) {
      Stretch wide = widen(s, stretch);
      if (length(x, wide) >= minPlateauSteps && wide.last() - wide.first() + 1 >= smoothWindow) {
        shelves.add(wide);
      }
    }
    List<Stretch> plateaus = new ArrayList<>();
    for (Stretch shelf : shelves) {
      if (length(x, shelf) >= minPlateau * (x[shelf.last()] - x[0])) {
        plateaus.add(shelf);
      }
    }
    if (plateaus.isEmpty()) {
      return new Result(
          Verdict.NO_PLATEAU,
          UNDEFINED,
          UNDEFINED,
          UNDEFINED,
          UNDEFINED,
          UNDEFINED,
          UNDEFINED,
          finalLevel,
          0,
          UNDEFINED,
          s);
    }
    Stretch best = null;
    Stretch longest = null;
    Stretch lastCounted = null;
    int drops = 0;
    for (Stretch p : plateaus) {
      if (longest == null || length(x, p) > length(x, longest)) {
        longest = p;
      }
      if (fallsAfter(s, p)) {
        if (best == null) {
          best = p;
        }
        if (lastCounted == null || distinctBelow(lastCounted.level(), p.level())) {
          drops++;
          lastCounted = p;
        }
      }
    }
    // Overlapping plateaus at one level are one plateau: a cut that began in the tail of the
    // initial fall can pass the rule on its own, and the flat part it overlaps is the plateau.
    for (Stretch q : plateaus) {
      if (best != null
          && q.first() > best.first()
          && q.first() <= best.last()
          && !distinctBelow(best.level(), q.level())
          && fallsAfter(s, q)
          && length(x, q) > length(x, best)) {
        best = q;
      }
    }
    if (best == null) {
      return new Result(
          Verdict.NO_DROP,
          x[longest.first()],
          x[longest.last()],
          longest.level(),
          UNDEFINED,
          UNDEFINED,
          UNDEFINED,
          finalLevel,
          0,
          UNDEFINED,
          s);
    }
    Stretch next = nextLevel(x, shelves, best);
    double after = next == null ? finalLevel : next.level();
    int afterStart = next == null ? s.length - 1 : next.first();
    double tDrop = crossing(x, s, best, after);
    Stretch lastNext = nextLevel(x, shelves, lastCounted);
    double tLastDrop =
        crossing(x, s, lastCounted, lastNext == null ? finalLevel : lastNext.level());
    double tSteepest = UNDEFINED;
    double steepest = Double.NEGATIVE_INFINITY;
    int end = Math.max(afterStart, best.last() + 1);
    for (int k = best.last(); k < end && k + 1 < s.length; k++) {
      int j = Math.min(k + smoothWindow, s.length - 1);
      double rate = -(Math.log(s[j]) - Math.log(s[k])) / (x[j] - x[k]);
      if (rate > steepest) {
        steepest = rate;
        tSteepest = 0.5 * (x[k] + x[j]);
      }
    }
    return new Result(
        Verdict.DROP,
        x[best.first()],
        x[best.last()],
        best.level(),
        after,
        tDrop,
        tSteepest,
        finalLevel,
        drops,
        tLastDrop,
        s);
  }

  /**
   * The level after a plateau: the first later shelf at a distinct lower level, or, when later
   * shelves overlap that one at a level not distinct from it (a cut that began in the tail of the
   * fall), the longest of them; null when there is none.
   */
  private Stretch nextLevel(double[] x, List<Stretch> shelves, Stretch plateau) {
    Stretch next = null;
    for (Stretch p : shelves) {
      if (p.first() <= plateau.last() || !distinctBelow(plateau.level(), p.level())) {
        continue;
      }
      if (next == null) {
        next = p;
      } else if (p.first() <= next.last()
          && !distinctBelow(next.level(), p.level())
          && length(x, p) > length(x, next)) {
        next = p;
      }
    }
    return next;
  }

  /** x of the first point after the plateau with s ≤ P − f·(P − L); NaN when none. */
  private double crossing(double[] x, double[] s, Stretch plateau, double after) {
    double threshold = plateau.level() - dropFraction * (plateau.level() - after);
    for (int k = plateau.last() + 1; k < s.length; k++) {
      if (s[k] <= threshold) {
        return x[k];
      }
    }
    return UNDEFINED;
  }

  /** Whether {@code lower} is a distinct level below {@code upper}: their bands do not overlap. */
  private boolean distinctBelow(double upper, double lower) {
    return lower * (1 + band) * (1 + band) < upper;
  }

  private static final double UNDEFINED = Double.NaN;

  /**
   * The stretch extended to both sides while s stays in [P/(1 + ε), P·(1 + ε)] around its level P:
   * the greedy cut ends a stretch where the band around its running extremes breaks, which noise or
   * the tail of the initial fall can do early; the band around the level itself cannot. The widened
   * stretch's level is the median of s over it, so a cut that began in the tail of a fall (and
   * widened onto the flat part) takes the level of the flat part.
   */
  private Stretch widen(double[] s, Stretch p) {
    double lo = p.level() / (1 + band);
    double hi = p.level() * (1 + band);
    int first = p.first();
    while (first > 0 && s[first - 1] >= lo && s[first - 1] <= hi) {
      first--;
    }
    int last = p.last();
    while (last + 1 < s.length && s[last + 1] >= lo && s[last + 1] <= hi) {
      last++;
    }
    return new Stretch(first, last, median(Arrays.copyOfRange(s, first, last + 1)));
  }

  private static double length(double[] x, Stretch p) {
    return x[p.last()] - x[p.first()];
  }

  private boolean fallsAfter(double[] s, Stretch p) {
    for (int k = p.last() + 1; k < s.length; k++) {
      if (s[k] <= (1 - minDrop) * p.level()) {
        return true;
      }
    }
    return false;
  }

  /** Centred moving median over {@code window} points, truncated at the ends. */
  static double[] movingMedian(double[] y, int window) {
    int half = window / 2;
    double[] out = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      int from = Math.max(0, i - half);
      int to = Math.min(y.length, i - half + window);
      out[i] = median(Arrays.copyOfRange(y, from, to));
    }
    return out;
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  }

  /** Greedy left-to-right cut into maximal stretches with max/min ≤ 1 + band. */
  static List<Stretch> flatStretches(double[] s, double band) {
    List<Stretch> stretches = new ArrayList<>();
    int first = 0;
    while (first < s.length) {
      double lo = s[first];
      double hi = s[first];
      int last = first;
      while (last + 1 < s.length) {
        double nextLo = Math.min(lo, s[last + 1]);
        double nextHi = Math.max(hi, s[last + 1]);
        if (nextHi > (1 + band) * nextLo) {
          break;
        }
        lo = nextLo;
        hi = nextHi;
        last++;
      }
      stretches.add(new Stretch(first, last, median(Arrays.copyOfRange(s, first, last + 1))));
      first = last + 1;
    }
    return stretches;
  }

  private static void check(double[] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          "steps and losses differ in length: " + x.length + " and " + y.length);
    }
    if (x.length < 2) {
      throw new IllegalArgumentException("a loss curve needs at least 2 points, got " + x.length);
    }
    for (int i = 0; i < x.length; i++) {
      if (!(Double.isFinite(y[i]) && y[i] > 0)) {
        throw new IllegalArgumentException(
            "loss at step " + x[i] + " is " + y[i] + "; the rules need finite positive losses");
      }
      if (i > 0 && !(x[i] > x[i - 1])) {
        throw new IllegalArgumentException(
            "steps must increase strictly, but step " + x[i] + " follows " + x[i - 1]);
      }
    }
  }
}
