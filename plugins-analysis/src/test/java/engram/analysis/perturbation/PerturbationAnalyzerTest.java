package engram.analysis.perturbation;

import static engram.analysis.fakes.Fixtures.checkpoint;
import static engram.analysis.fakes.Fixtures.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.fakes.FakeRestored;
import engram.analysis.fakes.FakeRun;
import engram.analysis.fakes.Fixtures;
import engram.analysis.perturbation.PerturbationAnalyzer.Config;
import engram.analysis.perturbation.PerturbationAnalyzer.PerturbationTarget;
import engram.api.Analyzer.Checkpoint;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerturbationAnalyzerTest {

  private static final int H = 6;
  private static final double[] TAUS = {1.2, 2, 3.5, 0.7, 5, 8};
  private static final List<PerturbationTarget> BOTH =
      List.of(PerturbationTarget.RECURRENT, PerturbationTarget.TAU);

  private static Checkpoint network(String name, double[] taus) {
    double[] out = {1, -2, 0.5, 3, 1.5, -1};
    return checkpoint(name, 7, new int[] {2, 3, 4}, Fixtures.matrix(H, 3), out, taus, List.of());
  }

  private static Config config(
      List<PerturbationTarget> targets,
      String recurrent,
      List<Double> recurrentEpsilons,
      List<Double> tauEpsilons,
      int draws) {
    return new Config(
        targets,
        recurrent,
        "taus",
        recurrentEpsilons,
        tauEpsilons,
        draws,
        CheckpointSelection.LAST,
        0,
        4,
        30,
        2,
        0.5);
  }

  private static double norm(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v * v;
    }
    return Math.sqrt(s);
  }

  @Test
  void perturbationsHaveTheirRelativeSizeAndEpsilonZeroEqualsTheBaselineExactly(@TempDir Path dir)
      throws Exception {
    FakeRun run = new FakeRun("leaky-rnn", 2, false);
    Checkpoint checkpoint = network("final", TAUS);
    double wNorm = norm(checkpoint.tensors().get("w_rec").ravel().toDoubleVector());
    double tauNorm = norm(checkpoint.tensors().get("taus").toDoubleVector());
    PerturbationAnalyzer analyzer = new PerturbationAnalyzer();
    analyzer.analyze(
        config(BOTH, "w_rec", List.of(0.0, 0.1, 1.0), List.of(0.0, 0.5), 3),
        new FakeAnalysisContext(List.of(checkpoint), dir, run));
    AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);

    Path csv = dir.resolve("perturbation.csv");
    assertEquals(
        "checkpoint,epoch,max_level,level,target,epsilon,draw,accuracy,relative_accuracy",
        Fixtures.header(csv));
    List<String[]> rows = rows(csv);
    assertEquals(1 + 3 * 3 + 2 * 3, rows.size());
    assertEquals(rows.size(), run.calls.size());
    String[] baseline = rows.get(0);
    assertArrayEquals(
        new String[] {"final", "7", "4", "4", "baseline", "0.0", "0"},
        java.util.Arrays.copyOf(baseline, 7));
    assertEquals(1.0, Double.parseDouble(baseline[8]));
    double base = Double.parseDouble(baseline[7]);
    assertEquals(0.0, run.calls.get(0).recurrentChange());
    assertEquals(0.0, run.calls.get(0).tauChange());

    for (int i = 1; i < rows.size(); i++) {
      String[] row = rows.get(i);
      FakeRestored.Call call = run.calls.get(i);
      boolean recurrent = i <= 9;
      double epsilon =
          recurrent ? List.of(0.0, 0.1, 1.0).get((i - 1) / 3) : List.of(0.0, 0.5).get((i - 10) / 3);
      assertEquals(recurrent ? "recurrent" : "tau", row[4]);
      assertEquals(epsilon, Double.parseDouble(row[5]));
      assertEquals((i - 1) % 3, Integer.parseInt(row[6]));
      double accuracy = Double.parseDouble(row[7]);
      assertEquals((accuracy - 0.5) / (base - 0.5), Double.parseDouble(row[8]), 1e-15);
      if (recurrent) {
        // ‖ΔW‖_F = ε‖W‖_F (up to float storage); τ untouched: the previous draw was undone.
        assertEquals(epsilon * wNorm, call.recurrentChange(), 1e-5 * wNorm);
        assertEquals(0.0, call.tauChange());
      } else {
        assertEquals(epsilon * tauNorm, call.tauChange(), 1e-5 * tauNorm);
        assertTrue(call.minTauChange() >= 0, "one-sided: " + call.minTauChange());
        assertEquals(0.0, call.recurrentChange());
      }
      if (epsilon == 0) {
        assertEquals(base, accuracy);
        assertEquals(1.0, Double.parseDouble(row[8]));
      } else {
        assertTrue(accuracy < base, row[4] + " ε = " + epsilon + ": " + accuracy);
      }
    }
    // Draws of one ε are different perturbations.
    assertTrue(!rows.get(4)[7].equals(rows.get(5)[7]) || !rows.get(5)[7].equals(rows.get(6)[7]));
    // One copy restored; the same stream and initial state for all.
    assertEquals(1, run.restored.size());
    assertTrue(
        run.calls.stream()
            .allMatch(c -> c.batch() == run.calls.get(0).batch() && c.fromStep() == 4));
    assertTrue(run.randomNames.containsAll(List.of("perturbation-recurrent", "perturbation-tau")));
    assertTrue(Fixtures.isPng(dir.resolve("perturbation.png")));

    // Reproducible: a second analysis writes the same table.
    Path again = Files.createDirectories(dir.resolve("again"));
    new PerturbationAnalyzer()
        .analyze(
            config(BOTH, "w_rec", List.of(0.0, 0.1, 1.0), List.of(0.0, 0.5), 3),
            new FakeAnalysisContext(
                List.of(checkpoint), again, new FakeRun("leaky-rnn", 2, false)));
    assertEquals(Files.readAllLines(csv), Files.readAllLines(again.resolve("perturbation.csv")));
  }

  @Test
  void scaleFormulasHoldExactlyInDoublePrecision() {
    SplittableRandom data = new SplittableRandom(1);
    for (int trial = 0; trial < 50; trial++) {
      double[] x = new double[1 + data.nextInt(40)];
      for (int i = 0; i < x.length; i++) {
        x[i] = data.nextDouble(-3, 3);
      }
      double epsilon = Math.pow(10, data.nextDouble(-3, 1));
      double[] w = PerturbationAnalyzer.perturbRecurrent(x, epsilon, new SplittableRandom(trial));
      double[] t = PerturbationAnalyzer.perturbTau(x, epsilon, new SplittableRandom(trial));
      double[] dw = new double[x.length];
      double[] dt = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        dw[i] = w[i] - x[i];
        dt[i] = t[i] - x[i];
        assertTrue(dt[i] >= 0, "τ only grows");
        // The same D up to sign: |Δw_i| = |Δτ_i| when both use the same draws.
        assertEquals(Math.abs(dw[i]), dt[i], 1e-12 * (1 + Math.abs(x[i])));
      }
      assertEquals(epsilon * norm(x), norm(dw), 1e-12 * (1 + norm(x)));
      assertEquals(epsilon * norm(x), norm(dt), 1e-12 * (1 + norm(x)));
      assertArrayEquals(x, PerturbationAnalyzer.perturbRecurrent(x, 0, new SplittableRandom(2)));
      assertArrayEquals(x, PerturbationAnalyzer.perturbTau(x, 0, new SplittableRandom(2)));
    }
  }

  @Test
  void defaultsAreThePapersGridsAndTheLastCheckpoint() {
    Config defaults = new PerturbationAnalyzer().defaults();
    assertEquals(BOTH, defaults.targets());
    assertEquals("w_rec", defaults.recurrentParameter());
    assertEquals("taus", defaults.tauParameter());
    assertEquals(
        List.of(
            0.01, 0.0178, 0.0316, 0.0562, 0.1, 0.178, 0.316, 0.562, 1.0, 1.78, 3.16, 5.62, 10.0),
        defaults.recurrentEpsilons());
    assertEquals(17, defaults.tauEpsilons().size());
    assertEquals(0.001, defaults.tauEpsilons().get(0));
    assertEquals(10.0, defaults.tauEpsilons().get(16));
    assertEquals(10, defaults.draws());
    assertEquals(CheckpointSelection.LAST, defaults.checkpoints());
    assertEquals(
        List.of(100, 1000, 16), List.of(defaults.warmup(), defaults.scored(), defaults.streams()));
  }

  @Test
  void aMissingParameterIsNamedWithTheAvailableOnesAndNothingIsWritten(@TempDir Path dir)
      throws Exception {
    FakeRun run = new FakeRun("gru", 2, false);
    Checkpoint withoutTaus = network("final", null);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new PerturbationAnalyzer()
                    .analyze(
                        new PerturbationAnalyzer().defaults(),
                        new FakeAnalysisContext(List.of(withoutTaus), dir, run)));
    assertEquals(
        "perturbation: the network of checkpoint 'final' (model gru) has no parameter"
            + " 'taus' to perturb as tau; its parameters are [w_in, w_rec]. Fix: set tau-parameter"
            + " to one of them, or leave tau out of targets",
        e.getMessage());
    e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new PerturbationAnalyzer()
                    .analyze(
                        config(BOTH, "w_hh", List.of(0.1), List.of(0.1), 1),
                        new FakeAnalysisContext(List.of(network("final", TAUS)), dir, run)));
    assertTrue(
        e.getMessage()
            .contains(
                "no parameter 'w_hh' to perturb as recurrent; its"
                    + " parameters are [w_in, w_rec, taus]. Fix: set recurrent-parameter"),
        e.getMessage());
    assertTrue(Fixtures.empty(dir));

    // Without taus, perturbing only W^R works.
    new PerturbationAnalyzer()
        .analyze(
            config(List.of(PerturbationTarget.RECURRENT), "w_rec", List.of(0.1), List.of(), 2),
            new FakeAnalysisContext(List.of(withoutTaus), dir, run));
    assertEquals(3, rows(dir.resolve("perturbation.csv")).size());
  }

  @Test
  void withoutARunItFailsClearly(@TempDir Path dir) throws Exception {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new PerturbationAnalyzer()
                    .analyze(
                        new PerturbationAnalyzer().defaults(),
                        new FakeAnalysisContext(List.of(network("final", TAUS)), dir)));
    assertTrue(e.getMessage().contains("no run behind its checkpoints"), e.getMessage());
    assertTrue(Fixtures.empty(dir));
  }

  @Test
  void configRejectsBadValuesNamingTheKey() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    config(
                        List.of(PerturbationTarget.TAU, PerturbationTarget.TAU),
                        "w_rec",
                        List.of(0.1),
                        List.of(0.1),
                        1))
            .getMessage()
            .startsWith("targets"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> config(List.of(), "w_rec", List.of(0.1), List.of(0.1), 1))
            .getMessage()
            .startsWith("targets"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> config(BOTH, "w_rec", List.of(-0.1), List.of(0.1), 1))
            .getMessage()
            .startsWith("recurrent-epsilons"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> config(BOTH, "w_rec", List.of(0.1), List.of(), 1))
            .getMessage()
            .startsWith("tau-epsilons"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> config(BOTH, " ", List.of(0.1), List.of(0.1), 1))
            .getMessage()
            .startsWith("recurrent-parameter"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> config(BOTH, "w_rec", List.of(0.1), List.of(0.1), 0))
            .getMessage()
            .startsWith("draws"));
  }
}
