package engram.core.cli;

import engram.core.compare.ComparisonException;
import engram.core.compare.GroupBy;
import engram.core.compare.SelectedStudy;
import engram.core.config.ConfigException;
import engram.core.config.ConfigMapper;
import engram.core.config.ExperimentLoader;
import engram.core.config.ExperimentYaml;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.Invocation;
import engram.core.run.RunDirectory;
import engram.core.sweep.RunStates;
import engram.core.sweep.SlurmExecutor;
import engram.core.sweep.SlurmOptions;
import engram.core.sweep.SweepEntry;
import engram.core.sweep.SweepIndex;
import engram.core.sweep.SweepPlan;
import engram.core.train.Preflight;
import engram.core.train.TrainingObserver;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code engram sweep} and {@code engram reproduce} do with a plan, whatever the executor:
 * expand it into runs and write the sweep directory; train, resume or skip one run by the state of
 * its run directory (the body of a local job and of a Slurm array task alike); and finish (analyse
 * what is not analysed, compare, write {@code report.md}).
 */
final class SweepRuns {
  private SweepRuns() {}

  /** A run of an expanded plan: its entry and its checked experiment. */
  record Planned(SweepEntry entry, ResolvedExperiment experiment) {}

  /** An expanded plan: its runs, in index order, and the study (or null). */
  record Expanded(SweepPlan plan, SelectedStudy study, List<Planned> runs) {}

  /**
   * Expands {@code planFile} under {@code profile} (or none) into runs and checks every one of them
   * (configuration and {@link Preflight}) before anything is written.
   *
   * @param seeds seeds replacing the plan's, or null
   * @param overrides applied to every run last
   * @param parallel runs trained at once on this machine, for the memory check
   */
  static Expanded expand(
      Invocation invocation,
      List<String> pluginArguments,
      Path planFile,
      String profile,
      List<Long> seeds,
      List<String> overrides,
      int parallel)
      throws ConfigException {
    SweepPlan plan = SweepPlan.load(planFile);
    SelectedStudy study = null;
    if (plan.study() != null) {
      try {
        study =
            SelectedStudy.resolve(
                invocation.plugins(),
                plan.study(),
                "set study in "
                    + planFile
                    + " to one of them, or remove it for a report without findings.");
      } catch (ComparisonException e) {
        throw new ConfigException(e.getMessage());
      }
    }
    SweepPlan.Profile chosen = plan.profile(profile);
    Path experimentFile = planFile.toAbsolutePath().getParent().resolve(plan.experiment());
    ExperimentLoader loader = invocation.loader();
    List<Planned> runs = new ArrayList<>();
    for (SweepPlan.Condition point : plan.points(chosen)) {
      for (long seed : seeds != null ? seeds : plan.seeds(chosen)) {
        List<String> all = new ArrayList<>(chosen.set());
        all.addAll(plan.set());
        all.addAll(point.set());
        all.add("seed=" + seed);
        String name = GroupBy.conditionRunName(plan.name(), point.label(), seed);
        all.add("name=" + name);
        all.addAll(overrides);
        ResolvedExperiment experiment = loader.load(experimentFile, all);
        Preflight.check(experiment, parallel); // every run checked before the first trains
        List<String> line = new ArrayList<>(List.of("engram"));
        line.addAll(pluginArguments);
        line.addAll(List.of("run", experimentFile.toString()));
        line.addAll(all);
        int index = runs.size();
        runs.add(
            new Planned(
                new SweepEntry(
                    index,
                    name,
                    point.label(),
                    seed,
                    SweepIndex.CONFIGS + "/" + RunDirectory.safeName(name) + ".yaml",
                    line),
                experiment));
      }
    }
    return new Expanded(plan, study, runs);
  }

  /**
   * {@code run --seeds} as a sweep: one run per seed, named {@code <name>-s<seed>}, in a plan named
   * {@code <name>-seeds} grouped by name.
   */
  static Expanded expandSeeds(
      Invocation invocation,
      List<String> pluginArguments,
      Path experiment,
      List<String> overrides,
      List<Long> seeds)
      throws ConfigException {
    List<Planned> runs = new ArrayList<>();
    String base = null;
    for (long seed : seeds) {
      List<String> all = new ArrayList<>(overrides);
      all.add("seed=" + seed);
      base = base != null ? base : invocation.loader().load(experiment, all).name();
      String name = base + "-s" + seed;
      all.add("name=" + name);
      ResolvedExperiment resolved = invocation.loader().load(experiment, all);
      Preflight.check(resolved);
      List<String> line = new ArrayList<>(List.of("engram"));
      line.addAll(pluginArguments);
      line.addAll(List.of("run", experiment.toString()));
      line.addAll(all);
      runs.add(
          new Planned(
              new SweepEntry(
                  runs.size(),
                  name,
                  "",
                  seed,
                  SweepIndex.CONFIGS + "/" + RunDirectory.safeName(name) + ".yaml",
                  line),
              resolved));
    }
    SweepPlan plan =
        new SweepPlan(
            base + "-seeds",
            null,
            experiment.toString(),
            null,
            seeds,
            1,
            "name",
            List.of(),
            List.of(),
            null,
            null,
            null,
            null);
    return new Expanded(plan, null, runs);
  }

  /**
   * Creates {@code outParent/<name>-<timestamp>/} with {@code configs/} and {@code sweep.json}.
   *
   * @return the sweep directory
   */
  static Path create(
      Path outParent,
      Expanded expanded,
      String profile,
      List<String> command,
      List<String> pluginArguments,
      SlurmOptions slurm)
      throws IOException {
    SweepPlan plan = expanded.plan();
    Path dir = RunDirectory.fresh(outParent, RunDirectory.stamped(plan.name(), Instant.now()));
    Files.createDirectories(dir.resolve(SweepIndex.CONFIGS));
    ExperimentYaml yaml = new ExperimentYaml(ConfigMapper.create());
    List<SweepEntry> entries = new ArrayList<>();
    for (Planned p : expanded.runs()) {
      Files.writeString(
          dir.resolve(p.entry().config()), yaml.write(p.experiment()), StandardCharsets.UTF_8);
      entries.add(p.entry());
    }
    new SweepIndex(
            SweepIndex.FORMAT,
            plan.name(),
            plan.description(),
            plan.study(),
            plan.groupBy(),
            profile,
            Instant.now().toString(),
            command,
            absolute(pluginArguments),
            slurm,
            entries)
        .write(dir);
    return dir;
  }

  /** {@code --plugins DIR} with DIR absolute, so tasks started elsewhere find the same jars. */
  private static List<String> absolute(List<String> pluginArguments) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < pluginArguments.size(); i++) {
      String a = pluginArguments.get(i);
      boolean folder = i > 0 && pluginArguments.get(i - 1).equals("--plugins");
      out.add(folder ? Path.of(a).toAbsolutePath().toString() : a);
    }
    return out;
  }

  /** {@code sweep.json} of {@code sweep}, or null after printing why it cannot be read. */
  static SweepIndex readIndex(Path sweep, PrintWriter err) {
    try {
      return SweepIndex.read(sweep);
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return null;
    }
  }

  /** The state of {@code entry}, or null after printing why it cannot be read. */
  static RunStates.Status state(Path sweep, SweepEntry entry, String prefix, PrintWriter err) {
    try {
      return RunStates.of(sweep, entry);
    } catch (IOException e) {
      err.println(prefix + "error: cannot read the state of run " + entry.name() + ": " + e);
      return null;
    }
  }

  /**
   * Runs entry {@code entry} of the sweep in {@code sweep} as its state says: a pending or
   * abandoned run starts (from its {@code configs/} file), a stopped one resumes, a finished one is
   * left alone (exit 0), a running one is skipped (exit 2), a failed one is reported (exit 1)
   * unless {@code retryFailed}, when it resumes if it can and starts again otherwise.
   */
  static RunCommand.Outcome run(
      Invocation invocation,
      Path sweep,
      SweepEntry entry,
      boolean retryFailed,
      TrainingObserver display,
      String prefix,
      PrintWriter out,
      PrintWriter err) {
    RunStates.Status status = state(sweep, entry, prefix, err);
    if (status == null) {
      return new RunCommand.Outcome(Main.SOFTWARE, null, null);
    }
    switch (status.state()) {
      case FINISHED:
        out.println(prefix + "finished already (" + status.detail() + "): " + status.run());
        return new RunCommand.Outcome(Main.OK, status.run(), null);
      case RUNNING:
        err.println(
            prefix + "skipped: " + status.run() + " is being trained by " + status.detail());
        return new RunCommand.Outcome(Main.USAGE, status.run(), null);
      case FAILED:
        if (!retryFailed) {
          err.println(
              prefix
                  + "failed before ("
                  + status.detail()
                  + "), not retried: "
                  + status.run()
                  + ". Fix: see its run.log; retry with --retry-failed.");
          return new RunCommand.Outcome(Main.SOFTWARE, status.run(), null);
        }
        break;
      default:
        break;
    }
    boolean resumable =
        status.state() == RunStates.State.STOPPED
            || (status.state() == RunStates.State.FAILED && hasResume(status.run()));
    if (resumable) {
      List<String> line = new ArrayList<>(List.of("engram", "resume", status.run().toString()));
      return ResumeCommand.resume(
          invocation, status.run(), false, line, display, out, err, List.of());
    }
    ResolvedExperiment experiment;
    try {
      experiment = invocation.loader().load(sweep.resolve(entry.config()), List.of());
    } catch (ConfigException e) {
      err.println(prefix + "error: " + e.getMessage());
      return new RunCommand.Outcome(Main.USAGE, null, null);
    }
    return RunCommand.train(
        invocation,
        experiment,
        sweep.resolve(SweepIndex.RUNS),
        entry.command(),
        display,
        prefix,
        out,
        err);
  }

  private static boolean hasResume(Path run) {
    return Files.isDirectory(run.resolve(engram.core.run.ResumeCheckpoints.DIRECTORY));
  }

  /**
   * Submits the runs of {@code sweep} that are pending, stopped or abandoned (and failed ones with
   * {@code retryFailed}) as one Slurm job array, with a dependent job that finishes the sweep.
   *
   * @param engram the command that runs engram on the nodes, as shell words
   * @param command {@code sweep}, {@code reproduce} or {@code run}, for the printed line
   */
  static int submit(
      Path sweep,
      SweepIndex index,
      String engram,
      SlurmOptions options,
      boolean retryFailed,
      String command,
      PrintWriter out,
      PrintWriter err) {
    List<Integer> todo = new ArrayList<>();
    for (SweepEntry entry : index.entries()) {
      RunStates.Status status = state(sweep, entry, "", err);
      if (status == null) {
        return Main.SOFTWARE;
      }
      boolean run =
          switch (status.state()) {
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
              + " is finished, running or failed (see ./engram sweep status "
              + sweep
              + ").");
      out.flush();
      return Main.OK;
    }
    try {
      SlurmExecutor.Submission s =
          new SlurmExecutor(engram, options).submit(sweep, index, todo, index.plugins());
      out.printf(
          "%s %s: submitted job array %s (tasks %s, %d runs) and job %s (analyses and report"
              + " once the array has ended); output %s%n",
          command, index.name(), s.arrayJob(), s.arraySpec(), todo.size(), s.finishJob(), sweep);
      out.println("follow it: ./engram sweep status " + sweep);
      out.flush();
      return Main.OK;
    } catch (IOException e) {
      err.println(
          "error: "
              + e.getMessage()
              + ". Nothing was submitted; the sweep directory is kept. Fix: submit it again with"
              + " ./engram sweep "
              + sweep
              + " --executor slurm once sbatch works.");
      return Main.SOFTWARE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Main.INTERRUPTED;
    }
  }
}
