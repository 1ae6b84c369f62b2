package engram.analysis.timescales;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.fakes.SyntheticRun;
import engram.api.Analyzer.Checkpoint;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * End to end through a fake run whose "network" produces activity with known timescales: every unit
 * an independent stationary AR(1) process (or a sum of two), driven by its own noise seeded from
 * the generator the analyzer passes to the forward pass. 40 units per checkpoint play the role of
 * 40 seeds.
 */
@Tag("slow") // excluded by -Pfast; CI runs it (docs/perf/test-times.md)
class NetworkTimescalesAnalyzerTest {

  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int UNITS = 40;
  private static final int WARMUP = 100;

  /** 10 × 20,000 analysed steps: the mixture's slow τ is within 15% on every seed (see fit). */
  private static final int STEPS = 20_000;

  /**
   * Checkpoint "epoch-0010" (N = 2): every unit an AR(1) with τ = 5. Checkpoint "final" (N = 3):
   * every unit the sum of two unit-variance AR(1) with τ = 2 and τ = 20. Constant units are listed
   * in the checkpoint's "dead" tensor.
   */
  private static final SyntheticRun.Dynamics TWO_REGIMES =
      (checkpoint, steps, trials, units, rng) -> {
        float[] values = new float[steps * trials * units];
        boolean mixture = checkpoint.name().equals("final");
        for (int h = 0; h < units; h++) {
          SplittableRandom unitNoise = new SplittableRandom(rng.nextLong());
          if (mixture) {
            SyntheticRun.addAr1(values, steps, trials, units, h, 2.0, 1.0, unitNoise);
            SyntheticRun.addAr1(values, steps, trials, units, h, 20.0, 1.0, unitNoise);
          } else {
            SyntheticRun.addAr1(values, steps, trials, units, h, 5.0, 1.0, unitNoise);
          }
        }
        return values;
      };

  private static Checkpoint checkpoint(String name, int epoch, int[] levels, double[] taus) {
    return taus == null
        ? new Checkpoint(name, epoch, levels, Map.of("w_rec", Nd4j.zeros(DataType.FLOAT, 1, 1)))
        : new Checkpoint(
            name, epoch, levels, Map.of("taus", Nd4j.createFromArray(taus).castTo(DataType.FLOAT)));
  }

  private static NetworkTimescalesAnalyzer.Config config(
      CheckpointSelection which, TimescaleFit.Selection selection, int steps) {
    return new NetworkTimescalesAnalyzer.Config(which, 10, steps, WARMUP, 30, selection, 1.0, 30);
  }

  private static List<String[]> rows(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    List<String[]> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      rows.add(line.split(",", -1));
    }
    return rows;
  }

  private static void assertPng(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    assertTrue(bytes.length > 1000, file + " is nearly empty");
    assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, PNG_MAGIC.length), file.toString());
  }

  @Test
  void recoversSingleAndDoubleTimescalesPerUnitAndForThePopulation(@TempDir Path dir)
      throws Exception {
    double[] trainedFirst = new double[UNITS];
    double[] trainedFinal = new double[UNITS];
    for (int h = 0; h < UNITS; h++) {
      trainedFirst[h] = 5.0;
      trainedFinal[h] = 0.25 * h; // 0 … 9.75: τ̃ = max(τ, 1) clamps the first five
    }
    SyntheticRun run = new SyntheticRun("leaky-rnn", UNITS, 11, TWO_REGIMES);
    List<Checkpoint> checkpoints =
        List.of(
            checkpoint("epoch-0010", 10, new int[] {2}, trainedFirst),
            checkpoint("final", 25, new int[] {2, 3}, trainedFinal));
    NetworkTimescalesAnalyzer analyzer = new NetworkTimescalesAnalyzer();
    analyzer.analyze(
        config(CheckpointSelection.ALL, TimescaleFit.Selection.AIC_STRICT, STEPS),
        new FakeAnalysisContext(checkpoints, dir, run));
    AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);

    // The stream is that of the checkpoint's largest level; the generators are the named ones.
    assertEquals(List.of(2, 3), run.streamedLevels.stream().map(l -> l[0]).toList());
    assertEquals(List.of("stream", "h0", "stream", "h0"), run.randomNames);

    List<String> lines = Files.readAllLines(dir.resolve("network-timescales-neurons.csv"));
    assertEquals(
        "checkpoint,epoch,max_level,unit,tau,tau_net,model,tau_single,tau_fast,tau_slow,"
            + "weight_slow,aic_single,aic_double",
        lines.get(0));
    List<String[]> neurons = rows(dir.resolve("network-timescales-neurons.csv"));
    assertEquals(2 * UNITS, neurons.size());
    double[][] tauNet = new double[2][UNITS];
    for (String[] f : neurons) {
      assertEquals(13, f.length);
      int which = f[0].equals("final") ? 1 : 0;
      int unit = Integer.parseInt(f[3]);
      assertEquals(which == 0 ? 10 : 25, Integer.parseInt(f[1]));
      assertEquals(which == 0 ? 2 : 3, Integer.parseInt(f[2]));
      double expectedTrained = which == 0 ? 5.0 : Math.max(0.25 * unit, 1.0);
      assertEquals(expectedTrained, Double.parseDouble(f[4]), 1e-6);
      tauNet[which][unit] = Double.parseDouble(f[5]);
      String label = f[0] + " unit " + unit + ": " + String.join(",", f);
      if (which == 0) { // AR(1), τ = 5: single, τ_net within 10%
        assertEquals("single", f[6], label);
        assertEquals(5.0, tauNet[0][unit], 0.5, label);
        assertEquals(tauNet[0][unit], Double.parseDouble(f[7]), 0.0, label);
      } else { // τ = 2 + τ = 20, equal weights: double, slow τ within 15%
        assertEquals("double", f[6], label);
        assertEquals(20.0, tauNet[1][unit], 3.0, label);
        assertEquals(tauNet[1][unit], Double.parseDouble(f[9]), 0.0, label);
        assertEquals(2.0, Double.parseDouble(f[8]), 0.5, label);
        assertEquals(0.5, Double.parseDouble(f[10]), 0.1, label);
        assertTrue(Double.parseDouble(f[12]) < Double.parseDouble(f[11]) - 10, label);
      }
    }

    lines = Files.readAllLines(dir.resolve("network-timescales.csv"));
    assertEquals(
        "checkpoint,epoch,max_level,neurons,kept,tau_net_mean,tau_net_std,"
            + "tau_net_median,population_tau_net,population_model",
        lines.get(0));
    List<String[]> summary = rows(dir.resolve("network-timescales.csv"));
    assertEquals(2, summary.size());
    for (int which = 0; which < 2; which++) {
      String[] f = summary.get(which);
      assertEquals(which == 0 ? "epoch-0010" : "final", f[0]);
      assertEquals(String.valueOf(UNITS), f[3]);
      assertEquals(String.valueOf(UNITS), f[4]); // every τ_net > 1
      // brute force from the per-unit table
      double[] sorted = tauNet[which].clone();
      Arrays.sort(sorted);
      double mean = Arrays.stream(sorted).average().orElseThrow();
      double std = Math.sqrt(Arrays.stream(sorted).map(t -> (t - mean) * (t - mean)).sum() / UNITS);
      assertEquals(mean, Double.parseDouble(f[5]), 1e-9);
      assertEquals(std, Double.parseDouble(f[6]), 1e-9);
      assertEquals((sorted[UNITS / 2 - 1] + sorted[UNITS / 2]) / 2, Double.parseDouble(f[7]), 1e-9);
    }
    // Population: a sum of independent AR(1) with τ = 5 is an AR(1) with τ = 5; a sum of
    // independent (2 + 20) mixtures is the same mixture.
    assertEquals("single", summary.get(0)[9]);
    assertEquals(5.0, Double.parseDouble(summary.get(0)[8]), 0.5);
    assertEquals("double", summary.get(1)[9]);
    assertEquals(20.0, Double.parseDouble(summary.get(1)[8]), 3.0);

    for (String png :
        List.of(
            "tau-net-vs-N.png",
            "tau-net-histogram.png",
            "autocorrelation.png",
            "tau-net-vs-tau.png")) {
      assertPng(dir.resolve(png));
    }
    assertFalse(Files.exists(dir.resolve("network-timescales-forget.csv")), "not an LSTM");
  }

  /**
   * The spec's raw AIC rule through the analyzer: the model column is exactly "AIC of the double
   * fit smaller", and on the AR(1) checkpoint it calls some one-timescale units double (which the
   * default rule never does, see the test above).
   */
  @Test
  void rawAicSelectionIsTheSpecsRule(@TempDir Path dir) throws Exception {
    SyntheticRun run = new SyntheticRun("leaky-rnn", UNITS, 11, TWO_REGIMES);
    new NetworkTimescalesAnalyzer()
        .analyze(
            config(CheckpointSelection.ALL, TimescaleFit.Selection.AIC, 5000),
            new FakeAnalysisContext(
                List.of(checkpoint("epoch-0010", 10, new int[] {2}, null)), dir, run));
    int doubles = 0;
    for (String[] f : rows(dir.resolve("network-timescales-neurons.csv"))) {
      boolean aicPrefersDouble = Double.parseDouble(f[12]) < Double.parseDouble(f[11]);
      assertEquals(aicPrefersDouble ? "double" : "single", f[6]);
      assertEquals("NaN", f[4]); // no taus tensor
      doubles += aicPrefersDouble ? 1 : 0;
    }
    System.out.println("raw AIC rule on 40 AR(1) units with tau = 5: " + doubles + " double");
    assertTrue(doubles >= 1, "expected the raw rule to call some AR(1) units double");
    assertFalse(Files.exists(dir.resolve("tau-net-vs-tau.png")), "no taus, no τ scatter");
  }

  /**
   * An LSTM: τ_forget = 1/(1 − ⟨f⟩) per unit from the forget-gate extra; a constant unit has no
   * autocorrelation and is left out of the summary; {@code checkpoints: last} simulates only the
   * newest checkpoint.
   */
  @Test
  void lstmForgetTimescalesConstantUnitsAndLastCheckpointOnly(@TempDir Path dir) throws Exception {
    int units = 4;
    SyntheticRun.Dynamics dynamics =
        new SyntheticRun.Dynamics() {
          @Override
          public float[] hidden(
              Checkpoint checkpoint,
              int steps,
              int trials,
              int u,
              java.util.random.RandomGenerator rng) {
            float[] values = new float[steps * trials * u];
            for (int h = 0; h < u - 1; h++) { // the last unit stays constant (0)
              SyntheticRun.addAr1(values, steps, trials, u, h, 5.0, 1.0, rng);
            }
            return values;
          }

          @Override
          public Map<String, float[]> extras(Checkpoint checkpoint, int steps, int trials, int u) {
            float[] f = new float[steps * trials * u];
            float[] other = new float[steps * trials * u];
            for (int i = 0; i < f.length; i++) {
              int h = i % u;
              int t = i / (trials * u);
              // mean of unit h over every step and trial is 1 − 1/(h + 2): τ_forget = h + 2
              f[i] = (float) (1 - 1.0 / (h + 2) + (t % 2 == 0 ? 0.01 : -0.01));
            }
            return Map.of("f", f, "i", other);
          }
        };
    SyntheticRun run = new SyntheticRun("lstm", units, 5, dynamics);
    List<Checkpoint> checkpoints =
        List.of(
            checkpoint("epoch-0001", 1, new int[] {2}, null),
            checkpoint("final", 9, new int[] {2, 3, 4}, null));
    NetworkTimescalesAnalyzer analyzer = new NetworkTimescalesAnalyzer();
    analyzer.analyze(
        config(CheckpointSelection.LAST, TimescaleFit.Selection.AIC_STRICT, 2000),
        new FakeAnalysisContext(checkpoints, dir, run));
    // the lstm's forget-gate table too
    assertEquals(3, AnalyzerTables.assertWrittenAsDeclared(analyzer, dir).size());

    assertEquals(1, run.streamedLevels.size());
    assertArrayEquals(new int[] {4}, run.streamedLevels.get(0));
    List<String> forget = Files.readAllLines(dir.resolve("network-timescales-forget.csv"));
    assertEquals("checkpoint,epoch,max_level,unit,forget_mean,tau_forget,tau_net", forget.get(0));
    assertEquals(1 + units, forget.size());
    for (int h = 0; h < units; h++) {
      String[] f = forget.get(1 + h).split(",");
      assertEquals("final", f[0]);
      assertEquals(h, Integer.parseInt(f[3]));
      assertEquals(1 - 1.0 / (h + 2), Double.parseDouble(f[4]), 1e-6);
      assertEquals(h + 2, Double.parseDouble(f[5]), 1e-4 * (h + 2));
    }
    List<String[]> neurons = rows(dir.resolve("network-timescales-neurons.csv"));
    assertEquals(units, neurons.size());
    String[] dead = neurons.get(units - 1);
    assertEquals("none", dead[6]);
    assertEquals("NaN", dead[5]);
    assertEquals("NaN", dead[7]);
    List<String[]> summary = rows(dir.resolve("network-timescales.csv"));
    assertEquals(1, summary.size());
    assertEquals("final", summary.get(0)[0]);
    assertEquals("4", summary.get(0)[2]);
    assertEquals("4", summary.get(0)[3]);
    assertEquals("3", summary.get(0)[4]); // the constant unit is not kept
    for (String png : List.of("tau-net-vs-N.png", "tau-net-histogram.png", "autocorrelation.png")) {
      assertPng(dir.resolve(png));
    }
  }

  @Test
  void withoutARunItSaysSoAndWritesNothing(@TempDir Path dir) throws IOException {
    NetworkTimescalesAnalyzer analyzer = new NetworkTimescalesAnalyzer();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                analyzer.analyze(
                    analyzer.defaults(),
                    new FakeAnalysisContext(
                        List.of(checkpoint("final", 3, new int[] {2}, new double[] {2, 3})), dir)));
    assertTrue(
        e.getMessage()
            .startsWith(
                "network-timescales simulates the network, which needs "
                    + "the run behind the checkpoints: this analysis has no run"),
        e.getMessage());
    assertTrue(e.getMessage().contains("./engram run"), e.getMessage());
    assertEmpty(dir);
  }

  @Test
  void withoutCheckpointsItSaysSoAndWritesNothing(@TempDir Path dir) throws IOException {
    NetworkTimescalesAnalyzer analyzer = new NetworkTimescalesAnalyzer();
    SyntheticRun run = new SyntheticRun("leaky-rnn", 2, 1, TWO_REGIMES);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                analyzer.analyze(
                    analyzer.defaults(), new FakeAnalysisContext(List.of(), dir, run)));
    assertEquals(
        "network-timescales was given no checkpoints, so there is no network to "
            + "simulate. Fix: analyse a run that trained at least until its first checkpoint.",
        e.getMessage());
    assertEmpty(dir);
  }

  @Test
  void divergingActivityIsReportedAndNothingIsWritten(@TempDir Path dir) throws IOException {
    SyntheticRun.Dynamics diverging =
        (checkpoint, steps, trials, units, rng) -> {
          float[] values = new float[steps * trials * units];
          if (checkpoint.name().equals("final")) {
            values[(WARMUP + 7) * trials * units] = Float.NaN;
          }
          return values;
        };
    SyntheticRun run = new SyntheticRun("leaky-rnn", 3, 1, diverging);
    List<Checkpoint> checkpoints =
        List.of(
            checkpoint("epoch-0001", 1, new int[] {2}, null),
            checkpoint("final", 2, new int[] {2}, null));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new NetworkTimescalesAnalyzer()
                    .analyze(
                        config(CheckpointSelection.ALL, TimescaleFit.Selection.AIC_STRICT, 200),
                        new FakeAnalysisContext(checkpoints, dir, run)));
    assertEquals(
        "network-timescales: the hidden state of checkpoint 'final' is not finite (NaN "
            + "at step 107 of trial 0); the network diverges on the stream, so its activity has no "
            + "autocorrelation or spectrum to analyse",
        e.getMessage());
    assertEmpty(dir); // the first checkpoint was analysed, but nothing is written before the end
  }

  @Test
  void configChecksAndDefaults() {
    NetworkTimescalesAnalyzer analyzer = new NetworkTimescalesAnalyzer();
    NetworkTimescalesAnalyzer.Config d = analyzer.defaults();
    assertEquals(
        new NetworkTimescalesAnalyzer.Config(
            CheckpointSelection.ALL, 10, 5000, 500, 30, TimescaleFit.Selection.AIC_STRICT, 1.0, 30),
        d);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new NetworkTimescalesAnalyzer.Config(
                    CheckpointSelection.ALL, 10, 20, 0, 30, TimescaleFit.Selection.AIC, 1.0, 30));
    assertEquals("steps must be ≥ 32 (was 20)", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new NetworkTimescalesAnalyzer.Config(
                    CheckpointSelection.ALL, 10, 5000, 0, 3, TimescaleFit.Selection.AIC, 1.0, 30));
    assertTrue(e.getMessage().startsWith("max-lag"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new NetworkTimescalesAnalyzer.Config(
                    null, 10, 5000, 0, 30, TimescaleFit.Selection.AIC, 1.0, 30));
    assertTrue(e.getMessage().startsWith("checkpoints"), e.getMessage());
    assertEquals("network-timescales", analyzer.info().id());
  }

  private static void assertEmpty(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(), files.toList());
    }
  }
}
