package engram.analysis.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.fixedpoints.StepMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The census on hand-written maps whose attractors are known: s' = tanh(2s) per coordinate (stable
 * points ±a, a = tanh(2a) ≈ 0.95750402, unstable 0), s' = s/2 (one stable point, 0) and a rotation
 * by 90° (no fixed point but 0, never reached).
 */
class AttractorCensusTest {

  /** a = tanh(2a), a > 0, by Newton's method to machine precision. */
  static final double A = bistableRoot();

  static double bistableRoot() {
    double a = 1;
    for (int i = 0; i < 50; i++) {
      double t = Math.tanh(2 * a);
      a -= (a - t) / (1 - 2 * (1 - t * t));
    }
    return a;
  }

  static StepMap map(int dimension, UnaryOperator<double[]> f) {
    return new StepMap() {
      @Override
      public int dimension() {
        return dimension;
      }

      @Override
      public double[][] apply(double[][] states) {
        double[][] out = new double[states.length][];
        for (int b = 0; b < states.length; b++) {
          out[b] = f.apply(states[b].clone());
        }
        return out;
      }

      @Override
      public double[][] vjp(double[][] states, double[][] r) {
        throw new UnsupportedOperationException("the census only iterates the map");
      }

      @Override
      public double[][] jacobian(double[] state) {
        throw new UnsupportedOperationException("the census only iterates the map");
      }
    };
  }

  static final StepMap BISTABLE =
      map(
          2,
          s -> {
            for (int i = 0; i < s.length; i++) {
              s[i] = Math.tanh(2 * s[i]);
            }
            return s;
          });

  static final AttractorCensus CENSUS = new AttractorCensus(200, 1e-8, 0.1);

  @Test
  void twoClassesInTwoBasinsAreBothCaptured() {
    double[][] memory = {{0.3, -0.2}, {-0.4, 0.5}};
    AttractorCensus.Result r = CENSUS.run(BISTABLE, memory);
    assertEquals(1.0, r.capturedFraction());
    assertEquals(2, r.attractors());
    assertArrayEquals(new double[] {A, -A}, r.ends()[0], 1e-12);
    assertArrayEquals(new double[] {-A, A}, r.ends()[1], 1e-12);
    assertTrue(r.maxSpeed() <= 1e-12, "speed " + r.maxSpeed());
    // Drift of the second: ‖(−A + 0.4, A − 0.5)‖.
    double drift = Math.hypot(-A + 0.4, A - 0.5);
    assertEquals(Math.max(drift, Math.hypot(A - 0.3, -A + 0.2)), r.maxDrift(), 1e-12);
  }

  @Test
  void twoClassesInOneBasinShareTheAttractorAndAreNotCaptured() {
    double[][] memory = {{0.3, 0.2}, {0.6, 0.1}, {-0.5, -0.5}};
    AttractorCensus.Result r = CENSUS.run(BISTABLE, memory);
    assertEquals(2, r.attractors());
    assertArrayEquals(new boolean[] {false, false, true}, r.captured());
    assertEquals(1.0 / 3, r.capturedFraction(), 1e-15);
  }

  @Test
  void aContractingMapSendsEveryClassToOnePoint() {
    StepMap half =
        map(
            2,
            s -> {
              s[0] *= 0.5;
              s[1] *= 0.5;
              return s;
            });
    double[][] memory = {{1, 0}, {-1, 0}, {0, 2}};
    AttractorCensus.Result r = CENSUS.run(half, memory);
    assertEquals(1, r.attractors());
    assertEquals(0.0, r.capturedFraction());
    assertEquals(2.0, r.maxDrift(), 1e-12);
  }

  @Test
  void aRotationNeverConverges() {
    StepMap rotation = map(2, s -> new double[] {-s[1], s[0]});
    AttractorCensus.Result r = CENSUS.run(rotation, new double[][] {{1, 0}, {0, 0.5}});
    assertEquals(0, r.attractors());
    assertEquals(0.0, r.capturedFraction());
    assertEquals(Math.sqrt(2), r.maxSpeed(), 1e-12); // ‖R e − e‖ = √2·‖e‖, ‖e‖ = 1
  }

  /**
   * s' = −tanh(2s) per coordinate: 0 is unstable and every other point is attracted to one of two
   * period-2 orbits, {(a, a), (−a, −a)} and {(a, −a), (−a, a)}. Classes that end on different
   * points of one orbit share that attractor.
   */
  @Test
  void periodicOrbitsAreAttractorsWhenPeriodsAreSearched() {
    StepMap flip =
        map(
            2,
            s -> {
              for (int i = 0; i < s.length; i++) {
                s[i] = -Math.tanh(2 * s[i]);
              }
              return s;
            });
    double[][] memory = {{0.3, 0.2}, {-0.5, -0.4}, {0.4, -0.3}};
    AttractorCensus.Result cycles = new AttractorCensus(200, 1e-8, 0.1, 50).run(flip, memory);
    assertArrayEquals(new int[] {2, 2, 2}, cycles.periods());
    assertEquals(2, cycles.attractors());
    assertEquals(2, cycles.cycles());
    assertArrayEquals(new boolean[] {false, false, true}, cycles.captured());
    assertEquals(1.0 / 3, cycles.capturedFraction(), 1e-15);
    // 200 steps (even) bring each class back to its own sign pattern
    assertArrayEquals(new double[] {A, A}, cycles.ends()[0], 1e-12);
    assertArrayEquals(new double[] {-A, -A}, cycles.ends()[1], 1e-12);
    assertEquals(2 * A * Math.sqrt(2), cycles.maxSpeed(), 1e-12); // ‖F(e) − e‖ = ‖2e‖
    // Fixed points only: nothing settles.
    AttractorCensus.Result fixedOnly = CENSUS.run(flip, memory);
    assertArrayEquals(new int[] {0, 0, 0}, fixedOnly.periods());
    assertEquals(0, fixedOnly.attractors());
    assertEquals(0.0, fixedOnly.capturedFraction());
  }

  /**
   * A 90° rotation is an isometry: every point has period 4 (a neutral, not an attracting, orbit);
   * found as period 4 when periods up to 4 are searched, unsettled with 3.
   */
  @Test
  void aPeriodLongerThanTheSearchIsUnsettled() {
    StepMap rotation = map(2, s -> new double[] {-s[1], s[0]});
    double[][] memory = {{1, 0}, {0, 0.5}};
    AttractorCensus.Result four = new AttractorCensus(10, 1e-12, 0.1, 4).run(rotation, memory);
    assertArrayEquals(new int[] {4, 4}, four.periods());
    assertEquals(2, four.attractors()); // the orbits of radius 1 and 0.5 are 0.5 apart
    assertEquals(1.0, four.capturedFraction());
    AttractorCensus.Result three = new AttractorCensus(10, 1e-12, 0.1, 3).run(rotation, memory);
    assertArrayEquals(new int[] {0, 0}, three.periods());
    assertEquals(0, three.attractors());
  }

  @Test
  void badSettingsAreNamed() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new AttractorCensus(0, 1e-4, 0.1))
            .getMessage()
            .contains("census-steps"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new AttractorCensus(10, 0, 0.1))
            .getMessage()
            .contains("census-tol"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new AttractorCensus(10, 1e-4, -1))
            .getMessage()
            .contains("census-radius"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new AttractorCensus(10, 1e-4, 0.1, 0))
            .getMessage()
            .contains("census-max-period"));
    assertThrows(IllegalArgumentException.class, () -> CENSUS.run(BISTABLE, new double[][] {{1}}));
  }
}
