package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code engram analyze} and analyzers listed in an experiment, as a user meets them. */
class AnalyzeCommandTest {

  private static Path trainTiny(Path dir, String yaml) throws IOException {
    Path runs = dir.resolve("runs");
    CliTest.Result r =
        CliTest.run("run", CliTest.write(dir, yaml).toString(), "--runs-dir", runs.toString());
    assertEquals(Main.OK, r.code(), r.err());
    return EndToEndTest.onlyRun(runs);
  }

  @Test
  void analyzersWriteIntoTheirOwnDirectoryAndNeverOverwrite(@TempDir Path dir) throws IOException {
    Path run = trainTiny(dir, CliTest.TINY);
    CliTest.Result first =
        CliTest.run("analyze", run.toString(), "--analyzers", "tau-stats,connectivity");
    assertEquals(Main.OK, first.code(), first.err());
    Path csv = run.resolve("analysis/tau-stats/tau-stats.csv");
    assertTrue(Files.exists(csv), first.out());
    assertTrue(Files.exists(run.resolve("analysis/connectivity/connectivity.csv")), first.out());
    List<String> rows = Files.readAllLines(csv);
    assertTrue(rows.size() >= 2, "a header and a row per checkpoint: " + rows);
    byte[] before = Files.readAllBytes(csv);
    CliTest.Result second =
        CliTest.run("analyze", run.toString(), "--analyzers", "tau-stats", "--checkpoints", "last");
    assertEquals(Main.OK, second.code(), second.err());
    assertArrayEquals(before, Files.readAllBytes(csv), "the first results are untouched");
    assertEquals(
        2,
        Files.readAllLines(run.resolve("analysis/tau-stats-2/tau-stats.csv")).size(),
        "header and the last checkpoint only");
  }

  @Test
  void anAnalyzerThatLacksWhatItNeedsFailsClearlyAndTouchesNothingElse(@TempDir Path dir)
      throws IOException {
    Path run =
        trainTiny(
            dir,
            CliTest.TINY.replace(
                "model: {id: leaky-rnn, hidden-size: 8}", "model: {id: gru, hidden-size: 8}"));
    byte[] metrics = Files.readAllBytes(run.resolve("metrics.csv"));
    CliTest.Result r = CliTest.run("analyze", run.toString(), "--analyzers", "tau-stats");
    assertEquals(Main.SOFTWARE, r.code(), r.out());
    assertTrue(
        r.err().startsWith("error: tau-stats: tau-stats needs checkpoints with a 'taus'"), r.err());
    assertFalse(Files.exists(run.resolve("analysis/tau-stats")), "no empty result directory");
    try (Stream<Path> left = Files.list(run.resolve("analysis"))) {
      assertEquals(List.of(), left.toList(), "nothing left, not even a hidden temporary folder");
    }
    assertArrayEquals(metrics, Files.readAllBytes(run.resolve("metrics.csv")));
  }

  @Test
  void damagedCheckpointsAreNamedAndLeftOutWhileTheRestAreAnalysed(@TempDir Path dir)
      throws IOException {
    Path run = trainTiny(dir, CliTest.TINY + "output: {checkpoint-every: 1}\n");
    Path checkpoints = run.resolve("checkpoints");
    List<Path> all;
    try (Stream<Path> children = Files.list(checkpoints)) {
      all = children.sorted().toList();
    }
    assertTrue(all.size() >= 2, all.toString());
    Path damaged = all.get(0);
    Files.delete(damaged.resolve("taus.npy"));
    Files.createDirectory(checkpoints.resolve("stray"));
    CliTest.Result r =
        CliTest.run("analyze", run.toString(), "--analyzers", "tau-stats", "--checkpoints", "last");
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(
        r.err().contains("warning: checkpoint " + damaged.getFileName() + ": ")
            && r.err().contains("taus.npy")
            && r.err().contains("warning: checkpoint stray: ")
            && r.err().contains("(left out)"),
        r.err());
    assertEquals(2, Files.readAllLines(run.resolve("analysis/tau-stats/tau-stats.csv")).size());
  }

  @Test
  void badArgumentsGetOneLineNamingTheFix(@TempDir Path dir) throws IOException {
    CliTest.Result notARun = CliTest.run("analyze", dir.toString(), "--analyzers", "tau-stats");
    assertEquals(Main.USAGE, notARun.code());
    assertTrue(notARun.err().contains("is not a run directory"), notARun.err());
    Path run = trainTiny(dir, CliTest.TINY);
    CliTest.Result unknown = CliTest.run("analyze", run.toString(), "--analyzers", "tau-stat");
    assertEquals(Main.USAGE, unknown.code());
    assertTrue(
        unknown
            .err()
            .contains(
                "Unknown analyzer id 'tau-stat'. Available analyzers: ablation,"
                    + " abrupt-learning, connectivity, dimensionality, fixed-points, forgetting,"
                    + " geometry, low-rank-flow, network-timescales, perturbation,"
                    + " plrnn-fixed-points, tau-stats, transfer"),
        unknown.err());
    CliTest.Result none = CliTest.run("analyze", run.toString());
    assertEquals(Main.USAGE, none.code());
    assertTrue(none.err().contains("No analyzers chosen"), none.err());
  }

  @Test
  void analyzersListedInTheExperimentRunAtTheEndOfTraining(@TempDir Path dir) throws IOException {
    Path run = trainTiny(dir, CliTest.TINY + "analyzers: [{id: tau-stats, bins: 10}]\n");
    assertTrue(Files.exists(run.resolve("analysis/tau-stats/tau-stats.csv")));
    assertTrue(Files.exists(run.resolve("analysis/tau-stats/tau-vs-N.png")));
  }
}
