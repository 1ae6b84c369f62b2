package engram.core.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Analyzer;
import engram.api.Parameter;
import engram.api.task.Batch;
import engram.core.cli.Main;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import engram.core.run.Checkpoints;
import engram.core.train.CheckpointNetwork;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The run behind an analysis: a network rebuilt from a checkpoint computes what the trained network
 * computed, analyses can change copies freely, and retraining leaves the run untouched.
 */
class RunAccessTest {
  /** Learns N=2 and N=3 of parity within a few seconds (multi-head, 16 units). */
  private static final String SMALL =
      """
      name: small
      seed: 5
      task: {id: n-parity}
      model: {id: leaky-rnn, hidden-size: 16}
      curriculum: {id: multi-head, max-level: 3}
      training: {batch-size: 32, steps-per-epoch: 40, max-epochs: 12,
                 optimizer: {type: adam, lr: 0.01}}
      evaluation: {batches: 2, batch-size: 64}
      """;

  @TempDir static Path dir;
  static Path run;
  static ResolvedExperiment experiment;
  static ExperimentLoader loader;
  static List<Analyzer.Checkpoint> checkpoints;

  @BeforeAll
  static void train() throws Exception {
    Path yaml = Files.writeString(dir.resolve("small.yaml"), SMALL);
    Path runs = dir.resolve("runs");
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            "run",
            yaml.toString(),
            "--runs-dir",
            runs.toString());
    assertEquals(0, code, err.toString());
    try (Stream<Path> children = Files.list(runs)) {
      run = children.findFirst().orElseThrow();
    }
    loader = new ExperimentLoader(PluginRegistry.discover(RunAccessTest.class.getClassLoader()));
    experiment = loader.load(run.resolve("config.resolved.yaml"), List.of());
    checkpoints = Checkpoints.readAll(run.resolve("checkpoints"));
  }

  private static Analyzer.Checkpoint last() {
    return checkpoints.get(checkpoints.size() - 1);
  }

  private static RunAccess access(String analyzer) {
    return new RunAccess(experiment, loader, analyzer);
  }

  @Test
  void checkpointsKnowWhichHeadServedWhichLevel() {
    Analyzer.Checkpoint last = last();
    assertEquals(last.levels().length, last.assignments().size());
    assertEquals(3, last.maxLevel(), "the small run should solve N=2 and reach N=3");
    Analyzer.Restored restored = access("t").restore(last);
    assertEquals(0, restored.head(2)); // multi-head: head k serves level k + 2
    assertEquals(1, restored.head(3));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> restored.head(7));
    assertTrue(e.getMessage().contains("level 7"), e.getMessage());
  }

  @Test
  void aRestoredNetworkHasTheSavedValuesAndIsIndependent() {
    Analyzer.Checkpoint last = last();
    RunAccess access = access("t");
    Analyzer.Restored first = access.restore(last);
    for (Parameter p : first.network().parameters()) {
      INDArray saved = last.tensors().get(p.name());
      assertArrayEquals(
          saved.castTo(p.value().dataType()).data().asDouble(),
          p.value().data().asDouble(),
          0.0,
          p.name());
    }
    double savedFirst = last.tensors().get("w_rec").getDouble(0, 1);
    first.network().parameters().forEach(p -> p.value().assign(0));
    assertEquals(
        savedFirst,
        last.tensors().get("w_rec").getDouble(0, 1),
        0.0,
        "changing a copy must not change the checkpoint");
    Analyzer.Restored second = access.restore(last);
    assertEquals(
        savedFirst,
        second.network().parameters().stream()
            .filter(p -> p.name().equals("w_rec"))
            .findFirst()
            .orElseThrow()
            .value()
            .getDouble(0, 1),
        1e-7);
  }

  @Test
  void theRestoredNetworkSolvesWhatTheTrainedOneSolved() {
    RunAccess access = access("t");
    Analyzer.Restored restored = access.restore(last());
    Batch batch = access.sample(new int[] {2}, 512, access.random("data"));
    double accuracy = restored.accuracy(batch, 0, access.random("h0"))[0];
    assertTrue(
        accuracy > 0.9, "N=2 was solved before the checkpoint; restored accuracy " + accuracy);
    // Scoring from a later step than the task's last one is refused with the range.
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> restored.accuracy(batch, batch.steps(), access.random("h0")));
    assertTrue(e.getMessage().contains("fromStep"), e.getMessage());
  }

  @Test
  void ablatingAUnitWithoutOutgoingWeightsLeavesAccuracyUnchanged() {
    RunAccess access = access("t");
    Batch stream = access.stream(new int[] {2, 3}, 300, 16, access.random("stream"));
    int unit = 4;
    CheckpointNetwork silent = (CheckpointNetwork) access.restore(last());
    // Cut what the unit sends: its column of W_rec and its column in every readout. What it
    // receives still drives it, but nothing reads it any more, so removing it changes nothing.
    for (Parameter p : silent.network().parameters()) {
      if (p.name().equals("w_rec")) {
        p.value().getColumn(unit).assign(0);
      }
    }
    silent.zeroReadout(unit);
    double[] before = silent.accuracy(stream, 100, access.random("h0"));
    silent.ablate(unit);
    assertArrayEquals(before, silent.accuracy(stream, 100, access.random("h0")), 0.0);
    // Whereas ablating a unit that sends changes what the others compute.
    Analyzer.Restored intact = access.restore(last());
    Analyzer.Restored ablated = access.restore(last());
    ablated.ablate(unit);
    INDArray a = intact.forward(stream, access.random("h0")).hidden().dup();
    INDArray b = ablated.forward(stream, access.random("h0")).hidden();
    assertNotEquals(0.0, a.sub(b).norm2Number().doubleValue());
  }

  @Test
  void retrainingACopyReportsAccuraciesAndLeavesTheRunUntouched() throws IOException {
    Map<Path, Long> before = tree(run);
    double[] accuracies = access("transfer").retrain(last(), 4, 2, 11L);
    assertTrue(accuracies.length >= 1 && accuracies.length <= 2, "at most 2 epochs");
    for (double a : accuracies) {
      assertTrue(a >= 0 && a <= 1, "accuracy " + a);
    }
    assertEquals(before, tree(run), "retraining must not write into the run directory");
    assertArrayEquals(
        accuracies,
        access("transfer").retrain(last(), 4, 2, 11L),
        0.0,
        "the same seed retrains identically");
  }

  @Test
  void randomStreamsRepeatPerAnalyzerAndNameAndDifferAcrossThem() {
    assertEquals(access("a").random("x").nextLong(), access("a").random("x").nextLong());
    assertNotEquals(access("a").random("x").nextLong(), access("b").random("x").nextLong());
    assertNotEquals(access("a").random("x").nextLong(), access("a").random("y").nextLong());
  }

  @Test
  void aCheckpointOfAnotherModelIsRefusedWithTheTensorNamed() {
    Map<String, INDArray> tensors = new HashMap<>(last().tensors());
    tensors.remove("taus");
    Analyzer.Checkpoint broken =
        new Analyzer.Checkpoint("broken", 1, new int[] {2}, tensors, last().assignments());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> access("t").restore(broken));
    assertTrue(e.getMessage().contains("no tensor 'taus'"), e.getMessage());
    assertTrue(e.getMessage().contains("Fix:"), e.getMessage());
  }

  @Test
  void checkpointSelectionByLevel() {
    assertEquals(List.of(last()), AnalysisRunner.Selection.parse("last").select(checkpoints));
    assertEquals(checkpoints, AnalysisRunner.Selection.parse("all").select(checkpoints));
    List<Analyzer.Checkpoint> atThree = AnalysisRunner.Selection.parse("N=3").select(checkpoints);
    assertEquals(1, atThree.size());
    assertEquals(3, atThree.get(0).maxLevel());
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> AnalysisRunner.Selection.parse("N=9").select(checkpoints));
    assertTrue(e.getMessage().contains("N=[9]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AnalysisRunner.Selection.parse("N=x"));
  }

  private static Map<Path, Long> tree(Path root) throws IOException {
    Map<Path, Long> files = new HashMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        files.put(root.relativize(p), Files.isRegularFile(p) ? Files.size(p) : -1L);
      }
    }
    return files;
  }
}
