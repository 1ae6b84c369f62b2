package engram.regularizers.temporal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import engram.api.Regularizer;
import engram.api.task.Batch;
import engram.api.task.Periods;
import engram.regularizers.temporal.TemporalConsistencyRegularizer.Config;
import engram.regularizers.temporal.TemporalConsistencyRegularizer.Schedule;
import engram.testkit.PluginContract.ConfigError;
import engram.testkit.RegularizerContract;
import engram.testkit.RegularizerProbe;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The testkit's regularizer contract on every variant (all steps or a period, plain or normalised,
 * on rates or pre-activations, a schedule), and the definition against brute force.
 */
class TemporalConsistencyRegularizerTest extends RegularizerContract<Config> {
  private static final int T = 6;
  private static final int B = 3;
  private static final int H = 4;
  private static final List<String> NAMES = List.of("cue", "delay", "response");

  private final TemporalConsistencyRegularizer reg = new TemporalConsistencyRegularizer();

  @Override
  protected Regularizer<Config> regularizer() {
    return new TemporalConsistencyRegularizer();
  }

  @Override
  protected List<Config> configs() {
    TemporalConsistencyRegularizer.On rates = TemporalConsistencyRegularizer.On.RATES;
    TemporalConsistencyRegularizer.On pre = TemporalConsistencyRegularizer.On.PRE_ACTIVATIONS;
    return List.of(
        config(0.3, "", false),
        config(0.3, "delay", false),
        config(0.3, "", true),
        new Config(0.3, "cue", true, 1e-2, Schedule.CONSTANT, 0, 0.9, rates),
        new Config(0.4, "delay", true, 1e-6, Schedule.WARMUP, 10, 0.9, rates),
        new Config(0.4, "", false, 1e-6, Schedule.CONSTANT, 0, 0.9, pre));
  }

  @Override
  protected List<ConfigError> invalidConfigs() {
    TemporalConsistencyRegularizer.On rates = TemporalConsistencyRegularizer.On.RATES;
    return List.of(
        ConfigError.of("lambda", () -> config(-1, "", false)),
        ConfigError.of(
            "epsilon", () -> new Config(1, "", true, 0, Schedule.CONSTANT, 0, 0.9, rates)),
        ConfigError.of(
            "until-step", () -> new Config(1, "", false, 1e-6, Schedule.WARMUP, 0, 0.9, rates)));
  }

  /** The batch with periods below, at step 5 (mid-warmup), with pre-activations when asked. */
  @Override
  protected RegularizerProbe probe(Config config) {
    RegularizerProbe probe =
        RegularizerProbe.random(T, B, H, 13).withBatch(batch()).at(5, Double.NaN);
    return config.on() == TemporalConsistencyRegularizer.On.PRE_ACTIVATIONS
        ? probe.withExtra("pre", H, 14)
        : probe;
  }

  /** Period of step t of sequence b; boundaries differ between sequences, −1 = none. */
  private static final int[][] PERIOD = {
    // t:   0  1  2  3  4  5
    /*b0*/ {0, 0, 1, 1, 1, 2}, /*b1*/ {0, 1, 1, 2, 2, 2}, /*b2*/ {-1, 0, 0, 1, 1, 1},
  };

  private static Batch batch() {
    byte[] index = new byte[T * B];
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        index[t * B + b] = (byte) PERIOD[b][t];
      }
    }
    return new Batch(T, B, 1, new float[T * B], List.of(), new Periods(NAMES, index));
  }

  private static Config config(double lambda, String period, boolean normalised) {
    return new Config(
        lambda,
        period,
        normalised,
        1e-6,
        Schedule.CONSTANT,
        0,
        0.9,
        TemporalConsistencyRegularizer.On.RATES);
  }

  private static INDArray randomHidden(long seed, long... shape) {
    Nd4j.getRandom().setSeed(seed);
    return Nd4j.rand(DataType.DOUBLE, shape).subi(0.5).muli(2);
  }

  private double term(Config config, INDArray h, INDArray dLdh, long step) {
    return reg.onHidden(config, new Regularizer.HiddenInput(h, dLdh, batch(), step));
  }

  /** Straightforward loops over t, b, i: the definition in the class Javadoc. */
  private static double bruteForce(Config c, INDArray h, long step) {
    int position = NAMES.indexOf(c.period());
    double sum = 0;
    long count = 0;
    for (int t = 0; t + 1 < T; t++) {
      for (int b = 0; b < B; b++) {
        if (position >= 0 && (PERIOD[b][t] != position || PERIOD[b][t + 1] != position)) {
          continue;
        }
        double norm = 0;
        for (int i = 0; i < H; i++) {
          norm += h.getDouble(t, b, i) * h.getDouble(t, b, i);
        }
        for (int i = 0; i < H; i++) {
          double d = h.getDouble(t + 1, b, i) - h.getDouble(t, b, i);
          sum += c.normalised() ? d * d / (norm + c.epsilon()) : d * d;
          count++;
        }
      }
    }
    return count == 0 ? 0 : c.lambdaAt(step) * sum / count;
  }

  private void assertValueAndGradient(Config config) {
    INDArray h = randomHidden(11, T, B, H);
    assertEquals(
        bruteForce(config, h, 0), term(config, h, Nd4j.zeros(DataType.DOUBLE, T, B, H), 0), 1e-14);
    INDArray before = randomHidden(12, T, B, H);
    INDArray g = before.dup();
    term(config, h, g, 0);
    INDArray analytic = g.sub(before);
    double eps = 1e-6;
    boolean anyNonZero = false;
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        for (int i = 0; i < H; i++) {
          double x = h.getDouble(t, b, i);
          h.putScalar(new long[] {t, b, i}, x + eps);
          double up = bruteForce(config, h, 0);
          h.putScalar(new long[] {t, b, i}, x - eps);
          double down = bruteForce(config, h, 0);
          h.putScalar(new long[] {t, b, i}, x);
          double numeric = (up - down) / (2 * eps);
          double a = analytic.getDouble(t, b, i);
          anyNonZero |= a != 0;
          assertEquals(
              numeric, a, 1e-6 * Math.abs(numeric) + 1e-10, "t=" + t + " b=" + b + " i=" + i);
        }
      }
    }
    assertTrue(anyNonZero);
  }

  @Test
  void valueMatchesBruteForceAndGradientMatchesFiniteDifferencesOverAllSteps() {
    assertValueAndGradient(config(0.3, "", false));
  }

  @Test
  void namedPeriodScoresOnlyPairsWithBothStepsInItPerSequence() {
    Config delay = config(0.3, "delay", false);
    assertValueAndGradient(delay);
    // Hand count: delay pairs b0 (2,3),(3,4); b1 (1,2); b2 (3,4),(4,5) → 5 pairs × H entries.
    INDArray h = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    h.putScalar(new long[] {3, 1, 0}, 1.0); // b1 step 3 is response: touches no delay pair
    h.putScalar(new long[] {5, 2, 0}, 2.0); // b2 (4,5) is a delay pair: d² = 4
    assertEquals(0.3 * 4 / (5 * H), term(delay, h, Nd4j.zeros(DataType.DOUBLE, T, B, H), 0), 1e-15);
    // Steps of b1 outside the delay get no gradient.
    INDArray g = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    term(delay, h, g, 0);
    assertEquals(0, g.getDouble(3, 1, 0));
    assertEquals(2 * 0.3 * 2 / (5 * H), g.getDouble(5, 2, 0), 1e-15);
    assertEquals(-2 * 0.3 * 2 / (5 * H), g.getDouble(4, 2, 0), 1e-15);
  }

  @Test
  void normalisedFormMatchesBruteForceAndFiniteDifferences() {
    assertValueAndGradient(config(0.3, "", true));
    assertValueAndGradient(
        new Config(
            0.3,
            "cue",
            true,
            1e-2,
            Schedule.CONSTANT,
            0,
            0.9,
            TemporalConsistencyRegularizer.On.RATES));
  }

  @Test
  void normalisedDenominatorIsSquaredNormOfEarlierStatePlusEpsilon() {
    INDArray h = Nd4j.zeros(DataType.DOUBLE, 2, 1, 2);
    h.putScalar(new long[] {0, 0, 0}, 3);
    h.putScalar(new long[] {0, 0, 1}, 4); // ‖h_0‖² = 25
    h.putScalar(new long[] {1, 0, 0}, 3); // d = (0, −4), Σd² = 16
    Config c =
        new Config(
            1, "", true, 0.5, Schedule.CONSTANT, 0, 0.9, TemporalConsistencyRegularizer.On.RATES);
    double value =
        reg.onHidden(
            c, new Regularizer.HiddenInput(h, Nd4j.zeros(DataType.DOUBLE, 2, 1, 2), null, 0));
    assertEquals(16 / 25.5 / 2, value, 1e-15); // mean over N = 1 pair × 2 units
  }

  @Test
  void worksOnPrefixViewsOfLargerBuffersAndLeavesTheRestUntouched() {
    INDArray hBuffer = randomHidden(21, 10, B, H);
    INDArray hidden = hBuffer.get(interval(0, T), all(), all());
    INDArray contiguous = hidden.dup();
    // The views the implementation reads behave on a prefix view.
    assertEquals(
        contiguous.get(interval(1, T), all(), all()), hidden.get(interval(1, T), all(), all()));
    assertEquals(
        contiguous.get(interval(0, T - 1), all(), all()),
        hidden.get(interval(0, T - 1), all(), all()));
    INDArray gBuffer = randomHidden(22, 10, B, H);
    INDArray gBefore = gBuffer.dup();
    INDArray dLdh = gBuffer.get(interval(0, T), all(), all());
    for (Config c : List.of(config(0.3, "", false), config(0.3, "delay", true))) {
      gBuffer.assign(gBefore);
      double value = term(c, hidden, dLdh, 0);
      INDArray expected = gBefore.get(interval(0, T), all(), all()).dup();
      double valueContiguous = term(c, contiguous, expected, 0);
      assertEquals(bruteForce(c, contiguous, 0), value, 1e-14);
      assertEquals(valueContiguous, value, 1e-15);
      assertTrue(expected.equalsWithEps(gBuffer.get(interval(0, T), all(), all()).dup(), 1e-15));
      assertEquals(
          gBefore.get(interval(T, 10), all(), all()), gBuffer.get(interval(T, 10), all(), all()));
      assertTrue(!gBefore.equals(gBuffer)); // something was added
    }
  }

  @Test
  void gradientIsAddedToWhatIsAlreadyInDLdh() {
    INDArray h = randomHidden(31, T, B, H);
    Config c = config(0.3, "", true);
    INDArray alone = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    term(c, h, alone, 0);
    INDArray prefilled = Nd4j.ones(DataType.DOUBLE, T, B, H).muli(0.7);
    term(c, h, prefilled, 0);
    assertTrue(alone.add(0.7).equalsWithEps(prefilled, 1e-14));
  }

  @Test
  void worksInFloat32() {
    INDArray h = randomHidden(41, T, B, H);
    Config c = config(0.3, "delay", true);
    double expected = bruteForce(c, h, 0);
    double value = term(c, h.castTo(DataType.FLOAT), Nd4j.zeros(DataType.FLOAT, T, B, H), 0);
    assertEquals(expected, value, 1e-5 * expected);
  }

  @Test
  void schedulesScaleValueAndGradient() {
    INDArray h = randomHidden(51, T, B, H);
    double lambda = 0.2;
    INDArray full = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    double fullValue = term(config(lambda, "", false), h, full, 0);
    assertTrue(fullValue > 0);
    record Case(Schedule schedule, long untilStep, long step, double factor) {}
    List<Case> cases =
        List.of(
            new Case(Schedule.CONSTANT, 0, 0, 1),
            new Case(Schedule.CONSTANT, 0, 100_000, 1),
            new Case(Schedule.UNTIL_STEP, 10, 0, 1),
            new Case(Schedule.UNTIL_STEP, 10, 9, 1),
            new Case(Schedule.UNTIL_STEP, 10, 10, 0),
            new Case(Schedule.UNTIL_STEP, 10, 500, 0),
            new Case(Schedule.WARMUP, 10, 0, 0),
            new Case(Schedule.WARMUP, 10, 5, 0.5),
            new Case(Schedule.WARMUP, 10, 9, 0.9),
            new Case(Schedule.WARMUP, 10, 10, 1),
            new Case(Schedule.WARMUP, 10, 1000, 1));
    for (Case k : cases) {
      Config c =
          new Config(
              lambda,
              "",
              false,
              1e-6,
              k.schedule(),
              k.untilStep(),
              0.9,
              TemporalConsistencyRegularizer.On.RATES);
      assertEquals(lambda * k.factor(), c.lambdaAt(k.step()), 1e-15, k.toString());
      INDArray before = randomHidden(52, T, B, H);
      INDArray g = before.dup();
      double value = term(c, h, g, k.step());
      assertEquals(fullValue * k.factor(), value, 1e-14, k.toString());
      assertTrue(full.mul(k.factor()).equalsWithEps(g.sub(before), 1e-14), k.toString());
      if (k.factor() == 0) {
        assertEquals(before, g, k.toString());
      }
    }
  }

  @Test
  void unknownPeriodFailsNamingKeyNameAndKnownPeriods() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                term(
                    config(0.1, "dealy", false),
                    randomHidden(1, T, B, H),
                    Nd4j.zeros(DataType.DOUBLE, T, B, H),
                    0));
    assertEquals(
        "temporal-consistency.period 'dealy' is not a period of this task; its periods are"
            + " [cue, delay, response]",
        e.getMessage());
    // Reported even when λ is 0 (a λ sweep containing 0 must not hide the typo).
    assertThrows(
        IllegalArgumentException.class,
        () ->
            term(
                config(0, "dealy", false),
                randomHidden(1, T, B, H),
                Nd4j.zeros(DataType.DOUBLE, T, B, H),
                0));
  }

  @Test
  void zeroLambdaGivesZeroAndLeavesDLdhUnchanged() {
    INDArray h = randomHidden(61, T, B, H);
    INDArray before = randomHidden(62, T, B, H);
    INDArray g = before.dup();
    assertEquals(0, term(config(0, "delay", true), h, g, 0));
    assertEquals(before, g);
  }

  @Test
  void noScoredPairGivesZero() {
    INDArray h = randomHidden(71, 1, B, H);
    INDArray g = Nd4j.zeros(DataType.DOUBLE, 1, B, H);
    assertEquals(0, reg.onHidden(config(1, "", false), new Regularizer.HiddenInput(h, g, null, 0)));
    assertEquals(0, g.sumNumber().doubleValue());
    // "response" of b0 is the single step 5; others span ≥ 2 steps, so use a one-step-only task.
    byte[] index = new byte[T * B];
    java.util.Arrays.fill(index, (byte) 0);
    index[2 * B + 1] = 1;
    Batch single =
        new Batch(T, B, 1, new float[T * B], List.of(), new Periods(List.of("a", "b"), index));
    INDArray g2 = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    assertEquals(
        0,
        reg.onHidden(
            config(1, "b", false),
            new Regularizer.HiddenInput(randomHidden(72, T, B, H), g2, single, 0)));
    assertEquals(0, g2.sumNumber().doubleValue());
  }

  @Test
  void configIsValidatedNamingTheKey() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> config(-1, "", false))
            .getMessage()
            .startsWith("lambda must be"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new Config(
                        1,
                        "",
                        true,
                        0,
                        Schedule.CONSTANT,
                        0,
                        0.9,
                        TemporalConsistencyRegularizer.On.RATES))
            .getMessage()
            .startsWith("epsilon must be"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new Config(
                        1,
                        "",
                        false,
                        1e-6,
                        Schedule.WARMUP,
                        0,
                        0.9,
                        TemporalConsistencyRegularizer.On.RATES))
            .getMessage()
            .startsWith("until-step must be ≥ 1 when schedule is warmup"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new Config(
                        1,
                        "",
                        false,
                        1e-6,
                        Schedule.CONSTANT,
                        -1,
                        0.9,
                        TemporalConsistencyRegularizer.On.RATES))
            .getMessage()
            .startsWith("until-step must be"));
    Config d = reg.defaults();
    assertEquals(
        new Config(
            1e-3,
            "",
            false,
            1e-6,
            Schedule.CONSTANT,
            0,
            0.9,
            TemporalConsistencyRegularizer.On.RATES),
        d);
    assertEquals("temporal-consistency", reg.info().id());
  }

  @Test
  void untilAccuracyKeepsLambdaUntilTheEvaluationAccuracyReachesTheThreshold() {
    Config c =
        new Config(
            0.5,
            "",
            false,
            1e-6,
            Schedule.UNTIL_ACCURACY,
            0,
            0.9,
            TemporalConsistencyRegularizer.On.RATES);
    assertEquals(0.5, c.lambdaAt(10, Double.NaN), 0.0, "before the first evaluation");
    assertEquals(0.5, c.lambdaAt(10, 0.89), 0.0);
    assertEquals(0.0, c.lambdaAt(10, 0.9), 0.0);
    assertEquals(0.0, c.lambdaAt(10, 0.97), 0.0);
    INDArray h = randomHidden(81, T, B, H);
    INDArray g = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    assertEquals(0.0, reg.onHidden(c, new Regularizer.HiddenInput(h, g, null, 5, 0.95)), 0.0);
    assertEquals(0.0, g.norm2Number().doubleValue(), 0.0, "no gradient once solved");
    assertTrue(reg.onHidden(c, new Regularizer.HiddenInput(h, g, null, 5, 0.5)) > 0);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Config(
                1,
                "",
                false,
                1e-6,
                Schedule.UNTIL_ACCURACY,
                0,
                0,
                TemporalConsistencyRegularizer.On.RATES));
  }

  @Test
  void onPreActivationsActsOnTheExtraAndAddsItsGradientThereNotToDLdh() {
    Config rates =
        new Config(
            0.4,
            "",
            false,
            1e-6,
            Schedule.CONSTANT,
            0,
            0.9,
            TemporalConsistencyRegularizer.On.RATES);
    Config pre =
        new Config(
            0.4,
            "",
            false,
            1e-6,
            Schedule.CONSTANT,
            0,
            0.9,
            TemporalConsistencyRegularizer.On.PRE_ACTIVATIONS);
    INDArray h = randomHidden(91, T, B, H);
    INDArray z = randomHidden(92, T, B, H);
    INDArray dLdh = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    INDArray gz = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    java.util.Map<String, INDArray> asked = new java.util.HashMap<>();
    Regularizer.ExtraGradients grads =
        name -> {
          asked.put(name, gz);
          return gz;
        };
    double value =
        reg.onHidden(
            pre,
            new Regularizer.HiddenInput(
                h, dLdh, null, 0, Double.NaN, java.util.Map.of("pre", z), grads));
    INDArray expectedGrad = Nd4j.zeros(DataType.DOUBLE, T, B, H);
    double expected = reg.onHidden(rates, new Regularizer.HiddenInput(z, expectedGrad, null, 0));
    assertEquals(expected, value, 1e-15);
    assertEquals(java.util.Set.of("pre"), asked.keySet());
    assertEquals(0.0, dLdh.norm2Number().doubleValue(), 0.0, "dL/dh untouched");
    assertEquals(0.0, gz.sub(expectedGrad).norm2Number().doubleValue(), 1e-15);
  }

  @Test
  void onPreActivationsWithAModelWithoutThemSaysWhatToDo() {
    Config pre =
        new Config(
            0.4,
            "",
            false,
            1e-6,
            Schedule.CONSTANT,
            0,
            0.9,
            TemporalConsistencyRegularizer.On.PRE_ACTIVATIONS);
    INDArray h = randomHidden(93, T, B, H);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                reg.onHidden(
                    pre,
                    new Regularizer.HiddenInput(h, Nd4j.zeros(DataType.DOUBLE, T, B, H), null, 0)));
    assertTrue(
        e.getMessage().startsWith("temporal-consistency.on: pre-activations needs a model"),
        e.getMessage());
  }
}
