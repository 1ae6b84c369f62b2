package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.PluginInfo;
import engram.api.Regularizer;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A non-finite loss names the term it came from and a fix that fits that term. */
class TrainerDivergenceTest {
  @TempDir Path dir;

  /** A term on the hidden states that is NaN from training step {@code from} on. */
  public static final class NanTerm implements Regularizer<NanTerm.Config> {
    /**
     * @param from first training step (0-based) whose term is NaN
     */
    public record Config(long from) {}

    @Override
    public PluginInfo info() {
      return new PluginInfo("nan-term", "test", "NaN from a given step on");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config(0);
    }

    @Override
    public double onHidden(Config config, HiddenInput input) {
      return input.step() >= config.from() ? Double.NaN : 0.0;
    }
  }

  private ResolvedExperiment experiment(String... overrides) throws Exception {
    Path file = dir.resolve("e.yaml");
    Files.writeString(
        file,
        """
        seed: 3
        task: {id: n-parity}
        model: {id: leaky-rnn, hidden-size: 6}
        curriculum: {id: multi-head, threshold: 1.0}
        training: {batch-size: 8, steps-per-epoch: 4, max-epochs: 3}
        evaluation: {batches: 1, batch-size: 8}
        output: {runs-dir: %s}
        """
            .formatted(dir.resolve("runs")));
    return new ExperimentLoader(PluginRegistry.discover(getClass().getClassLoader()))
        .load(file, List.of(overrides));
  }

  private static Trainer trainer(ResolvedExperiment e, com.google.inject.Module... swaps) {
    return RunBindings.trainer(e, new TrainingObserver() {}, new StopSignal(), swaps);
  }

  @Test
  void aRegularizersTermIsNamedWithItsPositionAndItsStrength() throws Exception {
    Trainer trainer =
        trainer(experiment(), RunBindings.regularizer(new NanTerm(), new NanTerm.Config(5)));
    String message = assertThrows(TrainingDivergedException.class, trainer::run).getMessage();
    assertTrue(message.contains("at epoch 2, step 2 of the epoch (training step 6"), message);
    assertTrue(
        message.contains(
            "the hidden-state term of regularizer 'nan-term' (regularizers.0) is not" + " finite"),
        message);
    assertTrue(message.contains("Fix: lower its strength (regularizers.0.lambda)"), message);
  }

  @Test
  void anExplodingOptimizerNamesTheLearningRateAndClipping() throws Exception {
    ResolvedExperiment e =
        experiment(
            "training.optimizer.type=sgd", "training.optimizer.lr=1.0e30", "training.clip=0");
    String message = assertThrows(TrainingDivergedException.class, trainer(e)::run).getMessage();
    assertTrue(message.contains("Fix: lower training.optimizer.lr or set training.clip"), message);
    assertTrue(
        message.contains("became non-finite in the previous update")
            || message.contains("overflowed")
            || message.contains("the task loss"),
        message);
  }
}
