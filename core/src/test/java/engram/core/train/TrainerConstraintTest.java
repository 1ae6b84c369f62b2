package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Parameter;
import engram.api.PluginInfo;
import engram.api.Regularizer;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Parameter constraints are core's job: a parameter regularizer (here one that pushes every entry
 * of {@code w_rec}, its diagonal included) cannot move the leaky RNN's masked diagonal, neither in
 * the live network nor in any checkpoint, while it does move the free entries.
 */
class TrainerConstraintTest {
  @TempDir Path dir;

  /** Adds λ to the gradient of every entry of w_rec: L_reg = λ·Σ w_rec. */
  public static final class PushEveryEntry implements Regularizer<PushEveryEntry.Config> {
    /**
     * @param lambda strength
     */
    public record Config(double lambda) {}

    @Override
    public PluginInfo info() {
      return new PluginInfo("push-every-entry", "test", "adds λ to every gradient of w_rec");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config(1.0);
    }

    @Override
    public double onParameters(Config config, ParameterInput input) {
      input.gradients().get("w_rec").addi(config.lambda());
      double sum = 0;
      for (Parameter p : input.parameters()) {
        if (p.name().equals("w_rec")) {
          sum = p.value().sumNumber().doubleValue();
        }
      }
      return config.lambda() * sum;
    }
  }

  @Test
  void aRegularizerCannotMoveAMaskedEntry() throws Exception {
    Path file = dir.resolve("e.yaml");
    Files.writeString(
        file,
        """
        seed: 3
        task: {id: n-parity}
        model: {id: leaky-rnn, hidden-size: 6}
        curriculum: {id: multi-head, threshold: 1.0}
        training:
          batch-size: 8
          steps-per-epoch: 5
          max-epochs: 4
          optimizer: {type: adam, lr: 0.05}
        evaluation: {batches: 1, batch-size: 8}
        output: {runs-dir: %s, checkpoint-every: 1}
        """
            .formatted(dir.resolve("runs")));
    PluginRegistry registry = PluginRegistry.discover(getClass().getClassLoader());
    ResolvedExperiment loaded = new ExperimentLoader(registry).load(file, List.of());
    Map<String, INDArray> checkpoints = new LinkedHashMap<>();
    TrainingObserver observer =
        new TrainingObserver() {
          @Override
          public void checkpoint(
              String name,
              int epoch,
              long step,
              int[] levels,
              List<Parameter> tensors,
              Map<String, Object> extra) {
            tensors.stream()
                .filter(p -> p.name().equals("w_rec"))
                .forEach(p -> checkpoints.put(name, p.value().dup()));
          }
        };
    Trainer trainer =
        RunBindings.trainer(
            loaded,
            observer,
            new StopSignal(),
            RunBindings.regularizer(new PushEveryEntry(), new PushEveryEntry.Config(0.5)));
    trainer.run();
    INDArray trained =
        trainer.network().parameters().stream()
            .filter(p -> p.name().equals("w_rec"))
            .findFirst()
            .orElseThrow()
            .value();
    assertTrue(checkpoints.size() >= 4, "a checkpoint per epoch: " + checkpoints.keySet());
    checkpoints.put("live network", trained);
    for (Map.Entry<String, INDArray> c : checkpoints.entrySet()) {
      for (int i = 0; i < 6; i++) {
        assertEquals(
            0.0, c.getValue().getDouble(i, i), 0.0, "w_rec[" + i + "][" + i + "] in " + c.getKey());
      }
    }
    // The push did act on the free entries: Adam moves each by about lr per step against it.
    assertTrue(
        trained.sumNumber().doubleValue() < -0.05 * 30 * 10,
        "the free entries moved: Σ w_rec = " + trained.sumNumber());
  }
}
