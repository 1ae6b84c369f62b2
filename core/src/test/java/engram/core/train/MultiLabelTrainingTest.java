package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Curriculum;
import engram.api.PluginInfo;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the trainer: a tiny copy task with the multi-label loss and whole-trial
 * accuracy, on a leaky RNN with two heads (float32, one thread).
 */
class MultiLabelTrainingTest {
  private static final int EPOCHS = 10;
  private static final int EVAL_BATCHES = 2;
  private static final int EVAL_BATCH_SIZE = 32;
  private static final int BITS = 3;
  private static PluginRegistry registry;

  @TempDir Path dir;

  @BeforeAll
  static void discover() {
    registry = PluginRegistry.discover(MultiLabelTrainingTest.class.getClassLoader());
  }

  /**
   * The copy task of 3 bits per step at lengths 2 and 3 (a window of two that never slides),
   * trained 10 epochs of 5 steps: long enough for the loss to fall, too short to solve it. Loaded
   * with flip-flop, a built-in task that accepts these levels too, in its place.
   */
  private ResolvedExperiment experiment(boolean wholeTrial) throws Exception {
    Path file = dir.resolve("tiny-copy.yaml");
    Files.writeString(
        file,
        """
        seed: 9
        precision: float32
        task: {id: flip-flop}
        model: {id: leaky-rnn, hidden-size: 16}
        curriculum: {id: sliding-window, start-level: 2, window: 2, threshold: 1.0}
        training:
          batch-size: 16
          steps-per-epoch: 5
          max-epochs: %d
          clip: 1.0
          optimizer: {type: adam, lr: 0.03}
        evaluation: {batches: %d, batch-size: %d}
        output: {runs-dir: %s}
        """
            .formatted(EPOCHS, EVAL_BATCHES, EVAL_BATCH_SIZE, dir.resolve("runs")));
    ResolvedExperiment flipFlop = new ExperimentLoader(registry).load(file, List.of());
    return TinyCopyTask.in(flipFlop, new TinyCopyTask.Config(BITS, wholeTrial));
  }

  /** Hands the trainer's accuracies to the real curriculum and keeps a copy of each. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static final class Recording implements Curriculum<Record> {
    final Curriculum delegate;
    final List<double[]> seen = new ArrayList<>();

    Recording(Curriculum<?> delegate) {
      this.delegate = delegate;
    }

    @Override
    public PluginInfo info() {
      return delegate.info();
    }

    @Override
    public Class<Record> configType() {
      return delegate.configType();
    }

    @Override
    public Record defaults() {
      return delegate.defaults();
    }

    @Override
    public Stage start(Record config) {
      return delegate.start(config);
    }

    @Override
    public Decision decide(Record config, Stage stage, double[] accuracies) {
      seen.add(accuracies.clone());
      return delegate.decide(config, stage, accuracies);
    }
  }

  /** Trains and returns the epoch reports; {@code recording} sees every decision. */
  private List<EpochReport> train(boolean wholeTrial, Recording[] recorder) throws Exception {
    ResolvedExperiment base = experiment(wholeTrial);
    Recording recording = new Recording((Curriculum<?>) base.curriculum().plugin().plugin());
    recorder[0] = recording;
    List<EpochReport> reports = new ArrayList<>();
    TrainingObserver observer =
        new TrainingObserver() {
          @Override
          public void epoch(EpochReport report) {
            reports.add(report);
          }
        };
    // the run's curriculum swapped in its injector for the recording one
    RunBindings.trainer(
            base,
            observer,
            new StopSignal(),
            RunBindings.curriculum(recording, base.curriculum().config()))
        .run();
    return reports;
  }

  @Test
  void theMultiLabelLossTrainsACopyTaskAndTheCurriculumSeesWholeTrialAccuracy() throws Exception {
    Recording[] trialCurriculum = new Recording[1];
    List<EpochReport> trials = train(true, trialCurriculum);
    Recording[] entryCurriculum = new Recording[1];
    List<EpochReport> entries = train(false, entryCurriculum);

    assertEquals(EPOCHS, trials.size());
    assertEquals(EPOCHS, entries.size());
    long judgedTrials = (long) EVAL_BATCHES * EVAL_BATCH_SIZE;
    for (int k = 0; k < trials.size(); k++) {
      EpochReport trial = trials.get(k);
      EpochReport entry = entries.get(k);
      assertEquals("length", trial.levelName());
      assertArrayEquals(new int[] {2, 3}, trial.stage().levels());
      // how accuracy is counted changes nothing else: same data, loss and updates
      assertArrayEquals(entry.loss(), trial.loss(), 0.0, "epoch " + (k + 1));
      assertEquals(entry.trainLoss(), trial.trainLoss(), 0.0, "epoch " + (k + 1));
      // the curriculum decided on exactly the accuracies reported
      assertArrayEquals(trial.accuracy(), trialCurriculum[0].seen.get(k), 0.0);
      assertArrayEquals(entry.accuracy(), entryCurriculum[0].seen.get(k), 0.0);
      for (int a = 0; a < 2; a++) {
        int length = trial.stage().levels()[a];
        // per trial: a whole number of the 64 trials; per entry: of their length·bits bits
        double trialCount = trial.accuracy()[a] * judgedTrials;
        double bitCount = entry.accuracy()[a] * judgedTrials * length * BITS;
        assertEquals(Math.rint(trialCount), trialCount, 1e-9, "trials " + trialCount);
        assertEquals(Math.rint(bitCount), bitCount, 1e-9, "bits " + bitCount);
        // a trial is right only when all its bits are
        assertTrue(
            trial.accuracy()[a] <= entry.accuracy()[a],
            "epoch "
                + (k + 1)
                + " length "
                + length
                + ": trial "
                + trial.accuracy()[a]
                + " > bit "
                + entry.accuracy()[a]);
      }
    }
    // it learns: the evaluation's binary cross-entropy falls from about ln 2 (a coin per bit)
    EpochReport first = trials.get(0);
    EpochReport last = trials.get(EPOCHS - 1);
    assertTrue(first.meanLoss() > 0.65, "one epoch in: about ln 2 per bit, " + first.meanLoss());
    assertTrue(
        last.meanLoss() < 0.85 * first.meanLoss(),
        "loss " + first.meanLoss() + " → " + last.meanLoss());
    double[] bits = entries.get(EPOCHS - 1).accuracy();
    assertTrue(bits[0] > 0.7, "bits of length 2 mostly right: " + bits[0]);
    // while whole trials (all 6 or 9 bits right) are still rare
    for (int a = 0; a < 2; a++) {
      assertTrue(
          last.accuracy()[a] < bits[a] - 0.3,
          "head " + a + ": trials " + last.accuracy()[a] + ", bits " + bits[a]);
    }
  }
}
