package engram.analysis.fixedpoints;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.fixedpoints.FixedPointFinder.Options;
import engram.analysis.fixedpoints.FixedPointFinder.Point;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fast finder against the simple reference {@link FixedPointFinder}: the same fixed points
 * (position, class, eigenvalues) on a linear RNN, on h' = tanh(2h) and on random tanh RNNs with
 * several attractors and saddles; and one slow point where the starts end strung along one ghost.
 * The trained 3-bit flip-flop comparison is in {@link FlipFlopFixedPointsTest}.
 */
@Tag("slow") // the reference refines point by point: ~30 s on a quiet machine
class FastFixedPointFinderTest {

  private static double[][] uniform(int n, int dims, double half, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] x = new double[n][dims];
    for (double[] row : x) {
      for (int k = 0; k < dims; k++) {
        row[k] = rng.nextDouble(-half, half);
      }
    }
    return x;
  }

  /** A tanh RNN h' = tanh(W h + b) with gain 1.8: several attractors and saddles. */
  private static StepMap randomTanhMap(int s, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] w = new double[s][s];
    double[] b = new double[s];
    for (int i = 0; i < s; i++) {
      for (int j = 0; j < s; j++) {
        w[i][j] = 1.8 * rng.nextGaussian() / Math.sqrt(s);
      }
      b[i] = 0.05 * rng.nextGaussian();
    }
    return StepMap.of(MapCell.network(w, b, true), new double[] {0});
  }

  /** Asserts that both lists hold the same fixed points: within 1e-6, same class and |λ|. */
  private static int assertSameFixedPoints(List<Point> reference, List<Point> fast, String what) {
    List<Point> r = reference.stream().filter(Point::fixed).toList();
    List<Point> f = fast.stream().filter(Point::fixed).toList();
    assertEquals(r.size(), f.size(), what + ": reference " + r + ", fast " + f);
    for (Point p : r) {
      Point nearest = nearest(f, p.state());
      assertArrayEquals(p.state(), nearest.state(), 1e-6, what);
      assertEquals(p.stability(), nearest.stability(), what);
      assertEquals(p.unstableCount(), nearest.unstableCount(), what);
      assertEquals(p.leadingModulus(), nearest.leadingModulus(), 1e-6, what);
      assertTrue(nearest.q() <= 1e-12, what + ": q " + nearest.q());
    }
    return r.size();
  }

  @Test
  void linearRnnHasTheReferencesOneFixedPoint() {
    double[][] a = {{0.5, 0.2, 0.0}, {-0.1, 0.3, 0.4}, {0.0, -0.3, 0.6}};
    double[] b = {1.0, -0.5, 0.25};
    StepMap map = StepMap.of(MapCell.network(a, b, false), new double[] {0});
    double[][] initial = uniform(64, 3, 2, 1);
    List<Point> fast = new FastFixedPointFinder(map, Options.defaults()).find(initial);
    assertEquals(1, fast.size(), fast.toString());
    assertSameFixedPoints(
        new FixedPointFinder(map, Options.defaults()).find(initial), fast, "linear");
  }

  @Test
  void bistableMapHasTheReferencesThreePoints() {
    StepMap map =
        StepMap.of(MapCell.network(new double[][] {{2}}, new double[] {0}, true), new double[] {0});
    double[][] initial = uniform(100, 1, 1.5, 2);
    List<Point> fast = new FastFixedPointFinder(map, Options.defaults()).find(initial);
    assertEquals(3, fast.size(), fast.toString());
    assertEquals(
        3,
        assertSameFixedPoints(
            new FixedPointFinder(map, Options.defaults()).find(initial), fast, "tanh(2h)"));
  }

  /** Three random 6-unit tanh RNNs, 40 starts each: the reference's fixed points, no other. */
  @Test
  void findsTheReferencesFixedPointsOnRandomTanhNetworks() {
    Options options = new Options(2000, 1.0, 1e-12, 20, Double.POSITIVE_INFINITY, 1e-3, 10);
    int compared = 0;
    for (long seed = 1; seed <= 3; seed++) {
      StepMap map = randomTanhMap(6, seed);
      double[][] initial = uniform(40, 6, 1, 10 + seed);
      compared +=
          assertSameFixedPoints(
              new FixedPointFinder(map, options).find(initial),
              new FastFixedPointFinder(map, options).find(initial),
              "seed " + seed);
    }
    assertTrue(compared >= 6, "too few fixed points to compare: " + compared);
  }

  /**
   * h₀' = h₀ + a − h₀², h₁' = h₁/2 with a = −0.01: no fixed point, one ghost at the origin (q = ½a²
   * = 5e-5, the only minimum of q). Starts all over the square end strung along h₀ near 0; the fast
   * finder reports them as the one slow point at the origin.
   */
  @Test
  void startsAlongOneGhostAreOneSlowPoint() {
    double a = -0.01;
    StepMap ghost =
        new StepMap() {
          @Override
          public int dimension() {
            return 2;
          }

          @Override
          public double[][] apply(double[][] states) {
            double[][] out = new double[states.length][];
            for (int i = 0; i < states.length; i++) {
              double[] h = states[i];
              out[i] = new double[] {h[0] + a - h[0] * h[0], 0.5 * h[1]};
            }
            return out;
          }

          @Override
          public double[][] vjp(double[][] states, double[][] r) {
            double[][] out = new double[states.length][];
            for (int i = 0; i < states.length; i++) {
              out[i] = new double[] {(1 - 2 * states[i][0]) * r[i][0], 0.5 * r[i][1]};
            }
            return out;
          }

          @Override
          public double[][] jacobian(double[] h) {
            return new double[][] {{1 - 2 * h[0], 0}, {0, 0.5}};
          }
        };
    List<Point> fast =
        new FastFixedPointFinder(ghost, Options.defaults()).find(uniform(200, 2, 0.5, 5));
    assertEquals(1, fast.size(), fast.toString());
    Point p = fast.get(0);
    assertFalse(p.fixed());
    assertEquals(0.5 * a * a, p.q(), 1e-7);
    assertTrue(FixedPointFinder.distance(p.state(), new double[2]) < 0.02, p.toString());
  }

  private static Point nearest(List<Point> points, double[] state) {
    Point best = null;
    for (Point p : points) {
      if (best == null
          || FixedPointFinder.distance(p.state(), state)
              < FixedPointFinder.distance(best.state(), state)) {
        best = p;
      }
    }
    return best;
  }
}
