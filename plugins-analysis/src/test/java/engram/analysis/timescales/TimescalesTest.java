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

  private static void print(String name, TimescaleFit.Result r) {
    System.out.printf("%s: %s%n", name, r);
  }

  /**
   * AR(1) with τ = 5 steps, over several seeds. Measured while writing this test: the spec's AIC
   * rule picks DOUBLE on about 40% of pure AR(1) series (47 of 80 seeds chose SINGLE at
   * 10 × 20,000 and 10 × 100,000 steps), because residuals of neighbouring lags are correlated and
   * two extra parameters fit the estimation noise with a small slow tail; τ_net (the slower τ) then
   * lands anywhere in 5…100. So this test asserts what holds for every seed — the single-exponential
   * τ is within 10% — and that whenever AIC does select SINGLE, τ_net is within 10% too. It does
   * NOT claim the selection is reliable: that is an open problem of the spec's rule (issue 5).
   */
  @Test
  void singleExponentialFitRecoversTauOfAnAr1OnEverySeed() {
    int selectedSingle = 0;
    for (long seed = 0; seed < 6; seed++) {
      SplittableRandom rng = new SplittableRandom(seed);
      double[][] trials = new double[10][];
      for (int i = 0; i < trials.length; i++) {
        trials[i] = ar1(rng, 20_000, 5.0);
      }
      TimescaleFit.Result r = TimescaleFit.fit(Autocorrelation.of(trials, MAX_LAG), MAX_LAG);
      print("AR(1) tau=5 seed " + seed, r);
      assertEquals(5.0, r.tauSingle(), 0.5, "seed " + seed);
      if (r.model() == TimescaleFit.Model.SINGLE) {
        selectedSingle++;
        assertEquals(5.0, r.tau(), 0.5, "seed " + seed);
      }
    }
    assertTrue(selectedSingle >= 1, "AIC selected SINGLE on no seed at all");
  }

  @Test
  void sumOfTwoAr1ChoosesDoubleAndSlowTau() {
    SplittableRandom rng = new SplittableRandom(99);
    double[][] trials = new double[10][];
    for (int i = 0; i < trials.length; i++) {
      double[] fast = ar1(rng, 100_000, 2.0);
      double[] slow = ar1(rng, 100_000, 20.0);
      for (int t = 0; t < fast.length; t++) {
        fast[t] += slow[t]; // both unit variance: equal contributions
      }
      trials[i] = fast;
    }
    TimescaleFit.Result r = TimescaleFit.fit(Autocorrelation.of(trials, MAX_LAG), MAX_LAG);
    print("AR(1) tau=2 + tau=20", r);
    assertEquals(TimescaleFit.Model.DOUBLE, r.model());
    assertEquals(20.0, r.tau(), 3.0);
    assertEquals(r.tau2(), r.tau());
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
      rising, negative, slowLine, alternating, new double[MAX_LAG + 1]
    };
    assertThrows(IllegalArgumentException.class, // zero variance everywhere: undefined
        () -> Autocorrelation.of(new double[][] {new double[100], new double[100]}, MAX_LAG));
    for (double[] acf : inputs) {
      TimescaleFit.Result r = TimescaleFit.fit(acf, MAX_LAG);
      print("adversarial", r);
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
