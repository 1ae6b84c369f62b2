package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The timescales paper's core experiment at toy scale, through the launcher. */
class EndToEndTest {
  static final String MULTI_HEAD =
      """
      name: e2e
      seed: 1
      task: {id: n-parity}
      model: {id: leaky-rnn, hidden-size: 64}
      curriculum: {id: multi-head}
      training:
        batch-size: 64
        steps-per-epoch: 50
        max-epochs: 60
        clip: 2.0
        optimizer: {type: sgd, lr: 0.05, momentum: 0.1, nesterov: true}
      evaluation: {batches: 4, batch-size: 256}
      """;

  @Test
  void seededMultiHeadRunOnParityReachesNFiveWithinItsBudget(@TempDir Path dir) throws IOException {
    Path file = CliTest.write(dir, MULTI_HEAD);
    CliTest.Result r =
        CliTest.run(
            "run",
            file.toString(),
            "curriculum.max-level=5",
            "--runs-dir",
            dir.resolve("runs").toString());
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("finished: curriculum finished"), r.out());
    assertTrue(r.out().contains("largest N solved: 5"), r.out());
    Path run = onlyRun(dir.resolve("runs"));
    try (var checkpoints = Files.list(run.resolve("checkpoints"))) {
      List<String> names = checkpoints.map(p -> p.getFileName().toString()).sorted().toList();
      // advances after N = 2, 3, 4; solving N = 5 (max-level) finishes the curriculum
      assertEquals(
          List.of("N2", "N3", "N4", "final"),
          names.stream().map(n -> n.replaceFirst("advance-e\\d{4}-", "")).toList(),
          names.toString());
      assertTrue(names.contains("final"), names.toString());
    }
    // one head per N: the final checkpoint holds heads 0..3 for N = 2..5
    assertTrue(Files.exists(run.resolve("checkpoints/final/head_3_w.npy")));
  }

  /** The issue-3 promise: gated cells learn parity under the multi-head curriculum too. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"gru", "lstm"})
  void tinyGatedCellsLearnParityToNFourUnderTheMultiHeadCurriculum(String cell, @TempDir Path dir)
      throws IOException {
    Path example = Path.of("..", "examples", cell + "-parity-multihead.yaml");
    CliTest.Result r =
        CliTest.run(
            "run",
            example.toString(),
            "model.hidden-size=24",
            "training.batch-size=32",
            "training.steps-per-epoch=50",
            "training.max-epochs=30",
            "training.optimizer.lr=0.01",
            "curriculum.max-level=4",
            "evaluation.batches=2",
            "evaluation.batch-size=128",
            "--runs-dir",
            dir.resolve("runs").toString());
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("finished: curriculum finished"), r.out());
    assertTrue(r.out().contains("largest N solved: 4"), r.out());
  }

  /** Issue 4's promise: a small rate RNN learns 3-bit flip-flop (sign accuracy ≥ 95%). */
  @Test
  void aSmallRateRnnLearnsThreeBitFlipFlopWithTemporalConsistency(@TempDir Path dir)
      throws IOException {
    Path example = Path.of("..", "examples", "flipflop-tcr.yaml");
    CliTest.Result r =
        CliTest.run(
            "run",
            example.toString(),
            "training.max-epochs=40",
            "--runs-dir",
            dir.resolve("runs").toString());
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("finished: curriculum finished"), r.out());
    Path run = onlyRun(dir.resolve("runs"));
    List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
    assertEquals(
        "epoch,step,N,head,loss,accuracy,wall_seconds,reg_temporal-consistency", metrics.get(0));
    String[] last = metrics.get(metrics.size() - 1).split(",");
    assertTrue(Double.parseDouble(last[5]) > 0.95, metrics.get(metrics.size() - 1));
    assertTrue(Double.parseDouble(last[7]) > 0, "the TCR term is logged");
    try (var checkpoints = Files.list(run.resolve("checkpoints"))) {
      List<String> names = checkpoints.map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(
          names.containsAll(List.of("epoch-0001", "epoch-0002", "epoch-0004", "final")),
          "log-spaced checkpoints: " + names);
    }
  }

  @Test
  void theSameSeedGivesIdenticalMetricsAndAnotherSeedDoesNot(@TempDir Path dir) throws IOException {
    Path file = CliTest.write(dir, MULTI_HEAD);
    List<String> a = metricsWithoutWallTime(dir, file, "seed=7", "a");
    List<String> b = metricsWithoutWallTime(dir, file, "seed=7", "b");
    List<String> c = metricsWithoutWallTime(dir, file, "seed=8", "c");
    assertEquals(a, b);
    assertNotEquals(a, c);
  }

  private static List<String> metricsWithoutWallTime(Path dir, Path file, String seed, String runs)
      throws IOException {
    CliTest.Result r =
        CliTest.run(
            "run",
            file.toString(),
            seed,
            "training.max-epochs=4",
            "--runs-dir",
            dir.resolve(runs).toString());
    assertEquals(Main.OK, r.code(), r.err());
    List<String> lines = Files.readAllLines(onlyRun(dir.resolve(runs)).resolve("metrics.csv"));
    assertTrue(lines.size() >= 5, "a header and at least one row per epoch: " + lines);
    return lines.stream()
        .map(l -> Arrays.stream(l.split(",")).limit(6).collect(Collectors.joining(",")))
        .toList();
  }

  static Path onlyRun(Path runs) throws IOException {
    try (var list = Files.list(runs)) {
      List<Path> all = list.toList();
      assertEquals(1, all.size(), all.toString());
      return all.get(0);
    }
  }
}
