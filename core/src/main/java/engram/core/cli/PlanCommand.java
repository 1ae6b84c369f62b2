package engram.core.cli;

import engram.core.config.ConfigException;
import engram.core.inject.Invocation;
import engram.core.plugin.PluginRegistry;
import engram.core.sweep.RunStates;
import engram.core.sweep.SlurmExecutor;
import engram.core.sweep.SlurmOptions;
import engram.core.sweep.SweepEntry;
import engram.core.sweep.SweepIndex;
import engram.core.sweep.SweepPlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The shared body of {@code engram sweep} and {@code engram reproduce}: expand a plan into a sweep
 * directory (or take an existing one), run what is not finished on the chosen executor, and write
 * the report. With {@code --executor local} runs train side by side in this process and the report
 * follows; with {@code --executor slurm} one job array is submitted with a dependent job that
 * writes the report, and the command returns at once.
 */
abstract class PlanCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "PLAN.yaml|SWEEP-DIR",
      description =
          "A plan (e.g. examples/reproduce-geometry.yaml), or a sweep directory made before: then"
              + " finished runs are left alone, stopped ones resume, pending ones start.")
  Path target;

  @Parameters(
      index = "1..*",
      paramLabel = "KEY=VALUE",
      description = "Overrides applied to every run, after the profile and the point's.")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description = "A profile of the plan (e.g. paper: the paper's network and budget).")
  String profile;

  @Option(
      names = "--seeds",
      split = ",",
      paramLabel = "SEED",
      description = "Seeds to train instead of the plan's, comma-separated.")
  List<Long> seeds;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description = "Local executor: runs trained at the same time (default: the plan's workers).")
  Integer workers;

  @Option(
      names = "--dry-run",
      description = "Check every run of the plan (and profile) and list them; train nothing.")
  boolean dryRun;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Parent directory of the sweep directory (default: ${DEFAULT-VALUE}).")
  Path outParent;

  @Option(
      names = "--executor",
      paramLabel = "local|slurm",
      description =
          "local: train here, --workers at a time, then write the report. slurm: submit one job"
              + " array (one run per task) and a dependent job that writes the report.")
  String executor = "local";

  @Option(
      names = "--retry-failed",
      description = "With a sweep directory: also run failed runs again (resumed if they can be).")
  boolean retryFailed;

  @Option(names = "--slurm-partition", paramLabel = "NAME", description = "sbatch --partition.")
  String slurmPartition;

  @Option(
      names = "--slurm-time",
      paramLabel = "TIME",
      description = "sbatch --time of one task, e.g. 08:00:00.")
  String slurmTime;

  @Option(
      names = "--slurm-mem",
      paramLabel = "SIZE",
      description = "sbatch --mem of one task, e.g. 4G.")
  String slurmMem;

  @Option(names = "--slurm-cpus", paramLabel = "N", description = "sbatch --cpus-per-task.")
  Integer slurmCpus;

  @Option(
      names = "--slurm-max-parallel",
      paramLabel = "K",
      description = "At most K tasks at once (the array's %K).")
  Integer slurmMaxParallel;

  @Option(
      names = "--slurm-option",
      paramLabel = "--NAME=VALUE",
      description = "Another #SBATCH option, verbatim; repeatable.")
  List<String> slurmOptions = new ArrayList<>();

  @Option(
      names = "--slurm-engram",
      paramLabel = "COMMAND",
      description =
          "The command that runs engram on the nodes, as shell words (default: this launcher's"
              + " absolute path; the nodes must see it on a shared file system).")
  String slurmEngram;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  /** The command's name, as typed ({@code sweep} or {@code reproduce}). */
  abstract String name();

  /** Parent of new sweep directories when {@code --out} is not given. */
  abstract Path defaultOut();

  /** The launcher's options ({@code --plugins}). */
  abstract Main main();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (target == null) {
      err.println(
          "error: name a plan or a sweep directory, e.g. engram "
              + name()
              + " examples/reproduce-geometry.yaml. Fix: see engram "
              + name()
              + " --help.");
      return Main.USAGE;
    }
    if (!executor.equals("local") && !executor.equals("slurm")) {
      err.println(
          "error: --executor must be local or slurm (was '" + executor + "'). Fix: choose one.");
      return Main.USAGE;
    }
    PluginRegistry registry = main().plugins();
    registry.problems().forEach(p -> err.println("warning: " + p));
    Invocation invocation = new Invocation(registry);
    Path sweep;
    SweepIndex index;
    int parallel;
    if (Files.isDirectory(target)) {
      if (!overrides.isEmpty() || profile != null || seeds != null || dryRun) {
        err.println(
            "error: "
                + target
                + " is a sweep directory: its runs were fixed when it was made, so overrides,"
                + " --profile, --seeds and --dry-run do not apply. Fix: drop them, or pass the"
                + " plan file for a new sweep.");
        return Main.USAGE;
      }
      sweep = target;
      try {
        index = SweepIndex.read(sweep);
      } catch (ConfigException e) {
        err.println("error: " + e.getMessage());
        return Main.USAGE;
      }
      parallel = workers != null ? workers : Runtime.getRuntime().availableProcessors();
    } else {
      SweepRuns.Expanded expanded;
      try {
        parallel = workers != null ? workers : SweepPlan.load(target).workers();
        if (parallel < 1) {
          throw new ConfigException(
              "--workers must be ≥ 1 (was " + parallel + "). Fix: use 1 per core.");
        }
        expanded =
            SweepRuns.expand(
                invocation,
                main().pluginArguments(),
                target,
                profile,
                seeds,
                overrides,
                executor.equals("local") ? parallel : 1);
        slurm(expanded.plan().slurm()).check("of the command line");
      } catch (ConfigException e) {
        err.println("error: " + e.getMessage());
        return Main.USAGE;
      }
      studyNotes(expanded, err);
      if (dryRun) {
        for (SweepRuns.Planned p : expanded.runs()) {
          out.println(
              p.entry().label()
                  + " seed "
                  + p.entry().seed()
                  + ": "
                  + String.join(" ", p.entry().command()));
        }
        out.println(
            name()
                + " "
                + expanded.plan().name()
                + " is valid: "
                + expanded.runs().size()
                + " runs"
                + (expanded.study() == null ? "" : ", findings of study " + expanded.study().id())
                + "; nothing trained (--dry-run).");
        out.flush();
        return Main.OK;
      }
      Path parent = outParent != null ? outParent : defaultOut();
      try {
        sweep =
            SweepRuns.create(parent, expanded, profile, commandLine(), main().pluginArguments());
        index = SweepIndex.read(sweep);
      } catch (IOException | ConfigException e) {
        err.println(
            "error: cannot create the sweep directory under "
                + parent.toAbsolutePath()
                + ": "
                + e.getMessage()
                + ". Fix: choose a writable --out.");
        return Main.SOFTWARE;
      }
    }
    return executor.equals("slurm")
        ? submit(sweep, index, out, err)
        : runLocally(invocation, registry, sweep, index, parallel, out, err);
  }

  private SlurmOptions slurm(SlurmOptions fromPlan) {
    return fromPlan.with(
        new SlurmOptions(
            slurmPartition, slurmTime, slurmMem, slurmCpus, slurmMaxParallel, slurmOptions));
  }

  private static void studyNotes(SweepRuns.Expanded expanded, PrintWriter err) {
    if (expanded.study() == null) {
      return;
    }
    // Said before training: a study whose tables no run writes measures little.
    for (String analyzer : expanded.study().tables().keySet()) {
      boolean analysed =
          expanded.runs().stream()
              .allMatch(
                  r -> r.experiment().analyzers().stream().anyMatch(a -> a.id().equals(analyzer)));
      if (!analysed) {
        err.println(
            "note: the study "
                + expanded.study().id()
                + " reads the tables of analyzer '"
                + analyzer
                + "', which not every run of the plan runs: findings that need them"
                + " may be not measured.");
      }
    }
    expanded.study().notes().forEach(n -> err.println("note: " + n));
  }

  private int runLocally(
      Invocation invocation,
      PluginRegistry registry,
      Path sweep,
      SweepIndex index,
      int parallel,
      PrintWriter out,
      PrintWriter err) {
    List<ParallelRuns.Job> jobs = new ArrayList<>();
    for (SweepEntry entry : index.entries()) {
      jobs.add(
          new ParallelRuns.Job(
              entry.label().isEmpty() ? entry.name() : entry.label() + " seed " + entry.seed(),
              (display, prefix, o, e) ->
                  SweepRuns.run(invocation, sweep, entry, retryFailed, display, prefix, o, e)));
    }
    out.printf(
        "%s %s: %d runs, %d at a time; output %s%n",
        name(), index.name(), jobs.size(), Math.min(parallel, jobs.size()), sweep);
    out.flush();
    Instant started = Instant.now();
    ParallelRuns.Result result;
    try {
      result = ParallelRuns.train(jobs, parallel, invocation, out, err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Main.INTERRUPTED;
    }
    if (result.stopped()) {
      err.println(
          "error: stopped; the runs so far are in "
              + sweep.resolve(SweepIndex.RUNS)
              + ". Fix: continue with ./engram "
              + name()
              + " "
              + sweep);
      return Main.INTERRUPTED;
    }
    int failed = (int) result.outcomes().stream().filter(o -> o.code() != Main.OK).count();
    int code =
        SweepRuns.finish(
            registry, sweep, index, Duration.between(started, Instant.now()), out, err);
    return failed == 0 ? code : Main.SOFTWARE;
  }

  private int submit(Path sweep, SweepIndex index, PrintWriter out, PrintWriter err) {
    String engram = slurmEngram != null ? slurmEngram : System.getProperty("engram.launcher");
    if (engram == null || engram.isBlank()) {
      err.println(
          "error: cannot tell how the nodes run engram. Fix: start this command with the ./engram"
              + " launcher, or pass --slurm-engram /shared/path/to/engram.");
      return Main.USAGE;
    }
    if (System.getProperty("engram.launcher") != null && slurmEngram == null) {
      engram = SlurmExecutor.quote(engram);
    }
    SlurmOptions options;
    try {
      SlurmOptions fromPlan = SlurmOptions.NONE;
      if (!Files.isDirectory(target)) {
        fromPlan = SweepPlan.load(target).slurm();
      }
      options = slurm(fromPlan);
      options.check("of the command line");
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    List<Integer> todo = new ArrayList<>();
    for (SweepEntry entry : index.entries()) {
      RunStates.State state;
      try {
        state = RunStates.of(sweep, entry).state();
      } catch (IOException e) {
        err.println("error: cannot read the state of run " + entry.name() + ": " + e);
        return Main.SOFTWARE;
      }
      boolean run =
          switch (state) {
            case PENDING, STOPPED, ABANDONED -> true;
            case FAILED -> retryFailed;
            case RUNNING, FINISHED -> false;
          };
      if (run) {
        todo.add(entry.index());
      }
    }
    if (todo.isEmpty()) {
      out.println(
          "nothing to submit: every run of "
              + sweep
              + " is finished, running or failed (see engram sweep status "
              + sweep
              + ").");
      out.flush();
      return Main.OK;
    }
    try {
      SlurmExecutor.Submission s =
          new SlurmExecutor(engram, options).submit(sweep, index, todo, index.plugins());
      out.printf(
          "%s %s: submitted job array %s (tasks %s, %d runs) and job %s (report when the array"
              + " has ended); output %s%n",
          name(), index.name(), s.arrayJob(), s.arraySpec(), todo.size(), s.finishJob(), sweep);
      out.println("follow it: ./engram sweep status " + sweep);
      out.flush();
      return Main.OK;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return Main.SOFTWARE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Main.INTERRUPTED;
    }
  }

  /** This command as typed, for the report and {@code sweep.json}. */
  private List<String> commandLine() {
    List<String> line = new ArrayList<>(List.of("./engram"));
    line.addAll(main().pluginArguments());
    line.addAll(List.of(name(), target.toString()));
    if (profile != null) {
      line.add("--profile " + profile);
    }
    if (seeds != null) {
      line.add("--seeds " + String.join(",", seeds.stream().map(String::valueOf).toList()));
    }
    if (workers != null) {
      line.add("--workers " + workers);
    }
    if (!executor.equals("local")) {
      line.add("--executor " + executor);
    }
    line.addAll(overrides);
    return line;
  }
}
