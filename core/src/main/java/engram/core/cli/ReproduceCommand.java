package engram.core.cli;

import engram.core.compare.ComparisonException;
import engram.core.compare.GroupBy;
import engram.core.compare.SelectedStudy;
import engram.core.config.ConfigException;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.Invocation;
import engram.core.plugin.PluginRegistry;
import engram.core.reproduce.ReproductionPlan;
import engram.core.reproduce.ReproductionReport;
import engram.core.run.RunDirectory;
import engram.core.train.Preflight;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code engram reproduce}: trains every condition × seed of a reproduction plan (several runs side
 * by side, one thread each), analyses each run with the experiment's analyzers, and writes a
 * comparison with figures and the findings table of the plan's study to {@code report.md}.
 */
@Command(
    name = "reproduce",
    mixinStandardHelpOptions = true,
    description =
        "Train the conditions and seeds of a reproduction plan side by side, analyse "
            + "every run and write report.md with figures and the findings of the plan's study.")
final class ReproduceCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "PLAN.yaml",
      description = "A reproduction plan, e.g. examples/reproduce-timescales.yaml.")
  Path planFile;

  @Parameters(
      index = "1..*",
      paramLabel = "KEY=VALUE",
      description = "Overrides applied to every run, after the profile and the condition.")
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
      description = "Runs trained at the same time (default: the plan's workers).")
  Integer workers;

  @Option(
      names = "--dry-run",
      description = "Check every run of the plan (and profile) and list them; train nothing.")
  boolean dryRun;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Parent directory of the output (default: reproductions).")
  Path outParent = Path.of("reproductions");

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.ParentCommand Main main;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PluginRegistry registry = main.plugins();
    registry.problems().forEach(p -> err.println("warning: " + p));
    Invocation invocation = new Invocation(registry);
    ExperimentLoader loader = invocation.loader();
    ReproductionPlan plan;
    SelectedStudy study = null;
    List<ParallelRuns.Job> jobs = new ArrayList<>();
    int parallel;
    int conditionCount;
    try {
      plan = ReproductionPlan.load(planFile);
      if (plan.study() != null) {
        try {
          study =
              SelectedStudy.resolve(
                  registry,
                  plan.study(),
                  "set study in "
                      + planFile
                      + " to one of them, or remove it for a report without findings.");
        } catch (ComparisonException e) {
          throw new ConfigException(e.getMessage());
        }
      }
      ReproductionPlan.Profile chosen = plan.profile(profile);
      List<String> profileOverrides = chosen.set();
      Path base = planFile.toAbsolutePath().getParent();
      Path experimentFile = base.resolve(plan.experiment());
      parallel = workers != null ? workers : plan.workers();
      if (parallel < 1) {
        throw new ConfigException(
            "--workers must be ≥ 1 (was " + parallel + "). Fix: use 1 per" + " core.");
      }
      conditionCount = plan.conditions(chosen).size();
      for (ReproductionPlan.Condition condition : plan.conditions(chosen)) {
        for (long seed : seeds != null ? seeds : plan.seeds(chosen)) {
          List<String> all = new ArrayList<>(profileOverrides);
          all.addAll(condition.set());
          all.add("seed=" + seed);
          all.add("name=" + GroupBy.conditionRunName(plan.name(), condition.label(), seed));
          all.addAll(overrides);
          ResolvedExperiment experiment = loader.load(experimentFile, all);
          Preflight.check(experiment, parallel); // every run checked before the first trains
          List<String> line = new ArrayList<>(List.of("engram"));
          line.addAll(main.pluginArguments());
          line.addAll(List.of("run", experimentFile.toString()));
          line.addAll(all);
          jobs.add(new ParallelRuns.Job(condition.label() + " seed " + seed, experiment, line));
        }
      }
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    if (study != null) {
      // Said before training: a study whose tables no run writes measures little.
      for (String analyzer : study.tables().keySet()) {
        boolean analysed =
            jobs.stream()
                .allMatch(
                    j ->
                        j.experiment().analyzers().stream().anyMatch(a -> a.id().equals(analyzer)));
        if (!analysed) {
          err.println(
              "note: the study "
                  + study.id()
                  + " reads the tables of analyzer '"
                  + analyzer
                  + "', which not every run of the plan runs: findings that need them"
                  + " may be not measured.");
        }
      }
      study.notes().forEach(n -> err.println("note: " + n));
    }
    if (dryRun) {
      for (ParallelRuns.Job job : jobs) {
        out.println(job.label() + ": " + String.join(" ", job.commandLine()));
      }
      out.println(
          "plan "
              + plan.name()
              + " is valid: "
              + jobs.size()
              + " runs"
              + (study == null ? "" : ", findings of study " + study.id())
              + "; nothing trained"
              + " (--dry-run).");
      out.flush();
      return Main.OK;
    }
    Path outDir;
    try {
      outDir = RunDirectory.fresh(outParent, RunDirectory.stamped(plan.name(), Instant.now()));
    } catch (IOException e) {
      err.println(
          "error: cannot create the output directory under "
              + outParent.toAbsolutePath()
              + ": "
              + e.getMessage()
              + ". Fix: choose a writable --out.");
      return Main.SOFTWARE;
    }
    out.printf(
        "reproduction %s: %d runs (%d conditions × %d seeds), %d at a time; output %s%n",
        plan.name(),
        jobs.size(),
        conditionCount,
        jobs.size() / conditionCount,
        Math.min(parallel, jobs.size()),
        outDir);
    out.flush();

    Instant started = Instant.now();
    ParallelRuns.Result result;
    try {
      result = ParallelRuns.train(jobs, parallel, invocation, outDir.resolve("runs"), out, err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Main.INTERRUPTED;
    }
    if (result.stopped()) {
      err.println("error: stopped; the runs so far are in " + outDir.resolve("runs"));
      return Main.INTERRUPTED;
    }
    List<RunCommand.Outcome> outcomes = result.outcomes();
    List<Path> runs =
        outcomes.stream()
            .filter(o -> o.run() != null && o.result() != null)
            .map(RunCommand.Outcome::run)
            .toList();
    int failed = (int) outcomes.stream().filter(o -> o.code() != Main.OK).count();
    if (runs.isEmpty()) {
      err.println(
          "error: no run finished training, so there is nothing to compare; see the"
              + " messages above.");
      return Main.SOFTWARE;
    }
    try {
      Path report =
          ReproductionReport.write(
              plan,
              study,
              profile,
              jobsLine(),
              outDir,
              runs,
              Duration.between(started, Instant.now()));
      out.println("report: " + report);
    } catch (IOException | RuntimeException e) {
      err.println("error: cannot write the report in " + outDir + ": " + e.getMessage());
      return Main.SOFTWARE;
    }
    out.flush();
    return failed == 0 ? Main.OK : Main.SOFTWARE;
  }

  private String jobsLine() {
    List<String> line = new ArrayList<>(List.of("./engram"));
    line.addAll(main.pluginArguments());
    line.addAll(List.of("reproduce", planFile.toString()));
    if (profile != null) {
      line.add("--profile " + profile);
    }
    if (seeds != null) {
      line.add("--seeds " + String.join(",", seeds.stream().map(String::valueOf).toList()));
    }
    if (workers != null) {
      line.add("--workers " + workers);
    }
    line.addAll(overrides);
    return String.join(" ", line);
  }
}
