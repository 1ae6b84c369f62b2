package engram.core.cli;

import engram.core.config.ConfigException;
import engram.core.inject.Invocation;
import engram.core.plugin.PluginRegistry;
import engram.core.sweep.RunStates;
import engram.core.sweep.SlurmExecutor;
import engram.core.sweep.SweepEntry;
import engram.core.sweep.SweepIndex;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code engram sweep}: expands a plan (conditions × grid × zip × seeds, {@link
 * engram.core.sweep.SweepPlan}) into a sweep directory and runs it on an executor; {@code sweep
 * status}, {@code sweep task} (the body of one Slurm array task) and {@code sweep finish} (analyses
 * and report) work on a sweep directory.
 */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description =
        "Train every point × seed of a plan (conditions, grid and zip of overrides, seeds) on an"
            + " executor, keeping a sweep directory (sweep.json, configs/, runs/, slurm/); then"
            + " analyse and write report.md. Pass the sweep directory again to continue it:"
            + " finished runs are left alone, stopped ones resume, pending ones start.",
    subcommands = {SweepCommand.Status.class, SweepCommand.Task.class, SweepCommand.Finish.class},
    footer = {
      "",
      "Run states (engram sweep status DIR): pending (no run directory), running (a live process"
          + " holds run.lock), stopped (resumable), abandoned (killed before its first resume"
          + " checkpoint: starts again), failed (its run.log ends in an error: not retried without"
          + " --retry-failed), finished."
    })
final class SweepCommand extends PlanCommand {

  @picocli.CommandLine.ParentCommand Main main;

  @Override
  String name() {
    return "sweep";
  }

  @Override
  Path defaultOut() {
    return Path.of("sweeps");
  }

  @Override
  Main main() {
    return main;
  }

  /** {@code engram sweep status DIR}: one line per run, then the count of each state. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Print the state of every run of a sweep directory, read from its run directories;"
              + " exit 0 when all are finished, 1 when one failed, 3 otherwise (still to do).")
  static final class Status implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP-DIR", description = "The sweep directory.")
    Path sweep;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      SweepIndex index = SweepRuns.readIndex(sweep, err);
      if (index == null) {
        return Main.USAGE;
      }
      Map<RunStates.State, Integer> counts = new EnumMap<>(RunStates.State.class);
      for (SweepEntry entry : index.entries()) {
        RunStates.Status s = SweepRuns.state(sweep, entry, "", err);
        if (s == null) {
          return Main.SOFTWARE;
        }
        counts.merge(s.state(), 1, Integer::sum);
        Path log =
            sweep.resolve(SlurmExecutor.DIRECTORY).resolve("logs/task-" + entry.index() + ".log");
        out.printf(
            Locale.ROOT,
            "%4d  %-9s  %s%s%s%s%n",
            entry.index(),
            s.state().label(),
            entry.name(),
            s.run() == null ? "" : "  " + s.run(),
            s.detail().isEmpty() ? "" : "  (" + s.detail() + ")",
            Files.exists(log) ? "  slurm log " + log : "");
      }
      List<String> summary = new ArrayList<>();
      counts.forEach((state, n) -> summary.add(n + " " + state.label()));
      out.println(
          index.name() + ": " + index.entries().size() + " runs: " + String.join(", ", summary));
      out.flush();
      if (counts.getOrDefault(RunStates.State.FINISHED, 0) == index.entries().size()) {
        return Main.OK;
      }
      return counts.containsKey(RunStates.State.FAILED) ? Main.SOFTWARE : Main.DIVERGED;
    }
  }

  /** {@code engram sweep task DIR INDEX}: what one Slurm array task runs (also usable by hand). */
  @Command(
      name = "task",
      mixinStandardHelpOptions = true,
      description =
          "Run one run of a sweep by its index (the Slurm array task id): start it, resume it if"
              + " it stopped, or leave it if it finished. Exit codes as 'engram run'.")
  static final class Task implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP-DIR", description = "The sweep directory.")
    Path sweep;

    @Parameters(index = "1", paramLabel = "INDEX", description = "The run's index in sweep.json.")
    int index;

    @picocli.CommandLine.Option(
        names = "--retry-failed",
        description = "Run the run again although it failed before.")
    boolean retryFailed;

    @picocli.CommandLine.ParentCommand SweepCommand parent;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      SweepEntry entry;
      try {
        entry = SweepIndex.read(sweep).entry(index);
      } catch (ConfigException e) {
        err.println("error: " + e.getMessage());
        return Main.USAGE;
      }
      PluginRegistry registry = parent.main.plugins();
      registry.problems().forEach(p -> err.println("warning: " + p));
      Invocation invocation = new Invocation(registry);
      out.println("sweep task " + index + ": " + entry.name());
      out.flush();
      return RunCommand.withStopHook(
          invocation.stop(),
          () -> {
            RunCommand.Outcome o =
                SweepRuns.run(
                    invocation,
                    sweep,
                    entry,
                    retryFailed,
                    new ProgressObserver(out, false),
                    "",
                    out,
                    err);
            linkSlurmLog(o.run(), index, err);
            return o.code();
          });
    }

    /** In a Slurm task: {@code RUN/slurm.log} → this task's log in {@code slurm/logs/}. */
    private void linkSlurmLog(Path run, int index, PrintWriter err) {
      if (run == null || System.getenv("SLURM_JOB_ID") == null) {
        return;
      }
      Path link = run.resolve("slurm.log");
      Path log =
          sweep
              .toAbsolutePath()
              .resolve(SlurmExecutor.DIRECTORY)
              .resolve("logs/task-" + index + ".log");
      try {
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(link, log);
        }
      } catch (IOException | UnsupportedOperationException e) {
        err.println("warning: cannot link " + link + " to " + log + ": " + e.getMessage());
      }
    }
  }

  /** {@code engram sweep finish DIR}: analyses what is missing and writes the report. */
  @Command(
      name = "finish",
      mixinStandardHelpOptions = true,
      description =
          "Analyse every finished run of a sweep that lacks an analysis, then compare the finished"
              + " runs and write report.md (the dependent job of a Slurm sweep runs this).")
  static final class Finish implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP-DIR", description = "The sweep directory.")
    Path sweep;

    @picocli.CommandLine.ParentCommand SweepCommand parent;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      SweepIndex index = SweepRuns.readIndex(sweep, err);
      if (index == null) {
        return Main.USAGE;
      }
      PluginRegistry registry = parent.main.plugins();
      registry.problems().forEach(p -> err.println("warning: " + p));
      Duration wall = Duration.ZERO;
      try {
        wall = Duration.between(Instant.parse(index.created()), Instant.now());
      } catch (RuntimeException e) {
        // an unreadable time: the report says 0 s
      }
      return SweepFinish.run(registry, sweep, index, wall, out, err);
    }
  }
}
