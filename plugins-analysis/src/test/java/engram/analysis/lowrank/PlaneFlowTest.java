package engram.analysis.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.lowrank.PlaneFlow.Kind;
import engram.analysis.lowrank.PlaneFlow.Point;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A decoupled rank-two flow: M = [[1, 0], [1, 0], [0, 1], [0, 1]] (H = 4), N = 2g·M, so Q = N/H =
 * (g/2)·M and F splits into two copies of f(κ) = −κ + g·tanh(κ + β_k). For g = 2, β = 0 the zeros
 * are {−a, 0, a}² with a = 2·tanh a, and J = diag(f′(κ_1), f′(κ_2)), f′(±a) = −1 + g − a²/g &lt; 0,
 * f′(0) = g − 1 = 1: four stable corners, four saddles, an unstable origin. With β_1 = 0.6 past the
 * saddle-node of the first copy (β_c = √2 − atanh(1/√2) ≈ 0.533) the negative pair of f_1 is gone
 * and f_1² keeps a minimum where f_1′ = 0, κ_g = −atanh(1/√2) − β_1, so the plane has ghosts at
 * (κ_g, {−a, 0, a}) and zeros only at (κ_s, {−a, 0, a}).
 */
class PlaneFlowTest {
  static final double GAIN = 2;

  static PlaneFlow decoupled(double bias1) {
    double[][] m = {{1, 0}, {1, 0}, {0, 1}, {0, 1}};
    double[][] q = new double[4][2];
    for (int i = 0; i < 4; i++) {
      for (int k = 0; k < 2; k++) {
        q[i][k] = GAIN / 2 * m[i][k];
      }
    }
    return new PlaneFlow(m, q, new double[] {bias1, bias1, 0, 0});
  }

  /** The positive root of a = g·tanh(a + β), by Newton from g (to the last bit). */
  static double root(double bias, double start) {
    double a = start;
    for (int i = 0; i < 100; i++) {
      double t = Math.tanh(a + bias);
      a -= (-a + GAIN * t) / (-1 + GAIN * (1 - t * t));
    }
    return a;
  }

  @Test
  void theDecoupledFlowHasNineZerosOfKnownClass() {
    double a = root(0, GAIN);
    assertEquals(1.915008048182, a, 1e-10);
    double slopeAtA = -1 + GAIN - a * a / GAIN;
    PlaneFlow flow = decoupled(0);
    assertEquals(GAIN, flow.bound(0), 1e-15); // Σ_i |Q_i1| = 2·(g/2)
    for (int points : new int[] {101, 100}) {
      List<Point> found = flow.analyse(1.2 * flow.bound(0), 1.2 * flow.bound(1), points).points();
      assertEquals(9, found.size(), "grid " + points + ": " + found);
      double[] values = {-a, 0, a};
      int p = 0;
      for (double k1 : values) {
        for (double k2 : values) {
          Point point = found.get(p++);
          assertEquals(k1, point.kappa()[0], 1e-9);
          assertEquals(k2, point.kappa()[1], 1e-9);
          int zerosAt = (k1 == 0 ? 1 : 0) + (k2 == 0 ? 1 : 0);
          Kind expected = zerosAt == 0 ? Kind.STABLE : zerosAt == 1 ? Kind.SADDLE : Kind.UNSTABLE;
          assertEquals(expected, point.kind(), "at " + k1 + ", " + k2);
          double s1 = k1 == 0 ? GAIN - 1 : slopeAtA;
          double s2 = k2 == 0 ? GAIN - 1 : slopeAtA;
          assertEquals(Math.min(s1, s2), point.eigenReal()[0], 1e-9);
          assertEquals(Math.max(s1, s2), point.eigenReal()[1], 1e-9);
          assertEquals(0, point.eigenImaginary()[0], 1e-12);
          assertTrue(point.speedSquared() < 1e-22);
        }
      }
    }
  }

  @Test
  void pastASaddleNodeGhostsRemainWhereThePairVanished() {
    double bias = 0.6;
    double a = root(0, GAIN);
    double stable = root(bias, GAIN);
    double ghost = -0.5 * Math.log((1 + Math.sqrt(0.5)) / (1 - Math.sqrt(0.5))) - bias;
    PlaneFlow flow = decoupled(bias);
    int points = 161;
    double range = 1.2 * flow.bound(0);
    double spacing = 2 * range / (points - 1);
    List<Point> found = flow.analyse(range, range, points).points();
    assertEquals(6, found.size(), "" + found);
    double[] values = {-a, 0, a};
    for (int k = 0; k < 3; k++) {
      Point zero = found.get(k);
      assertEquals(stable, zero.kappa()[0], 1e-9);
      assertEquals(values[k], zero.kappa()[1], 1e-9);
      assertEquals(values[k] == 0 ? Kind.SADDLE : Kind.STABLE, zero.kind());
      Point g = found.get(3 + k);
      assertEquals(Kind.GHOST, g.kind());
      assertEquals(ghost, g.kappa()[0], spacing);
      assertEquals(values[k], g.kappa()[1], spacing);
      // The ghost is slow but not a zero: ‖F‖² ≥ f_1(κ_g)² ≈ 0.0045.
      double f1 = -ghost + GAIN * Math.tanh(ghost + bias);
      assertTrue(g.speedSquared() >= f1 * f1 * 0.999, "" + g.speedSquared());
    }
  }

  @Test
  void belowGainOneTheOriginIsTheOnlyZeroAndRotationGivesComplexEigenvalues() {
    // Q couples the axes antisymmetrically: J(0) = −I + [[0, −c], [c, 0]]: λ = −1 ± i·c.
    double c = 0.8;
    double[][] u = {{1, 0}, {0, 1}};
    double[][] q = {{0, c}, {-c, 0}};
    PlaneFlow flow = new PlaneFlow(u, q, new double[] {0, 0});
    List<Point> found = flow.analyse(1.2 * flow.bound(0), 1.2 * flow.bound(1), 51).points();
    assertEquals(1, found.size(), "" + found);
    Point origin = found.get(0);
    assertEquals(Kind.STABLE, origin.kind());
    assertEquals(-1, origin.eigenReal()[0], 1e-12);
    assertEquals(-1, origin.eigenReal()[1], 1e-12);
    assertEquals(c, Math.abs(origin.eigenImaginary()[0]), 1e-12);
  }
}
