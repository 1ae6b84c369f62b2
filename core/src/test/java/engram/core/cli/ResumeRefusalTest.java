package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.config.ResolvedExperiment;
import engram.core.inject.ExperimentModule;
import engram.core.inject.Invocation;
import engram.core.plugin.PluginRegistry;
import engram.core.run.Provenance;
import engram.core.run.RunDirectory;
import engram.core.run.RunLock;
import engram.core.step.StepObserver;
import engram.core.train.TrainingObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engram resume} refuses, with one line naming the problem and the fix (exit 2): a directory
 * that is no run, a run that another live process writes (its lock), a finished run, a run whose
 * configuration or plugins changed (unless {@code --force}, which provenance records).
 */
class ResumeRefusalTest {
  private static final String EXPERIMENT =
      """
      name: refusals
      seed: 2
      task: {id: n-parity}
      model: {id: leaky-rnn, hidden-size: 8}
      curriculum: {id: multi-head}
      training: {batch-size: 8, steps-per-epoch: 2, max-epochs: 4}
      evaluation: {batches: 1, batch-size: 16}
      output: {resume-every: 1}
      """;

  private static PluginRegistry registry;
  private static ResolvedExperiment experiment;

  @TempDir Path dir;

  @BeforeAll
  static void load(@TempDir Path shared) throws Exception {
    registry = PluginRegistry.discover(ResumeRefusalTest.class.getClassLoader());
    Path yaml = shared.resolve("refusals.yaml");
    Files.writeString(yaml, EXPERIMENT);
    experiment = new Invocation(registry).loader().load(yaml, List.of());
  }

  private record Result(int code, String out, String err) {}

  /** A run stopped (Ctrl-C) during its 5th step: resume checkpoints at steps 2, 4 and 5. */
  private Path stoppedRun() {
    Invocation own = new Invocation(registry);
    AtomicInteger steps = new AtomicInteger();
    StepObserver stop =
        (phase, nanos) -> {
          if (phase == StepObserver.Phase.INPUTS && steps.incrementAndGet() == 5) {
            own.stop().request();
          }
        };
    RunCommand.Outcome o =
        RunCommand.train(
            own,
            experiment,
            dir.resolve("runs"),
            List.of("engram", "run"),
            new TrainingObserver() {},
            "",
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(new StringWriter(), true),
            List.of(ExperimentModule.stepObserver(stop)));
    assertEquals(Main.INTERRUPTED, o.code());
    return o.run();
  }

  private Result resume(Path run, boolean force) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    RunCommand.Outcome o =
        ResumeCommand.resume(
            new Invocation(registry),
            run,
            force,
            List.of("engram", "resume", run.toString()),
            new TrainingObserver() {},
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            List.of());
    return new Result(o.code(), out.toString(), err.toString());
  }

  private static void assertRefused(Result r, String says) {
    assertEquals(Main.USAGE, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertTrue(r.err().contains(says), r.err());
    assertTrue(r.err().contains("Fix:"), r.err());
  }

  @Test
  void aStoppedRunResumesToItsEndAndThenCountsAsFinished() throws Exception {
    Path run = stoppedRun();
    Result resumed = resume(run, false);
    assertEquals(Main.OK, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("from resume/resume-s000000000005"), resumed.out());
    assertTrue(resumed.out().contains("inside epoch 3 after 1 of its 2 steps"), resumed.out());
    Provenance p = Provenance.read(run.resolve(RunDirectory.PROVENANCE));
    assertEquals(1, p.resumes().size());
    assertEquals(5, p.resumes().get(0).step());
    assertEquals(List.of(), p.resumes().get(0).forced());
    // the newest two kept (resume-keep 2): the stop's (step 5) and epoch 3's (step 6); none is
    // written after the last epoch
    try (var names = Files.list(run.resolve("resume"))) {
      assertEquals(
          List.of("resume-s000000000005", "resume-s000000000006"),
          names.map(f -> f.getFileName().toString()).sorted().toList());
    }
    assertRefused(resume(run, false), "has finished (reason max_epochs at epoch 4");
  }

  @Test
  void aRunWrittenByALiveProcessIsRefused() throws Exception {
    Path run = stoppedRun();
    RunLock held = RunLock.acquire(RunDirectory.open(run)); // as a live process would
    try {
      Result r = resume(run, false);
      assertRefused(r, "is being written by pid " + ProcessHandle.current().pid());
    } finally {
      held.close();
    }
    assertEquals(Main.OK, resume(run, false).code(), "resumable once the lock is released");
  }

  @Test
  void aChangedConfigurationIsRefusedUnlessForcedAndForcingIsRecorded() throws Exception {
    Path run = stoppedRun();
    Path config = run.resolve(RunDirectory.CONFIG);
    String text = Files.readString(config);
    assertTrue(text.contains("max-epochs: 4"), text);
    Files.writeString(config, text.replace("max-epochs: 4", "max-epochs: 5"));
    assertRefused(resume(run, false), "config.resolved.yaml changed since the run started");
    Result forced = resume(run, true);
    assertEquals(Main.OK, forced.code(), forced.err());
    assertTrue(forced.err().startsWith("warning: resumed with --force"), forced.err());
    Provenance p = Provenance.read(run.resolve(RunDirectory.PROVENANCE));
    assertEquals(1, p.resumes().size());
    assertTrue(p.resumes().get(0).forced().get(0).contains("changed"), p.resumes().toString());
    assertTrue(Files.readString(run.resolve("metrics.csv")).contains("\n5,10,"), "epoch 5 ran");
  }

  @Test
  void changedPluginsAreRefused() throws Exception {
    Path run = stoppedRun();
    Path provenance = run.resolve(RunDirectory.PROVENANCE);
    String text = Files.readString(provenance);
    String version = Provenance.read(provenance).plugins().get(0).version();
    Files.writeString(
        provenance,
        text.replaceFirst(
            "\"version\" : \"" + java.util.regex.Pattern.quote(version) + "\"",
            "\"version\" : \"0.0.0-other\""));
    assertRefused(resume(run, false), "the plugins changed since the run started");
  }

  @Test
  void aDirectoryThatIsNoRunIsRefused() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("not-a-run"));
    assertRefused(resume(empty, false), "is not a run directory");
  }
}
