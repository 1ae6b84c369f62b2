package engram.core.cli;

import engram.core.config.ConfigException;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.Invocation;
import engram.core.inject.RunInjector;
import engram.core.plugin.PluginRegistry;
import engram.core.run.RunDirectory;
import engram.core.run.RunLock;
import engram.core.sweep.SlurmOptions;
import engram.core.sweep.SweepIndex;
import engram.core.train.Preflight;
import engram.core.train.StopSignal;
import engram.core.train.Trainer;
import engram.core.train.TrainingObserver;
import engram.core.train.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code engram run}: validates an experiment, creates its run directory and trains. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Train the experiment described by a YAML file. Creates runs/<name>-<timestamp>/ "
            + "with the resolved config, provenance.json, metrics.csv, checkpoints/ and run.log.",
    footer = {
      "",
      "Memory: see 'engram --help'. With --seeds, --workers runs share the launcher's budget;"
          + " ./engram sizes the heap for them when --workers is given."
    })
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Parameters(index = "0", paramLabel = "EXPERIMENT.yaml", description = "The experiment file.")
  Path experiment;

  @Parameters(
      index = "1..*",
      paramLabel = "KEY=VALUE",
      description = "Dotted overrides, e.g. seed=2 model.hidden-size=64 training.optimizer.lr=0.01")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--runs-dir",
      paramLabel = "DIR",
      description =
          "Where to create the run directory (default: output.runs-dir of the experiment).")
  Path runsDir;

  @Option(
      names = "--progress",
      paramLabel = "bar|lines",
      description = "Progress display; default: a bar on a terminal, one line per epoch otherwise.")
  String progress;

  @Option(
      names = "--seeds",
      paramLabel = "SEEDS",
      description =
          "Train one run per seed, side by side, each with its own run directory: "
              + "1..4 or 1,3,7.")
  String seeds;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description =
          "With --seeds: runs trained at the same time, one thread each (default: the"
              + " number of cores).")
  Integer workers;

  @Option(
      names = "--executor",
      paramLabel = "local|slurm",
      description =
          "With --seeds: local (default) trains here; slurm submits one job array, one run per"
              + " seed, into a sweep directory <runs-dir>/<name>-seeds-<time>/ (see engram sweep).")
  String executor = "local";

  @picocli.CommandLine.Mixin SlurmFlags slurmFlags = new SlurmFlags();

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.ParentCommand Main main;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PluginRegistry registry = main.plugins();
    registry.problems().forEach(p -> err.println("warning: " + p));
    Invocation invocation = new Invocation(registry);
    if (!executor.equals("local") && !executor.equals("slurm")) {
      err.println(
          "error: --executor must be local or slurm (was '" + executor + "'). Fix: choose one.");
      return Main.USAGE;
    }
    if (seeds != null) {
      return executor.equals("slurm")
          ? submitSeeds(invocation, out, err)
          : trainSeeds(invocation, out, err);
    }
    if (executor.equals("slurm")) {
      err.println(
          "error: --executor slurm needs --seeds (one array task per seed). Fix: add e.g."
              + " --seeds 1..4, or run a single run without --executor.");
      return Main.USAGE;
    }
    ResolvedExperiment resolved;
    try {
      resolved = invocation.loader().load(experiment, overrides);
      Preflight.check(resolved);
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    Path root = runsDir != null ? runsDir : Path.of(resolved.output().runsDir());
    boolean terminal = progress == null ? System.console() != null : progress.equals("bar");
    return withStopHook(
        invocation.stop(),
        () ->
            train(
                    invocation,
                    resolved,
                    root,
                    commandLine(),
                    new ProgressObserver(out, terminal),
                    "",
                    out,
                    err)
                .code());
  }

  /**
   * Runs {@code body} with a shutdown hook that asks {@code stop} to stop (Ctrl-C, SIGTERM) and
   * waits up to 60 s for {@code body} to finish its step and write its last checkpoints.
   */
  static int withStopHook(StopSignal stop, java.util.function.IntSupplier body) {
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.request();
              try {
                // Ctrl-C: let the trainer finish its step and write the final checkpoint.
                done.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
              }
            },
            "engram-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return body.getAsInt();
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // already shutting down: the hook is running and has been released above
      }
    }
  }

  /** {@code --seeds}: one run per seed, {@code --workers} at a time; every run checked first. */
  private int trainSeeds(Invocation invocation, PrintWriter out, PrintWriter err) {
    List<Long> list;
    try {
      list = parseSeeds(seeds);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    int parallel = workers != null ? workers : Runtime.getRuntime().availableProcessors();
    if (parallel < 1) {
      err.println("error: --workers must be ≥ 1 (was " + parallel + "). Fix: use 1 per core.");
      return Main.USAGE;
    }
    List<ParallelRuns.Job> jobs = new ArrayList<>();
    Path root = runsDir;
    for (long seed : list) {
      List<String> all = new ArrayList<>(overrides);
      all.add("seed=" + seed);
      try {
        ResolvedExperiment resolved = invocation.loader().load(experiment, all);
        Preflight.check(resolved, Math.min(parallel, list.size()));
        root = root != null ? root : Path.of(resolved.output().runsDir());
        List<String> line = new ArrayList<>(List.of("engram", "run", experiment.toString()));
        line.addAll(all);
        jobs.add(ParallelRuns.Job.fresh("seed " + seed, invocation, resolved, root, line));
      } catch (ConfigException e) {
        err.println("error: " + e.getMessage());
        return Main.USAGE;
      }
    }
    out.printf(
        "%d runs (seeds %s), %d at a time%n", jobs.size(), seeds, Math.min(parallel, jobs.size()));
    out.flush();
    ParallelRuns.Result result;
    try {
      result = ParallelRuns.train(jobs, parallel, invocation, out, err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Main.INTERRUPTED;
    }
    if (result.stopped()) {
      return Main.INTERRUPTED;
    }
    int code = Main.OK;
    for (RunCommand.Outcome o : result.outcomes()) {
      if (o.code() != Main.OK) {
        code = o.code();
      }
    }
    return code;
  }

  /**
   * {@code --seeds --executor slurm}: a sweep directory with one run per seed (named {@code
   * <name>-s<seed>}), submitted as one job array.
   */
  private int submitSeeds(Invocation invocation, PrintWriter out, PrintWriter err) {
    String engram = slurmFlags.engram(err);
    if (engram == null) {
      return Main.USAGE;
    }
    Path root = runsDir;
    try {
      SlurmOptions options = slurmFlags.over(SlurmOptions.NONE);
      options.check("of the command line");
      SweepRuns.Expanded expanded =
          SweepRuns.expandSeeds(
              invocation, main.pluginArguments(), experiment, overrides, parseSeeds(seeds));
      if (root == null) {
        root = Path.of(expanded.runs().get(0).experiment().output().runsDir());
      }
      List<String> command = new ArrayList<>(commandLine());
      command.addAll(List.of("--seeds", seeds, "--executor", "slurm"));
      Path sweep = SweepRuns.create(root, expanded, null, command, main.pluginArguments(), options);
      return SweepRuns.submit(
          sweep, SweepIndex.read(sweep), engram, options, false, "run", out, err);
    } catch (IllegalArgumentException | ConfigException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    } catch (java.io.IOException e) {
      err.println(
          "error: cannot create the sweep directory under "
              + root
              + ": "
              + e.getMessage()
              + ". Fix: choose a writable --runs-dir.");
      return Main.SOFTWARE;
    }
  }

  /**
   * {@code 1..4} or {@code 1,3,7} (or a mix: {@code 1..3,9}), distinct.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  static List<Long> parseSeeds(String text) {
    List<Long> list = new ArrayList<>();
    try {
      for (String part : text.split(",")) {
        String p = part.trim();
        int range = p.indexOf("..");
        if (range > 0) {
          long from = Long.parseLong(p.substring(0, range).trim());
          long to = Long.parseLong(p.substring(range + 2).trim());
          if (to < from || to - from > 10_000) {
            throw new NumberFormatException();
          }
          for (long s = from; s <= to; s++) {
            list.add(s);
          }
        } else {
          list.add(Long.parseLong(p));
        }
      }
    } catch (NumberFormatException e) {
      list.clear();
    }
    if (list.isEmpty() || list.stream().distinct().count() != list.size()) {
      throw new IllegalArgumentException(
          "--seeds must list distinct seeds as 1..4, 1,3,7 or"
              + " 1..3,9 (was '"
              + text
              + "'). Fix: e.g. --seeds 1..4");
    }
    return list;
  }

  /** What {@link #train} did: the exit code, the run directory (null if none) and the result. */
  record Outcome(int code, Path run, TrainingResult result) {}

  /**
   * Creates a run directory under {@code root}, trains, and runs the experiment's analyzers: the
   * whole of {@code engram run} after loading, shared with {@code engram reproduce}. The run gets
   * an injector of its own, a child of the invocation's; the invocation's stop signal stops it.
   *
   * @param display progress display of this run
   * @param prefix put before every line this method prints (a run's label when several run side by
   *     side)
   */
  static Outcome train(
      Invocation invocation,
      ResolvedExperiment resolved,
      Path root,
      List<String> commandLine,
      TrainingObserver display,
      String prefix,
      PrintWriter out,
      PrintWriter err) {
    return train(invocation, resolved, root, commandLine, display, prefix, out, err, List.of());
  }

  /**
   * As {@link #train(Invocation, ResolvedExperiment, Path, List, TrainingObserver, String,
   * PrintWriter, PrintWriter)}, with {@code extra} Guice modules in the run's injector (tests
   * inject faults through them).
   */
  static Outcome train(
      Invocation invocation,
      ResolvedExperiment resolved,
      Path root,
      List<String> commandLine,
      TrainingObserver display,
      String prefix,
      PrintWriter out,
      PrintWriter err,
      List<com.google.inject.Module> extra) {
    RunInjector injector;
    try {
      injector =
          invocation.run(resolved, root, commandLine, List.of(display, new LogObserver()), extra);
    } catch (IllegalStateException e) { // a plugin jar's Guice module: its one-line message
      err.println(prefix + "error: " + e.getMessage());
      return new Outcome(Main.USAGE, null, null);
    }
    RunDirectory run;
    try {
      run = injector.directory();
    } catch (java.io.IOException e) {
      err.println(
          prefix
              + "error: cannot create the run directory under "
              + root.toAbsolutePath()
              + ": "
              + e.getMessage()
              + ". Fix: choose a writable --runs-dir or output.runs-dir.");
      return new Outcome(Main.SOFTWARE, null, null);
    }
    out.println(prefix + "run directory: " + run.path());
    out.flush();
    RunLock lock = null;
    try {
      lock = RunLock.acquire(run);
    } catch (java.io.IOException e) { // a file system without locks: train unprotected
      err.println(
          prefix
              + "warning: cannot lock "
              + run.path()
              + " ("
              + e.getMessage()
              + "): 'engram resume' cannot tell whether this run is alive");
    }
    try {
      return RunTraining.trainIn(
          run,
          injector,
          resolved,
          invocation.loader(),
          Trainer::run,
          "Run " + run.path() + " started: " + resolved.name(),
          prefix,
          out,
          err);
    } finally {
      RunTraining.release(lock);
    }
  }

  private List<String> commandLine() {
    List<String> line = new ArrayList<>(List.of("engram"));
    line.addAll(main.pluginArguments());
    line.addAll(List.of("run", experiment.toString()));
    line.addAll(overrides);
    return line;
  }
}
