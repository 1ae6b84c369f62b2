package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.config.ResolvedExperiment;
import engram.core.inject.Invocation;
import engram.core.plugin.PluginRegistry;
import engram.core.run.Provenance;
import engram.core.sweep.RunStates;
import engram.core.sweep.SlurmOptions;
import engram.core.sweep.SweepEntry;
import engram.core.sweep.SweepIndex;
import engram.core.train.EpochReport;
import engram.core.train.TrainingObserver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engram sweep} with the local executor: the sweep directory, states, continuing a sweep
 * (finished runs left alone, a stopped run resumed exactly, a failed one reported), and refusals.
 * The Slurm executor on a real cluster: SlurmSweepTest.
 */
class SweepCommandTest {
  @TempDir Path dir;

  private Path plan(String experiment, String plan) throws IOException {
    Files.writeString(dir.resolve("tiny.yaml"), experiment);
    return Files.writeString(dir.resolve("plan.yaml"), plan);
  }

  private static Path only(Path parent) throws IOException {
    try (Stream<Path> children = Files.list(parent)) {
      List<Path> all = children.toList();
      assertEquals(1, all.size(), all.toString());
      return all.get(0);
    }
  }

  private static List<Path> children(Path parent) throws IOException {
    try (Stream<Path> children = Files.list(parent)) {
      return children.sorted().toList();
    }
  }

  @Test
  void runsEveryPointAndSeedThenLeavesFinishedRunsAloneWhenRunAgain() throws Exception {
    Path plan =
        plan(
            CliTest.TINY + "analyzers: [{id: tau-stats}]\n",
            """
            name: widths
            experiment: tiny.yaml
            seeds: [1, 2]
            workers: 2
            group-by: condition
            grid: {model.hidden-size: [8, 10]}
            """);
    CliTest.Result r =
        CliTest.run("sweep", plan.toString(), "--out", dir.resolve("out").toString());
    assertEquals(Main.OK, r.code(), r.out() + r.err());
    Path sweep = only(dir.resolve("out"));
    SweepIndex index = SweepIndex.read(sweep);
    assertEquals(
        List.of(
            "widths-hidden-size8-s1",
            "widths-hidden-size8-s2",
            "widths-hidden-size10-s1",
            "widths-hidden-size10-s2"),
        index.entries().stream().map(SweepEntry::name).toList());
    List<Path> runs = children(sweep.resolve("runs"));
    assertEquals(4, runs.size(), runs.toString());
    for (SweepEntry e : index.entries()) {
      RunStates.Status s = RunStates.of(sweep, e);
      assertEquals(RunStates.State.FINISHED, s.state(), e.name());
      // the run trained exactly the configuration snapshotted when the sweep was made
      assertEquals(
          Files.readString(sweep.resolve(e.config())),
          Files.readString(s.run().resolve("config.resolved.yaml")),
          e.name());
      assertTrue(Files.isDirectory(s.run().resolve("analysis/tau-stats")), e.name());
      String log = Files.readString(s.run().resolve("run.log"));
      assertTrue(log.matches("(?s).* - Analysis tau-stats wrote tau-stats in [0-9.]+ s\\R.*"), log);
    }
    assertTrue(Files.isRegularFile(sweep.resolve("report.md")));

    CliTest.Result status = CliTest.run("sweep", "status", sweep.toString());
    assertEquals(Main.OK, status.code(), status.out() + status.err());
    assertTrue(status.out().contains("widths: 4 runs: 4 finished"), status.out());

    CliTest.Result again = CliTest.run("sweep", sweep.toString(), "--workers", "1");
    assertEquals(Main.OK, again.code(), again.out() + again.err());
    assertEquals(4, again.out().split("finished already", -1).length - 1, again.out());
    assertEquals(runs, children(sweep.resolve("runs")), "no run trained again");
    assertTrue(
        children(sweep).stream().anyMatch(p -> p.getFileName().toString().startsWith("finish-")),
        "the first report is kept; the second goes to finish-<time>/");
  }

  @Test
  void aStoppedRunIsResumedExactlyAndAFailedOneIsReportedWhenTheSweepRunsAgain() throws Exception {
    Path plan =
        plan(
            ResumeExactnessTest.CURRICULUM,
            """
            name: resumed
            experiment: tiny.yaml
            seeds: [1]
            workers: 1
            conditions:
              - {label: ok, set: []}
              - {label: nan, set: [training.optimizer.lr=1e30, training.clip=0]}
            """);
    PluginRegistry registry = PluginRegistry.discover(getClass().getClassLoader());
    Invocation invocation = new Invocation(registry);
    SweepRuns.Expanded expanded =
        SweepRuns.expand(invocation, List.of(), plan, null, null, List.of(), 1);
    Path sweep =
        SweepRuns.create(
            dir.resolve("out"), expanded, null, List.of("test"), List.of(), SlurmOptions.NONE);
    SweepEntry ok = SweepIndex.read(sweep).entry(0);
    StringWriter out = new StringWriter();
    TrainingObserver stopAtEpoch5 =
        new TrainingObserver() {
          @Override
          public void epoch(EpochReport report) {
            if (report.epoch() == 5) {
              invocation.stop().request(); // as Ctrl-C or a SIGTERM from Slurm would
            }
          }
        };
    RunCommand.Outcome stopped =
        SweepRuns.run(
            invocation,
            sweep,
            ok,
            false,
            stopAtEpoch5,
            "",
            new PrintWriter(out, true),
            new PrintWriter(out, true));
    assertEquals(Main.INTERRUPTED, stopped.code(), out.toString());
    assertEquals(RunStates.State.STOPPED, RunStates.of(sweep, ok).state());

    CliTest.Result again = CliTest.run("sweep", sweep.toString(), "--workers", "1");
    assertEquals(Main.SOFTWARE, again.code(), "the diverging run fails: " + again.out());
    assertTrue(again.out().contains("resuming " + stopped.run()), again.out());
    RunStates.Status done = RunStates.of(sweep, ok);
    assertEquals(RunStates.State.FINISHED, done.state());
    assertEquals(stopped.run(), done.run(), "resumed in place, not started again");
    assertEquals(1, Provenance.read(done.run().resolve("provenance.json")).resumes().size());

    ResolvedExperiment experiment = invocation.loader().load(sweep.resolve(ok.config()), List.of());
    RunCommand.Outcome straight =
        RunCommand.train(
            new Invocation(registry),
            experiment,
            dir.resolve("straight"),
            List.of("engram", "run"),
            new TrainingObserver() {},
            "",
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(new StringWriter(), true));
    assertEquals(Main.OK, straight.code());
    RunTrees.assertSameRun(straight.run(), done.run(), "stopped at epoch 5 and resumed by sweep");

    CliTest.Result status = CliTest.run("sweep", "status", sweep.toString());
    assertEquals(Main.SOFTWARE, status.code(), status.out());
    String failedLine =
        status.out().lines().filter(l -> l.contains("resumed-nan-s1")).findFirst().orElseThrow();
    assertTrue(failedLine.contains("failed"), failedLine);
    assertTrue(failedLine.toLowerCase().contains("nan"), failedLine);

    CliTest.Result third = CliTest.run("sweep", sweep.toString());
    assertTrue(third.err().contains("failed before"), third.err());
    assertTrue(third.err().contains("--retry-failed"), third.err());
  }

  @Test
  void aSweepDirectoryTakesNoOverridesAndSlurmNeedsToKnowHowNodesRunEngram() throws Exception {
    Path plan =
        plan(
            CliTest.TINY,
            "name: s\nexperiment: tiny.yaml\nseeds: [1]\nworkers: 1\ngrid: {model.gain: [1]}\n");
    Path made = Files.createDirectories(dir.resolve("made"));
    CliTest.Result notSweep = CliTest.run("sweep", made.toString());
    assertEquals(Main.USAGE, notSweep.code());
    assertTrue(notSweep.err().contains("is not a sweep directory"), notSweep.err());
    CliTest.Result overrides = CliTest.run("sweep", made.toString(), "seed=3");
    assertTrue(overrides.err().contains("overrides, --profile"), overrides.err());
    CliTest.Result slurm =
        CliTest.run(
            "sweep", plan.toString(), "--executor", "slurm", "--out", dir.resolve("o").toString());
    assertEquals(Main.USAGE, slurm.code(), slurm.out() + slurm.err());
    assertTrue(slurm.err().contains("--slurm-engram"), slurm.err());
    CliTest.Result executor = CliTest.run("sweep", plan.toString(), "--executor", "pbs");
    assertTrue(executor.err().contains("must be local or slurm"), executor.err());
    CliTest.Result seedsWithoutSeeds =
        CliTest.run("run", dir.resolve("tiny.yaml").toString(), "--executor", "slurm");
    assertEquals(Main.USAGE, seedsWithoutSeeds.code());
    assertTrue(seedsWithoutSeeds.err().contains("needs --seeds"), seedsWithoutSeeds.err());
    CliTest.Result seeds =
        CliTest.run(
            "run",
            dir.resolve("tiny.yaml").toString(),
            "--seeds",
            "1,2",
            "--executor",
            "slurm",
            "--runs-dir",
            dir.resolve("seed-runs").toString());
    assertTrue(seeds.err().contains("--slurm-engram"), seeds.err());
    assertTrue(Files.notExists(dir.resolve("seed-runs")), "nothing written before the check");
    CliTest.Result task = CliTest.run("sweep", "task", made.toString(), "0");
    assertEquals(Main.USAGE, task.code());
  }
}
