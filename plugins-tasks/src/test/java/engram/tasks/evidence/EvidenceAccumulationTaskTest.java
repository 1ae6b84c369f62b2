package engram.tasks.evidence;

import static engram.tasks.TrialAssertions.assertScoredExactlyDuring;
import static engram.tasks.TrialAssertions.assertTrialOrderThenPadding;
import static engram.tasks.TrialAssertions.stepsIn;
import static engram.tasks.TrialAssertions.stepsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import engram.api.task.Accuracy;
import engram.api.task.Batch;
import engram.api.task.Target;
import engram.tasks.trial.Steps;
import engram.testkit.PluginContract;
import engram.testkit.TaskContract;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The testkit's task contract, and what only this task guarantees. */
class EvidenceAccumulationTaskTest extends TaskContract<EvidenceAccumulationTask.Config> {
  private static final List<String> PERIODS = List.of("stimulus", "delay", "response");
  private final EvidenceAccumulationTask task = new EvidenceAccumulationTask();

  @Override
  protected Task<EvidenceAccumulationTask.Config> task() {
    return new EvidenceAccumulationTask();
  }

  @Override
  protected boolean hasStream() {
    return false;
  }

  /** The trial's side as the target states it: ±1, the same at every response step. */
  private static float side(Batch batch, Target target, int b) {
    List<Integer> response = stepsOf(batch, b, "response");
    float s = target.values()[response.get(0) * batch.batch() + b];
    assertTrue(s == 1f || s == -1f, "target " + s);
    for (int t : response) {
      assertEquals(s, target.values()[t * batch.batch() + b], "target constant over the response");
    }
    return s;
  }

  /** Φ(x) by Simpson's rule on the normal density from 0 to x. */
  private static double normalCdf(double x) {
    int n = 2000;
    double h = x / n;
    double sum = 0;
    for (int i = 0; i <= n; i++) {
      double weight = i == 0 || i == n ? 1 : (i % 2 == 1 ? 4 : 2);
      double u = i * h;
      sum += weight * Math.exp(-u * u / 2);
    }
    return 0.5 + sum * h / 3 / Math.sqrt(2 * Math.PI);
  }

  /** Stimulus 4, delay 3, response 2, every sparse option on. */
  private static EvidenceAccumulationTask.Config sparse() {
    return new EvidenceAccumulationTask.Config(
        Steps.fixed(4), Steps.fixed(3), Steps.fixed(2), 0.5, 1.0, false, true, false, 0.33);
  }

  @Override
  protected List<EvidenceAccumulationTask.Config> configs() {
    return List.of(
        EvidenceAccumulationTask.Config.defaults(),
        sparse(),
        new EvidenceAccumulationTask.Config(
            Steps.uniform(2, 5), Steps.uniform(0, 3), Steps.fixed(2), 0.2, 1, true, true, true, 0));
  }

  @Override
  protected List<PluginContract.ConfigError> invalidConfigs() {
    return List.of(
        PluginContract.ConfigError.of(
            "threshold",
            () ->
                new EvidenceAccumulationTask.Config(
                    Steps.fixed(4),
                    Steps.fixed(3),
                    Steps.fixed(2),
                    0.5,
                    1,
                    false,
                    true,
                    true,
                    -0.5)));
  }

  /**
   * The classic task as it was drawn before the sparse options existed, written out here: fixed
   * durations 20, 0, 5 draw nothing; per trial the side ({@code nextBoolean}), then one Gaussian
   * per stimulus step; only the response is scored, with its go cue.
   */
  @Test
  void defaultBatchIsTheClassicTaskDrawForDraw() {
    EvidenceAccumulationTask.Config config = EvidenceAccumulationTask.Config.defaults();
    Batch batch = task.sample(config, new int[] {1}, 6, new SplittableRandom(31));
    SplittableRandom rng = new SplittableRandom(31);
    Target target = batch.targets().get(0);
    assertEquals(Accuracy.sign(), target.accuracy());
    for (int b = 0; b < 6; b++) {
      int side = rng.nextBoolean() ? 1 : -1;
      for (int t = 0; t < 25; t++) {
        float evidence = t < 20 ? (float) (side * 0.1 + rng.nextGaussian()) : 0f;
        assertEquals(evidence, batch.input(t, b, 0), "evidence step " + t + " trial " + b);
        assertEquals(t >= 20 ? 1f : 0f, batch.input(t, b, 1), "go step " + t);
        assertEquals(t >= 20 ? side : 0f, target.values()[t * 6 + b], "target step " + t);
        assertEquals(t >= 20, target.scored(t, b, 6), "scored step " + t);
      }
    }
  }

  /**
   * Brute force on the sparse protocol: the side is the sign of the noiseless mean (noise drawn
   * here as 0 is impossible, so read it from a noiseless twin of the same trials); every step is
   * scored, the target is the side in the last 2 steps and 0 before; no go cue; binarized accuracy.
   */
  @Test
  void sparseTrialsReportTheSideOnlyInTheReactionWindowAndScoreEveryStep() {
    EvidenceAccumulationTask.Config noisy = sparse();
    EvidenceAccumulationTask.Config clean =
        new EvidenceAccumulationTask.Config(
            Steps.fixed(4), Steps.fixed(3), Steps.fixed(2), 0.5, 0.0, false, true, false, 0.33);
    Batch batch = task.sample(noisy, new int[] {1, 2}, 40, new SplittableRandom(9));
    Batch sides = task.sample(clean, new int[] {1}, 40, new SplittableRandom(9));
    assertEquals(9, batch.steps());
    for (Target target : batch.targets()) {
      assertEquals(Accuracy.binarized(0.33), target.accuracy());
      for (int b = 0; b < 40; b++) {
        float side = Math.signum(sides.input(0, b, 0));
        for (int t = 0; t < 9; t++) {
          if (t >= 4) {
            assertEquals(0f, batch.input(t, b, 0), "no evidence after the stimulus");
          }
          assertEquals(0f, batch.input(t, b, 1), "no go cue");
          assertEquals(t >= 7 ? side : 0f, target.values()[t * 40 + b], "target step " + t);
          assertTrue(target.scored(t, b, 40), "every step scored");
        }
      }
    }
  }

  @Test
  void noiselessEvidenceEqualsTheTargetSideTimesMu() {
    EvidenceAccumulationTask.Config config =
        new EvidenceAccumulationTask.Config(
            Steps.uniform(3, 8), Steps.uniform(0, 4), Steps.fixed(5), 0.5, 0.0, false);
    Batch batch = task.sample(config, new int[] {1}, 200, new SplittableRandom(1));
    assertTrialOrderThenPadding(batch, PERIODS);
    assertScoredExactlyDuring(batch, "response");
    Target target = batch.targets().get(0);
    assertEquals(Accuracy.sign(), target.accuracy());
    int positive = 0;
    for (int b = 0; b < batch.batch(); b++) {
      float s = side(batch, target, b);
      positive += s > 0 ? 1 : 0;
      for (int t = 0; t < batch.steps(); t++) {
        boolean stimulus = batch.periods().in("stimulus", t, b, batch.batch());
        boolean response = batch.periods().in("response", t, b, batch.batch());
        assertEquals(stimulus ? 0.5f * s : 0f, batch.input(t, b, 0));
        assertEquals(response ? 1f : 0f, batch.input(t, b, 1));
        if (!response) {
          assertEquals(0f, target.values()[t * batch.batch() + b]);
        }
      }
    }
    assertEquals(100, positive, 25, "sides are equiprobable");
  }

  @Test
  void signOfTheSummedEvidenceAgreesWithTheTargetAsOftenAsTheIdealObserver() {
    int trials = 4000;
    for (double mu : new double[] {0.0, 0.1, 0.3}) {
      EvidenceAccumulationTask.Config config =
          new EvidenceAccumulationTask.Config(
              Steps.fixed(20), Steps.fixed(0), Steps.fixed(5), mu, 1.0, false);
      Batch batch = task.sample(config, new int[] {1}, trials, new SplittableRandom(2));
      Target target = batch.targets().get(0);
      int agree = 0;
      double signedMean = 0;
      double squares = 0;
      for (int b = 0; b < trials; b++) {
        float s = side(batch, target, b);
        double sum = 0;
        for (int t : stepsOf(batch, b, "stimulus")) {
          double u = batch.input(t, b, 0);
          sum += u;
          signedMean += s * u;
          squares += (s * u - mu) * (s * u - mu);
        }
        agree += Math.signum(sum) == s ? 1 : 0;
      }
      double expected = normalCdf(mu * Math.sqrt(20) / 1.0); // Φ(μ√T/σ); s.e. ≤ 0.008
      assertEquals(expected, agree / (double) trials, 0.03, "agreement for μ = " + mu);
      assertEquals(mu, signedMean / (trials * 20.0), 0.02, "mean of s·u for μ = " + mu);
      assertEquals(1.0, squares / (trials * 20.0), 0.03, "variance of u for μ = " + mu);
    }
  }

  @Test
  void durationsFromConfigOrLevel() {
    EvidenceAccumulationTask.Config random =
        new EvidenceAccumulationTask.Config(
            Steps.fixed(10), Steps.uniform(2, 6), Steps.fixed(3), 0.1, 1.0, false);
    Batch batch = task.sample(random, new int[] {1}, 200, new SplittableRandom(3));
    TreeSet<Integer> delays = new TreeSet<>();
    for (int b = 0; b < batch.batch(); b++) {
      assertEquals(10, stepsIn(batch, b, "stimulus"));
      assertEquals(3, stepsIn(batch, b, "response"));
      delays.add(stepsIn(batch, b, "delay"));
    }
    assertEquals(new TreeSet<>(List.of(2, 3, 4, 5, 6)), delays);
    assertTrialOrderThenPadding(batch, PERIODS);
    EvidenceAccumulationTask.Config fromLevel =
        new EvidenceAccumulationTask.Config(
            Steps.fixed(10), Steps.fixed(0), Steps.fixed(3), 0.1, 1.0, true);
    Batch level = task.sample(fromLevel, new int[] {4, 17}, 3, new SplittableRandom(3));
    assertEquals(17 + 3, level.steps());
    assertEquals(17, stepsIn(level, 2, "stimulus"));
  }

  @Test
  void configDefaultsAndValidation() {
    EvidenceAccumulationTask.Config d = task.defaults();
    assertEquals(
        new EvidenceAccumulationTask.Config(
            Steps.fixed(20), Steps.fixed(0), Steps.fixed(5), 0.1, 1.0, false),
        d);
    assertEquals(
        "stimulus must be ≥ 1 steps (was 0 steps)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new EvidenceAccumulationTask.Config(
                        Steps.fixed(0), d.delay(), d.response(), 0.1, 1.0, false))
            .getMessage());
    assertEquals(
        "delay must be set",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new EvidenceAccumulationTask.Config(
                        d.stimulus(), null, d.response(), 0.1, 1.0, false))
            .getMessage());
    assertEquals(
        "mean must be a finite number ≥ 0 (was -0.1)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new EvidenceAccumulationTask.Config(
                        d.stimulus(), d.delay(), d.response(), -0.1, 1.0, false))
            .getMessage());
    assertEquals(
        "noise must be a finite number ≥ 0 (was Infinity)",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new EvidenceAccumulationTask.Config(
                        d.stimulus(),
                        d.delay(),
                        d.response(),
                        0.1,
                        Double.POSITIVE_INFINITY,
                        false))
            .getMessage());
  }
}
