package engram.core.cli;

import engram.core.analysis.AnalysisRunner;
import engram.core.compare.ComparisonException;
import engram.core.compare.SelectedStudy;
import engram.core.config.ConfigException;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.Invocation;
import engram.core.plugin.PluginRegistry;
import engram.core.reproduce.ReproductionReport;
import engram.core.run.RunDirectory;
import engram.core.sweep.RunStates;
import engram.core.sweep.SweepEntry;
import engram.core.sweep.SweepIndex;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The last step of a sweep, whatever ran it ({@code engram sweep finish}, the dependent Slurm job,
 * or the local executor once its runs end): analyses what is missing and writes the report.
 */
final class SweepFinish {
  private SweepFinish() {}

  /**
   * Finishes a sweep: runs every analyzer a finished run has no {@code analysis/<id>/} for, then
   * compares the finished runs and writes {@code report.md} (into the sweep directory, or into a
   * fresh {@code finish-<timestamp>/} there when a report exists already).
   *
   * @return the exit code: 0 when every run finished and every analysis and the report were written
   */
  static int run(
      PluginRegistry registry,
      Path sweep,
      SweepIndex index,
      Duration wall,
      PrintWriter out,
      PrintWriter err) {
    Invocation invocation = new Invocation(registry);
    List<Path> finished = new ArrayList<>();
    int problems = 0;
    for (SweepEntry entry : index.entries()) {
      RunStates.Status status = SweepRuns.state(sweep, entry, "", err);
      if (status == null) {
        problems++;
        continue;
      }
      if (status.state() != RunStates.State.FINISHED) {
        err.println(
            "warning: run "
                + entry.index()
                + " "
                + entry.name()
                + " is "
                + status.state().label()
                + (status.detail().isEmpty() ? "" : " (" + status.detail() + ")")
                + "; left out of the report");
        problems++;
        continue;
      }
      problems += analyseMissing(invocation, status.run(), out, err);
      finished.add(status.run());
    }
    if (finished.isEmpty()) {
      err.println(
          "error: no run of "
              + sweep
              + " has finished, so there is nothing to compare. Fix: see 'engram sweep status "
              + sweep
              + "'.");
      return Main.SOFTWARE;
    }
    SelectedStudy study = null;
    if (index.study() != null) {
      try {
        study = SelectedStudy.resolve(registry, index.study(), "install the study's plugin.");
      } catch (ComparisonException e) {
        err.println("error: " + e.getMessage());
        return Main.USAGE;
      }
    }
    try {
      Path outDir =
          Files.exists(sweep.resolve(ReproductionReport.FILE))
              ? RunDirectory.fresh(sweep, RunDirectory.stamped("finish", Instant.now()))
              : sweep;
      Path report =
          ReproductionReport.write(
              index,
              study,
              index.profile(),
              String.join(" ", index.command()),
              outDir,
              finished,
              wall);
      out.println("report: " + report);
    } catch (IOException | RuntimeException e) {
      err.println("error: cannot write the report in " + sweep + ": " + e.getMessage());
      return Main.SOFTWARE;
    }
    out.flush();
    return problems == 0 ? Main.OK : Main.SOFTWARE;
  }

  /** Runs the analyzers of {@code run} that have not written their folder; returns the failures. */
  private static int analyseMissing(
      Invocation invocation, Path run, PrintWriter out, PrintWriter err) {
    ResolvedExperiment experiment;
    try {
      experiment = invocation.loader().load(run.resolve(RunDirectory.CONFIG), List.<String>of());
    } catch (ConfigException e) {
      err.println("error: " + run + ": " + e.getMessage());
      return 1;
    }
    List<PluginChoice> missing =
        experiment.analyzers().stream()
            .filter(a -> !Files.isDirectory(run.resolve("analysis").resolve(a.plugin().id())))
            .toList();
    if (missing.isEmpty()) {
      return 0;
    }
    int failed = 0;
    try {
      for (AnalysisRunner.Outcome o :
          AnalysisRunner.run(
              run,
              experiment,
              invocation.loader(),
              missing,
              AnalysisRunner.Selection.ALL,
              w -> err.println("warning: " + w))) {
        if (o.ok()) {
          out.println("analysis " + o.id() + ": wrote " + o.directory());
        } else {
          err.println("error: " + run + ": analysis " + o.id() + ": " + o.error());
          failed++;
        }
      }
    } catch (IOException | RuntimeException e) {
      err.println("error: cannot analyse " + run + ": " + e.getMessage());
      return 1;
    }
    return failed;
  }
}
