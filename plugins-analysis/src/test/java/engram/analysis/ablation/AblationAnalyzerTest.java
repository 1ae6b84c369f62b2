package engram.analysis.ablation;

import static engram.analysis.fakes.Fixtures.checkpoint;
import static engram.analysis.fakes.Fixtures.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.fakes.FakeRestored;
import engram.analysis.fakes.FakeRun;
import engram.analysis.fakes.Fixtures;
import engram.api.Analyzer.Checkpoint;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AblationAnalyzerTest {

  private static final int H = 8;
  // τ̃ = max(τ, 1) = [3, 1, 7, 1.5, 12, 1, 5, 2]: fastest by (τ̃, index) 1, 5, 3, 7, 0, …;
  // slowest 4, 2, 6, 0, …
  private static final double[] TAUS = {3.0, 0.5, 7.0, 1.5, 12.0, 0.8, 5.0, 2.0};
  private static final int UNREAD = 7;

  /** Readout weights 1…H except unit 7, which is not read and has no outgoing weights. */
  private static Checkpoint network(String name, int epoch, int[] levels, double[] taus) {
    double[][] w = Fixtures.matrix(H, 11);
    double[] out = new double[H];
    for (int i = 0; i < H; i++) {
      out[i] = i + 1;
      w[i][UNREAD] = 0;
    }
    out[UNREAD] = 0;
    return checkpoint(name, epoch, levels, w, out, taus, List.of());
  }

  private static AblationAnalyzer.Config config(
      int fastest, int slowest, CheckpointSelection checkpoints, double chance) {
    return new AblationAnalyzer.Config(fastest, slowest, checkpoints, 0, 5, 20, 3, chance);
  }

  @Test
  void ablatesTheFastestAndSlowestNeuronsOneAtATimeOnFreshCopies(@TempDir Path dir)
      throws Exception {
    FakeRun run = new FakeRun("leaky-rnn", 2, false);
    Checkpoint early = network("advance-e0003-N3", 3, new int[] {2, 3}, TAUS);
    Checkpoint last = network("final", 9, new int[] {2, 3, 4}, TAUS);
    AblationAnalyzer analyzer = new AblationAnalyzer();
    analyzer.analyze(
        config(4, 3, CheckpointSelection.ALL, 0.5),
        new FakeAnalysisContext(List.of(early, last), dir, run));
    AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);

    assertEquals(
        "checkpoint,epoch,max_level,level,group,unit,tau,accuracy,relative_accuracy",
        Fixtures.header(dir.resolve("ablation.csv")));
    List<String[]> rows = rows(dir.resolve("ablation.csv"));
    assertEquals(2 * (1 + 4 + 3), rows.size());
    int[] fastest = {1, 5, 3, 7};
    int[] slowest = {4, 2, 6};
    for (int c = 0; c < 2; c++) {
      Checkpoint checkpoint = c == 0 ? early : last;
      List<String[]> own = rows.subList(c * 8, c * 8 + 8);
      String[] baseline = own.get(0);
      assertArrayEquals(
          new String[] {
            checkpoint.name(),
            "" + checkpoint.epoch(),
            "" + checkpoint.maxLevel(),
            "" + checkpoint.maxLevel(),
            "baseline",
            "-1",
            "NaN"
          },
          Arrays.copyOf(baseline, 7));
      double base = Double.parseDouble(baseline[7]);
      assertEquals(1.0, Double.parseDouble(baseline[8]));
      for (int i = 1; i < 8; i++) {
        String[] row = own.get(i);
        String group = i <= 4 ? "fastest" : "slowest";
        int unit = i <= 4 ? fastest[i - 1] : slowest[i - 5];
        assertEquals(checkpoint.name(), row[0]);
        assertEquals(group, row[4]);
        assertEquals(unit, Integer.parseInt(row[5]));
        assertEquals(Math.max(TAUS[unit], 1), Double.parseDouble(row[6]));
        double accuracy = Double.parseDouble(row[7]);
        assertEquals((accuracy - 0.5) / (base - 0.5), Double.parseDouble(row[8]), 1e-15);
        if (unit == UNREAD) {
          // Nothing reads unit 7 and it drives nothing: removing it changes nothing at all.
          assertEquals(base, accuracy);
          assertEquals(1.0, Double.parseDouble(row[8]));
        } else {
          assertTrue(accuracy < base, "unit " + unit + ": " + accuracy + " vs " + base);
        }
      }
    }

    // One fresh copy for the baseline and one per ablated unit, each with exactly its unit gone.
    assertEquals(2 * 8, run.restored.size());
    for (int c = 0; c < 2; c++) {
      assertEquals(List.of(), run.restored.get(c * 8).ablated());
      for (int i = 1; i < 8; i++) {
        int unit = i <= 4 ? fastest[i - 1] : slowest[i - 5];
        assertEquals(List.of(unit), run.restored.get(c * 8 + i).ablated());
      }
    }
    // Every evaluation of a checkpoint sees the same stream of level N, scored after the warm-up.
    assertEquals(2, run.streams.size());
    assertArrayEquals(new int[] {3}, run.streams.get(0).levels());
    assertArrayEquals(new int[] {4}, run.streams.get(1).levels());
    assertEquals(25, run.streams.get(1).steps());
    assertEquals(3, run.streams.get(1).batch());
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < 8; i++) {
        FakeRestored.Call call = run.calls.get(c * 8 + i);
        assertSame(run.calls.get(c * 8).batch(), call.batch());
        assertEquals(5, call.fromStep());
      }
    }

    List<String[]> summary = rows(dir.resolve("ablation-summary.csv"));
    assertEquals(
        "checkpoint,epoch,max_level,group,mean_relative_accuracy,min_relative_accuracy",
        Fixtures.header(dir.resolve("ablation-summary.csv")));
    assertEquals(4, summary.size());
    for (int c = 0; c < 2; c++) {
      for (int g = 0; g < 2; g++) {
        List<String[]> group = rows.subList(c * 8 + (g == 0 ? 1 : 5), c * 8 + (g == 0 ? 5 : 8));
        double[] relative = group.stream().mapToDouble(r -> Double.parseDouble(r[8])).toArray();
        String[] line = summary.get(c * 2 + g);
        assertEquals(g == 0 ? "fastest" : "slowest", line[3]);
        assertEquals(rows.get(c * 8)[0], line[0]);
        assertEquals(
            Arrays.stream(relative).average().getAsDouble(), Double.parseDouble(line[4]), 1e-12);
        assertEquals(Arrays.stream(relative).min().getAsDouble(), Double.parseDouble(line[5]));
      }
    }
    assertTrue(Fixtures.isPng(dir.resolve("ablation.png")));
  }

  @Test
  void selectsExactlyTheKFastestAndSlowestLikeABruteForceSort() {
    SplittableRandom rng = new SplittableRandom(5);
    for (int trial = 0; trial < 200; trial++) {
      int h = 1 + rng.nextInt(30);
      double[] tau = new double[h];
      for (int i = 0; i < h; i++) {
        // Few distinct values, so ties are common.
        tau[i] = Math.max(1, rng.nextInt(8) * 0.5);
      }
      int k = rng.nextInt(h + 5);
      List<Integer> units = new ArrayList<>();
      for (int i = 0; i < h; i++) {
        units.add(i);
      }
      // Brute force: insertion sort by (τ̃, index) ascending and by (−τ̃, index).
      List<Integer> ascending =
          insertionSort(
              units,
              (a, b) -> tau[a] != tau[b] ? Double.compare(tau[a], tau[b]) : Integer.compare(a, b));
      List<Integer> descending =
          insertionSort(
              units,
              (a, b) -> tau[a] != tau[b] ? Double.compare(tau[b], tau[a]) : Integer.compare(a, b));
      int kept = Math.min(k, h);
      assertArrayEquals(
          ascending.subList(0, kept).stream().mapToInt(i -> i).toArray(),
          AblationAnalyzer.fastest(tau, k));
      assertArrayEquals(
          descending.subList(0, kept).stream().mapToInt(i -> i).toArray(),
          AblationAnalyzer.slowest(tau, k));
    }
  }

  private static List<Integer> insertionSort(List<Integer> items, Comparator<Integer> order) {
    List<Integer> sorted = new ArrayList<>();
    for (int item : items) {
      int at = 0;
      while (at < sorted.size() && order.compare(sorted.get(at), item) <= 0) {
        at++;
      }
      sorted.add(at, item);
    }
    return sorted;
  }

  @Test
  void countsAboveHAreCappedAndDefaultsAnalyseTheLastCheckpoint(@TempDir Path dir)
      throws Exception {
    FakeRun run = new FakeRun("leaky-rnn", 2, false);
    Checkpoint early = network("advance-e0003-N3", 3, new int[] {2, 3}, TAUS);
    Checkpoint last = network("final", 9, new int[] {2, 3, 4}, TAUS);
    AblationAnalyzer analyzer = new AblationAnalyzer();
    AblationAnalyzer.Config defaults = analyzer.defaults();
    assertEquals(
        new AblationAnalyzer.Config(20, 20, CheckpointSelection.LAST, 0, 100, 1000, 16, 0.5),
        defaults);
    analyzer.analyze(defaults, new FakeAnalysisContext(List.of(early, last), dir, run));
    List<String[]> rows = rows(dir.resolve("ablation.csv"));
    assertEquals(1 + H + H, rows.size());
    assertTrue(rows.stream().allMatch(r -> r[0].equals("final")));
    assertEquals(1, run.streams.size());
    assertEquals(1100, run.streams.get(0).steps());
    assertEquals(16, run.streams.get(0).batch());
    assertEquals("ablation", analyzer.info().id());
  }

  @Test
  void relativeAccuracyUsesOneOverClassesOrTheConfiguredChanceForRegression(@TempDir Path dir)
      throws Exception {
    for (int classes : new int[] {4, 0}) {
      Path out = dir.resolve("c" + classes);
      java.nio.file.Files.createDirectories(out);
      FakeRun run = new FakeRun("leaky-rnn", classes, false);
      new AblationAnalyzer()
          .analyze(
              config(2, 0, CheckpointSelection.LAST, 0.3),
              new FakeAnalysisContext(List.of(network("final", 9, new int[] {4}, TAUS)), out, run));
      double chance = classes == 4 ? 0.25 : 0.3;
      List<String[]> rows = rows(out.resolve("ablation.csv"));
      double base = Double.parseDouble(rows.get(0)[7]);
      for (String[] row : rows.subList(1, rows.size())) {
        double accuracy = Double.parseDouble(row[7]);
        assertEquals((accuracy - chance) / (base - chance), Double.parseDouble(row[8]), 1e-15);
      }
    }
  }

  @Test
  void checkpointsWithoutTausNameTheCheckpointModelAndFixAndWriteNothing(@TempDir Path dir) {
    FakeRun run = new FakeRun("gru", 2, false);
    Checkpoint gru = network("final", 9, new int[] {4}, null);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new AblationAnalyzer()
                    .analyze(
                        new AblationAnalyzer().defaults(),
                        new FakeAnalysisContext(List.of(gru), dir, run)));
    assertEquals(
        "ablation: checkpoint 'final' has no tensor 'taus' (model gru, tensors [w_in,"
            + " w_out, w_rec]), so its neurons cannot be ordered by timescale. Fix: analyse a"
            + " leaky-rnn run, or a gru/lstm trained with tau-leak: true",
        e.getMessage());
    assertTrue(run.restored.isEmpty());
  }

  @Test
  void withoutARunItFailsClearlyAndWritesNothing(@TempDir Path dir) throws Exception {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new AblationAnalyzer()
                    .analyze(
                        new AblationAnalyzer().defaults(),
                        new FakeAnalysisContext(
                            List.of(network("final", 9, new int[] {4}, TAUS)), dir)));
    assertTrue(e.getMessage().contains("no run behind its checkpoints"), e.getMessage());
    assertTrue(Fixtures.empty(dir));
  }

  @Test
  void configRejectsBadValuesNamingTheKey() {
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> config(-1, 2, CheckpointSelection.LAST, 0.5))
            .getMessage()
            .startsWith("fastest"));
    assertThrows(IllegalArgumentException.class, () -> config(0, 0, CheckpointSelection.LAST, 0.5));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class, () -> config(1, 1, CheckpointSelection.LAST, 1.0))
            .getMessage()
            .startsWith("chance"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new AblationAnalyzer.Config(1, 1, null, 0, 5, 20, 3, 0.5))
            .getMessage()
            .startsWith("checkpoints"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new AblationAnalyzer.Config(1, 1, CheckpointSelection.ALL, 0, 5, 0, 3, 0.5))
            .getMessage()
            .startsWith("scored"));
  }
}
