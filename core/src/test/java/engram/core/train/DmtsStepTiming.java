package engram.core.train;

import engram.api.Task;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.api.task.Batch;
import engram.api.task.FiniteConditions;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.ExperimentModule;
import engram.core.plugin.PluginRegistry;
import engram.core.step.StepObserver;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Not a test: where the time of one full-batch DMTS step of {@code examples/dmts.yaml} goes, by
 * phase (docs/perf). Run with {@code -Dtest=DmtsStepTiming} from the repository root.
 */
class DmtsStepTiming {
  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void timePhases() throws Exception {
    PluginRegistry registry = PluginRegistry.discover(DmtsStepTiming.class.getClassLoader());
    Path example = Path.of("..", "examples", "dmts.yaml");
    ResolvedExperiment e = new ExperimentLoader(registry).load(example, List.of());
    Batch batch =
        ((FiniteConditions) e.task().plugin().plugin())
            .conditions(e.task().config(), new int[] {30}, 1);
    Map<StepObserver.Phase, Long> nanos = new EnumMap<>(StepObserver.Phase.class);
    StepObserver observer = (phase, n) -> nanos.merge(phase, n, Long::sum);
    Trainer trainer =
        RunBindings.trainer(
            e,
            new TrainingObserver() {},
            new StopSignal(),
            ExperimentModule.stepObserver(observer));
    Stage stage = new Stage(List.of(new Assignment(30, 0)));
    trainer.trainOnBatch(batch, stage, 1000, i -> {}); // warm-up
    for (int repeat = 0; repeat < 3; repeat++) {
      nanos.clear();
      long start = System.nanoTime();
      trainer.trainOnBatch(batch, stage, 2000, i -> {});
      double total = (System.nanoTime() - start) / 1e6 / 2000;
      StringBuilder line = new StringBuilder(String.format("ms/step %.3f:", total));
      nanos.forEach((p, n) -> line.append(String.format(" %s %.3f", p, n / 1e6 / 2000)));
      System.out.println(line);
    }
    Task task = (Task) e.task().plugin().plugin();
    System.out.println("task " + task.info().id() + ", T = " + batch.steps());
  }
}
