package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.inject.Invocation;
import engram.core.plugin.PluginRegistry;
import engram.core.run.Provenance;
import engram.core.run.ResumeCheckpoints;
import engram.core.slurm.LocalSlurm;
import engram.core.sweep.RunStates;
import engram.core.sweep.SlurmExecutor;
import engram.core.sweep.SweepEntry;
import engram.core.sweep.SweepIndex;
import engram.core.train.TrainingObserver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engram sweep --executor slurm} on a real single-node Slurm cluster (build/slurm/cluster,
 * started by .ci/run): 8 tiny runs as one job array, two at a time; one task is requeued with
 * {@code scontrol requeue} (as a preemption would) and another gets the batch-shell USR1 of its
 * time limit, each after its second resume checkpoint: both must resume, not restart, and end
 * byte-identical to the same run trained straight here; the two diverging runs are reported failed
 * by name; the dependent job writes the report.
 */
@Tag("slurm")
@Tag("slow")
class SlurmSweepTest {
  @TempDir Path dir;

  private static final String PLAN =
      """
      name: on-slurm
      experiment: tiny.yaml
      seeds: [1, 2]
      workers: 1
      group-by: condition
      conditions:
        - {label: a, set: []}
        - {label: b, set: [model.hidden-size=12]}
        - {label: c, set: [training.optimizer.lr=0.2]}
        - {label: nan, set: [training.optimizer.lr=1e30, training.clip=0]}
      """;

  @Test
  void aSweepRunsAsAJobArrayARequeuedTaskResumesAndFailuresAreNamed() throws Exception {
    LocalSlurm slurm = LocalSlurm.require();
    Files.writeString(
        dir.resolve("tiny.yaml"),
        ResumeExactnessTest.CURRICULUM
            .replace("max-epochs: 14", "max-epochs: 20")
            .replace("resume-every: 2", "resume-every: 1"));
    Path plan = Files.writeString(dir.resolve("plan.yaml"), PLAN);
    String java = java();
    CliTest.Result submitted =
        CliTest.run(
            "sweep",
            plan.toString(),
            "--executor",
            "slurm",
            "--out",
            dir.resolve("sweeps").toString(),
            "--slurm-engram",
            java,
            "--slurm-max-parallel",
            "2");
    assertEquals(Main.OK, submitted.code(), submitted.out() + submitted.err());
    Matcher ids =
        Pattern.compile("submitted job array (\\d+) \\(tasks 0-7%2, 8 runs\\) and job (\\d+)")
            .matcher(submitted.out());
    assertTrue(ids.find(), submitted.out());
    String array = ids.group(1);
    String finish = ids.group(2);
    Path sweep;
    try (Stream<Path> s = Files.list(dir.resolve("sweeps"))) {
      sweep = s.findFirst().orElseThrow();
    }
    SweepIndex index = SweepIndex.read(sweep);
    SweepEntry first = index.entry(0);

    // preempt task 0 once it has written two resume checkpoints; bring task 1 to its time limit
    // (the USR1 that --signal=B:USR1@120 sends the batch shell 120 s before it)
    Path run = awaitResumeCheckpoints(sweep, first, 2, Duration.ofSeconds(180));
    slurm.requeue(array + "_0");
    SweepEntry second = index.entry(1);
    Path timed = awaitResumeCheckpoints(sweep, second, 2, Duration.ofSeconds(180));
    slurm.signalBatch(array + "_1", "USR1");
    slurm.waitFor(finish, Duration.ofSeconds(420), Set.of("COMPLETED", "FAILED"));

    Map<Integer, String> tasks = slurm.tasks(array);
    CliTest.Result status = CliTest.run("sweep", "status", sweep.toString());
    assertEquals(Main.SOFTWARE, status.code(), "two runs failed: " + status.out());
    for (SweepEntry e : index.entries()) {
      RunStates.Status s = RunStates.of(sweep, e);
      String line =
          status.out().lines().filter(l -> l.contains(" " + e.name() + " ")).findFirst().orElse("");
      if (e.label().equals("nan")) {
        assertEquals(RunStates.State.FAILED, s.state(), e.name() + " " + tasks);
        assertTrue(line.contains("failed") && line.contains("NaN"), line);
        assertEquals("FAILED", tasks.get(e.index()), "Slurm's view of " + e.name());
      } else {
        assertEquals(RunStates.State.FINISHED, s.state(), e.name() + ": " + status.out());
        assertTrue(line.contains("finished"), line);
        assertEquals("COMPLETED", tasks.get(e.index()), "Slurm's view of " + e.name());
      }
    }
    assertTrue(status.out().contains("on-slurm: 8 runs: 2 failed, 6 finished"), status.out());

    // task 0 was requeued and resumed in its run directory, exactly
    assertEquals(run, RunStates.of(sweep, first).run(), "resumed in place, not started again");
    assertEquals(1, Provenance.read(run.resolve("provenance.json")).resumes().size());
    String log = Files.readString(run.resolve("slurm.log"));
    assertTrue(log.contains("restart 1") && log.contains("resuming " + run), log);
    Invocation invocation = new Invocation(PluginRegistry.discover(getClass().getClassLoader()));
    RunCommand.Outcome straight =
        RunCommand.train(
            invocation,
            invocation.loader().load(sweep.resolve(first.config()), List.of()),
            dir.resolve("straight"),
            List.of("engram", "run"),
            new TrainingObserver() {},
            "",
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(new StringWriter(), true));
    assertEquals(Main.OK, straight.code());
    RunTrees.assertSameRun(straight.run(), run, "requeued by Slurm and resumed");

    // task 1 stopped at its time-limit signal, requeued itself and resumed, exactly
    assertEquals(timed, RunStates.of(sweep, second).run(), "resumed in place");
    String timedLog = Files.readString(timed.resolve("slurm.log"));
    assertTrue(timedLog.contains("time limit near") && timedLog.contains("restart 1"), timedLog);
    RunCommand.Outcome straightSecond =
        RunCommand.train(
            invocation,
            invocation.loader().load(sweep.resolve(second.config()), List.of()),
            dir.resolve("straight"),
            List.of("engram", "run"),
            new TrainingObserver() {},
            "",
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(new StringWriter(), true));
    RunTrees.assertSameRun(straightSecond.run(), timed, "stopped at the time limit and resumed");

    // the dependent job compared the six finished runs
    String report = Files.readString(sweep.resolve("report.md"));
    assertTrue(report.contains("on-slurm"), report);
  }

  @Test
  void runSeedsOnSlurmIsASweepOfOneTaskPerSeed() throws Exception {
    LocalSlurm slurm = LocalSlurm.require();
    Path yaml = CliTest.write(dir, CliTest.TINY);
    CliTest.Result submitted =
        CliTest.run(
            "run",
            yaml.toString(),
            "--seeds",
            "4,5",
            "--executor",
            "slurm",
            "--runs-dir",
            dir.resolve("runs").toString(),
            "--slurm-engram",
            java());
    assertEquals(Main.OK, submitted.code(), submitted.out() + submitted.err());
    Matcher ids =
        Pattern.compile(
                "run tiny-seeds: submitted job array (\\d+) \\(tasks 0-1, 2 runs\\) and job (\\d+)")
            .matcher(submitted.out());
    assertTrue(ids.find(), submitted.out());
    slurm.waitFor(ids.group(2), Duration.ofSeconds(300), Set.of("COMPLETED", "FAILED"));
    Path sweep;
    try (Stream<Path> s = Files.list(dir.resolve("runs"))) {
      sweep =
          s.filter(p -> p.getFileName().toString().startsWith("tiny-seeds-"))
              .findFirst()
              .orElseThrow();
    }
    CliTest.Result status = CliTest.run("sweep", "status", sweep.toString());
    assertEquals(Main.OK, status.code(), status.out() + status.err());
    assertTrue(status.out().contains("tiny-seeds: 2 runs: 2 finished"), status.out());
    for (SweepEntry e : SweepIndex.read(sweep).entries()) {
      Path run = RunStates.of(sweep, e).run();
      assertTrue(
          Files.readString(run.resolve("config.resolved.yaml")).contains("seed: " + e.seed()),
          e.name());
    }
    assertTrue(Files.isRegularFile(sweep.resolve("report.md")));
  }

  /** {@code java -cp <this JVM's class path> engram.core.cli.Main}, as shell words. */
  private static String java() {
    return SlurmExecutor.quote(Path.of(System.getProperty("java.home"), "bin", "java").toString())
        + " -Xmx512m -cp "
        + SlurmExecutor.quote(System.getProperty("java.class.path"))
        + " engram.core.cli.Main";
  }

  /** The run directory of {@code entry} once it has {@code count} resume checkpoints. */
  private static Path awaitResumeCheckpoints(
      Path sweep, SweepEntry entry, int count, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      RunStates.Status s = RunStates.of(sweep, entry);
      if (s.run() != null) {
        Path resume = s.run().resolve(ResumeCheckpoints.DIRECTORY);
        if (Files.isDirectory(resume) && complete(resume) >= count) {
          return s.run();
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "run " + entry.name() + " wrote no " + count + " resume checkpoints in " + timeout);
  }

  private static long complete(Path resume) throws IOException {
    try (Stream<Path> s = Files.list(resume)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("index.json"))).count();
    }
  }
}
