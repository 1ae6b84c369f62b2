package engram.core.cli;

import engram.api.curriculum.Decision;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.Invocation;
import engram.core.train.EpochReport;
import engram.core.train.StopSignal;
import engram.core.train.TrainingObserver;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The local executor: trains independent runs side by side, one thread each (ND4J stalls with two
 * OpenMP threads on 2-core machines, so parallelism comes from runs, not from inside one). Shared
 * by {@code engram run --seeds}, {@code engram sweep} and {@code engram reproduce}. Every run has
 * its own run directory and {@code run.log}; the console gets one line per curriculum advance,
 * prefixed with the run's label.
 */
final class ParallelRuns {
  private ParallelRuns() {}

  /** One run: a label for the console and what trains it (a new run, a resume, a skip). */
  record Job(String label, Body body) {
    /** A new run of {@code experiment} under {@code runsRoot}, recording {@code commandLine}. */
    static Job fresh(
        String label,
        Invocation invocation,
        ResolvedExperiment experiment,
        Path runsRoot,
        List<String> commandLine) {
      return new Job(
          label,
          (display, prefix, out, err) ->
              RunCommand.train(
                  invocation, experiment, runsRoot, commandLine, display, prefix, out, err));
    }
  }

  /** Trains one job with the given console display, line prefix and writers. */
  @FunctionalInterface
  interface Body {
    RunCommand.Outcome run(
        TrainingObserver display, String prefix, PrintWriter out, PrintWriter err);
  }

  /** What came of all jobs, in job order, and whether Ctrl-C stopped them. */
  record Result(List<RunCommand.Outcome> outcomes, boolean stopped) {}

  /**
   * Trains every job, at most {@code workers} at a time; Ctrl-C asks every running trainer to stop
   * after its step and write its final checkpoint, and jobs still queued are not started (their
   * outcome is {@link Main#INTERRUPTED} with no run directory).
   */
  static Result train(
      List<Job> jobs, int workers, Invocation invocation, PrintWriter out, PrintWriter err)
      throws InterruptedException {
    StopSignal stop = invocation.stop(); // shared: one Ctrl-C stops every run
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.request();
              try {
                done.await(60, TimeUnit.SECONDS); // let every run write its final checkpoint
              } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
              }
            },
            "engram-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintWriter syncOut = new SynchronizedWriter(out);
    PrintWriter syncErr = new SynchronizedWriter(err);
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, Math.min(workers, jobs.size())));
    try {
      List<Future<RunCommand.Outcome>> futures = new ArrayList<>();
      for (Job job : jobs) {
        String prefix = "[" + job.label() + "] ";
        // each run gets a child injector of its own (RunCommand.train)
        futures.add(
            pool.submit(
                () -> {
                  if (stop.requested()) {
                    // Ctrl-C while this run was queued: start nothing new (an untrained run
                    // directory would otherwise be counted as a seed by compare).
                    syncErr.println(prefix + "not started: stopped before its turn");
                    return new RunCommand.Outcome(Main.INTERRUPTED, null, null);
                  }
                  return job.body()
                      .run(new AdvanceLines(syncOut, prefix), prefix, syncOut, syncErr);
                }));
      }
      List<RunCommand.Outcome> outcomes = new ArrayList<>();
      for (Future<RunCommand.Outcome> f : futures) {
        try {
          outcomes.add(f.get());
        } catch (ExecutionException e) {
          syncErr.println("error: a run failed: " + e.getCause());
          outcomes.add(new RunCommand.Outcome(Main.SOFTWARE, null, null));
        }
      }
      return new Result(outcomes, stop.requested());
    } finally {
      pool.shutdown();
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // already shutting down: the hook is running and has been released above
      }
    }
  }

  /** One line per curriculum advance, prefixed with the run's label. */
  private static final class AdvanceLines implements TrainingObserver {
    private final PrintWriter out;
    private final String prefix;

    AdvanceLines(PrintWriter out, String prefix) {
      this.out = out;
      this.prefix = prefix;
    }

    @Override
    public void epoch(EpochReport report) {
      if (report.decision().outcome() != Decision.Outcome.STAY) {
        out.println(prefix + ProgressObserver.line(report));
      }
    }
  }

  /** Whole lines from several runs, never interleaved mid-line, flushed at once. */
  private static final class SynchronizedWriter extends PrintWriter {
    private final PrintWriter target;

    SynchronizedWriter(PrintWriter target) {
      super(target);
      this.target = target;
    }

    @Override
    public void println(String line) {
      synchronized (target) {
        target.println(line);
        target.flush();
      }
    }

    @Override
    public PrintWriter printf(String format, Object... args) {
      synchronized (target) {
        target.printf(format, args);
        target.flush();
      }
      return this;
    }
  }
}
