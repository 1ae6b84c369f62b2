package engram.studies.geometry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

class CensoredTest {
  private static final double INF = Double.POSITIVE_INFINITY;

  @Test
  void theMedianSortsCensoredTimesLast() {
    assertEquals(3.0, Censored.median(new double[] {5, 1, 3}));
    assertEquals(2.5, Censored.median(new double[] {4, 1, 2, 3}));
    // half the runs never dropped: the upper middle value is +∞, and so is the median
    assertEquals(INF, Censored.median(new double[] {1, 2, INF, INF}));
    assertEquals(2.0, Censored.median(new double[] {1, 2, INF, Double.NaN}));
    assertTrue(Double.isNaN(Censored.median(new double[] {})));
  }

  @Test
  void theMedianIntervalIsTheBinomialOrderStatistic() {
    // n = 10: P(B ≤ 1) = 11/1024 ≤ 0.025 < P(B ≤ 2) = 56/1024, so [x(2), x(9)], 1 − 22/1024
    double[] x = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    assertArrayEquals(
        new double[] {2, 9, 1 - 22.0 / 1024}, Censored.medianInterval(x, 0.95), 1e-12);
    // n = 6: P(B = 0) = 1/64 ≤ 0.025, so [x(1), x(6)] with coverage 62/64
    assertArrayEquals(
        new double[] {1, INF, 62.0 / 64},
        Censored.medianInterval(new double[] {1, 2, 3, 4, 5, INF}, 0.95),
        1e-12);
    // n = 5: P(B = 0) = 1/32 > 0.025: no 95 % interval
    assertNull(Censored.medianInterval(new double[] {1, 2, 3, 4, 5}, 0.95));
  }

  @Test
  void mannWhitneyMatchesTheHandComputedNormalApproximation() {
    double[] small = {1, 2, 3, 4, 5};
    double[] large = {6, 7, 8, 9, 10};
    // U = 0, mean 12.5, variance 25·11/12, continuity ½
    double z = (0 - 12.5 + 0.5) / Math.sqrt(25 * 11 / 12.0);
    double expected = new NormalDistribution().cumulativeProbability(z);
    assertEquals(expected, Censored.lessP(small, large), 1e-12);
    assertEquals(0.0061, expected, 1e-4);
    assertTrue(Censored.lessP(large, small) > 0.99);
  }

  @Test
  void tiedCensoredTimesUseMidRanksAndTheTieCorrection() {
    double[] a = {1, 2, INF};
    double[] b = {3, INF, INF};
    // pooled ranks: 1, 2, 3 (the 3), then three tied +∞ at 5; U_a = (1 + 2 + 5) − 6 = 2
    double ties = 3 * 3 * 3 - 3;
    double variance = 9 / 12.0 * (7 - ties / 30);
    double z = (2 - 4.5 + 0.5) / Math.sqrt(variance);
    assertEquals(new NormalDistribution().cumulativeProbability(z), Censored.lessP(a, b), 1e-12);
    assertEquals(1.0, Censored.lessP(new double[] {INF, INF}, new double[] {INF}));
  }

  @Test
  void fisherIsTheHypergeometricUpperTail() {
    // 8 of 10 against 2 of 10: (C(10,8)C(10,2) + C(10,9)C(10,1) + 1) / C(20,10)
    assertEquals(2126.0 / 184756, Censored.moreSuccessesP(8, 10, 2, 10), 1e-12);
    assertEquals(1.0 / 252, Censored.moreSuccessesP(5, 5, 0, 5), 1e-12);
    assertEquals(1.0, Censored.moreSuccessesP(0, 5, 0, 5));
    assertEquals(1.0, Censored.moreSuccessesP(0, 5, 5, 5), 1e-12);
  }
}
