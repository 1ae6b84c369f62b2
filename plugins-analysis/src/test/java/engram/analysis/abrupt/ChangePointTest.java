package engram.analysis.abrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The two-segment fit on series with a known break, with and without noise. */
class ChangePointTest {

  @Test
  void flatThenRampIsFoundWithinOneSpacingOnEverySeed() {
    // 40 checkpoints 100 steps apart; flat at 0.2 until step 1800, then +0.001 per step.
    double[] x = new double[40];
    for (int i = 0; i < x.length; i++) {
      x[i] = 100 * i;
    }
    for (long seed = 1; seed <= 20; seed++) {
      SplittableRandom rng = new SplittableRandom(seed);
      double[] y = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        double noise = 0.05 * (rng.nextDouble() - 0.5);
        y[i] = 0.2 + 0.001 * Math.max(x[i] - 1800, 0) + noise;
      }
      ChangePoint.Fit fit = new ChangePoint(3).fit(x, y);
      assertEquals(1800, fit.onset(), 100, "seed " + seed);
      assertEquals(0.001, fit.slopeAfter(), 1e-4, "seed " + seed);
      assertEquals(0, fit.slopeBefore(), 1e-4, "seed " + seed);
      assertTrue(fit.sseRatio() < 0.1, "seed " + seed + ": " + fit.sseRatio());
    }
  }

  @Test
  void exactBrokenStickIsRecoveredExactly() {
    double[] x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i] <= 6 ? 1 - 0.1 * x[i] : 0.4 - 2 * (x[i] - 6);
    }
    ChangePoint.Fit fit = new ChangePoint(2).fit(x, y);
    assertEquals(6, fit.onset());
    assertEquals(-0.1, fit.slopeBefore(), 1e-9);
    assertEquals(-2, fit.slopeAfter(), 1e-9);
    assertEquals(0, fit.sseRatio(), 1e-12);
  }

  @Test
  void aStraightLineHasNoClearBreak() {
    double[] x = new double[30];
    double[] y = new double[30];
    SplittableRandom rng = new SplittableRandom(4);
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
      y[i] = 0.5 * i + (rng.nextDouble() - 0.5);
    }
    assertTrue(new ChangePoint(3).fit(x, y).sseRatio() > 0.7);
  }

  @Test
  void tooShortASeriesHasNoOnset() {
    ChangePoint.Fit fit =
        new ChangePoint(3).fit(new double[] {0, 1, 2, 3}, new double[] {0, 0, 1, 2});
    assertTrue(Double.isNaN(fit.onset()));
    assertEquals(-1, fit.index());
  }
}
