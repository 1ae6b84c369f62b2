package engram.studies.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.study.Evaluation;
import engram.api.study.Figure;
import engram.api.study.Finding;
import engram.api.study.Finding.Verdict;
import engram.api.study.StudyRun;
import engram.api.table.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The fixed-point findings on hand-written {@code fixed-points} tables (columns from the analyzer's
 * own declarations): four checkpoints per run — plateau (step 1,000), before the drop (2,000),
 * after it (4,000) and the end (12,000) — with known ghosts and stable points.
 */
class PointFindingsTest {
  private final MemoryGeometryStudy study = new MemoryGeometryStudy();

  static final String[] NAMES = {"step-00001000", "step-00002000", "step-00004000", "final"};
  static final double[] STEPS = {1000, 2000, 4000, 12000};
  static final String[] ROLES = {"plateau", "before-drop", "after-drop", "end"};

  /**
   * A run of {@link MemoryGeometryStudyTest#run} (drop at {@code tDrop}) with fixed-points tables.
   *
   * @param stable stable fixed points at each of the four checkpoints
   * @param ghostFrom index of the first checkpoint with a ghost (one track to the end), 4 for none
   * @param ghostBecomesFixed whether that ghost is a stable fixed point at the last checkpoint
   */
  static StudyRun run(
      String id,
      double lambda,
      long seed,
      double tDrop,
      int[] stable,
      int ghostFrom,
      boolean ghostBecomesFixed) {
    StudyRun base =
        MemoryGeometryStudyTest.run(
            new MemoryGeometryStudyTest.Spec(id, 1, lambda, seed, tDrop, Double.NaN));
    List<Map<String, Object>> chosen = new ArrayList<>();
    List<Map<String, Object>> summary = new ArrayList<>();
    List<Map<String, Object>> tracks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      chosen.add(
          Map.of(
              "role", ROLES[i], "checkpoint", NAMES[i], "epoch", i, "step", STEPS[i], "rule", "r"));
      boolean ghost = i >= ghostFrom && !(ghostBecomesFixed && i == 3);
      summary.add(
          Map.of(
              "checkpoint",
              NAMES[i],
              "epoch",
              i,
              "stable",
              stable[i],
              "ghost",
              ghost ? 1 : 0,
              "points",
              stable[i] + (ghost ? 1 : 0)));
      // track 0: one stable point throughout; track 1: the ghost
      tracks.add(
          Map.of(
              "track",
              0,
              "checkpoint",
              NAMES[i],
              "epoch",
              i,
              "event",
              i == 0 ? "appears" : "continues",
              "kind",
              "fixed",
              "class",
              "stable",
              "point",
              0));
      if (i >= ghostFrom) {
        String kind = ghost ? "ghost" : "fixed";
        String event = i == ghostFrom ? "appears" : ghost ? "continues" : "becomes-fixed";
        tracks.add(
            Map.of(
                "track",
                1,
                "checkpoint",
                NAMES[i],
                "epoch",
                i,
                "event",
                event,
                "kind",
                kind,
                "class",
                "stable",
                "point",
                1));
      }
    }
    Map<String, Table> fp = new LinkedHashMap<>();
    for (Object[] t :
        new Object[][] {
          {"checkpoints.csv", chosen},
          {"fixed-points-summary.csv", summary},
          {"ghost-tracks.csv", tracks}
        }) {
      String file = (String) t[0];
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> rows = (List<Map<String, Object>>) t[1];
      fp.put(
          file,
          MemoryGeometryStudyTest.table(
              id + "/analysis/fixed-points/" + file,
              MemoryGeometryStudyTest.declared("fixed-points", file),
              rows));
    }
    Map<String, Map<String, Table>> analyses = new LinkedHashMap<>(base.analyses());
    analyses.put("fixed-points", fp);
    return new StudyRun(
        base.id(),
        base.name(),
        base.group(),
        base.seed(),
        base.taskId(),
        base.modelId(),
        base.curriculumId(),
        base.config(),
        base.metrics(),
        analyses);
  }

  /**
   * Without TCR, three of four runs have a ghost at the checkpoint before t_drop = 3,000 (one of
   * them turns into a fixed point by the end) and two end with two stable points; with TCR no run
   * has a ghost and every run keeps one stable point.
   */
  static List<StudyRun> ghostsFirst() {
    List<StudyRun> runs = new ArrayList<>();
    runs.add(run("b1", 0, 1, 3000, new int[] {1, 1, 2, 2}, 1, true));
    runs.add(run("b2", 0, 2, 3000, new int[] {1, 1, 1, 2}, 1, false));
    runs.add(run("b3", 0, 3, 3000, new int[] {1, 1, 1, 1}, 1, false));
    runs.add(run("b4", 0, 4, 3000, new int[] {1, 1, 1, 1}, 2, false));
    for (int seed = 1; seed <= 4; seed++) {
      runs.add(run("t" + seed, 0.1, seed, 3000, new int[] {1, 1, 1, 1}, 4, false));
    }
    return runs;
  }

  private Map<String, Finding> findings(List<StudyRun> runs) {
    return study.evaluate(study.defaults(), runs).findings().stream()
        .collect(Collectors.toMap(Finding::id, Function.identity()));
  }

  @Test
  void ghostsBeforeTheDropInMostRunsWithoutTcrAreReproduced() {
    Finding g = findings(ghostsFirst()).get("ghosts-before-drop");
    assertEquals(Verdict.REPRODUCED, g.verdict(), g.measured());
    // first ghosts at 2,000, 2,000, 2,000 and 4,000: −1,000 ×3 and +1,000 from t_drop
    assertEquals(
        "g = 1, λ = 0: a ghost before t_drop in 3/4 runs (ghost or slow point: 3/4); first ghost"
            + " at t_drop −1000 steps (median of 4); a ghost became a fixed point in 1;"
            + " g = 1, λ = 0.1: a ghost before t_drop in 0/4 runs (ghost or slow point: 0/4); no"
            + " ghost at any analysed checkpoint; a ghost became a fixed point in 0",
        g.measured());
  }

  @Test
  void theCensusComparesStablePointsAtTheEnd() {
    Finding c = findings(ghostsFirst()).get("fp-attractors");
    // TCR: 0/4 with two stable points at the end against 2/4 without: never larger
    assertEquals(Verdict.NOT_REPRODUCED, c.verdict(), c.measured());
    assertTrue(
        c.measured()
            .startsWith(
                "g = 1, λ = 0 (4 runs): before the drop / after it / at the end, stable 1/1/1.5,"
                    + " saddles 0/0/0, ghosts 1/1/1 (medians)"),
        c.measured());
    assertTrue(
        c.measured()
            .endsWith(
                "g = 1: ≥ 2 stable fixed points at the end in 0/4 runs with λ = 0.1 vs 2/4"
                    + " with λ = 0 (p = 1)"),
        c.measured());
  }

  @Test
  void ghostsOnlyAfterTheDropAreNotReproducedAndFiguresHaveTheMoments() {
    List<StudyRun> runs = new ArrayList<>();
    for (int seed = 1; seed <= 4; seed++) {
      runs.add(run("a" + seed, 0, seed, 3000, new int[] {1, 1, 0, 0}, 2, false));
    }
    Finding g = findings(runs).get("ghosts-before-drop");
    assertEquals(Verdict.NOT_REPRODUCED, g.verdict(), g.measured());
    assertTrue(g.measured().contains("first ghost at t_drop +1000 steps"), g.measured());
    assertEquals(Verdict.NOT_MEASURED, findings(runs).get("fp-attractors").verdict());

    Evaluation e = study.evaluate(study.defaults(), runs);
    Figure census =
        e.figures().stream()
            .filter(f -> f.file().equals(PointFigures.CENSUS))
            .findFirst()
            .orElseThrow();
    Figure.Curves ghosts = (Figure.Curves) census.panels().get(2);
    // moments 0, 1, 2, 4 (no later drop): the ghost from the first checkpoint after the fall
    assertEquals(Map.of(0.0, 0.0, 1.0, 0.0, 2.0, 1.0, 4.0, 1.0), ghosts.runs().get("a1"));
    // the landscape of the lowest seed of the first condition that dropped, copied by core
    Figure landscape =
        e.figures().stream()
            .filter(f -> f.file().equals(PointFigures.LANDSCAPE))
            .findFirst()
            .orElseThrow();
    assertEquals(
        new Figure.RunImage("a1", "fixed-points", "speed-landscape.png"),
        landscape.panels().get(0));
    assertTrue(
        landscape.heading().contains("seed 1, g = 1, λ = 0, t_drop 3000"), landscape.heading());
    Map<String, Double> first =
        e.quantities().stream()
            .filter(q -> q.name().equals("first_ghost_from_drop"))
            .findFirst()
            .orElseThrow()
            .values();
    assertEquals(1000.0, first.get("a3"));
  }

  @Test
  void runsWithoutADropAreLeftOutOfTheGhostRule() {
    List<StudyRun> runs = new ArrayList<>();
    for (int seed = 1; seed <= 3; seed++) {
      runs.add(run("n" + seed, 0, seed, Double.NaN, new int[] {1, 1, 1, 1}, 0, false));
    }
    Finding g = findings(runs).get("ghosts-before-drop");
    assertEquals(Verdict.NOT_MEASURED, g.verdict(), g.measured());
    assertTrue(
        g.measured().startsWith("g = 1, λ = 0: no run dropped after an analysed checkpoint"),
        g.measured());
    String rules = study.rules(study.defaults());
    assertTrue(rules.contains("at least 2 stable fixed points"), rules);
    assertTrue(rules.contains("90 % of the way to the next level"), rules);
  }
}
