package engram.core.train;

import engram.api.Analyzer;
import engram.api.Model;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.Task;
import engram.api.Trajectory;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.api.task.Batch;
import engram.api.task.Target;
import engram.core.config.ResolvedExperiment;
import engram.runtime.Networks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A run's network and readout heads rebuilt from one checkpoint, for analyses: the model plugin
 * creates a network with the run's configuration and every parameter is then overwritten with the
 * saved value, so the copy computes exactly what the network computed when it was saved.
 */
public final class CheckpointNetwork implements Analyzer.Restored {
  private final Analyzer.Checkpoint checkpoint;
  private final Network network;
  private final ReadoutHeads heads;
  private final DataType dataType;

  private CheckpointNetwork(
      Analyzer.Checkpoint checkpoint, Network network, ReadoutHeads heads, DataType dataType) {
    this.checkpoint = checkpoint;
    this.network = network;
    this.heads = heads;
    this.dataType = dataType;
  }

  /**
   * Rebuilds the network of {@code experiment} with the values of {@code checkpoint}.
   *
   * @throws IllegalStateException naming the tensor when the checkpoint lacks one the model needs
   *     or its shape differs (a checkpoint of another model or size)
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static CheckpointNetwork restore(
      ResolvedExperiment experiment, Analyzer.Checkpoint checkpoint, DataType dataType) {
    Task task = (Task) experiment.task().plugin().plugin();
    Record taskConfig = experiment.task().config();
    Model<Record> model = (Model<Record>) experiment.model().plugin().plugin();
    // The draws are overwritten below; a fixed stream keeps creation deterministic.
    Network network =
        Networks.create(
            model,
            experiment.model().config(),
            new NetworkSpec(task.inputSize(taskConfig), dataType),
            new RandomStreams(experiment.seed()).stream("model-init"));
    for (Parameter p : network.parameters()) {
      INDArray saved = checkpoint.tensors().get(p.name());
      if (saved == null || !Arrays.equals(saved.shape(), p.value().shape())) {
        throw new IllegalStateException(
            "checkpoint '"
                + checkpoint.name()
                + "' has "
                + (saved == null
                    ? "no tensor '" + p.name() + "'"
                    : "tensor '" + p.name() + "' of shape " + Arrays.toString(saved.shape()))
                + ", but the run's model '"
                + experiment.model().id()
                + "' needs "
                + Arrays.toString(p.value().shape())
                + ". Fix: analyse the run directory the"
                + " checkpoint belongs to, with its own config.resolved.yaml.");
      }
      p.value().assign(saved.castTo(dataType));
    }
    network.constrain();
    ReadoutHeads heads =
        new ReadoutHeads(
            network.hiddenSize(),
            task.outputSize(taskConfig),
            dataType,
            new RandomStreams(experiment.seed()).stream("heads-init"));
    heads.load(checkpoint.name(), checkpoint.tensors());
    return new CheckpointNetwork(checkpoint, network, heads, dataType);
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
      return assignments.get(0).head(); // single-head stage: its one head answers every level
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
    zeroReadout(unit);
  }

  /** The readout half of {@link #ablate}: no head reads unit {@code unit} any more. */
  public void zeroReadout(int unit) {
    if (unit < 0 || unit >= network.hiddenSize()) {
      throw new IndexOutOfBoundsException(
          "unit " + unit + " is not in [0, " + network.hiddenSize() + ")");
    }
    heads.zeroColumn(unit);
  }

  @Override
  public Trajectory forward(Batch batch, RandomGenerator rng) {
    INDArray inputs =
        Nd4j.create(
            batch.inputs(),
            new long[] {batch.steps(), batch.batch(), batch.inputSize()},
            DataType.FLOAT);
    if (dataType != DataType.FLOAT) {
      inputs = inputs.castTo(dataType);
    }
    return network.forward(inputs, network.initialState(batch.batch(), rng));
  }

  @Override
  public double[] accuracy(Batch batch, int fromStep, RandomGenerator rng) {
    if (fromStep < 0 || fromStep >= batch.steps()) {
      throw new IllegalArgumentException(
          "fromStep must be in [0, " + batch.steps() + "), was " + fromStep);
    }
    List<Integer> headsUsed = new ArrayList<>();
    for (Target target : batch.targets()) {
      int head = head(target.level());
      heads.ensure(head);
      headsUsed.add(head);
    }
    INDArray hidden = forward(batch, rng).hidden();
    double[] accuracy = new double[batch.targets().size()];
    for (int a = 0; a < accuracy.length; a++) {
      Target target = batch.targets().get(a);
      float[] mask = target.mask().clone();
      Arrays.fill(mask, 0, fromStep * batch.batch(), 0f);
      Target scored =
          new Target(
              target.level(),
              target.kind(),
              target.width(),
              target.values(),
              mask,
              target.accuracy());
      Batch one =
          new Batch(
              batch.steps(),
              batch.batch(),
              batch.inputSize(),
              batch.inputs(),
              List.of(scored),
              batch.periods());
      Stage stage = Stage.of(new Assignment(target.level(), headsUsed.get(a)));
      accuracy[a] = heads.evaluate(stage, one, hidden, null).accuracy()[0];
    }
    return accuracy;
  }
}
