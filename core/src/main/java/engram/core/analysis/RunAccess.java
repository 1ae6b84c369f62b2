package engram.core.analysis;

import engram.api.Analyzer;
import engram.api.Task;
import engram.api.task.Batch;
import engram.core.config.ConfigException;
import engram.core.config.ExperimentLoader;
import engram.core.config.Precision;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.ExperimentModule;
import engram.core.train.CheckpointNetwork;
import engram.core.train.EpochReport;
import engram.core.train.RandomStreams;
import engram.core.train.StopSignal;
import engram.core.train.Trainer;
import engram.core.train.TrainingObserver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@link Analyzer.Run} over a run's resolved configuration: rebuilds its network from checkpoints,
 * samples its task, and retrains copies in memory (never writing to the run).
 *
 * <p>Random streams are named {@code analysis/<analyzer-id>/<name>} under the run seed, so they
 * never coincide with the training streams and repeat exactly when the analysis is repeated.
 */
final class RunAccess implements Analyzer.Run {
  private final ResolvedExperiment experiment;
  private final ExperimentLoader loader;
  private final String analyzerId;
  private final DataType dataType;

  @SuppressWarnings("rawtypes")
  private final Task task;

  RunAccess(ResolvedExperiment experiment, ExperimentLoader loader, String analyzerId) {
    this.experiment = experiment;
    this.loader = loader;
    this.analyzerId = analyzerId;
    this.dataType = experiment.precision() == Precision.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
    this.task = (Task) experiment.task().plugin().plugin();
  }

  @Override
  public String modelId() {
    return experiment.model().id();
  }

  @Override
  public String taskId() {
    return experiment.task().id();
  }

  @Override
  @SuppressWarnings("unchecked")
  public int minLevel() {
    return task.minLevel(experiment.task().config());
  }

  @Override
  public RandomGenerator random(String name) {
    return new RandomStreams(experiment.seed()).stream("analysis/" + analyzerId + "/" + name);
  }

  @Override
  @SuppressWarnings("unchecked")
  public Batch sample(int[] levels, int batchSize, RandomGenerator rng) {
    return task.sample(experiment.task().config(), levels, batchSize, rng);
  }

  @Override
  @SuppressWarnings("unchecked") // the task plugin's configuration is its own record type
  public java.util.Optional<Batch> conditions(int[] levels, int copies) {
    if (task instanceof engram.api.task.FiniteConditions<?> finite) {
      return java.util.Optional.of(
          ((engram.api.task.FiniteConditions<Record>) finite)
              .conditions(experiment.task().config(), levels, copies));
    }
    return java.util.Optional.empty();
  }

  @Override
  @SuppressWarnings("unchecked")
  public Batch stream(int[] levels, int steps, int batchSize, RandomGenerator rng) {
    return task.stream(experiment.task().config(), levels, steps, batchSize, rng);
  }

  @Override
  public Analyzer.Restored restore(Analyzer.Checkpoint checkpoint) {
    return CheckpointNetwork.restore(experiment, checkpoint, dataType);
  }

  @Override
  public double[] retrain(Analyzer.Checkpoint checkpoint, int level, int epochs, long seed) {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be ≥ 1, was " + epochs);
    }
    ResolvedExperiment copy;
    try {
      copy = loader.fixedLevelCopy(experiment, level, epochs, seed);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          "cannot retrain on level " + level + ": " + e.getMessage(), e);
    }
    List<Double> accuracies = new ArrayList<>();
    TrainingObserver observer =
        new TrainingObserver() {
          @Override
          public void epoch(EpochReport report) {
            accuracies.add(Arrays.stream(report.accuracy()).average().orElse(Double.NaN));
          }
        };
    Trainer trainer = ExperimentModule.trainer(copy, observer, new StopSignal());
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> initial = new LinkedHashMap<>();
    checkpoint
        .tensors()
        .forEach(
            (name, value) -> {
              if (!name.startsWith("head_")) {
                initial.put(
                    name, value); // a fresh readout: the copy learns its own head for the level
              }
            });
    trainer.run(initial);
    return accuracies.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
