package engram.core.cli;

import engram.core.analysis.AnalysisRunner;
import engram.core.config.ExperimentLoader;
import engram.core.config.LevelName;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.RunInjector;
import engram.core.run.RunArtifacts;
import engram.core.run.RunDirectory;
import engram.core.run.RunLock;
import engram.core.run.RunLog;
import engram.core.train.Trainer;
import engram.core.train.TrainingDivergedException;
import engram.core.train.TrainingResult;
import java.io.PrintWriter;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of a run that {@code run}, {@code resume} and sweep tasks share once the run directory
 * exists and is locked: train with {@code run.log} attached, run the experiment's analyzers, and
 * turn every failure (divergence, out of memory, a full disk, a bug) into one console line, a line
 * in {@code run.log} and an exit code.
 */
final class RunTraining {
  // run.log's lines keep the logger name they always had ("engram.core.cli.RunCommand - Run ...")
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  private RunTraining() {}

  /** Releases a run's lock (if any); a failure to release leaves it to the process's end. */
  static void release(RunLock lock) {
    if (lock == null) {
      return;
    }
    try {
      lock.close();
    } catch (java.io.IOException ignored) {
      // the operating system releases it when the process ends
    }
  }

  /**
   * Trains the run of {@code injector} in {@code run} with {@code run.log} attached, then runs the
   * experiment's analyzers; every failure becomes one console line and an exit code. Shared by
   * {@code run} and {@code resume}; the caller holds the run's lock.
   *
   * @param training {@link Trainer#run()} or a {@link Trainer#resume}
   * @param started the first line logged to {@code run.log}
   */
  static RunCommand.Outcome trainIn(
      RunDirectory run,
      RunInjector injector,
      ResolvedExperiment resolved,
      ExperimentLoader loader,
      Function<Trainer, TrainingResult> training,
      String started,
      String prefix,
      PrintWriter out,
      PrintWriter err) {
    AutoCloseable log = RunLog.attach(run.logFile(), injector.files()); // closing detaches it
    try (log) {
      // Failures are logged here, while run.log is attached, so the file holds what the console
      // message points to (a catch after the try-with-resources would run with the log closed).
      try {
        return trainAndAnalyse(
            run, injector, resolved, loader, training, started, prefix, out, err);
      } catch (TrainingDivergedException e) {
        LOG.error("Run stopped: {}", e.getMessage());
        err.println(prefix + "error: " + e.getMessage());
        return new RunCommand.Outcome(Main.DIVERGED, run.path(), null);
      } catch (OutOfMemoryError e) {
        LOG.error("Run failed: out of memory", e);
        err.println(
            prefix
                + "error: the run ran out of memory ("
                + e.getMessage()
                + "). Fix:"
                + " lower training.batch-size, evaluation.batch-size or model.hidden-size, or give"
                + " Java more memory (JAVA_OPTS=-Xmx...). Details in "
                + run.logFile());
        return new RunCommand.Outcome(Main.SOFTWARE, run.path(), null);
      } catch (Exception e) {
        String full = diskFull(e);
        if (full != null) {
          LOG.error("Run stopped: the disk is full: {}", full);
          err.println(
              prefix
                  + "error: the disk is full ("
                  + full
                  + "). The run stopped; metrics.csv holds whole rows only and every checkpoint"
                  + " under its own name is complete. Fix: free space on the file system of "
                  + run.path()
                  + " or choose another --runs-dir, then continue it with ./engram resume "
                  + run.path()
                  + " (or run it again).");
          return new RunCommand.Outcome(Main.SOFTWARE, run.path(), null);
        }
        LOG.error("Run failed", e);
        err.println(
            prefix + "error: the run failed: " + e + " (stack trace in " + run.logFile() + ")");
        return new RunCommand.Outcome(Main.SOFTWARE, run.path(), null);
      }
    } catch (Exception e) { // the log itself could not be attached or closed
      err.println(prefix + "error: the run failed: " + e);
      return new RunCommand.Outcome(Main.SOFTWARE, run.path(), null);
    }
  }

  /** Trains (and analyses) with run.log attached; exceptions go to the caller, which logs them. */
  private static RunCommand.Outcome trainAndAnalyse(
      RunDirectory run,
      RunInjector injector,
      ResolvedExperiment resolved,
      ExperimentLoader loader,
      Function<Trainer, TrainingResult> training,
      String started,
      String prefix,
      PrintWriter out,
      PrintWriter err)
      throws Exception {
    RunArtifacts artifacts = injector.artifacts(); // one of the trainer's observers
    try (artifacts) {
      LOG.info(started);
      TrainingResult result = training.apply(injector.trainer());
      out.printf(
          "%sfinished: %s after %d epochs (%d steps); largest %s solved: %s; run"
              + " directory: %s%n",
          prefix,
          result.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
          result.epochs(),
          result.steps(),
          LevelName.of(resolved),
          result.maxLevelSolved() == 0 ? "none" : String.valueOf(result.maxLevelSolved()),
          run.path());
      out.flush();
      if (result.reason() == TrainingResult.Reason.STOPPED) {
        return new RunCommand.Outcome(Main.INTERRUPTED, run.path(), result);
      }
      int failed = 0;
      if (!resolved.analyzers().isEmpty()) {
        for (AnalysisRunner.Outcome o :
            AnalysisRunner.run(
                run.path(),
                resolved,
                loader,
                resolved.analyzers(),
                AnalysisRunner.Selection.ALL,
                w -> err.println(prefix + "warning: " + w))) {
          if (o.ok()) {
            out.println(prefix + "analysis " + o.id() + ": wrote " + o.directory());
          } else {
            LOG.error("Analysis {} failed: {}", o.id(), o.error());
            err.println(prefix + "error: analysis " + o.id() + ": " + o.error());
            failed++;
          }
        }
        out.flush();
      }
      return new RunCommand.Outcome(failed == 0 ? Main.OK : Main.SOFTWARE, run.path(), result);
    }
  }

  /**
   * The message of the out-of-space error among {@code e} and its causes, or null. Java reports a
   * full disk (and an exceeded quota) only as an {@link java.io.IOException} with the system's
   * text.
   */
  static String diskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (t instanceof java.io.IOException
          && m != null
          && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) {
        return m;
      }
    }
    return null;
  }
}
