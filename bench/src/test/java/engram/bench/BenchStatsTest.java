package engram.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Summaries, the Engram/PyTorch ratio, the flat-footprint rule and shape specs on fixed numbers.
 */
class BenchStatsTest {
  private static final double MB = 1024 * 1024;

  @Test
  void summaryInterpolatesQuantilesLikeNumpy() {
    Summary s = Summary.of(5, 1, 4, 2, 3);
    assertEquals(3, s.median());
    assertEquals(2, s.p25());
    assertEquals(4, s.p75());
    assertEquals(1, s.min());
    assertEquals(5, s.max());
    assertEquals(5, s.count());
    Summary even = Summary.of(10, 20, 30, 40);
    assertEquals(25, even.median());
    assertEquals(17.5, even.p25());
    assertEquals(32.5, even.p75());
    assertEquals(7, Summary.of(7).median());
    assertThrows(IllegalArgumentException.class, Summary::of);
  }

  @Test
  void ratioIsEngramOverPyTorch() {
    assertEquals(2.0, Summary.ratio(26, 13), 1e-12);
    assertEquals(0.5, Summary.ratio(163, 326), 1e-12);
    assertTrue(Double.isNaN(Summary.ratio(10, 0)));
    assertTrue(Double.isNaN(Summary.ratio(10, Double.NaN)));
    assertTrue(Double.isNaN(Summary.ratio(Double.NaN, 10)));
  }

  @Test
  void flatFootprintAllowsNoiseButNotSteadyGrowth() {
    // constant, and GC-like noise around 1 GB
    assertTrue(Footprint.Series.of(new double[] {1000 * MB, 1000 * MB, 1000 * MB}).flat());
    double[] noisy = new double[30];
    for (int i = 0; i < noisy.length; i++) {
      noisy[i] = 1000 * MB + (i % 2 == 0 ? 20 : -20) * MB;
    }
    assertTrue(Footprint.Series.of(noisy).flat());
    // a leak of 5 MB per step over 30 steps: +100 MB between the thirds' medians
    double[] leak = new double[30];
    for (int i = 0; i < leak.length; i++) {
      leak[i] = 1000 * MB + 5 * MB * i;
    }
    Footprint.Series s = Footprint.Series.of(leak);
    assertFalse(s.flat());
    assertEquals(1022.5 * MB, s.firstThird(), 1); // median of steps 0..9
    assertEquals(1122.5 * MB, s.lastThird(), 1); // median of steps 20..29
    assertEquals(1145 * MB, s.peak(), 1);
    // the rule's edges: 5% relative, 16 MiB absolute for small footprints
    assertTrue(Footprint.Series.flat(1000 * MB, 1050 * MB));
    assertFalse(Footprint.Series.flat(1000 * MB, 1051 * MB));
    assertTrue(Footprint.Series.flat(10 * MB, 26 * MB));
    assertFalse(Footprint.Series.flat(10 * MB, 27 * MB));
    assertTrue(Footprint.Series.flat(1000 * MB, 500 * MB), "shrinking is flat");
    assertThrows(IllegalArgumentException.class, () -> Footprint.Series.of(new double[] {1, 2}));
  }

  @Test
  void shapesParseNamesAndSpecs() {
    assertEquals(BenchShape.L, BenchShape.parse("l"));
    assertEquals(
        new BenchShape("500:256:100:29", 500, 256, 100, 29), BenchShape.parse("500:256:100:29"));
    assertEquals(128, BenchShape.parse("S").hidden());
    assertEquals(29, BenchShape.L.heads());
    for (String bad : new String[] {"XL", "1:2:3", "1:2:3:x", "0:1:1:1", ""}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> BenchShape.parse(bad));
      assertTrue(e.getMessage().contains("Fix: use S, M, L or H:B:T:HEADS"), e.getMessage());
    }
  }

  @Test
  void matmulFloorCountsTheForwardBackwardAndWeightGradientProducts() {
    // S: 2·B·H²·(T forward + (T−1) backward + T for the weight gradient)
    assertEquals(
        2.0 * 64 * 128 * 128 * (50 + 49 + 50),
        MatmulFloor.flops(new BenchShape("S", 128, 64, 50, 1)),
        1e-6);
    double ms = MatmulFloor.millis(new BenchShape("tiny", 8, 4, 5, 1), 3);
    assertTrue(ms > 0 && Double.isFinite(ms), "timed: " + ms);
  }
}
