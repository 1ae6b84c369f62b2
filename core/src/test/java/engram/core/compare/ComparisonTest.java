package engram.core.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.compare.Finding.Verdict;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Comparisons of synthetic run directories ({@link RunFixtures#twoByTwo}) whose group statistics,
 * slopes and verdicts are worked out by hand in the comments.
 */
class ComparisonTest {
  private static final double EPS = 1e-9;

  private static Map<String, Finding> byId(List<Finding> findings) {
    return findings.stream().collect(Collectors.toMap(Finding::id, Function.identity()));
  }

  private static Comparison.Group group(Comparison c, String label) {
    return c.groups().stream().filter(g -> g.label().equals(label)).findFirst().orElseThrow();
  }

  private static Stats stats(Comparison.Group g, java.util.function.ToDoubleFunction<RunSummary> f) {
    return Stats.of(g.runs().stream().mapToDouble(f).toArray());
  }

  @Test
  void runDirectoriesAreReadIntoSummaries(@TempDir Path dir) throws ComparisonException {
    List<Path> runs = RunFixtures.twoByTwo(dir, false);
    RunSummary single1 = RunReader.read(runs.get(0));
    assertEquals("parity-singlehead", single1.name());
    assertEquals(1, single1.seed());
    assertEquals("single-head", single1.curriculumId());
    assertEquals("leaky-rnn", single1.modelId());
    assertEquals("n-parity", single1.taskId());
    assertEquals(0.98, single1.threshold());
    assertEquals(20, single1.maxEpochs());
    assertEquals(12, single1.epochs());
    // N = 2 for epochs 1-3, 3 for 4-7, 4 for 8-12; solved up to 3
    assertEquals(2, single1.maxLevelByEpoch().get(3));
    assertEquals(3, single1.maxLevelByEpoch().get(4));
    assertEquals(4, single1.maxLevelByEpoch().get(12));
    assertEquals(Map.of(2, 3, 3, 4, 4, 5), single1.epochsPerLevel());
    assertEquals(3, single1.maxLevelReached());
    assertEquals(3.5, single1.meanEpochsPerSolvedLevel(), EPS);

    RunSummary multi2 = RunReader.read(runs.get(3));
    // multi-head: max N per epoch is the largest of the epoch's rows; the unsolved N = 6 is out
    assertEquals(6, multi2.maxLevelByEpoch().get(12));
    assertEquals(5, multi2.maxLevelReached());
    assertEquals(2.25, multi2.meanEpochsPerSolvedLevel(), EPS);
    assertTrue(multi2.table(AnalysisTable.NETWORK_TIMESCALES).isPresent());
    assertTrue(multi2.table(AnalysisTable.TRANSFER).isEmpty());
  }

  @Test
  void theThresholdDefaultsTo09AndTheNewestAnalysisIsRead(@TempDir Path dir)
      throws ComparisonException {
    RunFixtures.Run run = RunFixtures.run(dir, "r", "r", 5, "single-head", "leaky-rnn", 10,
        List.of("1,10,2,0,0.5,0.95,1.0", "2,20,3,0,0.5,0.91,1.0", "3,30,4,0,0.5,0.89,1.0"));
    Path config = run.dir().resolve("config.resolved.yaml");
    RunFixtures.write(config, """
        name: r
        seed: 5
        task: {id: n-dms}
        model: {id: gru}
        curriculum: {id: single-head}
        """);
    String header = "checkpoint,epoch,max_level,mean,std,min,median,max,fraction_clamped";
    run.analysis("tau-stats", "tau-stats.csv", header, "old,1,2,7,0,1,1,1,0");
    run.analysis("tau-stats-2", "tau-stats.csv", header, "older,1,2,8,0,1,1,1,0");
    run.analysis("tau-stats-10", "tau-stats.csv", header, "newest,1,2,9,0,1,1,1,0");
    run.analysis("connectivity", "connectivity.csv", "checkpoint,epoch,max_level,mean_weight",
        "a,1,2,0.1");
    run.analysis("forgetting-2", "forgetting.csv", "checkpoint,epoch,max_level,level,head,accuracy",
        "a,x,2,2,0,0.5");
    RunSummary summary = RunReader.read(run.dir());
    assertEquals(RunReader.DEFAULT_THRESHOLD, summary.threshold());
    assertEquals(3, summary.maxLevelReached(), "0.91 ≥ 0.9 solves N = 3, 0.89 does not solve 4");
    assertEquals(0, summary.maxEpochs());
    CsvTable tau = summary.table(AnalysisTable.TAU_STATS).orElseThrow();
    assertTrue(tau.file().toString().contains("tau-stats-10"), tau.file().toString());
    assertEquals(Map.of(2, 9.0), Measures.perLevel(summary, AnalysisTable.TAU_STATS, "mean"));
    assertTrue(summary.table(AnalysisTable.CONNECTIVITY).isEmpty(), "a column is missing");
    assertTrue(summary.table(AnalysisTable.FORGETTING).isEmpty(), "epoch is not a number");
    assertEquals(2, summary.notes().size(), summary.notes().toString());
    assertTrue(summary.notes().get(0).contains("analysis/connectivity/connectivity.csv left out:"
        + " it has no column 'std_weight'"), summary.notes().toString());
    assertTrue(summary.notes().get(1).contains("'x' in column 'epoch'"), summary.notes().get(1));
  }

  @Test
  void groupsHaveTheMeansAndSpreadsOfTheirSeeds(@TempDir Path dir) throws ComparisonException {
    Comparison c = Comparison.load(RunFixtures.twoByTwo(dir, false), GroupBy.CURRICULUM);
    assertEquals(List.of("multi-head", "single-head"),
        c.groups().stream().map(Comparison.Group::label).toList());
    Comparison.Group single = group(c, "single-head");
    Comparison.Group multi = group(c, "multi-head");
    // N_max: single 3 and 2, multi 6 and 5
    Stats sn = stats(single, RunSummary::maxLevelReached);
    assertEquals(2, sn.n());
    assertEquals(2.5, sn.mean(), EPS);
    assertEquals(Math.sqrt(0.5), sn.std(), EPS);
    assertEquals(2, sn.min(), EPS);
    assertEquals(3, sn.max(), EPS);
    assertEquals(5.5, stats(multi, RunSummary::maxLevelReached).mean(), EPS);
    // epochs per solved level: single 3.5 and 4, multi 2.4 and 2.25
    assertEquals(3.75, stats(single, RunSummary::meanEpochsPerSolvedLevel).mean(), EPS);
    assertEquals(2.325, stats(multi, RunSummary::meanEpochsPerSolvedLevel).mean(), EPS);
    // slopes of mean τ̃ against N: single 1.0 and 1.2 (the earlier checkpoint at N = 2 is ignored)
    Stats slopes = stats(single,
        r -> Measures.slope(Measures.perLevel(r, AnalysisTable.TAU_STATS, "mean")));
    assertEquals(1.1, slopes.mean(), EPS);
    assertEquals(Math.sqrt(0.02), slopes.std(), EPS);
    // ablation at the common N = 3, hardest level only: single 0.2, 0.3; multi 0.9, 0.85
    Integer level = Measures.commonLevel(c.runs(), AnalysisTable.ABLATION);
    assertEquals(3, level);
    assertEquals(0.25, stats(single, r -> Measures.ablation(r, "slowest", level)).mean(), EPS);
    assertEquals(0.875, stats(multi, r -> Measures.ablation(r, "slowest", level)).mean(), EPS);
    // forgetting at the last checkpoint: single (0.55 + 0.6)/2 and 0.5; multi 0.975 and 0.95
    assertEquals(0.5375, stats(single, Measures::forgettingEarlier).mean(), EPS);
    assertEquals(0.9625, stats(multi, Measures::forgettingEarlier).mean(), EPS);
  }

  @Test
  void legendsSayWhatTheErrorBarsAreAndOverHowManyRuns() {
    assertEquals("single-head: mean ± std over 2 runs", Figures.legend("single-head", 2, 2));
    assertEquals("multi-head: mean ± std over 1–3 runs", Figures.legend("multi-head", 1, 3));
    assertEquals("none: mean ± std over 1 run", Figures.legend("none", 1, 1));
  }

  @Test
  void leastSquaresSlopeAndPerturbationAreaHaveKnownValues() {
    SortedMap<Integer, Double> line = new TreeMap<>(Map.of(2, 1.0, 3, 3.0, 4, 2.0, 5, 4.0));
    // x̄ = 3.5, ȳ = 2.5; Σ(x−x̄)(y−ȳ) = 2.25 + (−0.25) + (−0.25) + 2.25 = 4; Σ(x−x̄)² = 5
    assertEquals(0.8, Measures.slope(line), EPS);
    assertTrue(Double.isNaN(Measures.slope(new TreeMap<>(Map.of(2, 1.0)))));
    SortedMap<Double, Double> curve = new TreeMap<>(Map.of(0.01, 1.0, 0.1, 1.0, 1.0, 0.5,
        10.0, 0.0));
    // trapezoids over log10 ε = −2..1: 1 + 0.75 + 0.25 = 2, over a width of 3
    assertEquals(2.0 / 3, Measures.perturbationArea(curve), EPS);
    assertEquals(0.7, Measures.perturbationArea(new TreeMap<>(Map.of(0.5, 0.7))), EPS);
  }

  @Test
  void findingsOfTheClearCaseAreReproduced(@TempDir Path dir) throws ComparisonException {
    Comparison c = Comparison.load(RunFixtures.twoByTwo(dir, false), GroupBy.CURRICULUM);
    Map<String, Finding> f = byId(Findings.evaluate(c));
    assertEquals(List.of("a", "b", "c", "d", "e", "f", "g1", "g2", "h", "i", "j", "k"),
        Findings.evaluate(c).stream().map(Finding::id).toList());
    assertEquals(Verdict.REPRODUCED, f.get("a").verdict(), f.get("a").measured());
    assertTrue(f.get("a").measured().contains("multi-head 5.5 ± 0.707 levels (n = 2) vs"
        + " single-head 2.5 ± 0.707 levels (n = 2)"), f.get("a").measured());
    assertEquals(Verdict.REPRODUCED, f.get("b").verdict(), f.get("b").measured());
    assertTrue(f.get("b").measured().contains("1.1 ± 0.141 steps/level"), f.get("b").measured());
    // (c): slopes −0.05 and 0: −0.025 ± 0.0354, upper end 0.0104 ≤ 0.02
    assertEquals(Verdict.REPRODUCED, f.get("c").verdict(), f.get("c").measured());
    // (d): τ_net slopes 1 and 2 against τ̃ slopes −0.05 and 0
    assertEquals(Verdict.REPRODUCED, f.get("d").verdict(), f.get("d").measured());
    assertEquals(Verdict.REPRODUCED, f.get("e").verdict(), f.get("e").measured());
    assertEquals(Verdict.REPRODUCED, f.get("f").verdict(), f.get("f").measured());
    assertTrue(f.get("f").measured().contains("at N = 3"), f.get("f").measured());
    // (g1): areas 2/3 (+0.03) against 1/3 (+0.03)
    assertEquals(Verdict.REPRODUCED, f.get("g1").verdict(), f.get("g1").measured());
    assertTrue(f.get("g1").measured().contains("multi-head 0.682 ± 0.0212"), f.get("g1").measured());
    // (g2): the same τ curve in both groups: difference 0, inside the spread
    assertEquals(Verdict.INCONCLUSIVE, f.get("g2").verdict(), f.get("g2").measured());
    assertEquals(Verdict.REPRODUCED, f.get("h").verdict(), f.get("h").measured());
    assertEquals(Verdict.NOT_MEASURED, f.get("i").verdict());
    assertTrue(f.get("i").measured().contains("no single-head run has"
        + " analysis/transfer/transfer-summary.csv"), f.get("i").measured());
    assertEquals(Verdict.NOT_MEASURED, f.get("j").verdict());
    assertEquals(Verdict.NOT_MEASURED, f.get("k").verdict());
  }

  @Test
  void findingsAgainstThePredictionAreNotReproduced(@TempDir Path dir)
      throws ComparisonException {
    Comparison c = Comparison.load(RunFixtures.twoByTwo(dir, true), GroupBy.CURRICULUM);
    Map<String, Finding> f = byId(Findings.evaluate(c));
    assertEquals(Verdict.NOT_REPRODUCED, f.get("a").verdict(), f.get("a").measured());
    assertEquals(Verdict.NOT_REPRODUCED, f.get("c").verdict(), f.get("c").measured());
    assertEquals(Verdict.NOT_MEASURED, f.get("d").verdict(), "no multi-head network-timescales");
    assertTrue(f.get("d").measured().contains("no multi-head run has"
        + " analysis/network-timescales/network-timescales.csv"), f.get("d").measured());
    assertEquals(Verdict.NOT_REPRODUCED, f.get("e").verdict(), f.get("e").measured());
    assertEquals(Verdict.NOT_REPRODUCED, f.get("f").verdict(), f.get("f").measured());
    assertEquals(Verdict.NOT_REPRODUCED, f.get("g1").verdict(), f.get("g1").measured());
    assertEquals(Verdict.NOT_REPRODUCED, f.get("h").verdict(), f.get("h").measured());
  }

  @Test
  void findingsNeedingBothCurriculaAreNotMeasuredWithOne(@TempDir Path dir)
      throws ComparisonException {
    List<Path> runs = RunFixtures.twoByTwo(dir, false);
    Comparison singleOnly = Comparison.load(runs.subList(0, 2), GroupBy.CURRICULUM);
    Map<String, Finding> f = byId(Findings.evaluate(singleOnly));
    for (String id : List.of("a", "e", "f", "g1", "g2", "h", "i")) {
      assertEquals(Verdict.NOT_MEASURED, f.get(id).verdict(), id);
      assertTrue(f.get(id).measured().startsWith("needs single-head and multi-head runs; have 2"
          + " single-head and 0 multi-head"), f.get(id).measured());
    }
    assertEquals(Verdict.REPRODUCED, f.get("b").verdict(), "single-head alone measures (b)");
    assertEquals(Verdict.NOT_MEASURED, f.get("c").verdict());
    // one seed per group: spreads unknown, so inconclusive however large the difference
    Comparison oneSeed = Comparison.load(List.of(runs.get(0), runs.get(2)), GroupBy.CURRICULUM);
    assertEquals(Verdict.INCONCLUSIVE, byId(Findings.evaluate(oneSeed)).get("a").verdict());
  }

  @Test
  void verdictRulesCompareTheDifferenceWithThePooledSpread() {
    Stats a = new Stats(3, 10, 1, 9, 11);
    assertEquals(Verdict.REPRODUCED, Findings.greater(a, new Stats(3, 8.9, 1, 8, 10)));
    assertEquals(Verdict.INCONCLUSIVE, Findings.greater(a, new Stats(3, 9.5, 1, 8, 10)));
    assertEquals(Verdict.NOT_REPRODUCED, Findings.greater(a, new Stats(3, 11, 1, 10, 12)));
    assertEquals(Verdict.NOT_REPRODUCED, Findings.greater(new Stats(2, 5, 0, 5, 5),
        new Stats(2, 5, 0, 5, 5)), "no difference at all is not the predicted effect");
    assertEquals(Verdict.INCONCLUSIVE, Findings.greater(a, new Stats(1, 0, 0, 0, 0)));
    assertEquals(Verdict.REPRODUCED, Findings.positive(new Stats(2, 0.5, 0.4, 0.2, 0.8)));
    assertEquals(Verdict.INCONCLUSIVE, Findings.positive(new Stats(2, 0.5, 0.6, 0.1, 0.9)));
    assertEquals(Verdict.NOT_REPRODUCED, Findings.positive(new Stats(2, -0.5, 0.4, -0.8, -0.2)));
    assertEquals(Verdict.REPRODUCED, Findings.flat(new Stats(2, -0.1, 0.05, -0.15, -0.05)));
    assertEquals(Verdict.NOT_REPRODUCED, Findings.flat(new Stats(2, 0.3, 0.1, 0.2, 0.4)));
    assertEquals(Verdict.INCONCLUSIVE, Findings.flat(new Stats(2, 0.01, 0.05, -0.04, 0.06)));
    // pooled std of (n 3, s 1) and (n 2, s 2): √((2·1 + 1·4)/3) = √2
    assertEquals(Math.sqrt(2), Stats.pooledStd(a, new Stats(2, 0, 2, -1, 1)), EPS);
  }

  @Test
  void noCurriculumAndGatedModelsAreCheckedWhenPresent(@TempDir Path dir)
      throws ComparisonException {
    List<Path> runs = new java.util.ArrayList<>();
    // curriculum none: N = 16 never reaches 0.98 (two seeds), N = 5 does
    for (int seed = 1; seed <= 2; seed++) {
      runs.add(RunFixtures.run(dir, "none16-" + seed, "none16", seed, "none", "leaky-rnn", 5,
          List.of("1,10,16,0,0.7,0.5,1.0", "2,20,16,0,0.7,0.6,1.0")).dir());
    }
    runs.add(RunFixtures.run(dir, "none5", "none5", 1, "none", "leaky-rnn", 5,
        List.of("1,10,5,0,0.7,0.99,1.0")).dir());
    // gru: multi-head N_max 6 and 7, single-head 3 and 3
    for (int seed = 1; seed <= 2; seed++) {
      runs.add(RunFixtures.run(dir, "gru-m" + seed, "gru-m", seed, "multi-head", "gru", 20,
          RunFixtures.multiHead(new int[] {1, 1, 1, 1, 1 + seed, 1}, seed == 2)).dir());
      runs.add(RunFixtures.run(dir, "gru-s" + seed, "gru-s", seed, "single-head", "gru", 20,
          RunFixtures.singleHead(new int[] {2, 2, 5}, false)).dir());
    }
    Comparison c = Comparison.load(runs, GroupBy.CURRICULUM_MODEL);
    assertEquals(List.of("multi-head/gru", "none/leaky-rnn", "single-head/gru"),
        c.groups().stream().map(Comparison.Group::label).toList());
    Map<String, Finding> f = byId(Findings.evaluate(c));
    assertEquals(Verdict.REPRODUCED, f.get("j").verdict(), f.get("j").measured());
    assertTrue(f.get("j").measured().contains("N = 5 solved by 1/1, N = 16 solved by 0/2"),
        f.get("j").measured());
    assertEquals(Verdict.REPRODUCED, f.get("k").verdict(), f.get("k").measured());
    assertTrue(f.get("k").measured().contains("gru N_max: multi-head 6.5 ± 0.707 (n = 2),"
        + " single-head 3 ± 0 (n = 2)"), f.get("k").measured());
    // findings (a)-(i) read leaky-rnn runs, which have no single- or multi-head runs here
    assertEquals(Verdict.NOT_MEASURED, f.get("a").verdict());
    assertTrue(f.get("a").measured().endsWith("(leaky-rnn runs)"), f.get("a").measured());
  }

  @Test
  void theReportHoldsFiguresTablesAndFindingsAndNeverOverwrites(@TempDir Path dir)
      throws IOException, ComparisonException {
    Comparison c = Comparison.load(RunFixtures.twoByTwo(dir.resolve("runs"), false),
        GroupBy.CURRICULUM);
    Path out = ComparisonReport.freshDirectory(dir.resolve("comparisons"),
        Instant.parse("2024-05-01T10:20:30Z"));
    assertEquals(dir.resolve("comparisons/compare-20240501-102030"), out);
    List<Finding> findings = ComparisonReport.write(c, out);
    assertEquals(12, findings.size());

    for (String png : List.of("max-N-vs-epoch.png", "tau-vs-N.png", "tau-net-vs-N.png",
        "connectivity-vs-N.png", "ablation.png", "perturbation.png", "forgetting.png")) {
      Path file = out.resolve(png);
      assertTrue(Files.size(file) > 1000, png);
      byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(file), 4);
      assertEquals("\u0089PNG", new String(head, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    assertFalse(Files.exists(out.resolve("dimensionality-vs-N.png")), "no run has the table");
    assertFalse(Files.exists(out.resolve("transfer.png")));

    String md = Files.readString(out.resolve("comparison.md"));
    assertTrue(md.contains("| | finding | measured | verdict |"), md);
    assertTrue(md.contains("| a | Multi-head networks reach a larger N_max"), md);
    assertTrue(md.contains("| **reproduced** |"), md);
    assertTrue(md.contains("| **not measured** |"), md);
    assertTrue(md.contains("![Trained τ̃ = max(τ, 1) against N](tau-vs-N.png)"), md);
    assertTrue(md.contains("](max-N-vs-epoch.png)"), md);
    assertFalse(md.contains("](transfer.png)"), md);
    assertTrue(md.contains("- `transfer.png`: no run has usable rows in"
        + " analysis/transfer/transfer-summary.csv."), md);
    assertTrue(md.contains("± one sample standard deviation"), md);

    List<String> csv = Files.readAllLines(out.resolve("comparison.csv"));
    assertEquals("group,quantity,unit,n,mean,std,min,max", csv.get(0));
    assertTrue(csv.contains("single-head,n_max,levels,2,2.5," + Math.sqrt(0.5) + ",2.0,3.0"),
        csv.toString());
    assertTrue(csv.contains("multi-head,n_max,levels,2,5.5," + Math.sqrt(0.5) + ",5.0,6.0"),
        csv.toString());
    assertTrue(csv.stream().noneMatch(l -> l.startsWith("single-head,tau_net_slope")),
        "single-head runs have no network-timescales");
    List<String> series = Files.readAllLines(out.resolve("comparison-series.csv"));
    assertEquals("figure,quantity,group,x,n,mean,std,min,max", series.get(0));
    // single-head seed 2 stopped at epoch 10 at N = 3 and keeps it; seed 1 is at N = 4
    assertTrue(series.contains("max-N-vs-epoch.png,max_N,single-head,12.0,2,3.5,"
        + Math.sqrt(0.5) + ",3.0,4.0"), series.toString());
    assertFalse(series.stream().anyMatch(l -> l.startsWith("max-N-vs-epoch.png,max_N,single-head,"
        + "13.0")), "no epoch beyond the group's longest run");
    assertTrue(series.contains("max-N-vs-epoch.png,max_N,single-head,4.0,2,2.5,"
        + Math.sqrt(0.5) + ",2.0,3.0"), series.toString());

    byte[] before = Files.readAllBytes(out.resolve("comparison.md"));
    assertThrows(FileAlreadyExistsException.class, () -> ComparisonReport.write(c, out));
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(out.resolve("comparison.md"))));
    Path second = ComparisonReport.freshDirectory(dir.resolve("comparisons"),
        Instant.parse("2024-05-01T10:20:30Z"));
    assertEquals(dir.resolve("comparisons/compare-20240501-102030-2"), second);
  }

  @Test
  void badInputIsRejectedWithOneLineNamingTheFix(@TempDir Path dir) throws IOException {
    ComparisonException none = assertThrows(ComparisonException.class,
        () -> Comparison.load(List.of(), GroupBy.CURRICULUM));
    assertTrue(none.getMessage().contains("Fix:"), none.getMessage());
    Files.createDirectories(dir.resolve("empty"));
    ComparisonException notRun = assertThrows(ComparisonException.class,
        () -> RunReader.read(dir.resolve("empty")));
    assertEquals(dir.resolve("empty") + " is not a run directory (no config.resolved.yaml)."
        + " Fix: pass directories made by ./engram run (runs/<name>-<timestamp>).",
        notRun.getMessage());
    RunFixtures.Run run = RunFixtures.run(dir, "r", "r", 1, "single-head", "leaky-rnn", 5,
        List.of());
    ComparisonException twice = assertThrows(ComparisonException.class,
        () -> Comparison.load(List.of(run.dir(), run.dir().resolve("../r")), GroupBy.NAME));
    assertTrue(twice.getMessage().contains("is given twice"), twice.getMessage());
    ComparisonException nothing = assertThrows(ComparisonException.class,
        () -> Comparison.load(List.of(run.dir()), GroupBy.NAME));
    assertTrue(nothing.getMessage().startsWith("nothing to compare"), nothing.getMessage());
    Files.delete(run.dir().resolve("metrics.csv"));
    ComparisonException noMetrics = assertThrows(ComparisonException.class,
        () -> RunReader.read(run.dir()));
    assertTrue(noMetrics.getMessage().contains("no metrics.csv"), noMetrics.getMessage());
    ComparisonException groupBy = assertThrows(ComparisonException.class,
        () -> GroupBy.parse("seed"));
    assertEquals("--group-by must be one of name|curriculum|model|curriculum+model (was 'seed')."
        + " Fix: pass one of them.", groupBy.getMessage());
  }
}
