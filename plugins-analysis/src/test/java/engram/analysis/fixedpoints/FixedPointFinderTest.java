package engram.analysis.fixedpoints;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.fixedpoints.FixedPointFinder.Point;
import engram.analysis.fixedpoints.FixedPointFinder.Stability;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The finder on maps whose fixed points and eigenvalues are known in closed form. */
@Tag("slow") // excluded by -Pfast; CI runs it (docs/perf/test-times.md)
class FixedPointFinderTest {

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

  private static List<Point> find(double[][] w, double[] b, boolean tanh, double[][] initial) {
    StepMap map = StepMap.of(MapCell.network(w, b, tanh), new double[] {0});
    return new FixedPointFinder(map, FixedPointFinder.Options.defaults()).find(initial);
  }

  /** h' = A h + b: the single fixed point (I − A)⁻¹ b, with the eigenvalues of A. */
  @Test
  void linearRnnHasItsOneFixedPointWithTheEigenvaluesOfA() {
    double[][] a = {{0.5, 0.2, 0.0}, {-0.1, 0.3, 0.4}, {0.0, -0.3, 0.6}};
    double[] b = {1.0, -0.5, 0.25};
    List<Point> points = find(a, b, false, uniform(64, 3, 2, 1));
    double[] expected =
        new LUDecomposition(
                MatrixUtils.createRealIdentityMatrix(3).subtract(new Array2DRowRealMatrix(a)))
            .getSolver()
            .solve(MatrixUtils.createRealVector(b))
            .toArray();
    assertEquals(1, points.size(), points.toString());
    Point p = points.get(0);
    assertArrayEquals(expected, p.state(), 1e-6);
    assertTrue(p.fixed() && p.q() < 1e-12, "q = " + p.q());
    assertEquals(Stability.STABLE, p.stability());
    double[] moduli = new double[3];
    double[] expectedModuli =
        new org.apache.commons.math3.linear.EigenDecomposition(new Array2DRowRealMatrix(a))
            .getRealEigenvalues()
            .clone();
    double[] im =
        new org.apache.commons.math3.linear.EigenDecomposition(new Array2DRowRealMatrix(a))
            .getImagEigenvalues();
    for (int k = 0; k < 3; k++) {
      moduli[k] = Math.hypot(p.eigenReal()[k], p.eigenImag()[k]);
      expectedModuli[k] = Math.hypot(expectedModuli[k], im[k]);
    }
    java.util.Arrays.sort(expectedModuli);
    double[] sorted = moduli.clone();
    java.util.Arrays.sort(sorted);
    assertArrayEquals(expectedModuli, sorted, 1e-9);
    assertEquals(sorted[2], p.leadingModulus(), 1e-12);
  }

  /** h' = tanh(2h): 0 (unstable, λ = 2) and ±h* with h* = tanh(2h*), λ = 2(1 − h*²) &lt; 1. */
  @Test
  void bistableMapHasTwoAttractorsAndARepellerBetween() {
    double hStar = 1;
    for (int i = 0; i < 200; i++) {
      hStar = Math.tanh(2 * hStar);
    }
    List<Point> points =
        find(new double[][] {{2}}, new double[] {0}, true, uniform(100, 1, 1.5, 2));
    assertEquals(3, points.size(), points.toString());
    List<Point> byState =
        points.stream().sorted(Comparator.comparingDouble(p -> p.state()[0])).toList();
    assertEquals(-hStar, byState.get(0).state()[0], 1e-6);
    assertEquals(0, byState.get(1).state()[0], 1e-6);
    assertEquals(hStar, byState.get(2).state()[0], 1e-6);
    assertEquals(Stability.STABLE, byState.get(0).stability());
    assertEquals(Stability.UNSTABLE, byState.get(1).stability());
    assertEquals(Stability.STABLE, byState.get(2).stability());
    assertEquals(2, byState.get(1).leadingModulus(), 1e-9);
    assertEquals(1, byState.get(1).unstableCount());
    assertEquals(2 * (1 - hStar * hStar), byState.get(2).leadingModulus(), 1e-6);
    points.forEach(p -> assertTrue(p.fixed(), p.toString()));
  }

  /** h' = tanh(diag(2, 0.5)·h): a saddle at 0 (λ = 2 and 0.5) between two attractors (±h*, 0). */
  @Test
  void twoDimensionalMapHasASaddleBetweenTwoAttractors() {
    double hStar = 1;
    for (int i = 0; i < 200; i++) {
      hStar = Math.tanh(2 * hStar);
    }
    List<Point> points =
        find(new double[][] {{2, 0}, {0, 0.5}}, new double[] {0, 0}, true, uniform(100, 2, 1.5, 3));
    assertEquals(3, points.size(), points.toString());
    List<Point> byState =
        points.stream().sorted(Comparator.comparingDouble(p -> p.state()[0])).toList();
    assertArrayEquals(new double[] {-hStar, 0}, byState.get(0).state(), 1e-6);
    assertArrayEquals(new double[] {0, 0}, byState.get(1).state(), 1e-6);
    assertArrayEquals(new double[] {hStar, 0}, byState.get(2).state(), 1e-6);
    assertEquals(Stability.SADDLE, byState.get(1).stability());
    assertEquals(1, byState.get(1).unstableCount());
    assertArrayEquals(new double[] {2, 0.5}, byState.get(1).eigenReal(), 1e-9);
    assertEquals(Stability.STABLE, byState.get(0).stability());
    assertEquals(Stability.STABLE, byState.get(2).stability());
  }

  /**
   * A ghost: h' = h − (h² + 0.01) has no fixed point; the slow point at h = 0 (q = ½·0.01²) is
   * reported as not fixed.
   */
  @Test
  void ghostIsASlowPointNotAFixedPoint() {
    StepMap ghost =
        new StepMap() {
          @Override
          public int dimension() {
            return 1;
          }

          @Override
          public double[][] apply(double[][] s) {
            double[][] f = new double[s.length][1];
            for (int i = 0; i < s.length; i++) {
              f[i][0] = s[i][0] - (s[i][0] * s[i][0] + 0.01);
            }
            return f;
          }

          @Override
          public double[][] vjp(double[][] s, double[][] r) {
            double[][] g = new double[s.length][1];
            for (int i = 0; i < s.length; i++) {
              g[i][0] = (1 - 2 * s[i][0]) * r[i][0];
            }
            return g;
          }

          @Override
          public double[][] jacobian(double[] s) {
            return new double[][] {{1 - 2 * s[0]}};
          }
        };
    List<Point> points =
        new FixedPointFinder(ghost, FixedPointFinder.Options.defaults())
            .find(uniform(20, 1, 0.5, 4));
    assertEquals(1, points.size(), points.toString());
    assertEquals(0, points.get(0).state()[0], 1e-4);
    assertEquals(0.5e-4, points.get(0).q(), 1e-9);
    assertTrue(!points.get(0).fixed());
  }
}
