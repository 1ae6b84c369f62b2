package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Analyzer;
import engram.api.Parameter;
import engram.api.task.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A fake analysis context over a real model and task: restore, forward, accuracy, ablation. */
class ModelRunTest {
  private final ModelRun<TinyRnnModel.Config, EchoTask.Config> run =
      new ModelRun<>(
          new TinyRnnModel(),
          new TinyRnnModel.Config(6, true),
          new EchoTask(),
          new EchoTask.Config(1),
          3);

  @Test
  void aRestoredCheckpointRunsTheSavedNetworkAndScoresItsHeads(@TempDir Path dir)
      throws IOException {
    Analyzer.Checkpoint checkpoint = run.checkpoint("final", 4, new int[] {1, 2});
    FakeAnalysisContext context = new FakeAnalysisContext(List.of(checkpoint), dir, run);
    assertEquals(List.of(checkpoint), context.checkpoints());
    Analyzer.Restored restored = context.run().restore(checkpoint);
    for (Parameter p : restored.network().parameters()) {
      TestArrays.assertIdentical(checkpoint.tensors().get(p.name()), p.value(), p.name());
    }
    assertEquals(0, restored.head(1));
    assertEquals(1, restored.head(2));
    assertThrows(IllegalArgumentException.class, () -> restored.head(3));
    Batch stream = run.stream(new int[] {1, 2}, 50, 4, run.random("s"));
    double[] accuracy = restored.accuracy(stream, 5, new SplittableRandom(1));
    assertEquals(2, accuracy.length);
    for (double a : accuracy) {
      assertTrue(a >= 0 && a <= 1, "accuracy " + a);
    }
    assertArrayEquals(
        accuracy,
        run.restore(checkpoint).accuracy(stream, 5, new SplittableRandom(1)),
        0.0,
        "a restore is deterministic");
    restored.ablate(2);
    INDArray hidden = restored.forward(stream, new SplittableRandom(1)).hidden();
    assertEquals(0.0, hidden.slice(2, 2).amaxNumber().doubleValue(), 0.0, "unit 2 is held at 0");
    assertTrue(context.wroteNothing());
    Files.writeString(dir.resolve("out.csv"), "x\n");
    assertEquals(List.of(dir.resolve("out.csv")), context.written());
    assertThrows(UnsupportedOperationException.class, () -> run.retrain(checkpoint, 1, 1, 1));
  }

  @Test
  void withoutARunTheContextSaysSo(@TempDir Path dir) {
    FakeAnalysisContext context = new FakeAnalysisContext(List.of(), dir);
    assertTrue(
        assertThrows(IllegalStateException.class, context::run)
            .getMessage()
            .contains("no run behind its checkpoints"));
  }

  @Test
  void aCheckpointOfAnotherSizeIsRefusedNamingTheTensor() {
    ModelRun<TinyRnnModel.Config, EchoTask.Config> bigger =
        new ModelRun<>(
            new TinyRnnModel(),
            new TinyRnnModel.Config(7, true),
            new EchoTask(),
            new EchoTask.Config(1),
            3);
    String message =
        assertThrows(
                IllegalStateException.class,
                () -> bigger.restore(run.checkpoint("final", 1, new int[] {1})))
            .getMessage();
    assertTrue(message.contains("'w_in'") && message.contains("tiny-rnn"), message);
  }
}
