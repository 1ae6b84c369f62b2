package engram.analysis.fixedpoints;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.fixedpoints.FixedPointFinder.Options;
import engram.analysis.fixedpoints.FixedPointFinder.Point;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The batched finder against the simple reference {@link FixedPointFinder}. */
class BatchedFixedPointFinderTest {

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

  @Test
  void batchedJacobiansEqualTheNetworksJacobianPerState() {
    StepMap map = randomTanhMap(5, 3);
    double[][] states = uniform(7, 5, 1, 4);
    double[][][] batched = map.jacobians(states);
    for (int b = 0; b < states.length; b++) {
      double[][] one = map.jacobian(states[b]);
      for (int i = 0; i < 5; i++) {
        assertArrayEquals(one[i], batched[b][i], 1e-12);
      }
    }
  }

  /**
   * On two random 6-unit tanh RNNs (40 starts, 2,000 Adam iterations) the batched finder finds the
   * same fixed points as the reference (each within 1e-6, same class and number of unstable
   * eigenvalues), and no other fixed point.
   */
  @Test
  void findsTheReferencesFixedPointsOnRandomTanhNetworks() {
    Options options = new Options(2000, 1.0, 1e-12, 20, Double.POSITIVE_INFINITY, 1e-3, 10);
    int compared = 0;
    for (long seed = 1; seed <= 2; seed++) {
      StepMap map = randomTanhMap(6, seed);
      double[][] initial = uniform(40, 6, 1, 10 + seed);
      List<Point> reference =
          new FixedPointFinder(map, options).find(initial).stream().filter(Point::fixed).toList();
      List<Point> batched =
          new BatchedFixedPointFinder(map, options)
              .find(initial).stream().filter(Point::fixed).toList();
      assertEquals(reference.size(), batched.size(), "seed " + seed + ": " + reference);
      for (Point r : reference) {
        Point nearest = nearest(batched, r.state());
        assertArrayEquals(r.state(), nearest.state(), 1e-6);
        assertEquals(r.stability(), nearest.stability());
        assertEquals(r.unstableCount(), nearest.unstableCount());
        assertEquals(r.leadingModulus(), nearest.leadingModulus(), 1e-6);
        compared++;
      }
    }
    assertTrue(compared >= 4, "too few fixed points to compare: " + compared);
  }

  /** h' = tanh(2h): −h*, 0, h* exactly as the reference finds them. */
  @Test
  void findsTheBistableMapsThreePoints() {
    StepMap map =
        StepMap.of(MapCell.network(new double[][] {{2}}, new double[] {0}, true), new double[] {0});
    List<Point> points =
        new BatchedFixedPointFinder(map, Options.defaults()).find(uniform(100, 1, 1.5, 2));
    double hStar = 1;
    for (int i = 0; i < 200; i++) {
      hStar = Math.tanh(2 * hStar);
    }
    assertEquals(3, points.size(), points.toString());
    for (double expected : new double[] {-hStar, 0, hStar}) {
      Point p = nearest(points, new double[] {expected});
      assertEquals(expected, p.state()[0], 1e-9);
      assertTrue(p.fixed());
      assertEquals(
          expected == 0 ? FixedPointFinder.Stability.UNSTABLE : FixedPointFinder.Stability.STABLE,
          p.stability());
    }
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
