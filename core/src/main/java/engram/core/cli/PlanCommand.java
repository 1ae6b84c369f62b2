package engram.core.cli;

import engram.core.config.ConfigException;
import engram.core.inject.Invocation;
import engram.core.plugin.PluginRegistry;
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

  @picocli.CommandLine.Mixin SlurmFlags slurmFlags = new SlurmFlags();

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
        slurmFlags.over(expanded.plan().slurm()).check("of the command line");
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
            SweepRuns.create(
                parent,
                expanded,
                profile,
                commandLine(),
                main().pluginArguments(),
                slurmFlags.over(expanded.plan().slurm()));
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
        SweepFinish.run(registry, sweep, index, Duration.between(started, Instant.now()), out, err);
    return failed == 0 ? code : Main.SOFTWARE;
  }

  private int submit(Path sweep, SweepIndex index, PrintWriter out, PrintWriter err) {
    String engram = slurmFlags.engram(err);
    if (engram == null) {
      return Main.USAGE;
    }
    SlurmOptions options = slurmFlags.over(index.slurm());
    try {
      options.check("of the command line");
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    return SweepRuns.submit(sweep, index, engram, options, retryFailed, name(), out, err);
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
