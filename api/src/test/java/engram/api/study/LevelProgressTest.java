package engram.api.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.table.ColumnSpec;
import engram.api.table.ColumnType;
import engram.api.table.Table;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress of a run read off its metrics, and what a study run says about its config. */
class LevelProgressTest {

  private static Table metrics(String rows) {
    return Table.parse(
        "metrics.csv",
        "epoch,step,N,head,loss,accuracy,wall_seconds\n" + rows,
        List.of(ColumnSpec.integer("epoch", "", ""), ColumnSpec.integer("N", "", "")),
        ColumnType.NUMBER);
  }

  @Test
  void multiHeadEpochsCountTheirLargestLevelAndTheUnsolvedLastStageIsLeftOut() {
    // N = 2 for epochs 1-2 (solved at 2); N = 2..3 for epochs 3-5 (3 solved at 5); 2..4 unsolved
    LevelProgress p =
        LevelProgress.of(
            metrics(
                """
                1,10,2,0,0.5,0.6,1
                2,20,2,0,0.5,0.99,1
                3,30,2,0,0.5,0.99,1
                3,30,3,1,0.5,0.6,1
                4,40,3,1,0.5,0.7,1
                5,50,3,1,0.5,0.98,1
                6,60,4,2,0.5,0.5,1
                """),
            0.98);
    assertEquals(Map.of(1, 2, 2, 2, 3, 3, 4, 3, 5, 3, 6, 4), p.maxLevelByEpoch());
    assertEquals(3, p.maxLevelReached());
    assertEquals(Map.of(2, 2, 3, 3, 4, 1), p.epochsPerLevel());
    assertEquals(6, p.epochs());
    assertEquals(4, p.largestLevelTrained());
    assertEquals(2.5, p.meanEpochsPerSolvedLevel(), 1e-12);
    LevelProgress none = LevelProgress.of(metrics("1,10,5,0,0.5,0.5,1\n"), 0.9);
    assertEquals(0, none.maxLevelReached());
    assertTrue(Double.isNaN(none.meanEpochsPerSolvedLevel()));
  }

  @Test
  void aStudyRunReadsThresholdAndBudgetFromItsConfig() {
    StudyRun run =
        new StudyRun(
            "runs/a",
            "a",
            "single-head",
            1,
            "n-parity",
            "leaky-rnn",
            "single-head",
            Map.of("curriculum.threshold", "0.5", "training.max-epochs", "20"),
            metrics("1,10,2,0,0.5,0.6,1\n"),
            Map.of());
    assertEquals(0.5, run.threshold());
    assertEquals(20, run.maxEpochs());
    assertEquals(2, run.progress().maxLevelReached());
    assertTrue(run.table("tau-stats", "tau-stats.csv").isEmpty());
    StudyRun bare =
        new StudyRun("runs/b", "b", "g", 1, "t", "m", "c", Map.of(), metrics(""), Map.of());
    assertEquals(StudyRun.DEFAULT_THRESHOLD, bare.threshold());
    assertEquals(0, bare.maxEpochs());
    assertEquals(0, bare.progress().epochs());
  }

  @Test
  void statsOverRunsLeaveOutNonFiniteValuesAndFormatThreeDigits() {
    Stats s = Stats.of(1, 2, Double.NaN, 3);
    assertEquals(3, s.n());
    assertEquals(2, s.mean(), 1e-12);
    assertEquals(1, s.std(), 1e-12);
    assertEquals("2 ± 1 (n = 3)", s.format());
    assertEquals("no data", Stats.of().format());
    // pooled std of (n 3, s 1) and (n 2, s 2): √((2·1 + 1·4)/3) = √2
    assertEquals(
        Math.sqrt(2), Stats.pooledStd(new Stats(3, 0, 1, 0, 0), new Stats(2, 0, 2, -1, 1)), 1e-12);
    assertEquals("0.707", Stats.number(Math.sqrt(0.5)));
    assertEquals("-1.42", Stats.number(-1.4166));
    assertEquals("1.00e-04", Stats.number(1e-4));
  }
}
