package engram.analysis.forgetting;

import static engram.analysis.fakes.Fixtures.checkpoint;
import static engram.analysis.fakes.Fixtures.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.fakes.FakeRun;
import engram.analysis.fakes.Fixtures;
import engram.analysis.forgetting.ForgettingAnalyzer.Config;
import engram.analysis.forgetting.ForgettingAnalyzer.Sampling;
import engram.api.Analyzer.Checkpoint;
import engram.api.curriculum.Assignment;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForgettingAnalyzerTest {

  private static Checkpoint network(
      String name, int epoch, int[] levels, List<Assignment> assignments) {
    return checkpoint(
        name,
        epoch,
        levels,
        Fixtures.matrix(4, 1),
        new double[] {1, 1, 1, 1},
        new double[] {1, 2, 3, 4},
        assignments);
  }

  /** Trained up to 5; level 4's head was dropped, so no head serves it. */
  private static final Checkpoint MULTI =
      network(
          "final",
          20,
          new int[] {2, 3, 5},
          List.of(new Assignment(2, 0), new Assignment(3, 1), new Assignment(5, 3)));

  /** A single-head stage at N = 3: its head answers every level. */
  private static final Checkpoint SINGLE =
      network("advance-e0008-N3", 8, new int[] {3}, List.of(new Assignment(3, 2)));

  /** The fake's accuracy of level ℓ read out by head k. */
  private static double expected(int level, int head) {
    return 0.95 - 0.01 * level - 0.1 * head;
  }

  @Test
  void everyLevelFromTheSmallestToNIsReadOutByTheHeadThatServesIt(@TempDir Path dir)
      throws Exception {
    FakeRun run = new FakeRun("leaky-rnn", 2, true);
    ForgettingAnalyzer analyzer = new ForgettingAnalyzer();
    Config config = new Config(CheckpointSelection.ALL, 3, 16, Sampling.JOINT);
    analyzer.analyze(config, new FakeAnalysisContext(List.of(SINGLE, MULTI), dir, run));
    AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);

    Path csv = dir.resolve("forgetting.csv");
    assertEquals("checkpoint,epoch,max_level,level,head,accuracy", Fixtures.header(csv));
    List<String[]> rows = rows(csv);
    // SINGLE: levels 2, 3 with its single head 2; MULTI: 2, 3, 5 (4 unserved, no row).
    int[][] expectedRows = {{2, 2}, {3, 2}, {2, 0}, {3, 1}, {5, 3}};
    assertEquals(expectedRows.length, rows.size());
    for (int i = 0; i < rows.size(); i++) {
      String[] row = rows.get(i);
      Checkpoint checkpoint = i < 2 ? SINGLE : MULTI;
      assertEquals(checkpoint.name(), row[0]);
      assertEquals(checkpoint.epoch(), Integer.parseInt(row[1]));
      assertEquals(checkpoint.maxLevel(), Integer.parseInt(row[2]));
      assertEquals(expectedRows[i][0], Integer.parseInt(row[3]));
      assertEquals(expectedRows[i][1], Integer.parseInt(row[4]));
      assertEquals(
          expected(expectedRows[i][0], expectedRows[i][1]), Double.parseDouble(row[5]), 1e-12);
    }
    // head(N′) was asked for exactly minLevel … N of each checkpoint.
    assertEquals(List.of(2, 3), run.restored.get(0).headQueries());
    assertEquals(List.of(2, 3, 4, 5), run.restored.get(1).headQueries());
    // Joint sampling: `batches` batches per checkpoint, each with every served level.
    assertEquals(6, run.samples.size());
    for (int b = 0; b < 6; b++) {
      assertArrayEquals(
          b < 3 ? new int[] {2, 3} : new int[] {2, 3, 5}, run.samples.get(b).levels());
      assertEquals(16, run.samples.get(b).batch());
    }
    assertTrue(run.calls.stream().allMatch(c -> c.fromStep() == 0));
    assertTrue(Fixtures.isPng(dir.resolve("forgetting.png")));
  }

  @Test
  void perLevelSamplingDrawsSeparateBatchesAtEachLevelsOwnLength(@TempDir Path dir)
      throws Exception {
    FakeRun run = new FakeRun("leaky-rnn", 2, true);
    new ForgettingAnalyzer()
        .analyze(
            new Config(CheckpointSelection.LAST, 2, 8, Sampling.PER_LEVEL),
            new FakeAnalysisContext(List.of(SINGLE, MULTI), dir, run));
    List<int[]> sampled = run.samples.stream().map(FakeRun.Draw::levels).toList();
    assertEquals(6, sampled.size());
    int[] order = {2, 2, 3, 3, 5, 5};
    for (int i = 0; i < order.length; i++) {
      assertArrayEquals(new int[] {order[i]}, sampled.get(i));
      assertEquals(order[i] + 2, run.samples.get(i).steps());
    }
    List<String[]> rows = rows(dir.resolve("forgetting.csv"));
    assertEquals(3, rows.size());
    assertEquals(expected(5, 3), Double.parseDouble(rows.get(2)[5]), 1e-12);
  }

  @Test
  void defaultsAnalyseEveryCheckpointWithFourBatchesOf128() {
    assertEquals(
        new Config(CheckpointSelection.ALL, 4, 128, Sampling.JOINT),
        new ForgettingAnalyzer().defaults());
  }

  @Test
  void noServedLevelAnywhereIsAClearErrorAndWritesNothing(@TempDir Path dir) throws Exception {
    Checkpoint unassigned = network("final", 20, new int[] {2, 3}, List.of());
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new ForgettingAnalyzer()
                    .analyze(
                        new ForgettingAnalyzer().defaults(),
                        new FakeAnalysisContext(
                            List.of(unassigned), dir, new FakeRun("leaky-rnn", 2, true))));
    assertTrue(
        e.getMessage().startsWith("forgetting: no head serves any level from 2 to N"),
        e.getMessage());
    assertTrue(Fixtures.empty(dir));

    e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new ForgettingAnalyzer()
                    .analyze(
                        new ForgettingAnalyzer().defaults(),
                        new FakeAnalysisContext(List.of(MULTI), dir)));
    assertTrue(e.getMessage().contains("no run behind its checkpoints"), e.getMessage());
    assertTrue(Fixtures.empty(dir));
  }

  @Test
  void theFigureShowsTheLastCheckpointAndUpToFourEarlierOnesSpreadOut() {
    List<Checkpoint> many = new ArrayList<>();
    IntStream.range(0, 12).forEach(i -> many.add(network("c" + i, i, new int[] {2}, List.of())));
    assertEquals(
        List.of("c0", "c3", "c6", "c8", "c11"),
        ForgettingAnalyzer.drawn(many).stream().map(Checkpoint::name).toList());
    assertEquals(many.subList(0, 3), ForgettingAnalyzer.drawn(many.subList(0, 3)));
  }
}
