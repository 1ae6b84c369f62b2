package engram.core.train;

import engram.api.Curriculum;
import engram.api.Network;
import engram.api.Parameter;
import engram.api.Regularizer;
import engram.api.Task;
import engram.api.Trajectory;
import engram.api.curriculum.Decision;
import engram.api.curriculum.Stage;
import engram.api.task.Batch;
import engram.api.task.FiniteConditions;
import engram.core.config.LevelName;
import engram.core.config.OutputConfig;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.core.config.TrainingConfig;
import engram.core.step.StepObserver;
import engram.core.step.StepObserver.Phase;
import engram.kernels.HostLoops;
import engram.runtime.Constraints;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.function.IntConsumer;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: sample → forward → heads and loss → regularizers → BPTT → clip → update, an
 * evaluation on fresh batches after every epoch, and the curriculum's decision. With {@code
 * training.full-batch-copies} every step trains on the task's whole condition set instead of a
 * sample; with {@code output.trace-every} every k-th step reports a {@link TraceRow}; {@code
 * output.checkpoint-steps} adds checkpoints by step. Every training step reports its phases to a
 * {@link StepObserver} when one is given.
 *
 * <p>Random streams (all from the run seed): {@code model-init}, {@code heads-init}, {@code
 * train-data}, {@code train-h0}, {@code train-noise}, {@code eval-data}, {@code eval-h0}. One
 * trainer runs on one thread.
 *
 * <p>{@link #resume} continues a run from a {@link ResumeState}, which the loop hands to the
 * observers on the schedule of {@code output.resume-every} / {@code output.resume-minutes} and at a
 * stop; the loop's counters live in {@link Progress}, its streams in {@link TrainingStreams}.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private final ResolvedExperiment experiment;
  private final RandomStreams streams;
  private final DataType dataType;
  private final Provider<Network> networks;
  private final TrainingObserver observer;
  private final StepObserver stepObserver;
  private final boolean timed; // whether steps are observed: the clock is read only then
  private final StopSignal stop;

  private final Task<Record> task;

  private final Record taskConfig;

  private final Curriculum<Record> curriculum;

  private final Record curriculumConfig;

  private Network network;
  private ReadoutHeads heads;
  private SplitMixRandom headsRng; // the heads' stream: its position is part of a resume state
  private double lastAccuracy = Double.NaN; // mean accuracy of the latest evaluation
  private boolean interrupted; // the training thread was interrupted during this run

  /**
   * Built by the run's injector ({@code engram.core.inject.ExperimentModule}).
   *
   * @param networks a fresh network of the run's model per call, initialised from the stream {@code
   *     model-init}; each {@link #run} starts from a new one
   * @param observer receives progress, epochs and checkpoints
   * @param stepObserver receives the phases of every training step; {@link StepObserver#NONE} (the
   *     usual case) costs nothing
   * @param stop checked before every step; an interrupt of the training thread asks for the same
   *     stop (see {@link #run(Map)})
   */
  @Inject
  public Trainer(
      ResolvedExperiment experiment,
      RandomStreams streams,
      DataType dataType,
      Provider<Network> networks,
      TrainingObserver observer,
      StepObserver stepObserver,
      StopSignal stop) {
    this.experiment = experiment;
    this.streams = streams;
    this.dataType = dataType;
    this.networks = networks;
    this.observer = observer;
    this.stepObserver = stepObserver;
    this.timed = stepObserver != StepObserver.NONE;
    this.stop = stop;
    // Unchecked: the registry holds plugins of every config type. Safe because each config below
    // was parsed into the config type of the very plugin it is passed to (ResolvedExperiment).
    @SuppressWarnings("unchecked")
    Task<Record> typedTask = (Task<Record>) experiment.task().plugin().plugin();
    this.task = typedTask;
    this.taskConfig = experiment.task().config();
    @SuppressWarnings("unchecked") // as the task's
    Curriculum<Record> typedCurriculum =
        (Curriculum<Record>) experiment.curriculum().plugin().plugin();
    this.curriculum = typedCurriculum;
    this.curriculumConfig = experiment.curriculum().config();
  }

  /** The network being trained (after {@link #run()} started), for tests and analyses. */
  public Network network() {
    return network;
  }

  public TrainingResult run() {
    return run(Map.of());
  }

  /**
   * Trains starting from saved values: every network parameter named in {@code initial} is
   * overwritten after initialisation (readout heads start fresh). Used to retrain a copy of a
   * checkpoint (transfer analyses).
   *
   * <p>A stop request ({@link StopSignal}, Ctrl-C) or an interrupt of the training thread ends the
   * run after the current step, with reason {@code STOPPED}, a resume checkpoint (when {@code
   * output.resume-*} is on) and the {@code final} checkpoint. The interrupt flag is cleared when it
   * is seen (so that it cannot break the writes of the last checkpoint) and set again before this
   * method returns.
   *
   * @throws IllegalStateException when a saved tensor's shape does not fit the network
   */
  public TrainingResult run(Map<String, INDArray> initial) {
    Map<String, INDArray> modelGrads = initialise(initial);
    lastAccuracy = Double.NaN;
    return train(
        Progress.start(curriculum.start(curriculumConfig)),
        Optimizer.create(experiment.training().optimizer()),
        modelGrads,
        TrainingStreams.fresh(streams),
        0,
        -1);
  }

  /**
   * Continues a run from a resume checkpoint exactly: the network, heads, optimizer, random
   * streams, counters, stage and the open epoch's sums are those of {@code saved}, so the run makes
   * the steps and reports the epochs, trace rows and checkpoints that the run which wrote {@code
   * saved} would have made after it, bit for bit (only {@code wall_seconds} measures this process's
   * time, added to {@link ResumeState#wallSeconds}). Stops as {@link #run(Map)} does.
   *
   * @throws IllegalStateException when {@code saved} does not fit this run: a network tensor or a
   *     head missing or of another shape, optimizer state of another kind, a stream missing, or
   *     heads whose replayed initialisation leaves {@code heads-init} elsewhere than saved
   */
  public TrainingResult resume(ResumeState saved) {
    Map<String, INDArray> modelGrads = initialise(saved.network());
    ResumeStates.restore(saved, network, heads, headsRng);
    Optimizer optimizer = Optimizer.create(experiment.training().optimizer());
    optimizer.restore(saved.optimizer());
    lastAccuracy = saved.lastAccuracy();
    return train(
        Progress.of(saved),
        optimizer,
        modelGrads,
        TrainingStreams.at(saved.streams()),
        saved.wallSeconds(),
        saved.step());
  }

  /**
   * The training loop from {@code p} on: epochs of steps, each epoch evaluated and decided by the
   * curriculum, checkpoints and resume checkpoints as scheduled, {@code final} at the end.
   *
   * @param wallBefore training seconds before this process (0 for a new run)
   * @param resumedAt the step of the resume checkpoint continued from, -1 for a new run
   */
  private TrainingResult train(
      Progress p,
      Optimizer optimizer,
      Map<String, INDArray> modelGrads,
      TrainingStreams rng,
      double wallBefore,
      long resumedAt) {
    TrainingConfig training = experiment.training();
    String levelName = LevelName.of(experiment);
    interrupted = false;
    long started = System.nanoTime();
    DoubleSupplier wall = () -> wallBefore + seconds(started);
    TrainingResult.Reason reason = TrainingResult.Reason.MAX_EPOCHS;
    observer.started((long) training.maxEpochs() * training.stepsPerEpoch());
    Workspace workspace = new Workspace();
    int traceEvery = experiment.output().traceEvery();
    OutputConfig.StepSchedule stepCheckpoints = experiment.output().stepSchedule();
    ResumeSchedule resumes = new ResumeSchedule(experiment.output(), resumedAt);
    Optional<String> recurrent = network.cell().recurrentWeights();

    while (p.open || p.epoch < training.maxEpochs()) {
      if (!p.open) {
        p.beginEpoch();
      }
      while (p.stepsInEpoch < training.stepsPerEpoch()) {
        if (stopRequested()) {
          reason = TrainingResult.Reason.STOPPED;
          break;
        }
        Batch batch = trainingBatch(p.stage, training, rng.trainData, workspace);
        workspace.traceDue = traceEvery > 0 && (p.step + 1) % traceEvery == 0;
        double loss =
            trainStep(
                batch,
                p.stage,
                training,
                optimizer,
                modelGrads,
                rng.trainH0,
                rng.trainNoise,
                p.regularizerSums,
                workspace,
                p.step);
        p.step++;
        p.stepsInEpoch++;
        if (!Double.isFinite(loss)) {
          throw diverged(loss, p, levelName, workspace.divergence);
        }
        p.lossSum += loss;
        observer.step(p.epoch, p.step, loss);
        if (workspace.traceDue) {
          observer.trace(
              new TraceRow(
                  p.step,
                  p.epoch,
                  p.stage.maxLevel(),
                  workspace.taskLoss,
                  workspace.batchAccuracy,
                  workspace.gradNormRec,
                  recurrent.map(name -> frobenius(parameter(name).value())).orElse(Double.NaN)));
        }
        if (stepCheckpoints.due(p.step)) {
          checkpoint(String.format("step-%08d", p.step), p.epoch, p.step, p.stage, "step-schedule");
        }
        if (p.stepsInEpoch < training.stepsPerEpoch() && resumes.dueAfterStep(p.step)) {
          resumePoint(p, optimizer, rng, wall, resumes);
        }
      }
      if (reason == TrainingResult.Reason.STOPPED) {
        if (p.stepsInEpoch == 0) {
          p.abandonEpoch();
        }
        if (resumes.dueAtStop(p.step)) {
          resumePoint(p, optimizer, rng, wall, resumes); // before a partial epoch is evaluated
        }
        if (!p.open) {
          break;
        }
      }
      ReadoutHeads.Scores scores = evaluate(p.stage, rng.evalData, rng.evalH0, workspace);
      Decision decision = curriculum.decide(curriculumConfig, p.stage, scores.accuracy());
      lastAccuracy = Arrays.stream(scores.accuracy()).average().orElse(Double.NaN);
      Map<String, Double> regMeans = new LinkedHashMap<>();
      final int n = p.stepsInEpoch;
      p.regularizerSums.forEach((k, v) -> regMeans.put(k, v / n));
      observer.epoch(
          new EpochReport(
              p.epoch,
              p.step,
              p.stage,
              levelName,
              scores.loss(),
              scores.accuracy(),
              p.lossSum / n,
              regMeans,
              wall.getAsDouble(),
              decision));
      if (decision.outcome() != Decision.Outcome.STAY) {
        p.maxSolved = Math.max(p.maxSolved, p.stage.maxLevel());
      }
      if (decision.outcome() == Decision.Outcome.ADVANCE) {
        checkpoint(
            String.format("advance-e%04d-N%d", p.epoch, p.stage.maxLevel()),
            p.epoch,
            p.step,
            p.stage,
            "advance");
      } else if (experiment.output().scheduled(p.epoch)) {
        checkpoint(String.format("epoch-%04d", p.epoch), p.epoch, p.step, p.stage, "schedule");
      }
      if (decision.outcome() == Decision.Outcome.ADVANCE) {
        p.stage = decision.next();
      } else if (decision.outcome() == Decision.Outcome.FINISH) {
        reason = TrainingResult.Reason.CURRICULUM_FINISHED;
      }
      p.endEpoch();
      if (reason != TrainingResult.Reason.MAX_EPOCHS) {
        break; // stopped, or the curriculum finished
      }
      if (p.epoch < training.maxEpochs() && resumes.dueAfterEpoch(p.epoch, p.step)) {
        resumePoint(p, optimizer, rng, wall, resumes);
      }
    }
    if (stopRequested()) {
      reason = TrainingResult.Reason.STOPPED;
    }
    checkpoint("final", p.epoch, p.step, p.stage, reason.name().toLowerCase(Locale.ROOT));
    TrainingResult result = new TrainingResult(p.epoch, p.step, p.stage, p.maxSolved, reason);
    LOG.info("Training ended: {}", result);
    observer.finished(result);
    if (interrupted) {
      Thread.currentThread().interrupt(); // the caller may want to know
    }
    return result;
  }

  /** Hands the state of the run at {@code p} to the observers as a resume checkpoint. */
  private void resumePoint(
      Progress p,
      Optimizer optimizer,
      TrainingStreams rng,
      DoubleSupplier wall,
      ResumeSchedule resumes) {
    long begun = System.nanoTime();
    observer.resumePoint(
        ResumeStates.capture(
            p, network, heads, headsRng, rng, optimizer, lastAccuracy, wall.getAsDouble()));
    resumes.written(p.step);
    LOG.info(
        "resume checkpoint at epoch {}, step {} written in {} ms",
        p.epoch,
        p.step,
        (System.nanoTime() - begun) / 1_000_000);
  }

  private TrainingDivergedException diverged(
      double loss, Progress p, String levelName, Divergence d) {
    LOG.error("Training diverged at epoch {}, training step {}: {}", p.epoch, p.step, d.term());
    return new TrainingDivergedException(
        "The training loss became "
            + loss
            + " at epoch "
            + p.epoch
            + ", step "
            + p.stepsInEpoch
            + " of the epoch (training step "
            + p.step
            + ", levels "
            + LevelName.range(levelName, p.stage.levels())
            + "): "
            + d.term()
            + " is not finite. Checkpoints written before stay intact. Fix: "
            + d.fix()
            + ".");
  }

  /**
   * Whether to stop now: a stop request, or an interrupt of this thread (seen once, remembered).
   */
  private boolean stopRequested() {
    if (Thread.interrupted()) {
      interrupted = true;
      LOG.info("The training thread was interrupted: stopping after this step");
    }
    return interrupted || stop.requested();
  }

  /**
   * Creates the network (overwriting the parameters named in {@code initial}) and the readout
   * heads; returns a zeroed gradient buffer per trainable network parameter.
   */
  private Map<String, INDArray> initialise(Map<String, INDArray> initial) {
    network = networks.get();
    for (Parameter p : network.parameters()) {
      INDArray saved = initial.get(p.name());
      if (saved != null) {
        if (!java.util.Arrays.equals(saved.shape(), p.value().shape())) {
          throw new IllegalStateException(
              "saved tensor '"
                  + p.name()
                  + "' has shape "
                  + java.util.Arrays.toString(saved.shape())
                  + " but the network needs "
                  + java.util.Arrays.toString(p.value().shape()));
        }
        p.value().assign(saved.castTo(dataType));
      }
    }
    network.constrain();
    headsRng = streams.stream(ResumeStates.HEADS_INIT);
    heads = new ReadoutHeads(network.hiddenSize(), task.outputSize(taskConfig), dataType, headsRng);
    Map<String, INDArray> modelGrads = new LinkedHashMap<>();
    for (Parameter p : network.parameters()) {
      if (p.trainable()) {
        modelGrads.put(p.name(), p.value().ulike());
      }
    }
    return modelGrads;
  }

  /**
   * Initialises a fresh network and heads as {@link #run()} does, then runs {@code steps} ordinary
   * training steps (forward, heads and loss, regularizers, BPTT, clip, optimizer update — the code
   * of {@link #run()}, phases reported to this trainer's {@link StepObserver}) all on the same
   * {@code batch} and {@code stage}, with no evaluation, curriculum or checkpoint. Nothing is
   * written. The implementation of {@link engram.core.step.FixedBatchTrainer#train}.
   *
   * @param afterStep called after each step with its index, outside the step's phases
   * @throws TrainingDivergedException when the loss stops being finite
   */
  public void trainOnBatch(Batch batch, Stage stage, int steps, IntConsumer afterStep) {
    TrainingConfig training = experiment.training();
    Map<String, INDArray> modelGrads = initialise(Map.of());
    Optimizer optimizer = Optimizer.create(training.optimizer());
    RandomGenerator trainH0 = streams.stream(TrainingStreams.TRAIN_H0);
    RandomGenerator trainNoise = streams.stream(TrainingStreams.TRAIN_NOISE);
    Map<String, Double> regSums = new LinkedHashMap<>();
    Workspace workspace = new Workspace();
    for (int s = 0; s < steps; s++) {
      double loss =
          trainStep(
              batch,
              stage,
              training,
              optimizer,
              modelGrads,
              trainH0,
              trainNoise,
              regSums,
              workspace,
              s);
      if (!Double.isFinite(loss)) {
        Divergence d = workspace.divergence;
        throw new TrainingDivergedException(
            "The training loss on the fixed batch became "
                + loss
                + " at step "
                + (s + 1)
                + ": "
                + d.term()
                + " is not finite. Fix: "
                + d.fix()
                + ".");
      }
      afterStep.accept(s);
    }
  }

  @SuppressWarnings("unchecked")
  private double trainStep(
      Batch batch,
      Stage stage,
      TrainingConfig training,
      Optimizer optimizer,
      Map<String, INDArray> modelGrads,
      RandomGenerator h0Rng,
      RandomGenerator noise,
      Map<String, Double> regSums,
      Workspace workspace,
      long step) {
    long mark = timed ? System.nanoTime() : 0;
    INDArray inputs = toArray(batch);
    INDArray h0 = network.initialState(batch.batch(), h0Rng);
    INDArray drive =
        perturb(experiment.regularizers(), network.hiddenSize(), inputs, batch, step, noise);
    mark = phaseEnded(Phase.INPUTS, mark);
    Trajectory trajectory = network.forward(inputs, h0, drive);
    mark = phaseEnded(Phase.FORWARD, mark);
    INDArray hidden = trajectory.hidden();
    INDArray dLdh = workspace.zeros(hidden);
    ReadoutHeads.Scores scores = heads.evaluate(stage, batch, hidden, dLdh);
    double loss = sum(scores.loss());
    workspace.taskLoss = loss;
    workspace.batchAccuracy = mean(scores.accuracy());
    if (!Double.isFinite(loss)) {
      List<Parameter> all = new ArrayList<>(network.parameters());
      all.addAll(heads.all());
      workspace.divergence =
          Divergence.ofTaskLoss(
              experiment.task().plugin().id(),
              experiment.model().plugin().id(),
              inputs,
              hidden,
              all);
      return loss;
    }
    ExtraGradientBuffers extras =
        new ExtraGradientBuffers(network, experiment.model().plugin().id(), trajectory);
    List<PluginChoice> regularizers = experiment.regularizers();
    for (int k = 0; k < regularizers.size(); k++) {
      PluginChoice choice = regularizers.get(k);
      Regularizer<Record> reg = (Regularizer<Record>) choice.plugin().plugin();
      double term =
          reg.onHidden(
              choice.config(),
              new Regularizer.HiddenInput(
                  hidden, dLdh, batch, step, lastAccuracy, extras.extras(), extras));
      if (!Double.isFinite(term)) {
        workspace.divergence = Divergence.ofRegularizer(choice.plugin().id(), k, true);
        return term;
      }
      regSums.merge(choice.plugin().id(), term, Double::sum);
      loss += term;
    }
    mark = phaseEnded(Phase.LOSS, mark);
    network.backward(trajectory, dLdh, extras.gradients(), modelGrads);
    for (int k = 0; k < regularizers.size(); k++) {
      PluginChoice choice = regularizers.get(k);
      Regularizer<Record> reg = (Regularizer<Record>) choice.plugin().plugin();
      double term =
          reg.onParameters(
              choice.config(),
              new Regularizer.ParameterInput(network.parameters(), modelGrads, step));
      if (!Double.isFinite(term)) {
        workspace.divergence = Divergence.ofRegularizer(choice.plugin().id(), k, false);
        return term;
      }
      regSums.merge(choice.plugin().id(), term, Double::sum);
      loss += term;
    }
    if (!Double.isFinite(loss)) { // every term finite, their sum not
      workspace.divergence =
          new Divergence(
              "the sum of the task loss and the regularizer terms",
              "lower the regularizers' strengths (regularizers.<k>.lambda)");
      return loss;
    }
    mark = phaseEnded(Phase.BACKWARD, mark);
    List<Parameter> params = workspace.parameters;
    List<INDArray> grads = workspace.gradients;
    params.clear();
    grads.clear();
    for (Parameter p : network.parameters()) {
      if (p.trainable()) {
        params.add(p);
        grads.add(modelGrads.get(p.name()));
      }
    }
    heads.collect(stage, params, grads);
    // A parameter regularizer may have added to entries a constraint holds fixed.
    Constraints.projectGradients(params, grads);
    if (workspace.traceDue) {
      workspace.gradNormRec =
          network
              .cell()
              .recurrentWeights()
              .map(name -> frobenius(modelGrads.get(name)))
              .orElse(Double.NaN);
    }
    if (training.clip() > 0) {
      workspace.clip.clip(grads, training.clip());
    }
    for (int i = 0; i < params.size(); i++) {
      optimizer.update(params.get(i).name(), params.get(i).value(), grads.get(i));
    }
    network.constrain();
    phaseEnded(Phase.UPDATE, mark);
    return loss;
  }

  /**
   * Reports the time since {@code mark} as {@code phase} to the step observer and returns now (the
   * next phase's start); does nothing, not even read the clock, when nobody observes.
   */
  private long phaseEnded(Phase phase, long mark) {
    if (!timed) {
      return 0;
    }
    long now = System.nanoTime();
    stepObserver.phaseEnded(phase, now - mark);
    return now;
  }

  /**
   * Lets every regularizer perturb a training step: input noise in place, recurrent drives summed.
   * Shared with {@link Preflight}, so a model that cannot take a drive fails before the run.
   */
  @SuppressWarnings("unchecked")
  static INDArray perturb(
      List<PluginChoice> regularizers,
      int hiddenSize,
      INDArray inputs,
      Batch batch,
      long step,
      RandomGenerator noise) {
    INDArray drive = null;
    for (PluginChoice choice : regularizers) {
      Regularizer<Record> reg = (Regularizer<Record>) choice.plugin().plugin();
      INDArray d =
          reg.perturb(
              choice.config(),
              new Regularizer.PerturbationInput(inputs, hiddenSize, batch, step, noise));
      if (d != null) {
        drive = drive == null ? d : drive.addi(d);
      }
    }
    return drive;
  }

  /**
   * Scales all gradients together so their global L2 norm is at most {@code maxNorm}, with a fresh
   * {@link GlobalNormClip} (a training run keeps one in its workspace).
   */
  static double clip(List<INDArray> grads, double maxNorm) {
    return new GlobalNormClip().clip(grads, maxNorm);
  }

  private ReadoutHeads.Scores evaluate(
      Stage stage, RandomGenerator data, RandomGenerator h0Rng, Workspace workspace) {
    int n = stage.assignments().size();
    double[] lossSum = new double[n];
    long[] counts = new long[n];
    long[] correct = new long[n];
    long[] judged = new long[n];
    for (int i = 0; i < experiment.evaluation().batches(); i++) {
      Batch batch =
          task.sample(taskConfig, stage.levels(), experiment.evaluation().batchSize(), data);
      Trajectory trajectory =
          network.forward(toArray(batch), network.initialState(batch.batch(), h0Rng));
      ReadoutHeads.Scores s = heads.evaluate(stage, batch, trajectory.hidden(), null);
      for (int a = 0; a < n; a++) {
        lossSum[a] += s.loss()[a] * s.counts()[a];
        counts[a] += s.counts()[a];
        correct[a] += s.correct()[a];
        judged[a] += s.judged()[a];
      }
    }
    double[] loss = new double[n];
    double[] accuracy = new double[n];
    for (int a = 0; a < n; a++) {
      loss[a] = counts[a] == 0 ? Double.NaN : lossSum[a] / counts[a];
      accuracy[a] = judged[a] == 0 ? Double.NaN : (double) correct[a] / judged[a];
    }
    return new ReadoutHeads.Scores(loss, accuracy, counts, correct, judged);
  }

  private void checkpoint(String name, int epoch, long step, Stage stage, String reason) {
    // A stage just advanced to has not been evaluated yet, so its new head may not exist; heads
    // are created in index order from their own stream, so creating it here changes no draw.
    stage.assignments().forEach(a -> heads.ensure(a.head()));
    List<Parameter> tensors = new ArrayList<>(network.parameters());
    tensors.addAll(heads.all());
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("reason", reason);
    List<Map<String, Integer>> assignments = new ArrayList<>();
    for (engram.api.curriculum.Assignment a : stage.assignments()) {
      // In this order in every JVM: Map.of's iteration order changes from one JVM to the next,
      // which made index.json differ between a run and its resumed continuation.
      Map<String, Integer> entry = new LinkedHashMap<>();
      entry.put("level", a.level());
      entry.put("head", a.head());
      assignments.add(entry);
    }
    extra.put("assignments", assignments);
    observer.checkpoint(name, epoch, step, stage.levels(), tensors, extra);
  }

  private INDArray toArray(Batch batch) {
    INDArray x =
        Nd4j.create(
            batch.inputs(),
            new long[] {batch.steps(), batch.batch(), batch.inputSize()},
            DataType.FLOAT);
    return dataType == DataType.FLOAT ? x : x.castTo(dataType);
  }

  /**
   * The batch of a training step: the task's whole set of conditions, {@code full-batch-copies}
   * times, when full batch is on (built once per set of levels and reused: it is deterministic);
   * otherwise {@code batch-size} sampled trials.
   */
  @SuppressWarnings("unchecked")
  private Batch trainingBatch(
      Stage stage, TrainingConfig training, RandomGenerator data, Workspace workspace) {
    if (training.fullBatchCopies() == 0) {
      return task.sample(taskConfig, stage.levels(), training.batchSize(), data);
    }
    if (workspace.fullBatch == null
        || !java.util.Arrays.equals(workspace.fullBatchLevels, stage.levels())) {
      if (!(task instanceof FiniteConditions<?> conditions)) {
        throw new IllegalStateException( // ExperimentChecks rejects this before any run starts
            "task '" + experiment.task().plugin().id() + "' has no finite set of conditions");
      }
      workspace.fullBatch =
          ((FiniteConditions<Record>) conditions)
              .conditions(taskConfig, stage.levels(), training.fullBatchCopies());
      workspace.fullBatchLevels = stage.levels().clone();
    }
    return workspace.fullBatch;
  }

  private Parameter parameter(String name) {
    for (Parameter p : network.parameters()) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "model '"
            + experiment.model().plugin().id()
            + "' names '"
            + name
            + "' as its recurrent weights, but has no parameter of that name");
  }

  /** ‖a‖_F, summed in double on the host (no ND4J op, so no per-op allocation). */
  private static double frobenius(INDArray a) {
    if (a == null) {
      return Double.NaN;
    }
    double[] values = new double[Math.toIntExact(a.length())];
    HostLoops.read(a, values);
    double sum = 0;
    for (double v : values) {
      sum += v * v;
    }
    return Math.sqrt(sum);
  }

  private static double mean(double[] values) {
    return java.util.Arrays.stream(values).average().orElse(Double.NaN);
  }

  private static double sum(double[] values) {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /**
   * What a training step reuses instead of allocating: dL/dh buffers, one per batch shape, grown
   * along time as needed; the lists of parameters and gradients to update; the clip's buffers.
   */
  private final class Workspace {
    private final Map<Long, INDArray> buffers = new HashMap<>();
    final List<Parameter> parameters = new ArrayList<>();
    final List<INDArray> gradients = new ArrayList<>();
    final GlobalNormClip clip = new GlobalNormClip();

    /** What made the latest non-finite loss non-finite (set when a step returns one). */
    Divergence divergence;

    /** The full batch of {@link #fullBatchLevels}, or null before the first full-batch step. */
    Batch fullBatch;

    int[] fullBatchLevels;

    /** Whether the current step's trace row is due: the step then measures ‖dL/dW_rec‖. */
    boolean traceDue;

    /** The latest step's task loss, batch accuracy and ‖dL/dW_rec‖ (when traced). */
    double taskLoss;

    double batchAccuracy;
    double gradNormRec = Double.NaN;

    INDArray zeros(INDArray like) {
      long steps = like.size(0);
      long batch = like.size(1);
      long hidden = like.size(2);
      INDArray buffer = buffers.get(batch);
      if (buffer == null || buffer.size(0) < steps) {
        buffer =
            Nd4j.create(
                dataType, Math.max(steps, buffer == null ? 0 : 2 * buffer.size(0)), batch, hidden);
        buffers.put(batch, buffer);
      }
      INDArray view =
          buffer.get(
              org.nd4j.linalg.indexing.NDArrayIndex.interval(0, steps),
              org.nd4j.linalg.indexing.NDArrayIndex.all(),
              org.nd4j.linalg.indexing.NDArrayIndex.all());
      // the network's backward overwrites dL/dh in place, so it is cleared every step
      return HostLoops.zero(view);
    }
  }
}
