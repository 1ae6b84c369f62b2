package engram.core.train;

import engram.api.Curriculum;
import engram.api.Regularizer;
import engram.api.Task;
import engram.api.task.Batch;
import engram.core.config.ConfigException;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks, before a run directory exists, what only the plugins can judge on real data: the task
 * samples a batch at the curriculum's first stage, and every regularizer sees it (with zero
 * hidden states), so a regularizer option that does not fit the task — a period the task does not
 * have — stops with a configuration error instead of failing at the first training step.
 */
public final class Preflight {
  private Preflight() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  public static void check(ResolvedExperiment e) throws ConfigException {
    Task task = (Task) e.task().plugin().plugin();
    Curriculum curriculum = (Curriculum) e.curriculum().plugin().plugin();
    Batch batch;
    try {
      batch = task.sample(e.task().config(), curriculum.start(e.curriculum().config()).levels(), 2,
          new SplittableRandom(e.seed()));
    } catch (RuntimeException ex) {
      throw new ConfigException("Task '" + e.task().plugin().id() + "' cannot sample a batch with"
          + " this configuration: " + ex.getMessage() + ". Fix: check the task section.");
    }
    List<PluginChoice> regularizers = e.regularizers();
    for (int k = 0; k < regularizers.size(); k++) {
      PluginChoice choice = regularizers.get(k);
      INDArray hidden = Nd4j.zeros(DataType.DOUBLE, batch.steps(), batch.batch(), 2);
      try {
        ((Regularizer) choice.plugin().plugin()).onHidden(choice.config(),
            new Regularizer.HiddenInput(hidden, hidden.dup(), batch, 0));
      } catch (IllegalArgumentException ex) {
        throw new ConfigException("Invalid value in regularizers." + k + " ("
            + choice.plugin().id() + "): " + ex.getMessage() + ". Fix: change that entry.");
      }
    }
  }
}
