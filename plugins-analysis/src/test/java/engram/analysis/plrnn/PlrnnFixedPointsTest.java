package engram.analysis.plrnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.plrnn.PlrnnFixedPoints.Kind;
import engram.analysis.plrnn.PlrnnFixedPoints.Point;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Exact enumeration against a known bistable unit pair and against brute force on random small
 * networks: every reported point is a fixed point of the map; every fixed point found by a
 * piecewise Newton iteration from many random starts is reported; every attractor reached by
 * iterating the map from random starts is a reported stable point.
 */
class PlrnnFixedPointsTest {

  @Test
  void mutuallyExcitingPairHasKnownPoints() {
    // z1' = 0.5 z1 + 0.8 r2 − 0.1, z2' = 0.5 z2 + 0.8 r1 − 0.1:
    // all inactive: z = −0.1/0.5 = (−0.2, −0.2), stable (|λ| = 0.5);
    // all active: (I − A − W) z = k with eigenvalues 1 − 0.5 ∓ 0.8 → z = −0.1/(0.5 − 0.8)·(1, 1)
    // = (1/3, 1/3), Jacobian eigenvalues 1.3 and −0.3: a saddle;
    // one active (z1 > 0, z2 ≤ 0): z1 = −0.1/0.5 < 0, rejected.
    PlrnnFixedPoints net =
        new PlrnnFixedPoints(
            new double[] {0.5, 0.5},
            new double[][] {{0, 0.8}, {0.8, 0}},
            new double[] {-0.1, -0.1});
    List<Point> points = net.find(16).points();
    assertEquals(2, points.size());
    assertEquals(Kind.STABLE, points.get(0).kind());
    assertEquals(-0.2, points.get(0).z()[0], 1e-12);
    assertEquals(Kind.SADDLE, points.get(1).kind());
    assertEquals(1.0 / 3, points.get(1).z()[1], 1e-12);
    assertEquals(1.3, points.get(1).moduli()[0], 1e-12);
    assertEquals(1, points.get(1).unstableDimensions());
  }

  static PlrnnFixedPoints random(SplittableRandom rng, int m) {
    double[] a = new double[m];
    double[][] w = new double[m][m];
    double[] k = new double[m];
    for (int i = 0; i < m; i++) {
      a[i] = rng.nextDouble(0.2, 0.9);
      k[i] = rng.nextDouble(-0.5, 0.5);
      for (int j = 0; j < m; j++) {
        w[i][j] = i == j ? 0 : rng.nextDouble(-1.5, 1.5);
      }
    }
    return new PlrnnFixedPoints(a, w, k);
  }

  static double distance(double[] x, double[] y) {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += (x[i] - y[i]) * (x[i] - y[i]);
    }
    return Math.sqrt(sum);
  }

  static boolean contains(List<Point> points, double[] z, double tolerance) {
    return points.stream().anyMatch(p -> distance(p.z(), z) < tolerance);
  }

  /**
   * Newton for z = F(z) on the piecewise-linear map: z ← (I − J(z))⁻¹ (k), J of z's own region;
   * converges in finitely many steps when it converges; returns null otherwise.
   */
  static double[] newton(PlrnnFixedPoints net, double[] start) {
    double[] z = start.clone();
    for (int iteration = 0; iteration < 100; iteration++) {
      long pattern = 0;
      for (int i = 0; i < z.length; i++) {
        pattern |= z[i] > 0 ? 1L << i : 0;
      }
      double[][] j = net.jacobian(pattern);
      double[][] system = new double[z.length][z.length];
      for (int r = 0; r < z.length; r++) {
        for (int c = 0; c < z.length; c++) {
          system[r][c] = (r == c ? 1 : 0) - j[r][c];
        }
      }
      var solver =
          new org.apache.commons.math3.linear.LUDecomposition(
                  new org.apache.commons.math3.linear.Array2DRowRealMatrix(system))
              .getSolver();
      if (!solver.isNonSingular()) {
        return null;
      }
      double[] next =
          solver.solve(new org.apache.commons.math3.linear.ArrayRealVector(net.k())).toArray();
      if (distance(next, z) < 1e-13) {
        return next;
      }
      z = next;
    }
    return null;
  }

  @Test
  void agreesWithBruteForceOnRandomSmallNetworks() {
    SplittableRandom rng = new SplittableRandom(17);
    int attractorsChecked = 0;
    int newtonPointsChecked = 0;
    for (int trial = 0; trial < 30; trial++) {
      int m = 2 + trial % 4;
      PlrnnFixedPoints net = random(rng, m);
      List<Point> points = net.find(16).points();
      for (Point p : points) {
        assertTrue(distance(net.step(p.z()), p.z()) < 1e-10, "a reported point is not fixed");
      }
      List<double[]> attractors = new ArrayList<>();
      for (int start = 0; start < 50; start++) {
        double[] z = new double[m];
        for (int i = 0; i < m; i++) {
          z[i] = rng.nextDouble(-3, 3);
        }
        double[] fixed = newton(net, z);
        if (fixed != null && distance(net.step(fixed), fixed) < 1e-10) {
          assertTrue(contains(points, fixed, 1e-8), "Newton found an unreported point");
          newtonPointsChecked++;
        }
        for (int step = 0; step < 2000 && Math.abs(z[0]) < 1e6; step++) {
          z = net.step(z);
        }
        if (distance(net.step(z), z) < 1e-12) {
          attractors.add(z);
        }
      }
      for (double[] z : attractors) {
        assertTrue(
            points.stream().anyMatch(p -> p.kind() == Kind.STABLE && distance(p.z(), z) < 1e-8),
            "iteration converged to a point not reported as stable");
        attractorsChecked++;
      }
    }
    assertTrue(attractorsChecked > 50, "too few attractors to compare: " + attractorsChecked);
    assertTrue(newtonPointsChecked > 100, "too few Newton points: " + newtonPointsChecked);
  }

  @Test
  void tooManyUnitsAreRefusedNamingTheCap() {
    PlrnnFixedPoints net = random(new SplittableRandom(1), 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.find(4));
    assertTrue(e.getMessage().contains("M = 5 exceeds max-units = 4"), e.getMessage());
  }
}
