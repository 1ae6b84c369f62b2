package engram.core.train;

import engram.api.Curriculum;
import engram.api.Model;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Regularizer;
import engram.api.Task;
import engram.api.task.Batch;
import engram.core.config.ConfigException;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.runtime.Networks;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks, before a run directory exists, what only the plugins can judge on real data: the task
 * samples a small batch at the curriculum's first stage, the regularizers perturb it, the model
 * runs it forward, and every regularizer sees the result — so an option that does not fit (a period
 * the task does not have, recurrent noise for a model that cannot take it) stops with a
 * configuration error instead of failing at the first training step.
 */
public final class Preflight {
  private Preflight() {}

  /** As {@link #check(ResolvedExperiment, int)} for one run at a time. */
  public static void check(ResolvedExperiment e) throws ConfigException {
    check(e, 1);
  }

  /**
   * Checks one experiment, and that {@code workers} runs of it fit in memory side by side.
   *
   * @throws ConfigException naming what does not fit and the fix
   */
  public static void check(ResolvedExperiment e, int workers) throws ConfigException {
    check(e, workers, MemoryEstimate.Limits.current());
  }

  /** As {@link #check(ResolvedExperiment, int)}, against the given memory limits. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static void check(ResolvedExperiment e, int workers, MemoryEstimate.Limits limits)
      throws ConfigException {
    Task task = (Task) e.task().plugin().plugin();
    Curriculum curriculum = (Curriculum) e.curriculum().plugin().plugin();
    SplittableRandom rng = new SplittableRandom(e.seed());
    Batch batch;
    try {
      batch =
          task.sample(
              e.task().config(), curriculum.start(e.curriculum().config()).levels(), 2, rng);
    } catch (RuntimeException ex) {
      throw new ConfigException(
          "Task '"
              + e.task().plugin().id()
              + "' cannot sample a batch with"
              + " this configuration: "
              + ex.getMessage()
              + ". Fix: check the task section.");
    }
    Network network;
    try {
      network =
          Networks.create(
              (Model) e.model().plugin().plugin(),
              e.model().config(),
              new NetworkSpec(task.inputSize(e.task().config()), DataType.FLOAT),
              rng);
    } catch (ArithmeticException | OutOfMemoryError ex) {
      // integer overflow of a size, or parameters larger than the memory Engram may use
      throw new ConfigException(
          "Model '"
              + e.model().plugin().id()
              + "' is too large to build with this configuration ("
              + (ex instanceof OutOfMemoryError ? "out of memory" : ex.getMessage())
              + "). Fix: lower model.hidden-size.");
    }
    long parameters = network.parameters().stream().mapToLong(p -> p.value().length()).sum();
    new MemoryEstimate(
            parameters,
            batch.steps(),
            e.training().batchSize(),
            e.evaluation().batchSize(),
            network.stateSize(),
            batch.inputSize(),
            task.outputSize(e.task().config()),
            e.precision().dataType().width())
        .check(limits, Math.max(1, workers));
    INDArray inputs =
        Nd4j.create(
            batch.inputs(),
            new long[] {batch.steps(), batch.batch(), batch.inputSize()},
            DataType.FLOAT);
    List<PluginChoice> regularizers = e.regularizers();
    engram.api.Trajectory trajectory;
    try {
      INDArray drive = Trainer.perturb(regularizers, network.hiddenSize(), inputs, batch, 0, rng);
      trajectory = network.forward(inputs, network.initialState(batch.batch(), rng), drive);
    } catch (UnsupportedOperationException ex) {
      throw new ConfigException(
          "Model '"
              + e.model().plugin().id()
              + "' cannot run with these"
              + " regularizers: "
              + ex.getMessage()
              + ". Fix: remove the recurrent noise (e.g. noise-injection recurrent-std: 0) or"
              + " choose a model that accepts it (leaky-rnn).");
    } catch (IllegalArgumentException ex) {
      throw new ConfigException(
          "A regularizer's perturbation does not fit this experiment: "
              + ex.getMessage()
              + ". Fix: check the regularizers section.");
    }
    INDArray hidden = trajectory.hidden();
    ExtraGradientBuffers extras =
        new ExtraGradientBuffers(network, e.model().plugin().id(), trajectory);
    for (int k = 0; k < regularizers.size(); k++) {
      PluginChoice choice = regularizers.get(k);
      try {
        ((Regularizer) choice.plugin().plugin())
            .onHidden(
                choice.config(),
                new Regularizer.HiddenInput(
                    hidden,
                    hidden.ulike().assign(0),
                    batch,
                    0,
                    Double.NaN,
                    extras.extras(),
                    extras));
      } catch (IllegalArgumentException ex) {
        throw new ConfigException(
            "Invalid value in regularizers."
                + k
                + " ("
                + choice.plugin().id()
                + "): "
                + ex.getMessage()
                + ". Fix: change that entry.");
      }
    }
  }
}
