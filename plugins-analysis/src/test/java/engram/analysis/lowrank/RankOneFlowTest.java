package engram.analysis.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.analysis.lowrank.RankOneFlow.Kind;
import engram.analysis.lowrank.RankOneFlow.Point;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With m = 1, n = g·1 and b = β·1 (H = 5) the latent field is F(κ) = −κ + g·tanh(κ + β), whose
 * zeros and saddle-node are known analytically.
 */
class RankOneFlowTest {

  static RankOneFlow flow(double gain, double bias) {
    double[] m = new double[5];
    double[] n = new double[5];
    double[] b = new double[5];
    Arrays.fill(m, 1);
    Arrays.fill(n, gain);
    Arrays.fill(b, bias);
    return new RankOneFlow(m, n, b);
  }

  @Test
  void belowGainOneTheOnlyZeroIsAStableOrigin() {
    RankOneFlow flow = flow(0.5, 0);
    List<Point> points = flow.specialPoints(RankOneFlow.grid(1.2 * flow.bound(), 2001));
    assertEquals(1, points.size());
    assertEquals(0, points.get(0).kappa(), 1e-12);
    assertEquals(Kind.STABLE, points.get(0).kind());
    assertEquals(-0.5, points.get(0).slope(), 1e-12);
  }

  @Test
  void aboveGainOneASymmetricStablePairFlanksAnUnstableOrigin() {
    RankOneFlow flow = flow(2, 0);
    // An even grid puts no point on 0, so the origin is found by bisection too.
    List<Point> points = flow.specialPoints(RankOneFlow.grid(1.2 * flow.bound(), 2000));
    assertEquals(3, points.size());
    // κ* = 2·tanh κ*: 1.9150080481…
    double star = 1.915008048182;
    assertEquals(-star, points.get(0).kappa(), 1e-9);
    assertEquals(0, points.get(1).kappa(), 1e-9);
    assertEquals(star, points.get(2).kappa(), 1e-9);
    assertEquals(
        List.of(Kind.STABLE, Kind.UNSTABLE, Kind.STABLE),
        points.stream().map(Point::kind).toList());
    assertEquals(1.0, points.get(1).slope(), 1e-9);
  }

  @Test
  void pastTheSaddleNodeAGhostRemainsWhereThePairVanished() {
    // F = F′ = 0 at κ + β = −atanh(1/√2), κ = −√2, so β_c = √2 − atanh(1/√2) ≈ 0.5328; at β = 0.6
    // the negative pair has just vanished, leaving a slow minimum near κ = −√2.
    RankOneFlow flow = flow(2, 0.6);
    List<Point> points = flow.specialPoints(RankOneFlow.grid(1.2 * flow.bound(), 4001));
    assertEquals(
        List.of(Kind.GHOST, Kind.STABLE), points.stream().map(Point::kind).toList(), "" + points);
    assertEquals(-Math.sqrt(2), points.get(0).kappa(), 0.15);
    double atStable = flow.field(points.get(1).kappa());
    assertEquals(0, atStable, 1e-12);
  }
}
