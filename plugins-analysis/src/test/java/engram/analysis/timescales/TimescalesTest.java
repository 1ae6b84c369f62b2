package engram.analysis.timescales;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimescalesTest {

  private static final int MAX_LAG = 30;

  /** x_t = φ x_{t−1} + ε_t with φ = e^(−1/τ), ε ~ N(0, 1 − φ²) (unit stationary variance). */
  private static double[] ar1(SplittableRandom rng, int n, double tau) {
    double phi = Math.exp(-1.0 / tau);
    double sd = Math.sqrt(1 - phi * phi);
    double[] x = new double[n];
    double v = gaussian(rng); // start in the stationary distribution
    for (int t = 0; t < n; t++) {
      v = phi * v + sd * gaussian(rng);
      x[t] = v;
    }
    return x;
  }

  private static double gaussian(SplittableRandom rng) { // Box–Muller, deterministic given seed
    double u1 = rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  private static double[][] ar1Trials(long seed, int steps, double tau) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] trials = new double[10][];
    for (int i = 0; i < trials.length; i++) {
      trials[i] = ar1(rng, steps, tau);
    }
    return trials;
  }

  /** Sum of two independent AR(1) (τ = 2 and 20 steps), each of unit variance: weights 0.5. */
  private static double[][] mixtureTrials(long seed, int steps) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] trials = new double[10][];
    for (int i = 0; i < trials.length; i++) {
      double[] fast = ar1(rng, steps, 2.0);
      double[] slow = ar1(rng, steps, 20.0);
      for (int t = 0; t < fast.length; t++) {
        fast[t] += slow[t];
      }
      trials[i] = fast;
    }
    return trials;
  }

  /**
   * AR(1) with τ = 5 on 20 seeds (10 trials × 20,000 steps): the default strict rule selects SINGLE
   * and τ_net is within 10% on every seed. The spec's raw AIC rule is measured on the same series:
   * it selects DOUBLE on some seeds, and then τ_net (the slower τ) misses 5 by more than 10% — the
   * instability the strict rule exists for (see TimescaleFit's Javadoc for the rates over 200
   * seeds). Both rules report the same fits, so the single τ is within 10% either way.
   */
  @Test
  void ar1IsSingleWithTauWithin10PercentOnEverySeedUnderTheStrictRule() {
    int rawDouble = 0;
    int rawMissed = 0;
    for (long seed = 0; seed < 20; seed++) {
      double[] acf = Autocorrelation.of(ar1Trials(seed, 20_000, 5.0), MAX_LAG);
      TimescaleFit.Result strict =
          TimescaleFit.fit(acf, MAX_LAG, TimescaleFit.Selection.AIC_STRICT);
      TimescaleFit.Result raw = TimescaleFit.fit(acf, MAX_LAG, TimescaleFit.Selection.AIC);
      assertEquals(TimescaleFit.Model.SINGLE, strict.model(), "seed " + seed + ": " + strict);
      assertEquals(5.0, strict.tau(), 0.5, "seed " + seed);
      assertEquals(strict.tauSingle(), strict.tau());
      assertEquals(5.0, raw.tauSingle(), 0.5, "seed " + seed);
      assertEquals(raw.aicDouble() < raw.aicSingle(), raw.model() == TimescaleFit.Model.DOUBLE);
      if (raw.model() == TimescaleFit.Model.DOUBLE) {
        rawDouble++;
        if (Math.abs(raw.tau() - 5.0) > 0.5) {
          rawMissed++;
        }
      }
    }
    System.out.printf(
        "AR(1) tau=5, 20 seeds: raw AIC chose DOUBLE on %d, tau_net off by >10%% on"
            + " %d; strict chose SINGLE on all%n",
        rawDouble, rawMissed);
    assertTrue(rawMissed >= 1, "the raw AIC rule was expected to misjudge some AR(1) seeds");
  }

  /** τ = 2 + τ = 20 on 20 seeds: both rules select DOUBLE with the slow τ within 15%. */
  @Test
  void sumOfTwoAr1IsDoubleWithSlowTauWithin15PercentOnEverySeed() {
    for (long seed = 100; seed < 120; seed++) {
      double[] acf = Autocorrelation.of(mixtureTrials(seed, 20_000), MAX_LAG);
      for (TimescaleFit.Selection selection : TimescaleFit.Selection.values()) {
        TimescaleFit.Result r = TimescaleFit.fit(acf, MAX_LAG, selection);
        assertEquals(TimescaleFit.Model.DOUBLE, r.model(), selection + " seed " + seed + ": " + r);
        assertEquals(20.0, r.tau(), 3.0, selection + " seed " + seed);
        assertEquals(r.tau2(), r.tau());
        assertEquals(2.0, r.tau1(), 0.5, selection + " seed " + seed);
        assertEquals(0.5, r.weightSlow(), 0.1, selection + " seed " + seed);
      }
    }
  }

  @Test
  void noiseFreeCurvesAreFittedExactly() {
    double[] single = new double[MAX_LAG + 1];
    double[] dbl = new double[MAX_LAG + 1];
    for (int k = 0; k <= MAX_LAG; k++) {
      single[k] = 0.8 * Math.exp(-k / 7.3);
      dbl[k] = 0.9 * (0.3 * Math.exp(-k / 1.5) + 0.7 * Math.exp(-k / 12.0));
    }
    TimescaleFit.Result s = TimescaleFit.fit(single, MAX_LAG, TimescaleFit.Selection.AIC_STRICT);
    assertEquals(TimescaleFit.Model.SINGLE, s.model());
    assertEquals(7.3, s.tau(), 1e-5);
    assertEquals(0.8, s.a(), 1e-6);
    assertEquals(single[10], s.curve(10), 1e-8);
    TimescaleFit.Result d = TimescaleFit.fit(dbl, MAX_LAG, TimescaleFit.Selection.AIC_STRICT);
    assertEquals(TimescaleFit.Model.DOUBLE, d.model());
    assertEquals(12.0, d.tau(), 1e-4);
    assertEquals(1.5, d.tau1(), 1e-4);
    assertEquals(0.9, d.a(), 1e-6);
    assertEquals(0.3, d.c(), 1e-5);
    assertEquals(0.7, d.weightSlow(), 1e-5);
    assertEquals(dbl[7], d.curve(7), 1e-8);
  }

  /** The exact constrained amplitudes agree with a brute-force search over the triangle. */
  @Test
  void projectedAmplitudesMatchBruteForce() {
    SplittableRandom rng = new SplittableRandom(3);
    for (int trial = 0; trial < 200; trial++) {
      double[] e1 = new double[8];
      double[] e2 = new double[8];
      double[] y = new double[8];
      for (int k = 0; k < 8; k++) {
        e1[k] = rng.nextDouble(-1, 1);
        e2[k] = rng.nextDouble(-1, 1);
        y[k] = rng.nextDouble(-2, 2);
      }
      double[] b = new double[2];
      TimescaleFit.projectedAmplitudes(
          dot(y, e1), dot(y, e2), dot(e1, e1), dot(e1, e2), dot(e2, e2), b);
      assertTrue(
          b[0] >= 0 && b[1] >= 0 && b[0] + b[1] <= 1 + 1e-12, "infeasible " + b[0] + "," + b[1]);
      double exact = residual(y, e1, e2, b[0], b[1]);
      double brute = Double.POSITIVE_INFINITY;
      int steps = 400;
      for (int i = 0; i <= steps; i++) {
        for (int j = 0; i + j <= steps; j++) {
          brute = Math.min(brute, residual(y, e1, e2, (double) i / steps, (double) j / steps));
        }
      }
      assertTrue(exact <= brute + 1e-12, "exact " + exact + " > brute " + brute);
      assertTrue(brute - exact < 1e-3 * Math.max(1, brute), "grid too coarse to compare");
    }
  }

  private static double dot(double[] u, double[] v) {
    double s = 0;
    for (int k = 0; k < u.length; k++) {
      s += u[k] * v[k];
    }
    return s;
  }

  private static double residual(double[] y, double[] e1, double[] e2, double b1, double b2) {
    double s = 0;
    for (int k = 0; k < y.length; k++) {
      double r = y[k] - b1 * e1[k] - b2 * e2[k];
      s += r * r;
    }
    return s;
  }

  @Test
  void whiteNoiseIsUncorrelatedBeyondLagZero() {
    SplittableRandom rng = new SplittableRandom(7);
    double[][] trials = new double[5][10_000];
    for (double[] trial : trials) {
      for (int t = 0; t < trial.length; t++) {
        trial[t] = gaussian(rng);
      }
    }
    double[] acf = Autocorrelation.of(trials, 100);
    assertEquals(101, acf.length);
    assertEquals(1.0, acf[0]); // exactly
    for (int k = 1; k < acf.length; k++) {
      assertTrue(Math.abs(acf[k]) < 0.05, "lag " + k + ": " + acf[k]);
    }
  }

  @Test
  void fftMatchesDirectSum() {
    SplittableRandom rng = new SplittableRandom(42);
    double[][] trials = {new double[37], new double[37], new double[37]};
    for (double[] trial : trials) {
      for (int t = 0; t < trial.length; t++) {
        trial[t] = 3 + 2 * rng.nextDouble(); // non-zero mean: exercises the subtraction
      }
    }
    int n = 37;
    double[] fft = Autocorrelation.of(trials); // all lags 0 … n−2
    assertEquals(n - 1, fft.length);
    double[] direct = new double[n - 1];
    for (double[] x : trials) {
      double m = 0;
      for (double v : x) {
        m += v;
      }
      m /= n;
      for (int k = 0; k <= n - 2; k++) {
        double s = 0;
        for (int t = 0; t + k < n; t++) {
          s += (x[t] - m) * (x[t + k] - m);
        }
        direct[k] += s / (n - 1 - k) / trials.length;
      }
    }
    double c0 = direct[0];
    for (int k = 0; k <= n - 2; k++) {
      assertEquals(direct[k] / c0, fft[k], 1e-9, "lag " + k);
    }
    // Few lags: the transform is padded to n + maxLag only (64 here, not 128); same values.
    double[] few = Autocorrelation.of(trials, 5);
    assertEquals(6, few.length);
    for (int k = 0; k <= 5; k++) {
      assertEquals(direct[k] / c0, few[k], 1e-9, "lag " + k);
    }
  }

  @Test
  void boundsHoldOnAdversarialInput() {
    SplittableRandom rng = new SplittableRandom(5);
    double[] constantThenNoise = new double[2_000];
    for (int t = 1_000; t < constantThenNoise.length; t++) {
      constantThenNoise[t] = gaussian(rng);
    }
    double[] rising = new double[MAX_LAG + 1]; // grows with lag: wants a > 1 and τ < 0
    double[] negative = new double[MAX_LAG + 1]; // wants a < 0
    double[] slowLine = new double[MAX_LAG + 1]; // nearly flat: wants τ ≫ 100
    double[] alternating = new double[MAX_LAG + 1];
    for (int k = 0; k <= MAX_LAG; k++) {
      rising[k] = 1 + 0.5 * k;
      negative[k] = -1 + 0.01 * k;
      slowLine[k] = 1 - 1e-4 * k;
      alternating[k] = k % 2 == 0 ? 1 : -1;
    }
    double[][] inputs = {
      Autocorrelation.of(new double[][] {constantThenNoise}, MAX_LAG),
      Autocorrelation.of(new double[][] {constantThenNoise, new double[2_000]}, MAX_LAG),
      rising,
      negative,
      slowLine,
      alternating,
      new double[MAX_LAG + 1]
    };
    assertThrows(
        IllegalArgumentException.class, // zero variance everywhere: undefined
        () -> Autocorrelation.of(new double[][] {new double[100], new double[100]}, MAX_LAG));
    for (double[] acf : inputs) {
      TimescaleFit.Result r = TimescaleFit.fit(acf, MAX_LAG);
      assertIn01(r.a());
      if (r.model() == TimescaleFit.Model.DOUBLE) {
        assertIn01(r.c());
      }
      assertTrue(r.tau() >= 0 && r.tau() <= TimescaleFit.TAU_MAX, "tau " + r.tau());
      assertTrue(r.tau1() >= 0 && r.tau1() <= r.tau2() && r.tau2() <= TimescaleFit.TAU_MAX);
      assertTrue(Double.isFinite(r.aicSingle()) && Double.isFinite(r.aicDouble()));
      assertTrue(r.rssDouble() <= r.rssSingle() + 1e-9, "double fit nests the single one");
    }
  }

  private static void assertIn01(double v) {
    assertTrue(v >= 0 && v <= 1, "not in [0,1]: " + v);
  }
}
