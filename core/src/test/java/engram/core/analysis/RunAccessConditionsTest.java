package engram.core.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.task.Batch;
import engram.core.cli.Main;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Run.conditions}: the whole condition set of a task with {@code FiniteConditions} (dmts: 4
 * conditions, sequence b = condition b % 4, the sample sign s₁ = +1 for conditions 0 and 1), empty
 * for a task without one (n-parity).
 */
class RunAccessConditionsTest {

  static RunAccess access(Path dir, String task) throws Exception {
    String yaml =
        """
        name: tiny
        seed: 3
        task: {id: %s}
        model: {id: leaky-rnn, hidden-size: 4}
        curriculum: {id: none, start-level: 3}
        training: {batch-size: 8, steps-per-epoch: 2, max-epochs: 1}
        evaluation: {batches: 1, batch-size: 8}
        """
            .formatted(task);
    Path file = Files.writeString(dir.resolve("tiny.yaml"), yaml);
    Path runs = dir.resolve("runs");
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            "run",
            file.toString(),
            "--runs-dir",
            runs.toString());
    assertEquals(0, code, err.toString());
    Path run;
    try (Stream<Path> children = Files.list(runs)) {
      run = children.findFirst().orElseThrow();
    }
    ExperimentLoader loader =
        new ExperimentLoader(
            PluginRegistry.discover(RunAccessConditionsTest.class.getClassLoader()));
    ResolvedExperiment experiment = loader.load(run.resolve("config.resolved.yaml"), List.of());
    return new RunAccess(experiment, loader, "t");
  }

  @Test
  void dmtsGivesItsFourConditionsInOrder(@TempDir Path dir) throws Exception {
    RunAccess access = access(dir, "dmts");
    Batch batch = access.conditions(new int[] {5}, 3).orElseThrow();
    assertEquals(12, batch.batch());
    // The first input step is the sample: s₁ = +1, +1, −1, −1 for conditions 0–3, every copy.
    float[] first = new float[12];
    for (int b = 0; b < 12; b++) {
      first[b] = batch.inputs()[b * batch.inputSize()];
    }
    assertArrayEquals(new float[] {1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1}, first);
    assertEquals(batch.batch(), access.conditions(new int[] {5}, 3).orElseThrow().batch());
  }

  @Test
  void aTaskWithoutAConditionSetGivesNothing(@TempDir Path dir) throws Exception {
    assertTrue(access(dir, "n-parity").conditions(new int[] {2}, 1).isEmpty());
  }
}
