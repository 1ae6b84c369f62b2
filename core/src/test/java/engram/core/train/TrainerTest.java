package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Parameter;
import engram.api.PluginInfo;
import engram.api.Task;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.ExperimentModule;
import engram.core.plugin.PluginRegistry;
import engram.core.step.StepObserver;
import engram.core.step.StepObserver.Phase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loop end to end with the real n-parity task, leaky RNN and curricula, on tiny
 * networks (float32, one thread).
 */
class TrainerTest {
  private static PluginRegistry registry;

  @TempDir Path dir;

  @BeforeAll
  static void discover() {
    registry = PluginRegistry.discover(TrainerTest.class.getClassLoader());
    assertEquals(List.of(), registry.problems());
  }

  // ------------------------------------------------------------------ helpers

  /**
   * A tiny n-parity experiment.
   *
   * @param curriculum the curriculum section, e.g. {@code {id: multi-head, threshold: 1.0}}
   */
  private ResolvedExperiment experiment(
      String curriculum, int stepsPerEpoch, int maxEpochs, String... overrides) throws Exception {
    Path file = dir.resolve("tiny-parity.yaml");
    Files.writeString(
        file,
        """
        seed: 5
        precision: float32
        task: {id: n-parity}
        model: {id: leaky-rnn, hidden-size: 8}
        curriculum: %s
        training:
          batch-size: 16
          steps-per-epoch: %d
          max-epochs: %d
          clip: 1.0
          optimizer: {type: adam, lr: 0.01}
        evaluation: {batches: 2, batch-size: 32}
        output: {runs-dir: %s}
        """
            .formatted(curriculum, stepsPerEpoch, maxEpochs, dir.resolve("runs")));
    return new ExperimentLoader(registry).load(file, List.of(overrides));
  }

  private static final String NEVER_ADVANCES = "{id: multi-head, threshold: 1.0}";
  private static final String ALWAYS_ADVANCES = "{id: multi-head, threshold: 0.01, max-level: 100}";

  private static Trainer trainer(ResolvedExperiment e, TrainingObserver observer, StopSignal stop) {
    return RunBindings.trainer(e, observer, stop);
  }

  /** A checkpoint event with copies of its tensors, taken when it was emitted. */
  record CheckpointEvent(
      String name,
      int epoch,
      long step,
      int[] levels,
      Map<String, INDArray> tensors,
      Map<String, Object> extra) {

    Set<String> headTensors() {
      return tensors.keySet().stream()
          .filter(n -> n.startsWith("head_"))
          .collect(Collectors.toCollection(TreeSet::new));
    }

    @SuppressWarnings("unchecked")
    List<Integer> heads() {
      return ((List<Map<String, Integer>>) extra.get("assignments"))
          .stream().map(a -> a.get("head")).toList();
    }
  }

  /** Records every event. */
  static class Recorder implements TrainingObserver {
    final List<Long> started = new ArrayList<>();
    final List<double[]> steps = new ArrayList<>(); // epoch, step, loss
    final List<EpochReport> epochs = new ArrayList<>();
    final List<CheckpointEvent> checkpoints = new ArrayList<>();
    final List<TrainingResult> finished = new ArrayList<>();

    @Override
    public void started(long maxSteps) {
      started.add(maxSteps);
    }

    @Override
    public void step(int epoch, long step, double loss) {
      steps.add(new double[] {epoch, step, loss});
    }

    @Override
    public void epoch(EpochReport report) {
      epochs.add(report);
    }

    @Override
    public void checkpoint(
        String name,
        int epoch,
        long step,
        int[] levels,
        List<Parameter> tensors,
        Map<String, Object> extra) {
      Map<String, INDArray> copies = new LinkedHashMap<>();
      for (Parameter p : tensors) {
        copies.put(p.name(), p.value().dup());
      }
      checkpoints.add(
          new CheckpointEvent(
              name, epoch, step, levels.clone(), copies, new LinkedHashMap<>(extra)));
    }

    @Override
    public void finished(TrainingResult result) {
      finished.add(result);
    }

    List<String> checkpointNames() {
      return checkpoints.stream().map(CheckpointEvent::name).toList();
    }

    CheckpointEvent only(String name) {
      List<CheckpointEvent> found =
          checkpoints.stream().filter(c -> c.name().equals(name)).toList();
      assertEquals(1, found.size(), "checkpoints named " + name + " among " + checkpointNames());
      return found.get(0);
    }

    double[] stepLosses() {
      return steps.stream().mapToDouble(s -> s[2]).toArray();
    }
  }

  private static Set<String> headNames(int... heads) {
    Set<String> names = new TreeSet<>();
    for (int h : heads) {
      names.add(ReadoutHeads.weightName(h));
      names.add(ReadoutHeads.biasName(h));
    }
    return names;
  }

  private static boolean allFinite(INDArray a) {
    return Arrays.stream(a.dup().castTo(DataType.DOUBLE).reshape(a.length()).toDoubleVector())
        .allMatch(Double::isFinite);
  }

  private static int[] range(int n) {
    return java.util.stream.IntStream.range(0, n).toArray();
  }

  // ------------------------------------------------------------------ step observer

  /** Records the phases a trainer reports, in order. */
  static final class PhaseRecorder implements StepObserver {
    final List<Phase> phases = new ArrayList<>();
    final List<Long> nanos = new ArrayList<>();

    @Override
    public void phaseEnded(Phase phase, long n) {
      phases.add(phase);
      nanos.add(n);
    }

    /** Asserts {@code steps} steps of the five phases in order, each with a time ≥ 0. */
    void assertSteps(int steps) {
      Phase[] order = Phase.values();
      assertEquals(steps * order.length, phases.size(), "five phases per step: " + phases);
      for (int i = 0; i < phases.size(); i++) {
        assertEquals(order[i % order.length], phases.get(i), "phase " + i);
        assertTrue(nanos.get(i) >= 0, "time of phase " + i);
      }
    }
  }

  @Test
  void aRunReportsThePhasesOfEveryTrainingStepAndTrainsAsWithoutAnObserver() throws Exception {
    ResolvedExperiment e = experiment(NEVER_ADVANCES, 3, 2);
    PhaseRecorder phases = new PhaseRecorder();
    Recorder observed = new Recorder();
    RunBindings.trainer(e, observed, new StopSignal(), ExperimentModule.stepObserver(phases)).run();
    phases.assertSteps(6); // 2 epochs × 3 steps; evaluation passes are not training steps

    Recorder plain = new Recorder();
    trainer(e, plain, new StopSignal()).run();
    assertArrayEquals(plain.stepLosses(), observed.stepLosses(), 0.0, "observing changes nothing");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void trainOnBatchTakesTheStepsOnOneBatchFromAFreshNetworkEachCall() throws Exception {
    ResolvedExperiment e = experiment(NEVER_ADVANCES, 3, 2);
    Task task = (Task) e.task().plugin().plugin();
    Batch batch = task.sample(e.task().config(), new int[] {2}, 16, new SplittableRandom(3));
    Stage stage = new Stage(List.of(new Assignment(2, 0)));
    PhaseRecorder phases = new PhaseRecorder();
    Trainer trainer =
        RunBindings.trainer(
            e, new TrainingObserver() {}, new StopSignal(), ExperimentModule.stepObserver(phases));
    List<Integer> after = new ArrayList<>();
    trainer.trainOnBatch(batch, stage, 4, after::add);
    assertEquals(List.of(0, 1, 2, 3), after);
    phases.assertSteps(4);
    INDArray first = trainer.network().parameters().get(0).value().dup();
    trainer.trainOnBatch(batch, stage, 4, i -> {});
    assertEquals(
        first,
        trainer.network().parameters().get(0).value(),
        "each call starts from a fresh network of the same seed");
  }

  // ------------------------------------------------------------------ (a) determinism

  @Test
  void sameSeedGivesIdenticalRunsAndAnotherSeedDoesNot() throws Exception {
    ResolvedExperiment e = experiment(ALWAYS_ADVANCES, 3, 3);
    Recorder first = new Recorder();
    Recorder second = new Recorder();
    TrainingResult r1 = trainer(e, first, new StopSignal()).run();
    TrainingResult r2 = trainer(e, second, new StopSignal()).run();

    assertEquals(r1, r2);
    assertEquals(3, first.epochs.size());
    for (int i = 0; i < first.epochs.size(); i++) {
      EpochReport a = first.epochs.get(i);
      EpochReport b = second.epochs.get(i);
      assertEquals(a.epoch(), b.epoch());
      assertEquals(a.step(), b.step());
      assertEquals(a.stage(), b.stage());
      assertArrayEquals(a.loss(), b.loss(), 0.0, "evaluation loss of epoch " + a.epoch());
      assertArrayEquals(a.accuracy(), b.accuracy(), 0.0, "accuracy of epoch " + a.epoch());
      assertEquals(a.trainLoss(), b.trainLoss(), 0.0);
      assertEquals(a.decision(), b.decision());
    }
    assertArrayEquals(first.stepLosses(), second.stepLosses(), 0.0);
    assertEquals(first.checkpointNames(), second.checkpointNames());
    CheckpointEvent final1 = first.only("final");
    CheckpointEvent final2 = second.only("final");
    assertEquals(final1.tensors().keySet(), final2.tensors().keySet());
    final1
        .tensors()
        .forEach((name, value) -> assertEquals(value, final2.tensors().get(name), "final " + name));

    Recorder other = new Recorder();
    trainer(experiment(ALWAYS_ADVANCES, 3, 3, "seed=6"), other, new StopSignal()).run();
    assertFalse(
        Arrays.equals(first.stepLosses(), other.stepLosses()), "another seed, other losses");
    CheckpointEvent finalOther = other.only("final");
    assertFalse(
        final1.tensors().get("w_rec").equals(finalOther.tensors().get("w_rec")),
        "another seed, other weights");
  }

  @Test
  void trainingChangesTheParametersAndReportsFiniteLosses() throws Exception {
    Recorder recorder = new Recorder();
    Trainer trainer = trainer(experiment(NEVER_ADVANCES, 3, 2), recorder, new StopSignal());
    trainer.run();
    assertEquals(List.of(6L), recorder.started);
    assertEquals(6, recorder.steps.size());
    for (double[] s : recorder.steps) {
      assertTrue(Double.isFinite(s[2]) && s[2] > 0, "cross-entropy is positive: " + s[2]);
    }
    for (EpochReport r : recorder.epochs) {
      assertEquals(1, r.loss().length);
      assertTrue(r.accuracy()[0] >= 0 && r.accuracy()[0] <= 1);
      assertTrue(Double.isFinite(r.loss()[0]));
      assertEquals(Map.of(), r.regularizers());
    }
    // the live network is what the final checkpoint saved
    CheckpointEvent last = recorder.only("final");
    for (Parameter p : trainer.network().parameters()) {
      assertEquals(last.tensors().get(p.name()), p.value(), p.name());
    }
    // and it moved away from its initialisation
    Recorder fresh = new Recorder();
    trainer(
            experiment(NEVER_ADVANCES, 1, 1, "training.optimizer.lr=1.0e-9"),
            fresh,
            new StopSignal())
        .run();
    INDArray barelyTrained = fresh.only("final").tensors().get("w_in");
    assertFalse(barelyTrained.equalsWithEps(last.tensors().get("w_in"), 1e-4));
  }

  // ------------------------------------------------------------------ (b) stop signal

  @Test
  void aStopRequestedMidEpochEndsTheRunAfterThatStep() throws Exception {
    StopSignal stop = new StopSignal();
    Recorder recorder =
        new Recorder() {
          @Override
          public void step(int epoch, long step, double loss) {
            super.step(epoch, step, loss);
            if (step == 4) {
              stop.request();
            }
          }
        };
    TrainingResult result = trainer(experiment(NEVER_ADVANCES, 3, 10), recorder, stop).run();

    assertEquals(TrainingResult.Reason.STOPPED, result.reason());
    assertEquals(4, result.steps());
    assertEquals(4, recorder.steps.size(), "no step after the request");
    assertEquals(2, result.epochs(), "the interrupted epoch counts and is evaluated");
    assertEquals(List.of(1, 2), recorder.epochs.stream().map(EpochReport::epoch).toList());
    assertEquals(List.of("final"), recorder.checkpointNames());
    CheckpointEvent last = recorder.only("final");
    assertEquals("stopped", last.extra().get("reason"));
    assertEquals(4, last.step());
    assertEquals(2, last.epoch());
    assertEquals(List.of(result), recorder.finished);
  }

  @Test
  void aStopRequestedAtTheEndOfAnEpochDoesNotStartAnother() throws Exception {
    StopSignal stop = new StopSignal();
    Recorder recorder =
        new Recorder() {
          @Override
          public void step(int epoch, long step, double loss) {
            super.step(epoch, step, loss);
            if (step == 3) {
              stop.request();
            }
          }
        };
    TrainingResult result = trainer(experiment(NEVER_ADVANCES, 3, 10), recorder, stop).run();

    assertEquals(TrainingResult.Reason.STOPPED, result.reason());
    assertEquals(3, result.steps());
    assertEquals(1, result.epochs());
    assertEquals(1, recorder.epochs.size());
    CheckpointEvent last = recorder.only("final");
    assertEquals("stopped", last.extra().get("reason"));
    assertEquals(1, last.epoch());
    assertEquals(3, last.step());
  }

  // ------------------------------------------------------------------ (c) divergence

  /** N-parity, but every training batch from the {@code firstNan}-th on has NaN inputs. */
  static final class NanInputsTask<C extends Record> implements Task<C> {
    private final Task<C> delegate;
    private final int trainingBatchSize;
    private final int firstNan;
    private int trainingBatches;

    NanInputsTask(Task<C> delegate, int trainingBatchSize, int firstNan) {
      this.delegate = delegate;
      this.trainingBatchSize = trainingBatchSize;
      this.firstNan = firstNan;
    }

    @Override
    public PluginInfo info() {
      return new PluginInfo("nan-parity", "NaN inputs", "");
    }

    @Override
    public Class<C> configType() {
      return delegate.configType();
    }

    @Override
    public C defaults() {
      return delegate.defaults();
    }

    @Override
    public int inputSize(C config) {
      return delegate.inputSize(config);
    }

    @Override
    public int outputSize(C config) {
      return delegate.outputSize(config);
    }

    @Override
    public LossKind lossKind(C config) {
      return delegate.lossKind(config);
    }

    @Override
    public int minLevel(C config) {
      return delegate.minLevel(config);
    }

    @Override
    public Batch sample(C config, int[] levels, int batchSize, RandomGenerator rng) {
      Batch batch = delegate.sample(config, levels, batchSize, rng);
      if (batchSize != trainingBatchSize || ++trainingBatches < firstNan) {
        return batch;
      }
      float[] inputs = new float[batch.inputs().length];
      Arrays.fill(inputs, Float.NaN);
      return new Batch(batch.steps(), batch.batch(), batch.inputSize(), inputs, batch.targets());
    }
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void nanLossThrowsNamingEpochAndStepAndKeepsEarlierCheckpoints() throws Exception {
    ResolvedExperiment base = experiment(ALWAYS_ADVANCES, 2, 10);
    Task parity = (Task) base.task().plugin().plugin();
    Recorder recorder = new Recorder();
    // the run's task swapped in its injector: parity, with NaN inputs from the 3rd batch on
    Trainer trainer =
        RunBindings.trainer(
            base,
            recorder,
            new StopSignal(),
            RunBindings.task(new NanInputsTask<>(parity, 16, 3), base.task().config()));

    TrainingDivergedException thrown = assertThrows(TrainingDivergedException.class, trainer::run);
    String message = thrown.getMessage();
    assertTrue(message.contains("NaN"), message);
    assertTrue(message.contains("epoch 2"), message);
    assertTrue(message.contains("step 1 of the epoch"), message);
    assertTrue(message.contains("training step 3"), message);
    assertTrue(message.contains("N=2..3"), message);
    // the cause is named (the task's inputs, not the optimizer), and so is a fix that fits it
    assertTrue(message.contains("the inputs of task 'nan-parity' contain NaN"), message);
    assertTrue(message.contains("Fix: check the task's configuration"), message);

    // epoch 1 trained, was evaluated and advanced (checkpoint); no step 3, no final, no finish
    assertEquals(2, recorder.steps.size());
    assertEquals(1, recorder.epochs.size());
    assertEquals(List.of("advance-e0001-N2"), recorder.checkpointNames());
    CheckpointEvent advance = recorder.checkpoints.get(0);
    assertEquals("advance", advance.extra().get("reason"));
    advance
        .tensors()
        .forEach(
            (name, value) -> assertTrue(allFinite(value), "checkpointed " + name + " is finite"));
    assertEquals(List.of(), recorder.finished);
    // the diverged step did not update the network
    for (Parameter p : trainer.network().parameters()) {
      assertTrue(allFinite(p.value()), p.name() + " is finite");
      if (p.trainable()) {
        assertEquals(
            advance.tensors().get(p.name()),
            p.value(),
            p.name() + " unchanged since the last good step");
      }
    }
  }

  // ------------------------------------------------------------------ (d) max epochs

  @Test
  void reachingMaxEpochsEndsWithExactlyOneFinalCheckpoint() throws Exception {
    Recorder recorder = new Recorder();
    TrainingResult result =
        trainer(experiment(NEVER_ADVANCES, 2, 3), recorder, new StopSignal()).run();

    assertEquals(TrainingResult.Reason.MAX_EPOCHS, result.reason());
    assertEquals(3, result.epochs());
    assertEquals(6, result.steps());
    assertEquals(0, result.maxLevelSolved());
    assertEquals(List.of(6L), recorder.started);
    assertEquals(List.of(1, 2, 3), recorder.epochs.stream().map(EpochReport::epoch).toList());
    assertEquals(List.of(2L, 4L, 6L), recorder.epochs.stream().map(EpochReport::step).toList());
    recorder.epochs.forEach(r -> assertEquals(Decision.Outcome.STAY, r.decision().outcome()));
    assertEquals(List.of("final"), recorder.checkpointNames());
    CheckpointEvent last = recorder.only("final");
    assertEquals("max_epochs", last.extra().get("reason"));
    assertEquals(3, last.epoch());
    assertEquals(6, last.step());
    assertArrayEquals(new int[] {2}, last.levels());
    assertEquals(List.of(result), recorder.finished);
  }

  // ------------------------------------------------------------------ (e) heads on demand

  @Test
  void multiHeadCreatesOneHeadPerAdvance() throws Exception {
    // threshold 0.01: every evaluation passes; 2 → {2,3} → {2,3,4} → {2,3,4,5}, then finish
    Recorder recorder = new Recorder();
    TrainingResult result =
        trainer(
                experiment("{id: multi-head, threshold: 0.01, max-level: 5}", 2, 10),
                recorder,
                new StopSignal())
            .run();

    assertEquals(TrainingResult.Reason.CURRICULUM_FINISHED, result.reason());
    assertEquals(4, result.epochs());
    assertEquals(5, result.maxLevelSolved());
    assertEquals(
        List.of("advance-e0001-N2", "advance-e0002-N3", "advance-e0003-N4", "final"),
        recorder.checkpointNames());
    for (int k = 0; k < 3; k++) {
      CheckpointEvent advance = recorder.checkpoints.get(k);
      assertEquals(headNames(range(k + 1)), advance.headTensors(), advance.name());
    }
    CheckpointEvent last = recorder.only("final");
    assertEquals("curriculum_finished", last.extra().get("reason"));
    assertEquals(headNames(0, 1, 2, 3), last.headTensors(), "k = 3 advances: head_0 … head_3");
    assertEquals(List.of(0, 1, 2, 3), last.heads());
    assertArrayEquals(new int[] {2, 3, 4, 5}, last.levels());
    for (int k = 0; k <= 3; k++) {
      assertArrayEquals(new long[] {2, 8}, last.tensors().get(ReadoutHeads.weightName(k)).shape());
      assertArrayEquals(new long[] {2}, last.tensors().get(ReadoutHeads.biasName(k)).shape());
    }
    // every epoch reports one loss and accuracy per active level
    for (EpochReport r : recorder.epochs) {
      assertEquals(r.stage().assignments().size(), r.loss().length);
      assertEquals(r.epoch(), r.stage().assignments().size());
    }
  }

  @Test
  void singleHeadKeepsOnlyHeadZero() throws Exception {
    Recorder recorder = new Recorder();
    TrainingResult result =
        trainer(
                experiment("{id: single-head, threshold: 0.01, max-level: 4}", 2, 10),
                recorder,
                new StopSignal())
            .run();

    assertEquals(TrainingResult.Reason.CURRICULUM_FINISHED, result.reason());
    assertEquals(4, result.maxLevelSolved());
    assertEquals(
        List.of("advance-e0001-N2", "advance-e0002-N3", "final"), recorder.checkpointNames());
    for (CheckpointEvent c : recorder.checkpoints) {
      assertEquals(headNames(0), c.headTensors(), c.name());
    }
    assertArrayEquals(new int[] {4}, recorder.only("final").levels());
  }

  /**
   * The final checkpoint of a run that ends (by max-epochs or a stop request) right after an
   * advance names the new stage, whose newest head has never been evaluated and so never created:
   * every head its "assignments" name must be saved with it.
   */
  @Test
  void finalCheckpointAfterAnAdvanceHoldsEveryHeadItsAssignmentsName() throws Exception {
    Recorder recorder = new Recorder();
    TrainingResult result =
        trainer(experiment(ALWAYS_ADVANCES, 2, 2), recorder, new StopSignal()).run();

    assertEquals(TrainingResult.Reason.MAX_EPOCHS, result.reason());
    assertEquals(
        List.of("advance-e0001-N2", "advance-e0002-N3", "final"), recorder.checkpointNames());
    CheckpointEvent last = recorder.only("final");
    assertEquals(List.of(0, 1, 2), last.heads(), "two advances: the stage serves heads 0, 1, 2");
    assertEquals(
        headNames(0, 1, 2),
        last.headTensors(),
        "k = 2 advances: the final checkpoint must hold head_0 … head_2");
  }

  /** Records what the trainer hands a regularizer; contributes a constant term of 0.25. */
  static final class RecordingRegularizer
      implements engram.api.Regularizer<RecordingRegularizer.Config> {
    record Config() {}

    final List<Long> hiddenSteps = new java.util.ArrayList<>();
    final List<Long> parameterSteps = new java.util.ArrayList<>();
    final List<Integer> batchSteps = new java.util.ArrayList<>();
    final List<Double> accuracies = new java.util.ArrayList<>();

    @Override
    public engram.api.PluginInfo info() {
      return new engram.api.PluginInfo("recording", "", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config();
    }

    @Override
    public double onHidden(Config config, HiddenInput input) {
      hiddenSteps.add(input.step());
      accuracies.add(input.accuracy());
      batchSteps.add(input.batch().steps());
      assertEquals(input.batch().steps(), input.hidden().size(0), "hidden and batch share T");
      assertArrayEquals(input.hidden().shape(), input.dLdh().shape());
      return 0.25;
    }

    @Override
    public double onParameters(Config config, ParameterInput input) {
      parameterSteps.add(input.step());
      assertTrue(input.gradients().containsKey("w_rec"), input.gradients().keySet().toString());
      return 0;
    }
  }

  @Test
  void regularizersSeeTheBatchAndTheStepAndTheirTermIsReportedAndAddedToTheLoss() throws Exception {
    ResolvedExperiment base = experiment(NEVER_ADVANCES, 3, 2);
    RecordingRegularizer reg = new RecordingRegularizer();
    Recorder with = new Recorder();
    RunBindings.trainer(
            base,
            with,
            new StopSignal(),
            RunBindings.regularizer(reg, new RecordingRegularizer.Config()))
        .run();
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), reg.hiddenSteps);
    assertEquals(reg.hiddenSteps, reg.parameterSteps);
    for (EpochReport r : with.epochs) {
      assertEquals(0.25, r.regularizers().get("recording"), 0.0);
    }
    // accuracy: NaN during epoch 1 (3 steps), then the mean accuracy of epoch 1's evaluation
    for (int i = 0; i < 3; i++) {
      assertTrue(Double.isNaN(reg.accuracies.get(i)), reg.accuracies.toString());
    }
    for (int i = 3; i < 6; i++) {
      assertEquals(with.epochs.get(0).meanAccuracy(), reg.accuracies.get(i), 0.0);
    }
    Recorder without = new Recorder();
    trainer(base, without, new StopSignal()).run();
    // same seed, same data: the first step's loss differs by exactly the term
    assertEquals(without.steps.get(0)[2] + 0.25, with.steps.get(0)[2], 1e-12);
  }

  @Test
  void scheduledCheckpointsFollowEveryAndLogSpacedEpochsWithoutDuplicatingAdvances()
      throws Exception {
    Recorder every = new Recorder();
    trainer(experiment(NEVER_ADVANCES, 1, 7, "output.checkpoint-every=3"), every, new StopSignal())
        .run();
    assertEquals(
        List.of("epoch-0003", "epoch-0006", "final"),
        every.checkpoints.stream().map(CheckpointEvent::name).toList());
    assertEquals("schedule", every.checkpoints.get(0).extra().get("reason"));
    Recorder log = new Recorder();
    trainer(
            experiment(NEVER_ADVANCES, 1, 9, "output.checkpoint-log-spaced=true"),
            log,
            new StopSignal())
        .run();
    assertEquals(
        List.of("epoch-0001", "epoch-0002", "epoch-0004", "epoch-0008", "final"),
        log.checkpoints.stream().map(CheckpointEvent::name).toList());
    Recorder advancing = new Recorder();
    trainer(
            experiment(ALWAYS_ADVANCES, 1, 2, "output.checkpoint-every=1"),
            advancing,
            new StopSignal())
        .run();
    assertEquals(
        List.of("advance-e0001-N2", "advance-e0002-N3", "final"),
        advancing.checkpoints.stream().map(CheckpointEvent::name).toList());
  }
}
