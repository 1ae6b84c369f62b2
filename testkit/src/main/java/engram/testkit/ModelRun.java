package engram.testkit;

import engram.api.Analyzer;
import engram.api.Analyzer.Checkpoint;
import engram.api.Model;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Task;
import engram.api.Trajectory;
import engram.api.curriculum.Assignment;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import engram.runtime.Networks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An {@link Analyzer.Run} backed by a real model and a real task, for analyzer tests that run a
 * real, tiny network: {@link #restore} rebuilds the model's network (through the runtime, as core
 * does) with a checkpoint's values, and the task samples and streams as in training. It cannot
 * train: {@link #retrain} throws. {@link #checkpoint} makes checkpoints of freshly initialised
 * networks with random readout heads, one head per level.
 *
 * <p>Readout heads are the checkpoint tensors {@code head_<k>_w [width, H]} and {@code head_<k>_b
 * [width]}; outputs are h·Wᵀ + b, scored by each target's {@link engram.api.task.Accuracy} rule
 * (argmax for classification). Networks are float32.
 *
 * @param <M> the model's configuration record
 * @param <T> the task's configuration record
 */
public final class ModelRun<M extends Record, T extends Record> implements Analyzer.Run {
  private final Model<M> model;
  private final M modelConfig;
  private final Task<T> task;
  private final T taskConfig;
  private final long seed;

  /**
   * A run of {@code model} on {@code task}.
   *
   * @param model the model plugin
   * @param modelConfig its configuration (a small hidden size keeps tests fast)
   * @param task the task plugin
   * @param taskConfig its configuration
   * @param seed seeds {@link #random} and {@link #checkpoint}
   */
  public ModelRun(Model<M> model, M modelConfig, Task<T> task, T taskConfig, long seed) {
    this.model = model;
    this.modelConfig = modelConfig;
    this.task = task;
    this.taskConfig = taskConfig;
    this.seed = seed;
  }

  /**
   * A checkpoint of a freshly initialised network (parameters drawn from this run's seed and {@code
   * name}) with one random readout head per level, head k serving {@code levels[k]}.
   *
   * @param name the checkpoint's name
   * @param epoch epochs completed
   * @param levels the levels being trained, oldest first
   * @return the checkpoint, float32 tensors
   */
  public Checkpoint checkpoint(String name, int epoch, int[] levels) {
    SplittableRandom rng = new SplittableRandom(seed * 31 + name.hashCode());
    Network network = network(rng);
    Map<String, INDArray> tensors = new LinkedHashMap<>();
    for (Parameter p : network.parameters()) {
      tensors.put(p.name(), p.value().dup());
    }
    int h = network.hiddenSize();
    int width = task.outputSize(taskConfig);
    List<Assignment> assignments = new ArrayList<>();
    for (int k = 0; k < levels.length; k++) {
      tensors.put(
          "head_" + k + "_w",
          TestArrays.gaussian(rng, DataType.FLOAT, width, h).divi(Math.sqrt(h)));
      tensors.put("head_" + k + "_b", Nd4j.zeros(DataType.FLOAT, width));
      assignments.add(new Assignment(levels[k], k));
    }
    return new Checkpoint(name, epoch, levels.clone(), tensors, assignments);
  }

  private Network network(RandomGenerator rng) {
    return Networks.create(
        model, modelConfig, new NetworkSpec(task.inputSize(taskConfig), DataType.FLOAT), rng);
  }

  @Override
  public String modelId() {
    return model.info().id();
  }

  @Override
  public String taskId() {
    return task.info().id();
  }

  @Override
  public int minLevel() {
    return task.minLevel(taskConfig);
  }

  @Override
  public RandomGenerator random(String name) {
    return new SplittableRandom(seed * 1_000_003L + name.hashCode());
  }

  @Override
  public Batch sample(int[] levels, int batchSize, RandomGenerator rng) {
    return task.sample(taskConfig, levels, batchSize, rng);
  }

  @Override
  @SuppressWarnings("unchecked") // the task plugin's configuration is its own record type
  public java.util.Optional<Batch> conditions(int[] levels, int copies) {
    if (task instanceof engram.api.task.FiniteConditions<?> finite) {
      return java.util.Optional.of(
          ((engram.api.task.FiniteConditions<Record>) finite)
              .conditions(taskConfig, levels, copies));
    }
    return java.util.Optional.empty();
  }

  @Override
  public Batch stream(int[] levels, int steps, int batchSize, RandomGenerator rng) {
    return task.stream(taskConfig, levels, steps, batchSize, rng);
  }

  /**
   * Rebuilds the network with the checkpoint's values.
   *
   * @param checkpoint a checkpoint of this model and size
   * @return an independent copy
   * @throws IllegalStateException naming the tensor when the checkpoint lacks one or its shape
   *     differs
   */
  @Override
  public Analyzer.Restored restore(Checkpoint checkpoint) {
    Network network = network(new SplittableRandom(seed));
    for (Parameter p : network.parameters()) {
      INDArray saved = checkpoint.tensors().get(p.name());
      if (saved == null || !Arrays.equals(saved.shape(), p.value().shape())) {
        throw new IllegalStateException(
            "checkpoint '"
                + checkpoint.name()
                + "' has no tensor '"
                + p.name()
                + "' of shape "
                + Arrays.toString(p.value().shape())
                + " for model '"
                + modelId()
                + "'");
      }
      p.value().assign(saved.castTo(DataType.FLOAT));
    }
    network.constrain();
    Map<Integer, INDArray[]> heads = new LinkedHashMap<>();
    checkpoint
        .tensors()
        .forEach(
            (name, value) -> {
              if (name.startsWith("head_") && name.endsWith("_w")) {
                int k = Integer.parseInt(name.substring(5, name.length() - 2));
                INDArray b = checkpoint.tensors().get("head_" + k + "_b");
                heads.put(
                    k,
                    new INDArray[] {
                      value.castTo(DataType.FLOAT).dup(),
                      b == null
                          ? Nd4j.zeros(DataType.FLOAT, value.rows())
                          : b.castTo(DataType.FLOAT).dup()
                    });
              }
            });
    return new Restored(checkpoint, network, heads);
  }

  /**
   * Not available: the testkit does not train.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public double[] retrain(Checkpoint checkpoint, int level, int epochs, long seed) {
    throw new UnsupportedOperationException(
        "ModelRun cannot retrain: training is core's; give"
            + " the analyzer test a Run of its own that answers retrain");
  }

  /** A restored network with its readout heads. */
  private static final class Restored implements Analyzer.Restored {
    private final Checkpoint checkpoint;
    private final Network network;
    private final Map<Integer, INDArray[]> heads;

    Restored(Checkpoint checkpoint, Network network, Map<Integer, INDArray[]> heads) {
      this.checkpoint = checkpoint;
      this.network = network;
      this.heads = heads;
    }

    @Override
    public Network network() {
      return network;
    }

    @Override
    public int head(int level) {
      List<Assignment> assignments = checkpoint.assignments();
      for (Assignment a : assignments) {
        if (a.level() == level) {
          return a.head();
        }
      }
      if (assignments.size() == 1) {
        return assignments.get(0).head();
      }
      throw new IllegalArgumentException(
          "no head of checkpoint '"
              + checkpoint.name()
              + "' serves level "
              + level
              + " (assignments "
              + assignments
              + ")");
    }

    @Override
    public void ablate(int unit) {
      network.ablate(unit);
      for (INDArray[] head : heads.values()) {
        head[0].getColumn(unit).assign(0);
      }
    }

    @Override
    public Trajectory forward(Batch batch, RandomGenerator rng) {
      INDArray inputs =
          Nd4j.create(
              batch.inputs(),
              new long[] {batch.steps(), batch.batch(), batch.inputSize()},
              DataType.FLOAT);
      return network.forward(inputs, network.initialState(batch.batch(), rng));
    }

    @Override
    public double[] accuracy(Batch batch, int fromStep, RandomGenerator rng) {
      if (fromStep < 0 || fromStep >= batch.steps()) {
        throw new IllegalArgumentException(
            "fromStep must be in [0, " + batch.steps() + "), was " + fromStep);
      }
      INDArray hidden = forward(batch, rng).hidden();
      int rows = batch.steps() * batch.batch();
      INDArray flat = hidden.reshape(rows, hidden.size(2));
      double[] accuracy = new double[batch.targets().size()];
      for (int a = 0; a < accuracy.length; a++) {
        Target target = batch.targets().get(a);
        INDArray[] head = heads.get(head(target.level()));
        if (head == null) {
          throw new IllegalStateException(
              "checkpoint '" + checkpoint.name() + "' has no head " + head(target.level()));
        }
        double[][] out = flat.mmul(head[0].transpose()).addiRowVector(head[1]).toDoubleMatrix();
        int scored = 0;
        int correct = 0;
        for (int r = fromStep * batch.batch(); r < rows; r++) {
          if (target.mask()[r] == 0f) {
            continue;
          }
          if (target.kind() == LossKind.CLASSIFICATION) {
            int best = 0;
            for (int c = 1; c < out[r].length; c++) {
              best = out[r][c] > out[r][best] ? c : best;
            }
            scored++;
            correct += best == (int) target.values()[r] ? 1 : 0;
          } else {
            for (int c = 0; c < target.width(); c++) {
              scored++;
              correct +=
                  target.accuracy().correct(out[r][c], target.values()[r * target.width() + c])
                      ? 1
                      : 0;
            }
          }
        }
        accuracy[a] = scored == 0 ? Double.NaN : correct / (double) scored;
      }
      return accuracy;
    }
  }
}
