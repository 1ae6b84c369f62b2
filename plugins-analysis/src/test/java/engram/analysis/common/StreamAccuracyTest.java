package engram.analysis.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.fakes.FakeRun;
import engram.analysis.fakes.Fixtures;
import engram.api.Analyzer.Checkpoint;
import engram.api.Analyzer.Restored;
import engram.api.Network;
import engram.api.Trajectory;
import engram.api.task.Batch;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class StreamAccuracyTest {

  @Test
  void relativeAccuracyIsOneAtTheBaselineZeroAtChanceAndNaNWhenTheBaselineIsAtChance() {
    assertEquals(1.0, StreamAccuracy.relative(0.83, 0.83, 0.5));
    assertEquals(0.0, StreamAccuracy.relative(0.5, 0.83, 0.5));
    assertEquals(0.5, StreamAccuracy.relative(0.7, 0.9, 0.5), 1e-15);
    assertEquals(-0.25, StreamAccuracy.relative(0.4, 0.9, 0.5), 1e-15);
    assertTrue(Double.isNaN(StreamAccuracy.relative(0.7, 0.5, 0.5)));
  }

  @Test
  void sameLevelSameStreamAndTheSameNumberForTheSameNetwork() {
    Checkpoint checkpoint =
        Fixtures.checkpoint(
            "final",
            1,
            new int[] {3},
            Fixtures.matrix(3, 4),
            new double[] {1, 2, 3},
            new double[] {1, 2, 3},
            List.of());
    FakeRun run = new FakeRun("leaky-rnn", 3, false);
    StreamAccuracy first = StreamAccuracy.draw(run, 3, 2, 10, 4, 0.4);
    StreamAccuracy second = StreamAccuracy.draw(run, 3, 2, 10, 4, 0.4);
    assertEquals(1.0 / 3, first.chance());
    assertEquals(first.of(run.restore(checkpoint)), second.of(run.restore(checkpoint)));
    assertEquals(
        first.of(run.restore(checkpoint)),
        first.baseline(run.restore(checkpoint), "test", "final"));
    assertEquals(12, first.batch().steps());
    assertEquals(
        0.4, StreamAccuracy.draw(new FakeRun("leaky-rnn", 0, false), 3, 2, 10, 4, 0.4).chance());
  }

  @Test
  void aStreamThatScoresNothingIsAClearError() {
    Checkpoint checkpoint =
        Fixtures.checkpoint(
            "final",
            1,
            new int[] {9},
            Fixtures.matrix(2, 4),
            new double[] {1, 1},
            new double[] {1, 1},
            List.of());
    FakeRun run = new FakeRun("leaky-rnn", 2, false);
    // A copy that scores nothing (as when level 9, defined from step 8, meets a 6-step stream).
    Restored nothingScored =
        new Restored() {
          @Override
          public Network network() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int head(int level) {
            return 0;
          }

          @Override
          public void ablate(int unit) {}

          @Override
          public Trajectory forward(Batch batch, RandomGenerator rng) {
            throw new UnsupportedOperationException();
          }

          @Override
          public double[] accuracy(Batch batch, int fromStep, RandomGenerator rng) {
            return new double[] {Double.NaN};
          }
        };
    StreamAccuracy stream = StreamAccuracy.draw(run, 9, 2, 4, 1, 0.5);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> stream.baseline(nothingScored, "ablation", checkpoint.name()));
    assertEquals(
        "ablation: the continuous stream of level 9 scored nothing after the warm-up at"
            + " checkpoint 'final' (6 steps, scoring from step 2). Fix: increase scored",
        e.getMessage());
  }

  @Test
  void checkpointSelectionKeepsTheLastOrAllAndRejectsNone() {
    Checkpoint a =
        Fixtures.checkpoint(
            "a", 1, new int[] {2}, Fixtures.matrix(2, 1), new double[] {1, 1}, null, List.of());
    Checkpoint b =
        Fixtures.checkpoint(
            "b", 2, new int[] {3}, Fixtures.matrix(2, 1), new double[] {1, 1}, null, List.of());
    assertEquals(List.of(b), CheckpointSelection.LAST.select(List.of(a, b), "x"));
    assertEquals(List.of(a, b), CheckpointSelection.ALL.select(List.of(a, b), "x"));
    assertTrue(
        assertThrows(
                IllegalStateException.class,
                () -> CheckpointSelection.ALL.select(List.of(), "ablation"))
            .getMessage()
            .startsWith("ablation was given no checkpoints"));
    // at-level: the last checkpoint trained up to that N, whatever last|all says.
    Checkpoint c =
        Fixtures.checkpoint(
            "c", 3, new int[] {2, 3}, Fixtures.matrix(2, 1), new double[] {1, 1}, null, List.of());
    assertEquals(List.of(c), CheckpointSelection.LAST.select(List.of(a, b, c), "x", 3));
    assertEquals(List.of(a), CheckpointSelection.ALL.select(List.of(a, b, c), "x", 2));
    assertEquals(List.of(c), CheckpointSelection.LAST.select(List.of(a, b, c), "x", 0));
    String message =
        assertThrows(
                IllegalStateException.class,
                () -> CheckpointSelection.LAST.select(List.of(a, b, c), "ablation", 6))
            .getMessage();
    assertTrue(
        message.contains("no checkpoint was trained up to N = 6")
            && message.contains("[2, 3]")
            && message.contains("Fix:"),
        message);
  }
}
