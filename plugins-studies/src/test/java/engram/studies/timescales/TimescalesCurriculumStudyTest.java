package engram.studies.timescales;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.study.Evaluation;
import engram.api.study.Figure;
import engram.api.study.Finding;
import engram.api.study.Finding.Verdict;
import engram.api.study.Quantity;
import engram.api.study.Stats;
import engram.api.study.StudyRun;
import engram.studies.common.Measures;
import engram.testkit.PluginContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The study on runs with known numbers ({@link StudyFixtures#twoByTwo}) whose group statistics,
 * slopes and verdicts are worked out by hand in the comments.
 */
class TimescalesCurriculumStudyTest {
  private static final double EPS = 1e-9;
  private static final TimescalesCurriculumStudy STUDY = new TimescalesCurriculumStudy();

  private static List<Finding> findings(List<StudyRun> runs) {
    return STUDY.evaluate(STUDY.defaults(), runs).findings();
  }

  private static Map<String, Finding> byId(List<StudyRun> runs) {
    return findings(runs).stream().collect(Collectors.toMap(Finding::id, Function.identity()));
  }

  private static Stats stats(List<StudyRun> runs, String curriculum, ToDoubleFunction<StudyRun> f) {
    return Stats.of(
        runs.stream().filter(r -> r.curriculumId().equals(curriculum)).mapToDouble(f).toArray());
  }

  @Test
  void isAPluginThatReadsTheBuiltInAnalyzersDeclaredTables() {
    PluginContract.assertPlugin(STUDY);
    assertEquals("timescales-curriculum", STUDY.info().id());
    assertEquals(
        List.of(
            "tau-stats",
            "connectivity",
            "network-timescales",
            "dimensionality",
            "ablation",
            "perturbation",
            "forgetting",
            "transfer"),
        STUDY.analyzers());
    for (var table : Tables.ALL) {
      StudyFixtures.declared(table.analyzer(), table.file()); // fails when not declared
    }
    assertTrue(STUDY.citation().contains("ICLR 2024"), STUDY.citation());
    assertTrue(STUDY.rules(STUDY.defaults()).startsWith("- **Which runs.**"));
  }

  @Test
  void measuresOfTheFixturesHaveHandComputedValues() {
    List<StudyRun> runs = StudyFixtures.twoByTwo(false);
    // N_max: single 3 and 2, multi 6 and 5
    Stats sn = stats(runs, "single-head", r -> r.progress().maxLevelReached());
    assertEquals(2, sn.n());
    assertEquals(2.5, sn.mean(), EPS);
    assertEquals(Math.sqrt(0.5), sn.std(), EPS);
    assertEquals(5.5, stats(runs, "multi-head", r -> r.progress().maxLevelReached()).mean(), EPS);
    // epochs per solved level: single 3.5 and 4, multi 2.4 and 2.25
    assertEquals(
        3.75, stats(runs, "single-head", r -> r.progress().meanEpochsPerSolvedLevel()).mean(), EPS);
    assertEquals(
        2.325, stats(runs, "multi-head", r -> r.progress().meanEpochsPerSolvedLevel()).mean(), EPS);
    // slopes of mean τ̃ against N: single 1.0 and 1.2 (the earlier checkpoint at N = 2 is ignored)
    Stats slopes =
        stats(
            runs,
            "single-head",
            r -> Measures.slope(Measures.perLevel(r, Tables.TAU_STATS, "mean")));
    assertEquals(1.1, slopes.mean(), EPS);
    assertEquals(Math.sqrt(0.02), slopes.std(), EPS);
    // ablation at the common N = 3, hardest level only: single 0.2, 0.3; multi 0.9, 0.85
    Integer level = Measures.commonLevel(runs, Tables.ABLATION);
    assertEquals(3, level);
    assertEquals(
        0.25,
        stats(runs, "single-head", r -> PaperMeasures.ablation(r, "slowest", level)).mean(),
        EPS);
    assertEquals(
        0.875,
        stats(runs, "multi-head", r -> PaperMeasures.ablation(r, "slowest", level)).mean(),
        EPS);
    // forgetting at the last checkpoint: single (0.55 + 0.6)/2 and 0.5; multi 0.975 and 0.95
    assertEquals(0.5375, stats(runs, "single-head", PaperMeasures::forgettingEarlier).mean(), EPS);
    assertEquals(0.9625, stats(runs, "multi-head", PaperMeasures::forgettingEarlier).mean(), EPS);
  }

  @Test
  void leastSquaresSlopeAndPerturbationAreaHaveKnownValues() {
    SortedMap<Integer, Double> line = new TreeMap<>(Map.of(2, 1.0, 3, 3.0, 4, 2.0, 5, 4.0));
    // x̄ = 3.5, ȳ = 2.5; Σ(x−x̄)(y−ȳ) = 2.25 + (−0.25) + (−0.25) + 2.25 = 4; Σ(x−x̄)² = 5
    assertEquals(0.8, Measures.slope(line), EPS);
    assertTrue(Double.isNaN(Measures.slope(new TreeMap<>(Map.of(2, 1.0)))));
    SortedMap<Double, Double> curve =
        new TreeMap<>(Map.of(0.01, 1.0, 0.1, 1.0, 1.0, 0.5, 10.0, 0.0));
    // trapezoids over log10 ε = −2..1: 1 + 0.75 + 0.25 = 2, over a width of 3
    assertEquals(2.0 / 3, PaperMeasures.perturbationArea(curve), EPS);
    assertEquals(0.7, PaperMeasures.perturbationArea(new TreeMap<>(Map.of(0.5, 0.7))), EPS);
  }

  @Test
  void findingsOfTheClearCaseAreReproduced() {
    List<StudyRun> runs = StudyFixtures.twoByTwo(false);
    Map<String, Finding> f = byId(runs);
    assertEquals(
        List.of("a", "b", "c", "d", "e", "f", "g1", "g2", "h", "i", "j", "k"),
        findings(runs).stream().map(Finding::id).toList());
    assertEquals(Verdict.REPRODUCED, f.get("a").verdict(), f.get("a").measured());
    assertTrue(
        f.get("a")
            .measured()
            .contains(
                "multi-head 5.5 ± 0.707 levels (n = 2) vs"
                    + " single-head 2.5 ± 0.707 levels (n = 2)"),
        f.get("a").measured());
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
    assertTrue(
        f.get("g1").measured().contains("multi-head 0.682 ± 0.0212"), f.get("g1").measured());
    // (g2): the same τ curve in both groups: difference 0, inside the spread
    assertEquals(Verdict.INCONCLUSIVE, f.get("g2").verdict(), f.get("g2").measured());
    assertEquals(Verdict.REPRODUCED, f.get("h").verdict(), f.get("h").measured());
    assertEquals(Verdict.NOT_MEASURED, f.get("i").verdict());
    assertTrue(
        f.get("i")
            .measured()
            .contains("no single-head run has" + " analysis/transfer/transfer-summary.csv"),
        f.get("i").measured());
    assertEquals(Verdict.NOT_MEASURED, f.get("j").verdict());
    assertEquals(Verdict.NOT_MEASURED, f.get("k").verdict());
  }

  @Test
  void findingsAgainstThePredictionAreNotReproduced() {
    Map<String, Finding> f = byId(StudyFixtures.twoByTwo(true));
    assertEquals(Verdict.NOT_REPRODUCED, f.get("a").verdict(), f.get("a").measured());
    assertEquals(Verdict.NOT_REPRODUCED, f.get("c").verdict(), f.get("c").measured());
    assertEquals(Verdict.NOT_MEASURED, f.get("d").verdict(), "no multi-head network-timescales");
    assertTrue(
        f.get("d")
            .measured()
            .contains(
                "no multi-head run has" + " analysis/network-timescales/network-timescales.csv"),
        f.get("d").measured());
    assertEquals(Verdict.NOT_REPRODUCED, f.get("e").verdict(), f.get("e").measured());
    assertEquals(Verdict.NOT_REPRODUCED, f.get("f").verdict(), f.get("f").measured());
    assertEquals(Verdict.NOT_REPRODUCED, f.get("g1").verdict(), f.get("g1").measured());
    assertEquals(Verdict.NOT_REPRODUCED, f.get("h").verdict(), f.get("h").measured());
  }

  @Test
  void findingsNeedingBothCurriculaAreNotMeasuredWithOne() {
    List<StudyRun> runs = StudyFixtures.twoByTwo(false);
    Map<String, Finding> f = byId(runs.subList(0, 2));
    for (String id : List.of("a", "e", "f", "g1", "g2", "h", "i")) {
      assertEquals(Verdict.NOT_MEASURED, f.get(id).verdict(), id);
      assertTrue(
          f.get(id)
              .measured()
              .startsWith(
                  "needs single-head and multi-head runs; have 2"
                      + " single-head and 0 multi-head"),
          f.get(id).measured());
    }
    assertEquals(Verdict.REPRODUCED, f.get("b").verdict(), "single-head alone measures (b)");
    assertEquals(Verdict.NOT_MEASURED, f.get("c").verdict());
    // one seed per group: spreads unknown, so inconclusive however large the difference
    assertEquals(Verdict.INCONCLUSIVE, byId(List.of(runs.get(0), runs.get(2))).get("a").verdict());
  }

  @Test
  void verdictRulesCompareTheDifferenceWithThePooledSpread() {
    Stats a = new Stats(3, 10, 1, 9, 11);
    assertEquals(Verdict.REPRODUCED, TimescalesFindings.greater(a, new Stats(3, 8.9, 1, 8, 10)));
    assertEquals(Verdict.INCONCLUSIVE, TimescalesFindings.greater(a, new Stats(3, 9.5, 1, 8, 10)));
    assertEquals(
        Verdict.NOT_REPRODUCED, TimescalesFindings.greater(a, new Stats(3, 11, 1, 10, 12)));
    assertEquals(
        Verdict.NOT_REPRODUCED,
        TimescalesFindings.greater(new Stats(2, 5, 0, 5, 5), new Stats(2, 5, 0, 5, 5)),
        "no difference at all is not the predicted effect");
    assertEquals(Verdict.INCONCLUSIVE, TimescalesFindings.greater(a, new Stats(1, 0, 0, 0, 0)));
    assertEquals(Verdict.REPRODUCED, TimescalesFindings.positive(new Stats(2, 0.5, 0.4, 0.2, 0.8)));
    assertEquals(
        Verdict.INCONCLUSIVE, TimescalesFindings.positive(new Stats(2, 0.5, 0.6, 0.1, 0.9)));
    assertEquals(
        Verdict.NOT_REPRODUCED, TimescalesFindings.positive(new Stats(2, -0.5, 0.4, -0.8, -0.2)));
    assertEquals(
        Verdict.REPRODUCED, TimescalesFindings.flat(new Stats(2, -0.1, 0.05, -0.15, -0.05)));
    assertEquals(Verdict.NOT_REPRODUCED, TimescalesFindings.flat(new Stats(2, 0.3, 0.1, 0.2, 0.4)));
    assertEquals(
        Verdict.INCONCLUSIVE, TimescalesFindings.flat(new Stats(2, 0.01, 0.05, -0.04, 0.06)));
  }

  @Test
  void noCurriculumAndGatedModelsAreCheckedWhenPresent() {
    List<StudyRun> runs = new ArrayList<>();
    // curriculum none: N = 16 never reaches 0.98 (two seeds), N = 5 does
    for (int seed = 1; seed <= 2; seed++) {
      runs.add(
          StudyFixtures.run(
                  "none16-" + seed,
                  "none16",
                  seed,
                  "none",
                  "leaky-rnn",
                  5,
                  List.of("1,10,16,0,0.7,0.5,1.0", "2,20,16,0,0.7,0.6,1.0"))
              .build());
    }
    runs.add(
        StudyFixtures.run(
                "none5", "none5", 1, "none", "leaky-rnn", 5, List.of("1,10,5,0,0.7,0.99,1.0"))
            .build());
    // gru: multi-head N_max 6 and 7, single-head 3 and 3
    for (int seed = 1; seed <= 2; seed++) {
      runs.add(
          StudyFixtures.run(
                  "gru-m" + seed,
                  "gru-m",
                  seed,
                  "multi-head",
                  "gru",
                  20,
                  StudyFixtures.multiHead(new int[] {1, 1, 1, 1, 1 + seed, 1}, seed == 2))
              .build());
      runs.add(
          StudyFixtures.run(
                  "gru-s" + seed,
                  "gru-s",
                  seed,
                  "single-head",
                  "gru",
                  20,
                  StudyFixtures.singleHead(new int[] {2, 2, 5}, false))
              .build());
    }
    Map<String, Finding> f = byId(runs);
    assertEquals(Verdict.REPRODUCED, f.get("j").verdict(), f.get("j").measured());
    assertTrue(
        f.get("j").measured().contains("N = 5 solved by 1/1, N = 16 solved by 0/2"),
        f.get("j").measured());
    assertEquals(Verdict.REPRODUCED, f.get("k").verdict(), f.get("k").measured());
    assertTrue(
        f.get("k")
            .measured()
            .contains("gru N_max: multi-head 6.5 ± 0.707 (n = 2)," + " single-head 3 ± 0 (n = 2)"),
        f.get("k").measured());
    // findings (a)-(i) read leaky-rnn runs, which have no single- or multi-head runs here
    assertEquals(Verdict.NOT_MEASURED, f.get("a").verdict());
    assertTrue(f.get("a").measured().endsWith("(leaky-rnn runs)"), f.get("a").measured());
    assertEquals("no gru or lstm runs", byId(runs.subList(0, 3)).get("k").measured());
  }

  @Test
  void transferIsReadFromTheCommonSourceLevelOverTheCommonLevels() {
    List<StudyRun> runs = new ArrayList<>();
    // multi-head final accuracy 0.8 − 0.02·N′ + 0.01·seed, single-head 0.6 − ... (N′ = 4..6 from
    // N = 3); the single-head seed 2 also retrained on N′ = 7, which not every run has
    for (String curriculum : List.of("single-head", "multi-head")) {
      for (int seed = 1; seed <= 2; seed++) {
        StudyFixtures.Run r =
            StudyFixtures.run(
                curriculum + seed,
                curriculum,
                seed,
                curriculum,
                "leaky-rnn",
                20,
                StudyFixtures.singleHead(new int[] {2, 2}, true));
        List<String> rows = new ArrayList<>();
        int top = curriculum.equals("single-head") && seed == 2 ? 7 : 6;
        for (int level = 4; level <= top; level++) {
          double accuracy =
              (curriculum.equals("multi-head") ? 0.8 : 0.6) + 0.01 * seed - 0.02 * level;
          rows.add("a3,3," + level + ",10," + accuracy + "," + (accuracy + 0.01));
        }
        runs.add(
            r.analysis("transfer", "transfer-summary.csv", rows.toArray(String[]::new)).build());
      }
    }
    Finding i = byId(runs).get("i");
    assertEquals(Verdict.REPRODUCED, i.verdict(), i.measured());
    // mean over N′ 4..6: 0.6 + 0.01·seed − 0.1 → 0.515 single, 0.715 multi
    assertTrue(
        i.measured()
            .startsWith(
                "final accuracy after retraining: multi-head 0.715 ±"
                    + " 0.00707 (n = 2) vs single-head 0.515 ± 0.00707 (n = 2)"),
        i.measured());
    assertTrue(
        i.measured().contains("; from N = 3, over N′ in 4..6 (leaky-rnn runs)"), i.measured());
  }

  @Test
  void figuresAndQuantitiesAreDataPerRunInReportOrder() {
    List<StudyRun> runs = StudyFixtures.twoByTwo(false);
    Evaluation e = STUDY.evaluate(STUDY.defaults(), runs);
    assertEquals(
        List.of(
            "tau-vs-N.png",
            "tau-net-vs-N.png",
            "connectivity-vs-N.png",
            "dimensionality-vs-N.png",
            "ablation.png",
            "perturbation.png",
            "forgetting.png",
            "transfer.png"),
        e.figures().stream().map(Figure::file).toList());
    Figure tau = e.figures().get(0);
    Figure.Curves mean = (Figure.Curves) tau.panels().get(0);
    assertEquals("tau-stats.mean", mean.quantity());
    // single-head seed 1: the latest checkpoint at each N
    assertEquals(Map.of(2.0, 1.5, 3.0, 2.5, 4.0, 3.5), mean.runs().get("single-1"));
    Figure ablation = e.figures().get(4);
    assertEquals("Ablation of single neurons (N = 3)", ablation.heading());
    Figure.Bars bars = (Figure.Bars) ablation.panels().get(0);
    assertEquals(0.9, bars.series().get(1).values().get("multi-1"), EPS);
    assertEquals(
        "no run has usable rows in analysis/transfer/transfer-summary.csv",
        e.figures().get(7).whenEmpty());
    Quantity slope = e.quantities().get(0);
    assertEquals("tau_mean_slope", slope.name());
    assertEquals(1.0, slope.values().get("single-1"), EPS);
    assertEquals(15, e.quantities().size());
  }
}
