package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Parameter;
import engram.api.PluginInfo;
import engram.api.Task;
import engram.api.table.TrainingTrace;
import engram.api.task.Batch;
import engram.api.task.FiniteConditions;
import engram.api.task.LossKind;
import engram.core.config.ConfigException;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import engram.core.run.TraceWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Full-batch training, trace rows and checkpoints by step. */
class FullBatchAndTraceTest {
  private static PluginRegistry registry;

  @TempDir Path dir;

  @BeforeAll
  static void discover() {
    registry = PluginRegistry.discover(FullBatchAndTraceTest.class.getClassLoader());
    assertEquals(List.of(), registry.problems());
  }

  /** A tiny DMTS experiment in float64 with plain SGD and no clipping, plus overrides. */
  private ResolvedExperiment dmts(int stepsPerEpoch, int maxEpochs, String... overrides)
      throws Exception {
    Path file = dir.resolve("tiny-dmts.yaml");
    Files.writeString(
        file,
        """
        seed: 3
        precision: float64
        task: {id: dmts}
        model: {id: leaky-rnn, hidden-size: 6, nonlinearity: tanh, phi: inside, train-tau: false,
                fixed-tau: 2, recurrent-init: xavier-uniform, initial-state: tanh-normal}
        curriculum: {id: none, start-level: 3, threshold: 1.0}
        training:
          batch-size: 8
          steps-per-epoch: %d
          max-epochs: %d
          clip: 0
          optimizer: {type: sgd, lr: 0.5, momentum: 0}
        evaluation: {batches: 1, batch-size: 8}
        output: {runs-dir: %s}
        """
            .formatted(stepsPerEpoch, maxEpochs, dir.resolve("runs")));
    return new ExperimentLoader(registry).load(file, List.of(overrides));
  }

  /** Records trace rows, step losses and checkpoints (with copies of w_rec). */
  private static final class Recorder implements TrainingObserver {
    final List<TraceRow> rows = new ArrayList<>();
    final List<Double> losses = new ArrayList<>();
    final Map<String, INDArray> recurrent = new LinkedHashMap<>();

    @Override
    public void step(int epoch, long step, double loss) {
      losses.add(loss);
    }

    @Override
    public void trace(TraceRow row) {
      rows.add(row);
    }

    @Override
    public void checkpoint(
        String name,
        int epoch,
        long step,
        int[] levels,
        List<Parameter> tensors,
        Map<String, Object> extra) {
      for (Parameter p : tensors) {
        if (p.name().equals("w_rec")) {
          recurrent.put(name, p.value().dup());
        }
      }
    }
  }

  @Test
  void traceRowsCarryTheBatchLossAndTheRecurrentGradientAndWeightNorms() throws Exception {
    Recorder recorder = new Recorder();
    RunBindings.trainer(
            dmts(
                3,
                2,
                "output.trace-every=1",
                "output.checkpoint-steps=every:1",
                "training.full-batch-copies=2"),
            recorder,
            new StopSignal())
        .run();
    assertEquals(6, recorder.rows.size());
    for (int i = 0; i < 6; i++) {
      TraceRow row = recorder.rows.get(i);
      assertEquals(i + 1, row.step());
      assertEquals(i / 3 + 1, row.epoch());
      assertEquals(3, row.level());
      assertEquals(recorder.losses.get(i), row.loss(), 0.0, "no regularizer: the step's loss");
      assertTrue(row.accuracy() >= 0 && row.accuracy() <= 1, "accuracy " + row.accuracy());
      INDArray after = recorder.recurrent.get(String.format("step-%08d", i + 1));
      assertNotNull(after, "checkpoint of step " + (i + 1));
      assertEquals(after.norm2Number().doubleValue(), row.weightNormRec(), 1e-12);
      if (i > 0) {
        // plain SGD without clipping: W(s) − W(s−1) = −lr·dL/dW, so ‖ΔW‖/lr is the gradient norm
        INDArray before = recorder.recurrent.get(String.format("step-%08d", i));
        double change = after.sub(before).norm2Number().doubleValue() / 0.5;
        assertEquals(change, row.gradNormRec(), 1e-9 * change, "‖dL/dW_rec‖ at step " + (i + 1));
        assertTrue(change > 0);
      }
    }
  }

  @Test
  void fullBatchTrainsOnTheConditionsBuiltOnceAndEvaluationStillSamples() throws Exception {
    ResolvedExperiment e = dmts(4, 2, "training.full-batch-copies=3");
    @SuppressWarnings("unchecked")
    Task<Record> dmts = (Task<Record>) e.task().plugin().plugin();
    Counting counting = new Counting(dmts);
    RunBindings.trainer(
            e, new Recorder(), new StopSignal(), RunBindings.task(counting, e.task().config()))
        .run();
    assertEquals(List.of(12), counting.conditionBatches, "4 conditions × 3 copies, built once");
    assertEquals(List.of(8, 8), counting.sampledBatches, "one evaluation batch per epoch");
  }

  @Test
  void fullBatchOfATaskWithoutConditionsIsAConfigErrorNamingTheTaskAndTheFix() throws Exception {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> dmts(1, 1, "task.id=n-parity", "training.full-batch-copies=5"));
    assertTrue(
        error
            .getMessage()
            .startsWith(
                "Invalid value: training.full-batch-copies = 5 asks for full-batch training, but"
                    + " task 'n-parity' has no finite set of conditions to train on"),
        error.getMessage());
    assertTrue(error.getMessage().contains("Fix: remove training.full-batch-copies"));
  }

  @Test
  void stepCheckpointsFollowEveryAndLogSpacedSteps() throws Exception {
    Recorder recorder = new Recorder();
    RunBindings.trainer(
            dmts(12, 1, "output.checkpoint-steps=every:5, log:2"), recorder, new StopSignal())
        .run();
    assertEquals(
        List.of("step-00000001", "step-00000003", "step-00000005", "step-00000010", "final"),
        List.copyOf(recorder.recurrent.keySet()));
    assertThrows(ConfigException.class, () -> dmts(1, 1, "output.checkpoint-steps=log:0"), "log:0");
  }

  @Test
  void traceFileHasTheDeclaredHeaderAndWholeRows() throws Exception {
    Path file = dir.resolve("trace.csv");
    try (TraceWriter writer = new TraceWriter(file)) {
      writer.row(new TraceRow(1, 1, 30, 0.25, 0.5, 1.5, Double.NaN));
      writer.row(new TraceRow(2, 1, 30, 0.125, 0.75, 2.0, 3.0));
      // flushed per row: readable before close
      assertEquals(3, Files.readAllLines(file).size());
    }
    List<String> lines = Files.readAllLines(file);
    assertEquals("step,epoch,level,loss,accuracy,grad_norm_rec,weight_norm_rec", lines.get(0));
    assertEquals(TrainingTrace.SPEC.header(), lines.get(0));
    assertEquals("1,1,30,0.25,0.5,1.5,nan", lines.get(1));
    assertEquals("2,1,30,0.125,0.75,2.0,3.0", lines.get(2));
  }

  /** A task with conditions that counts what training and evaluation ask of it. */
  private static final class Counting implements Task<Record>, FiniteConditions<Record> {
    private final Task<Record> delegate;
    final List<Integer> conditionBatches = new ArrayList<>();
    final List<Integer> sampledBatches = new ArrayList<>();

    Counting(Task<Record> delegate) {
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
    public int inputSize(Record config) {
      return delegate.inputSize(config);
    }

    @Override
    public int outputSize(Record config) {
      return delegate.outputSize(config);
    }

    @Override
    public LossKind lossKind(Record config) {
      return delegate.lossKind(config);
    }

    @Override
    public int minLevel(Record config) {
      return delegate.minLevel(config);
    }

    @Override
    public Batch sample(Record config, int[] levels, int batchSize, RandomGenerator rng) {
      sampledBatches.add(batchSize);
      return delegate.sample(config, levels, batchSize, rng);
    }

    @Override
    @SuppressWarnings("unchecked") // the delegate is the task this wrapper was built around
    public int conditionCount(Record config) {
      return ((FiniteConditions<Record>) delegate).conditionCount(config);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Batch conditions(Record config, int[] levels, int copies) {
      Batch batch = ((FiniteConditions<Record>) delegate).conditions(config, levels, copies);
      conditionBatches.add(batch.batch());
      return batch;
    }
  }
}
