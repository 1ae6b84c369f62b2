package engram.analysis.fixedpoints;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.fixedpoints.FixedPointFinder.Options;
import engram.analysis.fixedpoints.FixedPointFinder.Point;
import engram.analysis.fixedpoints.FixedPointFinder.Stability;
import engram.analysis.fixedpoints.GhostTest.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Ghosts on maps whose speed landscape is known, and their tracking through a saddle-node
 * bifurcation.
 */
class GhostTrackingTest {

  /**
   * A map of {@code dims} coordinates given by its value and Jacobian per state: exact arithmetic
   * (resolution 0), VJP from the Jacobian.
   */
  private static StepMap map(
      int dims,
      java.util.function.Function<double[], double[]> f,
      BiConsumer<double[], double[][]> j) {
    return new StepMap() {
      @Override
      public int dimension() {
        return dims;
      }

      @Override
      public double[][] apply(double[][] states) {
        double[][] out = new double[states.length][];
        for (int i = 0; i < states.length; i++) {
          out[i] = f.apply(states[i]);
        }
        return out;
      }

      @Override
      public double[][] vjp(double[][] states, double[][] r) {
        double[][] out = new double[states.length][dims];
        for (int i = 0; i < states.length; i++) {
          double[][] jac = jacobian(states[i]);
          for (int a = 0; a < dims; a++) {
            for (int b = 0; b < dims; b++) {
              out[i][b] += r[i][a] * jac[a][b];
            }
          }
        }
        return out;
      }

      @Override
      public double[][] jacobian(double[] state) {
        double[][] jac = new double[dims][dims];
        j.accept(state, jac);
        return jac;
      }
    };
  }

  /** The saddle-node normal form h' = h + a − h²: a ghost at 0 for a &lt; 0, ±√a for a &gt; 0. */
  private static StepMap saddleNode(double a) {
    return map(1, h -> new double[] {h[0] + a - h[0] * h[0]}, (h, jac) -> jac[0][0] = 1 - 2 * h[0]);
  }

  @Test
  void ghostTestTellsAGhostFromASlowManifoldAndAFixedPoint() {
    // (h1 − (h1² + 0.01), 0.5·h2): q = ½(h1² + 0.01)² + ⅛h2², a strict minimum at 0 with q > 0.
    StepMap ghost =
        map(
            2,
            h -> new double[] {h[0] - (h[0] * h[0] + 0.01), 0.5 * h[1]},
            (h, jac) -> {
              jac[0][0] = 1 - 2 * h[0];
              jac[1][1] = 0.5;
            });
    // (h1 + 0.01, 0.5·h2): q = ½·0.01² + ⅛h2² is flat along h1: slow, not a ghost.
    StepMap drift =
        map(
            2,
            h -> new double[] {h[0] + 0.01, 0.5 * h[1]},
            (h, jac) -> {
              jac[0][0] = 1;
              jac[1][1] = 0.5;
            });
    GhostTest test = GhostTest.defaults();
    double[][] origin = {{0, 0}, {0.3, 0}};
    Kind[] ghostKinds = test.kinds(ghost, origin, 1e-12);
    assertEquals(Kind.GHOST, ghostKinds[0]);
    assertEquals(Kind.SLOW, ghostKinds[1], "not converged: the gradient is large at h1 = 0.3");
    assertEquals(Kind.SLOW, test.kinds(drift, origin, 1e-12)[0]);
    double[][] h = GhostTest.hessians(ghost, new double[][] {{0, 0}})[0];
    assertArrayEquals(new double[] {0.02, 0}, h[0], 1e-8); // ∂²q/∂h1² = 2·0.01 at 0
    assertArrayEquals(new double[] {0, 0.25}, h[1], 1e-8);
    assertEquals(Kind.FIXED, test.kinds(saddleNode(0.01), new double[][] {{0.1}}, 1e-12)[0]);
  }

  /**
   * The speed solver on h' = h + a − h² with a swept over "checkpoints" from −0.04 to 0.04 and
   * max-q 5e-4: no point while ½a² &gt; max-q (a = −0.04), then a ghost at 0 with q = ½a² (from a =
   * −0.03), which becomes a fixed point at the first a &gt; 0, when its partner appears: the stable
   * √a (λ = 1 − 2√a) and the unstable −√a (λ = 1 + 2√a).
   */
  @Test
  void ghostAppearsBeforeTheSaddleNodePairAndTurnsIntoIt() {
    double[] sweep = {-0.04, -0.03, -0.02, -0.01, -0.001, 0.001, 0.01, 0.04};
    Options options = new Options(5000, 0.1, 1e-14, 0, 5e-4, 1e-3, Double.POSITIVE_INFINITY);
    double[][] starts = new double[41][1];
    for (int i = 0; i < starts.length; i++) {
      starts[i][0] = -0.405 + 0.02 * i; // not exactly 0: the maximum of q for a > 0
    }
    Pca basis = Pca.fit(starts, 3);
    List<List<PointTracker.Tracked>> frames = new ArrayList<>();
    for (double a : sweep) {
      StepMap map = saddleNode(a);
      List<Point> points = new SpeedSolver(map, options, 0.01).find(starts, basis);
      double[][] at = points.stream().map(Point::state).toArray(double[][]::new);
      Kind[] kinds = GhostTest.defaults().kinds(map, at, 1e-14);
      // Tracked: fixed points and ghosts. A start near the maximum of q at 0 (a > 0) may stop on
      // its flat top as a slow point; slow points are not what this test follows.
      List<PointTracker.Tracked> frame = new ArrayList<>();
      List<Point> fixedOrGhost = new ArrayList<>();
      List<Kind> kept = new ArrayList<>();
      for (int i = 0; i < points.size(); i++) {
        Point p = points.get(i);
        if (kinds[i] == Kind.SLOW) {
          continue;
        }
        fixedOrGhost.add(p);
        kept.add(kinds[i]);
        frame.add(
            new PointTracker.Tracked(
                p.state(),
                p.q(),
                kinds[i].label(),
                p.stability().label(),
                basis.project(p.state())));
      }
      frames.add(frame);
      if (a < 0 && 0.5 * a * a > 5e-4) {
        assertTrue(points.isEmpty(), "a = " + a + ": " + points);
      } else if (a < 0) {
        assertEquals(1, fixedOrGhost.size(), "a = " + a + ": " + points);
        assertEquals(Kind.GHOST, kept.get(0));
        assertEquals(0, fixedOrGhost.get(0).state()[0], 1e-4);
        assertEquals(0.5 * a * a, fixedOrGhost.get(0).q(), 1e-4 * a * a);
      } else {
        assertEquals(2, fixedOrGhost.size(), "a = " + a + ": " + points);
        for (int i = 0; i < 2; i++) {
          Point p = fixedOrGhost.get(i);
          assertEquals(Kind.FIXED, kept.get(i));
          double root = Math.signum(p.state()[0]) * Math.sqrt(a);
          assertEquals(root, p.state()[0], 1e-6);
          assertEquals(root > 0 ? Stability.STABLE : Stability.UNSTABLE, p.stability());
          assertEquals(Math.abs(1 - 2 * root), p.leadingModulus(), 1e-5);
        }
      }
    }
    List<PointTracker.Row> rows = PointTracker.track(frames, 0.15);
    List<String> ghostTrack =
        rows.stream()
            .filter(r -> r.track() == 0)
            .map(r -> r.frame() + " " + r.event() + " " + r.kind())
            .toList();
    assertEquals(
        List.of(
            "1 appears ghost",
            "2 continues ghost",
            "3 continues ghost",
            "4 continues ghost",
            "5 becomes-fixed fixed",
            "6 continues fixed",
            "7 continues fixed"),
        ghostTrack);
    List<String> partner =
        rows.stream()
            .filter(r -> r.track() == 1)
            .map(r -> r.frame() + " " + r.event() + " " + r.kind())
            .toList();
    assertEquals(List.of("5 appears fixed", "6 continues fixed", "7 continues fixed"), partner);
    assertEquals(10, rows.size(), rows.toString());
  }

  @Test
  void trackerEndsATrackWhenItsPointIsGone() {
    PointTracker.Tracked p =
        new PointTracker.Tracked(new double[] {0}, 0, "fixed", "stable", new double[3]);
    PointTracker.Tracked far =
        new PointTracker.Tracked(new double[] {5}, 0, "ghost", "stable", new double[3]);
    List<PointTracker.Row> rows = PointTracker.track(List.of(List.of(p), List.of(far)), 1);
    assertEquals(
        List.of(
            new PointTracker.Row(0, 0, 0, "appears", "fixed"),
            new PointTracker.Row(0, 1, -1, "disappears", "fixed"),
            new PointTracker.Row(1, 1, 0, "appears", "ghost")),
        rows);
  }
}
