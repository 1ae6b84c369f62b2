package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Module;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.ExperimentModule;
import engram.core.inject.Invocation;
import engram.core.inject.RunDirectoryModule;
import engram.core.plugin.PluginRegistry;
import engram.core.run.FakeDisk;
import engram.core.run.Provenance;
import engram.core.step.StepObserver;
import engram.core.train.TrainingObserver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test that decides {@code engram resume} (issue 16): a run trained straight, and the same run
 * killed at several points and resumed each time, must leave the same {@code metrics.csv} (every
 * column but {@code wall_seconds}, the only wall-clock column), the same {@code trace.csv} and
 * byte-identical checkpoints, {@code final} among them.
 *
 * <p>A kill is simulated in this process through the fault seams that {@link FaultInjectionTest}
 * uses (a {@link StepObserver} at a phase of a step, a {@link FakeDisk} at a file operation): at
 * that instant the run directory is copied — what a {@code kill -9} would leave on the disk, since
 * every write goes straight to the file (no user-space buffer) — and the run is aborted with an
 * {@link Error} nothing catches; the copy is then resumed. {@link KillNineResumeTest} kills a
 * separate JVM for real.
 *
 * <p>Two runs: the README's first example (leaky RNN, N-parity, multi-head curriculum, SGD with
 * Nesterov momentum) made tiny so that it advances within the budget; and a run with input and
 * recurrent noise (the {@code train-noise} stream), a temporal-consistency term whose schedule
 * turns on the latest evaluation's accuracy, and Adam.
 */
class ResumeExactnessTest {
  static final String CURRICULUM =
      """
      name: resume-curriculum
      seed: 1
      task: {id: n-parity}
      model: {id: leaky-rnn, hidden-size: 16}
      curriculum: {id: multi-head, start-level: 2, threshold: 0.9}
      training:
        batch-size: 32
        steps-per-epoch: 10
        max-epochs: 14
        clip: 2.0
        optimizer: {type: sgd, lr: 0.5, momentum: 0.1, nesterov: true}
      evaluation: {batches: 2, batch-size: 64}
      output: {checkpoint-every: 3, trace-every: 2, checkpoint-steps: "every:7", resume-every: 2}
      """;

  static final String NOISE =
      """
      name: resume-noise
      seed: 4
      task: {id: n-parity}
      model: {id: leaky-rnn, hidden-size: 12}
      curriculum: {id: single-head, start-level: 2, threshold: 0.9}
      regularizers:
        - {id: noise-injection, input-std: 0.1, recurrent-std: 0.05}
        - {id: temporal-consistency, lambda: 0.01, schedule: until-accuracy, until-accuracy: 0.7}
      training:
        batch-size: 16
        steps-per-epoch: 4
        max-epochs: 10
        optimizer: {type: adam, lr: 0.01}
      evaluation: {batches: 1, batch-size: 64}
      output: {trace-every: 3, resume-every: 3}
      """;

  private static PluginRegistry registry;

  @TempDir Path dir;

  @BeforeAll
  static void discover() {
    registry = PluginRegistry.discover(ResumeExactnessTest.class.getClassLoader());
  }

  /** Thrown to end a run at a simulated kill; nothing in Engram catches an Error of this kind. */
  static final class Killed extends Error {
    private static final long serialVersionUID = 1L;

    Killed(String where) {
      super("killed " + where);
    }
  }

  @Test
  void theCurriculumRunKilledDuringStepsAndCheckpointWritesResumesExactly() throws Exception {
    ResolvedExperiment e = load(CURRICULUM);
    Path straight = straight(e);
    List<String> levels =
        RunTrees.metricsWithoutWallClock(straight).stream().map(l -> l.split(",")[2]).toList();
    assertTrue(levels.contains("3"), "the tiny run should advance at least once: " + levels);

    // during the backward pass of step 27 (inside epoch 3; resume checkpoint at step 20)
    Path killed = killAtStep(e, "k27", 27, StepObserver.Phase.BACKWARD);
    resumeToEnd(killed, List.of());
    RunTrees.assertSameRun(straight, killed, "killed in step 27");

    // during the second resume checkpoint's write (step 40): at its first tensor, at its rename
    // into place, and at the pruning that the third one (step 60) does
    for (String at : List.of("WRITE .tmp-resume-s000000000040", "MOVE .tmp-resume-s000000000040")) {
      Path run =
          killAtFile(e, at.substring(0, at.indexOf(' ')).toLowerCase(Locale.ROOT), opAndPath(at));
      resumeToEnd(run, List.of());
      RunTrees.assertSameRun(straight, run, "killed at " + at);
    }
    Path pruning =
        killAtFile(
            e,
            "prune",
            (op, path) -> op == FakeDisk.Op.DELETE && path.toString().contains(".tmp-deleted-"));
    resumeToEnd(pruning, List.of());
    RunTrees.assertSameRun(straight, pruning, "killed while pruning");

    // killed twice: in step 27, then in the resumed process (from step 20) at its 25th step (45)
    Path twice = killAtStep(e, "twice", 27, StepObserver.Phase.FORWARD);
    Path again = dir.resolve("twice-again");
    try {
      resume(twice, List.of(stepFault(25, StepObserver.Phase.UPDATE, twice, again)));
    } catch (Killed expected) {
      // the second kill
    }
    resumeToEnd(again, List.of());
    RunTrees.assertSameRun(straight, again, "killed twice");
    Provenance p = Provenance.read(again.resolve("provenance.json"));
    assertEquals(2, p.resumes().size(), "two resumes recorded");
    assertEquals("resume/resume-s000000000020", p.resumes().get(0).fromCheckpoint());
    assertEquals("resume/resume-s000000000040", p.resumes().get(1).fromCheckpoint());
  }

  @Test
  void theCurriculumRunStoppedInsideAnEpochResumesExactly() throws Exception {
    ResolvedExperiment e = load(CURRICULUM);
    Path straight = straight(e);
    // Ctrl-C during step 37: the run ends after it with a resume checkpoint at step 37 (inside
    // epoch 4), a metrics row for the partial epoch 4 and final (stopped); resume drops both
    Invocation own = new Invocation(registry);
    AtomicInteger steps = new AtomicInteger();
    StepObserver stop =
        (phase, nanos) -> {
          if (phase == StepObserver.Phase.INPUTS && steps.incrementAndGet() == 37) {
            own.stop().request();
          }
        };
    RunCommand.Outcome stopped =
        train(own, e, dir.resolve("stopped"), List.of(ExperimentModule.stepObserver(stop)));
    assertEquals(Main.INTERRUPTED, stopped.code());
    Path run = stopped.run();
    assertTrue(Files.isDirectory(run.resolve("resume/resume-s000000000037")), "stop's checkpoint");
    assertTrue(Files.isDirectory(run.resolve("checkpoints/final")));
    resumeToEnd(run, List.of());
    RunTrees.assertSameRun(straight, run, "stopped in step 37");
  }

  @Test
  void theNoiseAndScheduleRunKilledAndStoppedResumesExactly() throws Exception {
    ResolvedExperiment e = load(NOISE);
    Path straight = straight(e);
    // the accuracy-gated schedule must switch during the run for the test to cover it
    List<String> metrics = RunTrees.metricsWithoutWallClock(straight);
    assertTrue(
        metrics.stream().skip(1).anyMatch(l -> l.endsWith(",0.0")),
        "the temporal-consistency term should turn off within the run: " + metrics);

    Path killed = killAtStep(e, "k14", 14, StepObserver.Phase.LOSS);
    resumeToEnd(killed, List.of());
    RunTrees.assertSameRun(straight, killed, "killed in step 14");

    // the second resume checkpoint (step 24) makes metrics.csv durable first
    Path atForce = killAtFile(e, "force", opAndPath("FORCE metrics.csv"), 1);
    resumeToEnd(atForce, List.of());
    RunTrees.assertSameRun(straight, atForce, "killed while making metrics.csv durable");

    Invocation own = new Invocation(registry);
    AtomicInteger steps = new AtomicInteger();
    StepObserver stop =
        (phase, nanos) -> {
          if (phase == StepObserver.Phase.INPUTS && steps.incrementAndGet() == 26) {
            own.stop().request();
          }
        };
    Path stopped =
        train(own, e, dir.resolve("stopped"), List.of(ExperimentModule.stepObserver(stop))).run();
    resumeToEnd(stopped, List.of());
    RunTrees.assertSameRun(straight, stopped, "stopped in step 26");
  }

  @Test
  void aRunKilledBeforeItsFirstResumeCheckpointIsRefused() throws Exception {
    ResolvedExperiment e = load(CURRICULUM);
    Path killed = killAtStep(e, "early", 7, StepObserver.Phase.FORWARD);
    StringWriter err = new StringWriter();
    RunCommand.Outcome o =
        ResumeCommand.resume(
            new Invocation(registry),
            killed,
            false,
            List.of("engram", "resume"),
            new TrainingObserver() {},
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            List.of());
    assertEquals(Main.USAGE, o.code(), err.toString());
    assertTrue(err.toString().contains("has no complete resume checkpoint"), err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
  }

  // ---------------------------------------------------------------------------------------------

  private ResolvedExperiment load(String yaml) throws Exception {
    Path file = dir.resolve("experiment-" + yaml.hashCode() + ".yaml");
    Files.writeString(file, yaml);
    return new Invocation(registry).loader().load(file, List.of());
  }

  private Path straight(ResolvedExperiment e) throws IOException {
    RunCommand.Outcome o = train(new Invocation(registry), e, dir.resolve("straight"), List.of());
    assertEquals(Main.OK, o.code());
    return o.run();
  }

  /** Trains {@code e} under {@code root}, killed in {@code phase} of its {@code step}-th step. */
  private Path killAtStep(ResolvedExperiment e, String label, int step, StepObserver.Phase phase)
      throws IOException {
    Path root = dir.resolve(label);
    Path copy = dir.resolve(label + "-killed");
    assertThrows(
        Killed.class,
        () ->
            train(new Invocation(registry), e, root, List.of(stepFault(step, phase, root, copy))));
    return copy;
  }

  /**
   * A module that kills the run (in {@code where}, or the one run under it) in {@code phase} of its
   * {@code step}-th step, leaving a copy of it in {@code copy}.
   */
  private static Module stepFault(int step, StepObserver.Phase phase, Path where, Path copy) {
    AtomicInteger steps = new AtomicInteger();
    StepObserver fault =
        (p, nanos) -> {
          if (p == StepObserver.Phase.INPUTS) {
            steps.incrementAndGet();
          }
          if (p == phase && steps.get() == step) {
            boolean isRun = Files.isRegularFile(where.resolve("config.resolved.yaml"));
            RunTrees.copy(isRun ? where : RunTrees.only(where), copy);
            throw new Killed("in " + phase + " of step " + step);
          }
        };
    return ExperimentModule.stepObserver(fault);
  }

  /** Trains {@code e}, killed before the first file operation that {@code at} matches. */
  private Path killAtFile(ResolvedExperiment e, String label, BiPredicate<FakeDisk.Op, Path> at)
      throws IOException {
    return killAtFile(e, label, at, 0);
  }

  /**
   * Trains {@code e}, killed before the {@code occurrence}-th (from 0) operation {@code at}
   * matches.
   */
  private Path killAtFile(
      ResolvedExperiment e, String label, BiPredicate<FakeDisk.Op, Path> at, int occurrence)
      throws IOException {
    Path copy = dir.resolve(label + "-killed");
    AtomicInteger hits = new AtomicInteger();
    FakeDisk killing =
        new FakeDisk(
            Long.MAX_VALUE,
            (op, path) -> {
              if (at.test(op, path) && hits.getAndIncrement() == occurrence) {
                RunTrees.copy(RunTrees.runOf(path), copy);
                throw new Killed("at " + op + " " + path.getFileName());
              }
            });
    assertThrows(
        Killed.class,
        () ->
            train(
                new Invocation(registry),
                e,
                dir.resolve(label),
                List.of(RunDirectoryModule.files(killing))));
    return copy;
  }

  /** Matches "OP name": the operation on a path that holds name. */
  private static BiPredicate<FakeDisk.Op, Path> opAndPath(String spec) {
    String[] parts = spec.split(" ", 2);
    FakeDisk.Op op = FakeDisk.Op.valueOf(parts[0]);
    return (o, p) -> o == op && p.toString().contains(parts[1]);
  }

  private RunCommand.Outcome train(
      Invocation invocation, ResolvedExperiment e, Path root, List<Module> modules) {
    return RunCommand.train(
        invocation,
        e,
        root,
        List.of("engram", "run"),
        new TrainingObserver() {},
        "",
        new PrintWriter(new StringWriter(), true),
        new PrintWriter(new StringWriter(), true),
        modules);
  }

  private RunCommand.Outcome resume(Path run, List<Module> modules) {
    StringWriter err = new StringWriter();
    RunCommand.Outcome o =
        ResumeCommand.resume(
            new Invocation(registry),
            run,
            false,
            List.of("engram", "resume", run.toString()),
            new TrainingObserver() {},
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            modules);
    assertEquals("", err.toString(), "resume of " + run);
    return o;
  }

  private void resumeToEnd(Path run, List<Module> modules) {
    assertEquals(Main.OK, resume(run, modules).code(), "resume of " + run);
  }
}
