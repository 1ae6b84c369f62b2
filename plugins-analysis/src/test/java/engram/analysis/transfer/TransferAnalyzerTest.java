package engram.analysis.transfer;

import static engram.analysis.fakes.Fixtures.checkpoint;
import static engram.analysis.fakes.Fixtures.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.fakes.FakeRun;
import engram.analysis.fakes.Fixtures;
import engram.analysis.transfer.TransferAnalyzer.Config;
import engram.api.Analyzer.Checkpoint;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransferAnalyzerTest {

  private static Checkpoint network(String name, int epoch, int[] levels) {
    return checkpoint(
        name,
        epoch,
        levels,
        Fixtures.matrix(3, 2),
        new double[] {1, 1, 1},
        new double[] {1, 2, 3},
        List.of());
  }

  private static final List<Checkpoint> RUN =
      List.of(
          network("advance-e0002-N2", 2, new int[] {2}),
          network("advance-e0010-N6", 10, new int[] {2, 3, 4, 5, 6}),
          network("final", 30, new int[] {2, 3, 4, 5, 6, 7, 8, 9}));

  @Test
  void retrainsTheFirstCheckpointThatReachedTheSourceLevelOnEachLevelOfTheRange(@TempDir Path dir)
      throws Exception {
    FakeRun run = new FakeRun("leaky-rnn", 2, false);
    // source-level 5: the first checkpoint with N ≥ 5 is N = 6; default range 6 … 36 by 5.
    TransferAnalyzer analyzer = new TransferAnalyzer();
    analyzer.analyze(new Config(5, 0, 0, 5, 20), new FakeAnalysisContext(RUN, dir, run));
    AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);

    int[] levels = {6, 11, 16, 21, 26, 31, 36};
    assertEquals(levels.length, run.retrains.size());
    RandomGenerator seeds = new FakeRun("x", 2, false).random("transfer");
    for (int i = 0; i < levels.length; i++) {
      FakeRun.Retrain call = run.retrains.get(i);
      assertEquals("advance-e0010-N6", call.checkpoint());
      assertEquals(levels[i], call.level());
      assertEquals(20, call.epochs());
      assertEquals(seeds.nextLong(), call.seed());
    }

    Path csv = dir.resolve("transfer.csv");
    assertEquals("checkpoint,source_level,level,retrain_epoch,accuracy", Fixtures.header(csv));
    List<String[]> rows = rows(csv);
    int r = 0;
    for (int level : levels) {
      int epochs = Math.min(20, level / 2); // the fake stops early after ℓ/2 epochs
      for (int e = 1; e <= epochs; e++) {
        String[] row = rows.get(r++);
        assertArrayEquals(
            new String[] {"advance-e0010-N6", "6", "" + level, "" + e},
            java.util.Arrays.copyOf(row, 4));
        assertEquals(FakeRun.retrainAccuracy(level, e), Double.parseDouble(row[4]));
      }
    }
    assertEquals(r, rows.size());

    Path summary = dir.resolve("transfer-summary.csv");
    assertEquals(
        "checkpoint,source_level,level,epochs,final_accuracy,best_accuracy",
        Fixtures.header(summary));
    List<String[]> lines = rows(summary);
    assertEquals(levels.length, lines.size());
    for (int i = 0; i < levels.length; i++) {
      int epochs = Math.min(20, levels[i] / 2);
      String[] line = lines.get(i);
      assertEquals(levels[i], Integer.parseInt(line[2]));
      assertEquals(epochs, Integer.parseInt(line[3]));
      assertEquals(FakeRun.retrainAccuracy(levels[i], epochs), Double.parseDouble(line[4]));
      assertEquals(FakeRun.retrainAccuracy(levels[i], epochs), Double.parseDouble(line[5]));
    }
    assertTrue(Fixtures.isPng(dir.resolve("transfer.png")));
  }

  @Test
  void defaultsRetrainTheLastCheckpointFromItsNToNPlus30(@TempDir Path dir) throws Exception {
    FakeRun run = new FakeRun("leaky-rnn", 2, false);
    TransferAnalyzer analyzer = new TransferAnalyzer();
    assertEquals(new Config(0, 0, 0, 5, 20), analyzer.defaults());
    analyzer.analyze(analyzer.defaults(), new FakeAnalysisContext(RUN, dir, run));
    assertEquals(
        List.of(9, 14, 19, 24, 29, 34, 39),
        run.retrains.stream().map(FakeRun.Retrain::level).toList());
    assertTrue(run.retrains.stream().allMatch(c -> c.checkpoint().equals("final")));
  }

  @Test
  void anExplicitRangeIsSteppedUpToItsInclusiveEnd() {
    assertArrayEquals(
        new int[] {10, 14, 18}, TransferAnalyzer.levels(new Config(0, 10, 20, 4, 5), 9, 2));
    assertArrayEquals(
        new int[] {16, 21, 26, 31, 36, 41, 46},
        TransferAnalyzer.levels(new Config(16, 0, 0, 5, 20), 16, 2));
    IllegalStateException below =
        assertThrows(
            IllegalStateException.class,
            () -> TransferAnalyzer.levels(new Config(0, 1, 5, 1, 5), 9, 2));
    assertTrue(below.getMessage().contains("below the task's smallest level 2"));
    IllegalStateException empty =
        assertThrows(
            IllegalStateException.class,
            () -> TransferAnalyzer.levels(new Config(0, 0, 5, 1, 5), 9, 2));
    assertTrue(empty.getMessage().contains("from 9 to 5"), empty.getMessage());
  }

  @Test
  void aSourceLevelNoCheckpointReachedNamesTheLargestReachedAndWritesNothing(@TempDir Path dir) {
    FakeRun run = new FakeRun("leaky-rnn", 2, false);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new TransferAnalyzer()
                    .analyze(new Config(16, 0, 0, 5, 20), new FakeAnalysisContext(RUN, dir, run)));
    assertEquals(
        "transfer: no checkpoint was trained up to source-level 16; the run's 3"
            + " checkpoint(s) reach at most N = 9. Fix: set source-level ≤ 9 (or 0 for the last"
            + " checkpoint), or analyse a run that trained further",
        e.getMessage());
    assertTrue(run.retrains.isEmpty());
  }

  @Test
  void withoutARunItFailsClearly(@TempDir Path dir) throws Exception {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new TransferAnalyzer()
                    .analyze(new TransferAnalyzer().defaults(), new FakeAnalysisContext(RUN, dir)));
    assertTrue(e.getMessage().contains("no run behind its checkpoints"), e.getMessage());
    assertTrue(Fixtures.empty(dir));
  }

  @Test
  void configRejectsBadValuesNamingTheKey() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new Config(0, 20, 10, 5, 20))
            .getMessage()
            .startsWith("levels-from"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new Config(0, 0, 0, 0, 20))
            .getMessage()
            .startsWith("levels-step"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new Config(0, 0, 0, 5, 0))
            .getMessage()
            .startsWith("epochs"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new Config(-1, 0, 0, 5, 1))
            .getMessage()
            .startsWith("source-level"));
  }
}
