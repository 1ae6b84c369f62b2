package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.compare.RunReader;
import engram.core.compare.RunSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task that names its level (addition-problem with {@code length-from-level}: "length") is read
 * with that name wherever people read levels, while its files keep the column {@code N} that {@code
 * engram compare} and scripts read.
 */
class LevelNameCliTest {
  /** Tolerance 10 makes every answer right, so each epoch advances: lengths 3, then 3..4. */
  static final String LENGTH =
      """
      name: tiny-length
      seed: 3
      task: {id: addition-problem, length-from-level: true, tolerance: 10.0}
      model: {id: leaky-rnn, hidden-size: 8}
      curriculum: {id: multi-head, start-level: 3, threshold: 0.5, max-level: 4}
      training: {batch-size: 8, steps-per-epoch: 2, max-epochs: 3}
      evaluation: {batches: 1, batch-size: 16}
      """;

  @Test
  void progressLinesAndTheSummaryUseTheLevelsNameAndMetricsKeepColumnN(@TempDir Path dir)
      throws Exception {
    Path runs = dir.resolve("runs");
    CliTest.Result r =
        CliTest.run(
            "run",
            CliTest.write(dir, LENGTH).toString(),
            "--progress",
            "lines",
            "--runs-dir",
            runs.toString());
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("epoch    1 | length=3 | loss "), r.out());
    assertTrue(r.out().contains("| solved, advancing to length=3..4\n"), r.out());
    assertTrue(r.out().contains("epoch    2 | length=3..4 | loss "), r.out());
    assertTrue(r.out().contains("largest length solved: 4;"), r.out());
    assertFalse(r.out().contains("N="), r.out());

    Path run = onlyDirectory(runs);
    List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
    assertEquals("epoch,step,N,head,loss,accuracy,wall_seconds", metrics.get(0));
    assertEquals(
        List.of("3", "3", "4"),
        metrics.subList(1, metrics.size()).stream().map(l -> l.split(",")[2]).toList());
    // compare reads the run like any other: its levels come from column N
    RunSummary summary = RunReader.read(run);
    assertEquals(new TreeMap<>(Map.of(1, 3, 2, 4)), summary.maxLevelByEpoch());
    assertEquals(4, summary.maxLevelReached());
  }

  @Test
  void parallelRunsAndTheTrialPictureUseTheLevelsNameToo(@TempDir Path dir) throws IOException {
    Path file = CliTest.write(dir, LENGTH);
    CliTest.Result r =
        CliTest.run(
            "run",
            file.toString(),
            "--seeds",
            "3,4",
            "--workers",
            "1",
            "--runs-dir",
            dir.resolve("runs").toString());
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("[seed 3] epoch    1 | length=3 |"), r.out());
    assertTrue(
        r.out()
            .contains(
                "[seed 4] finished: curriculum finished after 2 epochs (4 steps);"
                    + " largest length solved: 4;"),
        r.out());

    Path png = dir.resolve("trial.png");
    CliTest.Result trial = CliTest.run("trial", file.toString(), "--out", png.toString());
    assertEquals(Main.OK, trial.code(), trial.err());
    assertTrue(trial.out().contains("(task addition-problem, length=3, 3 steps)"), trial.out());
    assertTrue(Files.size(png) > 0);
  }

  private static Path onlyDirectory(Path parent) throws IOException {
    try (var children = Files.list(parent)) {
      List<Path> all = children.toList();
      assertEquals(1, all.size(), all.toString());
      return all.get(0);
    }
  }
}
