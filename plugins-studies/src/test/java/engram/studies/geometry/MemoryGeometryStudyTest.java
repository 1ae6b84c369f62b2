package engram.studies.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Analyzer;
import engram.api.study.Evaluation;
import engram.api.study.Figure;
import engram.api.study.Finding;
import engram.api.study.Finding.Verdict;
import engram.api.study.StudyRun;
import engram.api.table.ColumnType;
import engram.api.table.Table;
import engram.api.table.TableSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The study on runs with known numbers. The analyzer tables get their columns from the built-in
 * analyzers' own declarations, so a renamed column fails here.
 */
class MemoryGeometryStudyTest {
  private final MemoryGeometryStudy study = new MemoryGeometryStudy();

  /** Steps by which the whole-run onset of separation follows its onset in the drop window. */
  static final double WHOLE_RUN_LATER = 2000;

  /** One run: its condition, whether and when it dropped, the onset of GR (NaN: none). */
  record Spec(
      String id,
      double gain,
      double lambda,
      long seed,
      double tDrop,
      double onset,
      double captured) {
    Spec(String id, double gain, double lambda, long seed, double tDrop, double onset) {
      this(id, gain, lambda, seed, tDrop, onset, Double.NaN);
    }
  }

  @SuppressWarnings("rawtypes") // Analyzer.class: the SPI is generic in its config record
  static TableSpec declared(String analyzer, String file) {
    for (Analyzer a : ServiceLoader.load(Analyzer.class)) {
      if (a.info().id().equals(analyzer)) {
        for (Object t : a.tables()) {
          if (((TableSpec) t).file().equals(file)) {
            return (TableSpec) t;
          }
        }
      }
    }
    throw new AssertionError(analyzer + " declares no " + file);
  }

  private static String absent(ColumnType type) {
    return switch (type) {
      case TEXT -> "";
      case INTEGER -> "0";
      case NUMBER -> "NaN";
    };
  }

  /** A table in its declared column order; columns not given are NaN (text: empty, integer: 0). */
  static Table table(String name, TableSpec spec, List<Map<String, Object>> rows) {
    StringBuilder csv = new StringBuilder(spec.header()).append('\n');
    for (Map<String, Object> row : rows) {
      csv.append(
              spec.columns().stream()
                  .map(c -> String.valueOf(row.getOrDefault(c.name(), absent(c.type()))))
                  .collect(Collectors.joining(",")))
          .append('\n');
    }
    return Table.parse(name, csv.toString(), spec);
  }

  /**
   * A run of 12,000 steps, loss every 100: 0.5 falling to a plateau at 0.1 from step 500; with a
   * drop, the loss falls to 0.01 between t_drop − 100 and t_drop + 100.
   */
  static StudyRun run(Spec s) {
    boolean drops = Double.isFinite(s.tDrop());
    List<Map<String, Object>> loss = new ArrayList<>();
    for (int step = 0; step <= 12_000; step += 100) {
      double y =
          step < 500
              ? 0.5 - 0.4 * step / 500.0
              : !drops || step < s.tDrop() - 100 ? 0.1 : step > s.tDrop() + 100 ? 0.01 : 0.055;
      loss.add(Map.of("step", step, "loss", y, "smoothed", y));
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("source", "trace.csv");
    summary.put("verdict", drops ? "drop" : "no-drop");
    summary.put("plateau_start", 500);
    summary.put("plateau_end", drops ? s.tDrop() - 200 : 12_000);
    summary.put("plateau_loss", 0.1);
    summary.put("after_loss", drops ? 0.01 : Double.NaN);
    summary.put("t_drop", drops ? s.tDrop() : Double.NaN);
    summary.put("t_steepest", drops ? s.tDrop() : Double.NaN);
    summary.put("drops", drops ? 1 : 0);
    summary.put("t_last_drop", drops ? s.tDrop() : Double.NaN);
    Map<String, Table> abrupt = new LinkedHashMap<>();
    String dir = s.id() + "/analysis/abrupt-learning/";
    abrupt.put(
        "abrupt-learning.csv",
        table(
            dir + "abrupt-learning.csv",
            declared("abrupt-learning", "abrupt-learning.csv"),
            List.of(summary)));
    abrupt.put(
        "abrupt-learning-loss.csv",
        table(
            dir + "abrupt-learning-loss.csv",
            declared("abrupt-learning", "abrupt-learning-loss.csv"),
            loss));
    if (Double.isFinite(s.onset())) {
      // a clean change point in separation, a poor fit (ignored) in delay speed at step 100
      abrupt.put(
          "gr-onsets.csv",
          table(
              dir + "gr-onsets.csv",
              declared("abrupt-learning", "gr-onsets.csv"),
              List.of(
                  // over the drop window the onset is s.onset(); over the whole run the fit finds
                  // a larger bend WHOLE_RUN_LATER steps later (as on real runs with two drops)
                  Map.ofEntries(
                      Map.entry("metric", "separation"),
                      Map.entry("onset", s.onset() + WHOLE_RUN_LATER),
                      Map.entry("sse_ratio", 0.1),
                      Map.entry("lead", s.tDrop() - s.onset() - WHOLE_RUN_LATER),
                      Map.entry("checkpoints", 20),
                      Map.entry("window_start", 100),
                      Map.entry("window_end", s.tDrop() + 500),
                      Map.entry("drop_onset", s.onset()),
                      Map.entry("drop_sse_ratio", 0.2),
                      Map.entry("drop_lead", s.tDrop() - s.onset()),
                      Map.entry("drop_checkpoints", 12),
                      // checkpoints 500 steps apart; "coarse" runs: 700, so the change after an
                      // onset 600 steps before t_drop is first seen after the drop
                      Map.entry(
                          "drop_onset_next",
                          s.onset() + (s.id().startsWith("coarse") ? 700 : 500))),
                  Map.of(
                      "metric",
                      "delay_speed",
                      "onset",
                      100,
                      "sse_ratio",
                      0.9,
                      "checkpoints",
                      20))));
    }
    Map<String, String> config = new LinkedHashMap<>();
    config.put("name", "geo-" + s.id());
    config.put("model.id", "leaky-rnn");
    config.put("model.gain", String.valueOf(s.gain()));
    config.put("regularizers.0.id", "noise-injection");
    config.put("regularizers.1.id", "temporal-consistency");
    config.put("regularizers.1.lambda", String.valueOf(s.lambda()));
    config.put("training.max-epochs", "12");
    config.put("curriculum.threshold", "0.95");
    config.put("training.steps-per-epoch", "1000");
    Table metrics =
        Table.parse(
            s.id() + "/metrics.csv",
            "epoch,step,N,head,loss,accuracy,wall_seconds\n1,1000,30,0,0.1,"
                + (drops ? "1.0" : "0.8")
                + ",1.0\n",
            List.of(
                engram.api.table.ColumnSpec.integer("epoch", "", ""),
                engram.api.table.ColumnSpec.integer("N", "", ""),
                engram.api.table.ColumnSpec.number("accuracy", "", "")),
            ColumnType.NUMBER);
    Map<String, Map<String, Table>> analyses = new LinkedHashMap<>();
    analyses.put("abrupt-learning", abrupt);
    if (Double.isFinite(s.captured())) {
      // two checkpoints: nothing captured at first, the run's fraction at the last
      analyses.put(
          "geometry",
          Map.of(
              "geometry.csv",
              table(
                  s.id() + "/analysis/geometry/geometry.csv",
                  declared("geometry", "geometry.csv"),
                  List.of(
                      Map.of("checkpoint", "step-00000010", "epoch", 0, "captured_fraction", 0),
                      Map.of(
                          "checkpoint",
                          "final",
                          "epoch",
                          12,
                          "captured_fraction",
                          s.captured())))));
    }
    return new StudyRun(
        s.id(),
        "geo-" + s.id(),
        "g" + s.gain() + "-l" + s.lambda(),
        s.seed(),
        "dmts",
        "leaky-rnn",
        "none",
        config,
        metrics,
        analyses);
  }

  /**
   * Five seeds of four conditions: at g = 1 every run drops, at 5,000–9,000 steps without TCR and
   * 1,000–3,000 with it; at g = 2 no run without TCR drops and every run with it does. GR onsets
   * lie 600 steps before each drop.
   */
  static List<StudyRun> tcrHelps() {
    List<StudyRun> runs = new ArrayList<>();
    for (int seed = 1; seed <= 5; seed++) {
      runs.add(run(new Spec("b1-" + seed, 1, 0, seed, 4000 + 1000 * seed, 3400 + 1000 * seed)));
      runs.add(run(new Spec("t1-" + seed, 1, 0.1, seed, 500 + 500 * seed, 500 * seed - 100)));
      runs.add(run(new Spec("b2-" + seed, 2, 0, seed, Double.NaN, Double.NaN)));
      runs.add(run(new Spec("t2-" + seed, 2, 0.1, seed, 6000 + 100 * seed, 5400 + 100 * seed)));
    }
    return runs;
  }

  private Map<String, Finding> findings(List<StudyRun> runs) {
    return study.evaluate(study.defaults(), runs).findings().stream()
        .collect(Collectors.toMap(Finding::id, Function.identity()));
  }

  @Test
  void everyClaimIsJudgedOnRunsWhereTcrHelps() {
    Map<String, Finding> f = findings(tcrHelps());
    assertEquals(
        Verdict.REPRODUCED, f.get("plateau-drop").verdict(), f.get("plateau-drop").measured());
    assertTrue(
        f.get("plateau-drop")
            .measured()
            .startsWith("λ = 0, g = 1: 5 of 5 runs dropped, 5 abruptly"),
        f.get("plateau-drop").measured());
    // baseline t_drop 5,000..9,000: median 7,000; plateau 500 → t_drop − 200
    assertTrue(f.get("plateau-drop").measured().contains("t_drop 7000 (range 5000–9000)"));

    // leads: 600 in every run that dropped (15 runs), the poorly fitted earlier onset ignored
    Finding gr = f.get("gr-precedes");
    assertEquals(Verdict.REPRODUCED, gr.verdict(), gr.measured());
    assertTrue(
        gr.measured()
            .startsWith("15 of 15 runs that dropped have a separation onset in the drop window"),
        gr.measured());
    assertTrue(gr.measured().contains("lead median 600 steps"), gr.measured());
    // the poorly fitted delay-speed onset is not reported; separation is
    assertTrue(
        gr.measured()
            .contains("median lead by metric: separation 600 (15/15 > 0, 15 seen before t_drop)"),
        gr.measured());
    assertTrue(gr.measured().contains("15 of 15 leads > 0, 15 of them seen before t_drop"));
    // the whole-run fit is reported beside it: 600 − 2,000
    assertTrue(
        gr.measured()
            .endsWith(
                "the fit over the whole run puts the separation onset -1400 steps before t_drop"
                    + " (median of 15, 0 > 0)"),
        gr.measured());

    // g = 1: TCR 1,000..3,000 against 5,000..9,000: U = 0, one λ, p = 0.0061 < 0.05
    Finding faster = f.get("tcr-faster");
    assertEquals(Verdict.REPRODUCED, faster.verdict(), faster.measured());
    assertTrue(
        faster.measured().contains("g = 1, λ = 0.1: t_drop 2000 (too few runs"), faster.measured());

    // g = 2: 5 of 5 learn with TCR, 0 of 5 without: Fisher p = 1/252
    Finding high = f.get("tcr-high-gain");
    assertEquals(Verdict.REPRODUCED, high.verdict(), high.measured());
    assertTrue(
        high.measured()
            .contains("solved the task in 5/5 runs with λ = 0.1 vs 0/5 with λ = 0 (p = 0.00397)"),
        high.measured());

    assertEquals(Verdict.NOT_MEASURED, f.get("tcr-attractors").verdict());
  }

  @Test
  void tcrThatSlowsLearningIsNotReproduced() {
    List<StudyRun> runs = new ArrayList<>();
    for (int seed = 1; seed <= 5; seed++) {
      runs.add(run(new Spec("b" + seed, 1, 0, seed, 1000 + 100 * seed, Double.NaN)));
      runs.add(run(new Spec("t" + seed, 1, 1.0, seed, 5000 + 100 * seed, Double.NaN)));
    }
    Map<String, Finding> f = findings(runs);
    assertEquals(Verdict.NOT_REPRODUCED, f.get("tcr-faster").verdict());
    assertEquals(Verdict.NOT_MEASURED, f.get("tcr-high-gain").verdict());
    assertEquals(Verdict.NOT_MEASURED, f.get("gr-precedes").verdict());
  }

  @Test
  void grAfterTheDropIsNotReproducedAndAPlateauWithoutDropIsNot() {
    List<StudyRun> late = new ArrayList<>();
    List<StudyRun> stuck = new ArrayList<>();
    for (int seed = 1; seed <= 4; seed++) {
      late.add(run(new Spec("l" + seed, 1, 0, seed, 3000, 3000 + 500 * seed)));
      stuck.add(run(new Spec("s" + seed, 1, 0, seed, Double.NaN, Double.NaN)));
    }
    Finding gr = findings(late).get("gr-precedes");
    assertEquals(Verdict.NOT_REPRODUCED, gr.verdict(), gr.measured());
    assertTrue(gr.measured().contains("lead median -1250 steps"), gr.measured());
    Finding plateau = findings(stuck).get("plateau-drop");
    assertEquals(Verdict.NOT_REPRODUCED, plateau.verdict());
    assertEquals("λ = 0, g = 1: 0 of 4 runs dropped, 0 abruptly", plateau.measured());
  }

  @Test
  void runsWithoutTheAnalysesAreNotMeasuredAndNamedSo() {
    StudyRun bare =
        new StudyRun(
            "r",
            "r",
            "g",
            1,
            "dmts",
            "leaky-rnn",
            "none",
            Map.of("model.gain", "1"),
            Table.parse("m", "epoch,loss\n1,0.1\n", List.of(), ColumnType.NUMBER),
            Map.of());
    Evaluation e = study.evaluate(study.defaults(), List.of(bare));
    assertEquals(7, e.findings().size());
    e.findings().forEach(f -> assertEquals(Verdict.NOT_MEASURED, f.verdict(), f.id()));
    assertTrue(
        e.findings().get(0).measured().contains("analysis/abrupt-learning/abrupt-learning.csv"));
  }

  @Test
  void lossCurvesAreAlignedAtEachRunsDrop() {
    Evaluation e = study.evaluate(study.defaults(), tcrHelps());
    Figure loss =
        e.figures().stream()
            .filter(x -> x.file().equals(GeometryFigures.LOSS))
            .findFirst()
            .orElseThrow();
    Figure.Curves aligned = (Figure.Curves) loss.panels().get(1);
    // 15 runs dropped; each falls from log10 0.1 = −1 before to −2 after its own t_drop
    assertEquals(15, aligned.runs().size());
    aligned
        .runs()
        .values()
        .forEach(
            c -> {
              assertEquals(-1.0, c.get(-200.0), 1e-12);
              assertEquals(-2.0, c.get(200.0), 1e-12);
            });
    Map<String, Double> tDrop =
        e.quantities().stream()
            .filter(q -> q.name().equals("t_drop"))
            .findFirst()
            .orElseThrow()
            .values();
    assertEquals(3000.0, tDrop.get("t1-5"));
    assertTrue(tDrop.get("b2-1").isNaN());
  }

  @Test
  void theAttractorCensusComparesFractionsOfRunsThatHoldEveryCondition() {
    List<StudyRun> runs = new ArrayList<>();
    for (int seed = 1; seed <= 6; seed++) {
      // without TCR 1 of 6 runs holds both conditions; with TCR 6 of 6
      runs.add(run(new Spec("b" + seed, 1, 0, seed, 3000, Double.NaN, seed == 1 ? 1.0 : 0.5)));
      runs.add(run(new Spec("t" + seed, 1, 0.1, seed, 3000, Double.NaN, 1.0)));
    }
    Finding f = findings(runs).get("tcr-attractors");
    // Fisher: P(X ≥ 6) for 7 successes among 12, 6 drawn = C(7,6)·C(5,0)/C(12,6) = 7/924
    assertEquals(Verdict.REPRODUCED, f.verdict(), f.measured());
    assertEquals(
        "g = 1: all conditions held by stable attractors in 6/6 runs with λ = 0.1 vs 1/6 with"
            + " λ = 0 (p = 0.00758)",
        f.measured());
  }

  /**
   * Leads of 600 steps with checkpoints 700 steps apart: every lead is positive, none is seen
   * before the drop, so the claim is inconclusive rather than reproduced.
   */
  @Test
  void leadsShorterThanTheCheckpointSpacingAreNotEvidence() {
    List<StudyRun> runs = new ArrayList<>();
    for (long seed = 1; seed <= 5; seed++) {
      runs.add(run(new Spec("coarse-" + seed, 1, 0, seed, 4000 + 1000 * seed, 3400 + 1000 * seed)));
    }
    Finding gr = findings(runs).get("gr-precedes");
    assertEquals(Verdict.INCONCLUSIVE, gr.verdict(), gr.measured());
    assertTrue(gr.measured().contains("5 of 5 leads > 0, 0 of them seen before t_drop"));
  }

  /** gr-window: run judges the whole-run onset, which on these runs follows the drop. */
  @Test
  void theWholeRunWindowJudgesTheLargestBend() {
    MemoryGeometryStudy.Config run = new MemoryGeometryStudy.Config(0.05, 0.5, "separation", "run");
    Finding gr =
        study.evaluate(run, tcrHelps()).findings().stream()
            .filter(f -> f.id().equals("gr-precedes"))
            .findFirst()
            .orElseThrow();
    assertEquals(Verdict.NOT_REPRODUCED, gr.verdict(), gr.measured());
    assertTrue(
        gr.measured()
            .startsWith("15 of 15 runs that dropped have a separation onset over the whole run"),
        gr.measured());
    assertTrue(gr.measured().contains("lead median -1400 steps"), gr.measured());
    assertTrue(study.rules(run).contains("The fit judged covers all checkpoints"));
  }

  @Test
  void theRulesNameTheChosenMetricAndLevels() {
    String rules =
        study.rules(new MemoryGeometryStudy.Config(0.01, 0.4, "decoding_accuracy", "drop"));
    assertTrue(rules.contains("*drop window*"), rules);
    assertTrue(rules.contains("of the GR metric `decoding_accuracy`"), rules);
    assertTrue(rules.contains("at most 0.4 of the one-line"), rules);
    assertTrue(rules.contains("p < 0.01/m (Bonferroni)"), rules);
    assertTrue(rules.contains("(≥ 3 needed)") && rules.contains("95 % interval"), rules);
  }

  @Test
  void optionsAreChecked() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new MemoryGeometryStudy.Config(1.5, 0.5, "separation", "drop"));
    assertEquals("significance must be in (0, 1) (was 1.5)", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new MemoryGeometryStudy.Config(0.05, 0, "separation", "drop"));
    IllegalArgumentException window =
        assertThrows(
            IllegalArgumentException.class,
            () -> new MemoryGeometryStudy.Config(0.05, 0.5, "separation", "plateau"));
    assertEquals("gr-window must be drop or run (was plateau)", window.getMessage());
  }
}
