package engram.core.cli;

import engram.core.config.ConfigException;
import engram.core.config.ConfigMapper;
import engram.core.config.ExperimentYaml;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.Invocation;
import engram.core.inject.RunInjector;
import engram.core.plugin.PluginRegistry;
import engram.core.run.Checkpoints;
import engram.core.run.Provenance;
import engram.core.run.ResumeCheckpoints;
import engram.core.run.RunArtifacts;
import engram.core.run.RunDirectory;
import engram.core.run.RunFiles;
import engram.core.run.RunLock;
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
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code engram resume RUN-DIR}: continues a stopped or killed run exactly from its newest complete
 * resume checkpoint ({@link ResumeCheckpoints}). In order: takes the run's lock ({@link RunLock};
 * refused while a live process holds it), refuses a finished run, loads {@code
 * config.resolved.yaml} with the installed plugins, picks the newest complete resume checkpoint
 * (refused when there is none), refuses a changed configuration or plugin unless {@code --force},
 * cuts {@code metrics.csv}, {@code trace.csv} and {@code run.log} back to what the checkpoint
 * covers and deletes the checkpoints written after it ({@link ResumeCheckpoints#rewind}), records
 * the resume in {@code provenance.json}, and trains on with the run's own injector, appending to
 * its files. A Slurm requeue (or any restart script) runs exactly this command.
 */
@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description =
        "Continue a stopped or killed run exactly from its newest complete resume checkpoint"
            + " (RUN-DIR/resume/, written every output.resume-every epochs, every"
            + " output.resume-minutes and at a stop). metrics.csv, trace.csv and run.log are cut"
            + " back to the rows that checkpoint covers and continue; provenance.json records the"
            + " resume.",
    footer = {
      "",
      "Refused (exit 2) when: another live process writes RUN-DIR (it holds RUN-DIR/run.lock);"
          + " the run has finished (its final checkpoint says max_epochs or"
          + " curriculum_finished); it has no complete resume checkpoint; config.resolved.yaml"
          + " or a plugin jar changed since the run started (unless --force).",
      "Exit codes as 'engram run': 0 done, 1 failed, 2 refused or bad input, 3 diverged,"
          + " 130 stopped again (resume again to continue)."
    })
final class ResumeCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "RUN-DIR", description = "The run directory to continue.")
  Path runDir;

  @Option(
      names = "--force",
      description =
          "Resume although config.resolved.yaml or a plugin changed since the run started (the"
              + " continuation is then not guaranteed to be the run's own); provenance.json"
              + " records what was overridden.")
  boolean force;

  @Option(
      names = "--progress",
      paramLabel = "bar|lines",
      description = "Progress display; default: a bar on a terminal, one line per epoch otherwise.")
  String progress;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.ParentCommand Main main;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // the folders of the plugin jars the run used are searched too, as 'engram analyze' does
    RunPlugins used = RunPlugins.of(runDir);
    PluginRegistry registry = main.plugins(used.folders());
    registry.problems().forEach(p -> err.println("warning: " + p));
    String missing = used.missing(registry);
    if (missing != null) {
      err.println("error: " + missing);
      return Main.USAGE;
    }
    Invocation invocation = new Invocation(registry);
    boolean terminal = progress == null ? System.console() != null : progress.equals("bar");
    List<String> line = new ArrayList<>(List.of("engram"));
    line.addAll(main.pluginArguments());
    line.addAll(List.of("resume", runDir.toString()));
    if (force) {
      line.add("--force");
    }
    return RunCommand.withStopHook(
        invocation.stop(),
        () ->
            resume(
                    invocation,
                    runDir,
                    force,
                    line,
                    new ProgressObserver(out, terminal),
                    out,
                    err,
                    List.of())
                .code());
  }

  /**
   * The whole of {@code engram resume} (tests call it with {@code extra} modules that inject
   * faults, as {@link RunCommand#train} takes them).
   *
   * @param commandLine recorded in the resume's entry of {@code provenance.json}
   */
  static RunCommand.Outcome resume(
      Invocation invocation,
      Path runDir,
      boolean force,
      List<String> commandLine,
      TrainingObserver display,
      PrintWriter out,
      PrintWriter err,
      List<com.google.inject.Module> extra) {
    Path config = runDir.resolve(RunDirectory.CONFIG);
    if (!Files.isDirectory(runDir) || !Files.isRegularFile(config)) {
      err.println(
          "error: "
              + runDir
              + " is not a run directory (it has no "
              + RunDirectory.CONFIG
              + "). Fix: name a directory that 'engram run' created, e.g."
              + " runs/<name>-<yyyyMMdd-HHmmss>.");
      return refused();
    }
    RunDirectory run;
    RunLock lock = null;
    try {
      run = RunDirectory.open(runDir);
    } catch (IOException e) {
      err.println("error: cannot open " + runDir + ": " + e.getMessage());
      return refused();
    }
    try {
      lock = RunLock.acquire(run);
    } catch (RunLock.HeldException e) {
      err.println(
          "error: "
              + e.getMessage()
              + " (it holds "
              + RunLock.FILE
              + "). Fix: let it finish, or stop it (Ctrl-C, kill) and resume then.");
      return refused();
    } catch (IOException e) { // a file system without locks
      err.println(
          "warning: cannot lock "
              + runDir
              + " ("
              + e.getMessage()
              + "); make sure no other process is training this run");
    }
    try {
      return resumeLocked(invocation, run, force, commandLine, display, out, err, extra);
    } finally {
      RunTraining.release(lock);
    }
  }

  private static RunCommand.Outcome resumeLocked(
      Invocation invocation,
      RunDirectory run,
      boolean force,
      List<String> commandLine,
      TrainingObserver display,
      PrintWriter out,
      PrintWriter err,
      List<com.google.inject.Module> extra) {
    Path dir = run.path();
    try {
      String finished = finished(run);
      if (finished != null) {
        err.println(
            "error: "
                + dir
                + " has finished ("
                + finished
                + "); there is nothing to resume. Fix: to train longer, start a new run from its"
                + " config.resolved.yaml with a larger training.max-epochs.");
        return refused();
      }
      Path config = dir.resolve(RunDirectory.CONFIG);
      ResolvedExperiment resolved;
      try {
        resolved = invocation.loader().load(config, List.of());
      } catch (ConfigException e) {
        err.println(
            "error: "
                + config
                + " does not load with the plugins installed now: "
                + e.getMessage()
                + (e.getMessage().contains("Fix:")
                    ? ""
                    : " Fix: install the plugins the run started with (provenance.json lists"
                        + " them)."));
        return refused();
      }
      try {
        Preflight.check(resolved);
      } catch (ConfigException e) {
        err.println("error: " + e.getMessage());
        return refused();
      }
      ResumeCheckpoints.Scan scan = ResumeCheckpoints.scan(run);
      if (scan.complete().isEmpty()) {
        err.println(
            "error: "
                + dir
                + " has no complete resume checkpoint in "
                + ResumeCheckpoints.DIRECTORY
                + "/"
                + (scan.skipped().isEmpty() ? "" : " (left out: " + scan.skipped() + ")")
                + ": it stopped before its first one (output.resume-every = "
                + resolved.output().resumeEvery()
                + " epochs, output.resume-minutes = "
                + resolved.output().resumeMinutes()
                + "). Fix: start it again with ./engram run "
                + config
                + ".");
        return refused();
      }
      ResumeCheckpoints.Loaded from = scan.complete().get(scan.complete().size() - 1);
      List<String> changes = changes(run, resolved, from, invocation.plugins());
      if (!changes.isEmpty() && !force) {
        err.println(
            "error: "
                + dir
                + " cannot be resumed exactly: "
                + String.join("; ", changes)
                + ". Fix: restore the run's configuration and plugins, or resume anyway with"
                + " --force (recorded in provenance.json).");
        return refused();
      }
      scan.skipped().forEach(s -> err.println("warning: damaged resume checkpoint left out: " + s));
      changes.forEach(c -> err.println("warning: resumed with --force although " + c));
      RunInjector injector =
          invocation.resume(resolved, run, List.of(display, new LogObserver()), extra);
      RunFiles files = injector.files();
      ResumeCheckpoints.rewind(run, from, resolved.output().traceEvery() > 0, files);
      Provenance provenance = Provenance.read(dir.resolve(RunDirectory.PROVENANCE));
      String nd4j = Nd4j.class.getPackage().getImplementationVersion();
      provenance
          .withResume(
              new Provenance.Resume(
                  Instant.now().toString(),
                  ResumeCheckpoints.DIRECTORY + "/" + from.name(),
                  from.state().epoch(),
                  from.state().step(),
                  Provenance.currentEngramVersion(),
                  System.getProperty("java.version"),
                  nd4j == null ? "1.0.0-M2.1" : nd4j,
                  host(),
                  commandLine,
                  changes))
          .replace(run, files);
      out.printf(
          "resuming %s from %s/%s (epoch %d, step %d%s)%n",
          dir,
          ResumeCheckpoints.DIRECTORY,
          from.name(),
          from.state().epoch(),
          from.state().step(),
          from.state().insideEpoch()
              ? String.format(
                  Locale.ROOT,
                  ", inside epoch %d after %d of its %d steps",
                  from.state().epoch(),
                  from.state().stepsInEpoch(),
                  resolved.training().stepsPerEpoch())
              : "");
      out.flush();
      return RunTraining.trainIn(
          run,
          injector,
          resolved,
          invocation.loader(),
          trainer -> trainer.resume(from.state()),
          "Run "
              + dir
              + " resumed from "
              + ResumeCheckpoints.DIRECTORY
              + "/"
              + from.name()
              + " (epoch "
              + from.state().epoch()
              + ", step "
              + from.state().step()
              + ")"
              + (changes.isEmpty() ? "" : " with --force: " + String.join("; ", changes)),
          "",
          out,
          err);
    } catch (IOException | RuntimeException e) {
      err.println("error: cannot resume " + dir + ": " + e.getMessage());
      return new RunCommand.Outcome(Main.SOFTWARE, dir, null);
    }
  }

  private static RunCommand.Outcome refused() {
    return new RunCommand.Outcome(Main.USAGE, null, null);
  }

  /**
   * Why the run counts as finished ("reason max_epochs at epoch 60"), or null: its {@code final}
   * checkpoint exists and was not written by a stop.
   */
  private static String finished(RunDirectory run) throws IOException {
    Path last = run.checkpoints().resolve("final");
    if (!Files.isRegularFile(last.resolve(Checkpoints.INDEX))) {
      return null;
    }
    Checkpoints.Index index;
    try {
      index = Checkpoints.readIndex(last);
    } catch (RuntimeException e) {
      return null; // a damaged final: resume rewrites it
    }
    Object reason = index.extra().get("reason");
    if ("stopped".equals(reason)) {
      return null;
    }
    return "reason " + reason + " at epoch " + index.epoch() + ", step " + index.step();
  }

  /**
   * What changed since the run started, one line each: {@code config.resolved.yaml}'s bytes (its
   * SHA-256 against the one the checkpoint recorded), how the installed plugins resolve it (the
   * file written anew from the loaded experiment against the file), and the plugins (kind, id,
   * version and jar SHA-256 against {@code provenance.json}).
   */
  static List<String> changes(
      RunDirectory run,
      ResolvedExperiment resolved,
      ResumeCheckpoints.Loaded from,
      PluginRegistry registry)
      throws IOException {
    List<String> changes = new ArrayList<>();
    Path config = run.path().resolve(RunDirectory.CONFIG);
    String sha = RunArtifacts.sha256(config);
    if (!sha.equals(from.position().configSha256())) {
      changes.add(
          RunDirectory.CONFIG
              + " changed since the run started (SHA-256 "
              + abbreviate(sha)
              + ", was "
              + abbreviate(from.position().configSha256())
              + ")");
    } else {
      String text = Files.readString(config, StandardCharsets.UTF_8);
      String again = new ExperimentYaml(ConfigMapper.create()).write(resolved);
      if (!again.equals(text)) {
        changes.add(
            RunDirectory.CONFIG
                + " resolves differently with the plugins installed now ("
                + firstDifference(text, again)
                + ")");
      }
    }
    Provenance started = Provenance.read(run.path().resolve(RunDirectory.PROVENANCE));
    Set<String> before = fingerprints(started.plugins());
    Set<String> now =
        fingerprints(
            Provenance.uses(resolved.plugins().stream().map(PluginChoice::plugin).toList()));
    if (!before.equals(now)) {
      List<String> gone = before.stream().filter(f -> !now.contains(f)).sorted().toList();
      List<String> added = now.stream().filter(f -> !before.contains(f)).sorted().toList();
      changes.add(
          "the plugins changed since the run started (then: "
              + String.join(", ", gone)
              + "; now: "
              + String.join(", ", added)
              + ")");
    }
    return changes;
  }

  /** "kind id version [sha256 prefix]" per plugin; where it was loaded from does not count. */
  private static Set<String> fingerprints(List<Provenance.PluginUse> uses) {
    return uses.stream()
        .map(
            u ->
                u.kind()
                    + " "
                    + u.id()
                    + " "
                    + u.version()
                    + (u.sha256() == null ? "" : " jar " + abbreviate(u.sha256())))
        .collect(Collectors.toSet());
  }

  private static String abbreviate(String sha) {
    return sha == null || sha.length() < 12 ? String.valueOf(sha) : sha.substring(0, 12);
  }

  private static String firstDifference(String was, String now) {
    String[] a = was.split("\n", -1);
    String[] b = now.split("\n", -1);
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i] : "";
      String y = i < b.length ? b[i] : "";
      if (!x.equals(y)) {
        return String.format(Locale.ROOT, "line %d: '%s' would now be '%s'", i + 1, x, y);
      }
    }
    return "line endings";
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
