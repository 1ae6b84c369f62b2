package engram.analysis.abrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.abrupt.LossCurve.Result;
import engram.analysis.abrupt.LossCurve.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The plateau and drop rules on synthetic loss curves whose plateau and drop are known: an initial
 * fall 2·e^{−t/100}, a plateau at P = 1, a sigmoid drop at step s of width 50 to 0.02, and 2%
 * multiplicative Gaussian noise.
 */
class LossCurveTest {

  static final LossCurve RULES = new LossCurve(5, 0.1, 0.5, 100, 0.5, 0.5);

  /** Sigmoid from {@code from} to {@code to} centred at s with width w. */
  static double sigmoid(double t, double s, double w, double from, double to) {
    return to + (from - to) / (1 + Math.exp((t - s) / w));
  }

  static double[] noisy(double[] clean, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] y = new double[clean.length];
    for (int i = 0; i < y.length; i++) {
      double g =
          Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
      y[i] = clean[i] * (1 + 0.02 * g);
    }
    return y;
  }

  static double[] uniformSteps(int every, int last) {
    double[] x = new double[last / every];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i + 1) * every;
    }
    return x;
  }

  @Test
  void sigmoidDropIsFoundAtItsMidpointOnEverySeed() {
    double[] x = uniformSteps(10, 6000);
    double[] clean = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      clean[i] = 2 * Math.exp(-x[i] / 100) + sigmoid(x[i], 3000, 50, 1.0, 0.02);
    }
    for (long seed = 1; seed <= 10; seed++) {
      Result r = RULES.analyse(x, noisy(clean, seed));
      assertEquals(Verdict.DROP, r.verdict(), "seed " + seed);
      assertEquals(3000, r.tDrop(), 30, "seed " + seed);
      // d log L/dt of the sigmoid peaks at s + (w/2)·ln(P/L_final) = 3000 + 25·ln 50 ≈ 3098.
      assertEquals(3000 + 25 * Math.log(50), r.tSteepest(), 60, "seed " + seed);
      assertEquals(1.0, r.plateauLevel(), 0.05);
      assertEquals(0.02, r.afterLevel(), 0.005);
      // The initial fall reaches the band (loss ≤ 1.1) at t = 100·ln 20 ≈ 300.
      assertTrue(r.plateauStart() > 150 && r.plateauStart() < 450, "start " + r.plateauStart());
      assertTrue(r.plateauEnd() > 2800 && r.plateauEnd() < 3000, "end " + r.plateauEnd());
    }
  }

  @Test
  void logSpacedStepsGiveTheSameDrop() {
    int n = 300;
    double[] x = new double[n];
    double[] clean = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = Math.exp(Math.log(10_000) * i / (n - 1));
      clean[i] = 2 * Math.exp(-x[i] / 100) + sigmoid(x[i], 5000, 200, 1.0, 0.02);
    }
    Result r = RULES.analyse(x, noisy(clean, 3));
    assertEquals(Verdict.DROP, r.verdict());
    // Points near step 5000 are ~150 steps apart.
    assertEquals(5000, r.tDrop(), 300);
  }

  @Test
  void aLossThatNeverLeavesThePlateauIsNoDrop() {
    double[] x = uniformSteps(10, 6000);
    double[] clean = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      clean[i] = 2 * Math.exp(-x[i] / 100) + 1.0;
    }
    Result r = RULES.analyse(x, noisy(clean, 5));
    assertEquals(Verdict.NO_DROP, r.verdict());
    assertTrue(Double.isNaN(r.tDrop()));
    assertEquals(6000, r.plateauEnd());
    assertEquals(1.0, r.plateauLevel(), 0.05);
  }

  @Test
  void twoDropsReportTheFirstPlateauAndTheDropRightAfterIt() {
    double[] x = uniformSteps(10, 6000);
    double[] clean = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double first = sigmoid(x[i], 2500, 40, 1.0, 0.3);
      double second = sigmoid(x[i], 3500, 40, 1.0, 0.02 / 0.3);
      clean[i] = 2 * Math.exp(-x[i] / 100) + first * second;
    }
    Result r = RULES.analyse(x, noisy(clean, 7));
    assertEquals(Verdict.DROP, r.verdict());
    assertEquals(2500, r.tDrop(), 30);
    assertEquals(0.3, r.afterLevel(), 0.03);
    assertTrue(r.plateauEnd() < 2500);
    // The shelf at 0.3 (≈ 2550–3450) is shorter than half of the steps before its end, so it is
    // the level after the first drop but no plateau of its own: one counted drop.
    assertEquals(1, r.drops());
    assertEquals(r.tDrop(), r.tLastDrop());
  }

  @Test
  void tenTimesMoreStepsAfterTheDropChangeNeitherPlateauNorDrop() {
    double[] shortX = uniformSteps(10, 6000);
    double[] longX = uniformSteps(10, 33_000); // 3,000 steps after the drop, then 30,000
    double[] clean = new double[longX.length];
    for (int i = 0; i < longX.length; i++) {
      clean[i] = 2 * Math.exp(-longX[i] / 100) + sigmoid(longX[i], 3000, 50, 1.0, 0.02);
    }
    double[] longY = noisy(clean, 11); // the short run is a prefix of the long one, same noise
    Result shortRun = RULES.analyse(shortX, Arrays.copyOf(longY, shortX.length));
    Result longRun = RULES.analyse(longX, longY);
    assertEquals(Verdict.DROP, shortRun.verdict());
    assertEquals(Verdict.DROP, longRun.verdict());
    assertEquals(shortRun.plateauStart(), longRun.plateauStart());
    assertEquals(shortRun.plateauEnd(), longRun.plateauEnd());
    assertEquals(shortRun.plateauLevel(), longRun.plateauLevel());
    assertEquals(3000, longRun.tDrop(), 30);
    assertEquals(shortRun.tDrop(), longRun.tDrop(), 10); // one spacing: L is a median of noise
    // The old rule (a tenth of the whole run) needed 3,300 steps here; the plateau has ≈ 2,700.
    assertTrue(longRun.plateauEnd() - longRun.plateauStart() < 0.1 * 33_000);
  }

  @Test
  void aRunOnThePlateauToItsEndIsNoDropWithThePlateauSet() {
    double[] x = uniformSteps(10, 60_000);
    double[] clean = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      clean[i] = 2 * Math.exp(-x[i] / 100) + 0.1;
    }
    Result r = RULES.analyse(x, noisy(clean, 13));
    assertEquals(Verdict.NO_DROP, r.verdict());
    assertTrue(r.plateauStart() > 150 && r.plateauStart() < 700, "start " + r.plateauStart());
    assertEquals(60_000, r.plateauEnd());
    assertEquals(0, r.drops());
    assertEquals(0.1, r.finalLevel(), 0.005);
    assertTrue(Double.isNaN(r.tDrop()) && Double.isNaN(r.afterLevel()));
  }

  /**
   * A real run (test resource {@code dmts-loss.csv}, see {@code dmts-loss.md}): DMTS, leaky-rnn,
   * SGD, 10⁵ steps, two drops. The rules pick the first: t_drop halfway from ≈ 0.10 to the second
   * plateau ≈ 0.07, inside the first fall (2,400–2,900).
   */
  @Test
  void theRealDmtsRunDropsFirstAroundStep2600() throws java.io.IOException {
    List<double[]> rows = new ArrayList<>();
    try (var in = LossCurveTest.class.getResourceAsStream("dmts-loss.csv")) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R");
      for (int i = 1; i < lines.length; i++) {
        String[] cells = lines[i].split(",");
        rows.add(new double[] {Double.parseDouble(cells[0]), Double.parseDouble(cells[1])});
      }
    }
    double[] x = rows.stream().mapToDouble(r -> r[0]).toArray();
    double[] y = rows.stream().mapToDouble(r -> r[1]).toArray();
    Result r = RULES.analyse(x, y);
    assertEquals(Verdict.DROP, r.verdict());
    assertTrue(r.tDrop() >= 2400 && r.tDrop() <= 2900, "t_drop " + r.tDrop());
    assertTrue(r.plateauStart() <= 300 && r.plateauEnd() >= 2000, "plateau " + r);
    assertEquals(0.103, r.plateauLevel(), 0.005);
    // The second plateau drifts from 0.071 (step 2,900) to 0.058 (6,800); L is its first shelf.
    assertTrue(r.afterLevel() >= 0.058 && r.afterLevel() <= 0.072, "L " + r.afterLevel());
    assertEquals(2, r.drops());
    // The second drop, from ≈ 0.063 towards the solved loss, lies in 7,000–9,000.
    assertTrue(r.tLastDrop() >= 7000 && r.tLastDrop() <= 9000, "t_last_drop " + r.tLastDrop());
    assertTrue(r.finalLevel() < 0.001, "final " + r.finalLevel());
  }

  @Test
  void aSmoothDescentHasNoPlateau() {
    double[] x = uniformSteps(10, 6000);
    double[] clean = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      clean[i] = Math.exp(-x[i] / 500);
    }
    Result r = RULES.analyse(x, clean);
    assertEquals(Verdict.NO_PLATEAU, r.verdict());
    assertTrue(Double.isNaN(r.plateauStart()) && Double.isNaN(r.tDrop()));
  }

  @Test
  void movingMedianIgnoresASpike() {
    double[] s = LossCurve.movingMedian(new double[] {1, 1, 9, 1, 1}, 3);
    assertEquals(1.0, s[2]);
    assertEquals(1.0, s[0]);
  }

  @Test
  void badInputIsNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RULES.analyse(new double[] {1, 2}, new double[] {1, -1}));
    assertTrue(e.getMessage().contains("finite positive"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new LossCurve(5, 0.1, 0.5, 100, 0.5, 1.0));
    IllegalArgumentException steps =
        assertThrows(
            IllegalArgumentException.class, () -> new LossCurve(5, 0.1, 0.5, -1, 0.5, 0.5));
    assertTrue(steps.getMessage().contains("min-plateau-steps"), steps.getMessage());
    IllegalArgumentException fraction =
        assertThrows(IllegalArgumentException.class, () -> new LossCurve(5, 0.1, 0, 100, 0.5, 0.5));
    assertTrue(fraction.getMessage().contains("before the plateau's end"), fraction.getMessage());
  }
}
