package engram.core.cli;

import com.google.inject.Guice;
import engram.core.config.ConfigException;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.ExperimentModule;
import engram.core.plugin.PluginRegistry;
import engram.core.run.RunDirectory;
import engram.core.run.RunLog;
import engram.core.train.Preflight;
import engram.core.train.StopSignal;
import engram.core.train.Trainer;
import engram.core.train.TrainingDivergedException;
import engram.core.train.TrainingObserver;
import engram.core.train.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
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
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Train the experiment described by a YAML file. Creates runs/<name>-<timestamp>/ "
        + "with the resolved config, provenance.json, metrics.csv, checkpoints/ and run.log.")
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Parameters(index = "0", paramLabel = "EXPERIMENT.yaml", description = "The experiment file.")
  Path experiment;

  @Parameters(index = "1..*", paramLabel = "KEY=VALUE",
      description = "Dotted overrides, e.g. seed=2 model.hidden-size=64 training.optimizer.lr=0.01")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--runs-dir", paramLabel = "DIR",
      description = "Where to create the run directory (default: output.runs-dir of the experiment).")
  Path runsDir;

  @Option(names = "--progress", paramLabel = "bar|lines",
      description = "Progress display; default: a bar on a terminal, one line per epoch otherwise.")
  String progress;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PluginRegistry registry = PluginRegistry.discover(RunCommand.class.getClassLoader());
    registry.problems().forEach(p -> err.println("warning: " + p));
    ExperimentLoader loader = new ExperimentLoader(registry);
    ResolvedExperiment resolved;
    try {
      resolved = loader.load(experiment, overrides);
      Preflight.check(resolved);
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    Path root = runsDir != null ? runsDir : Path.of(resolved.output().runsDir());
    RunDirectory run;
    try {
      run = RunDirectory.create(root, resolved.name(), Instant.now());
      run.writeNew("config.resolved.yaml", loader.toYaml(resolved));
      RunArtifacts.writeProvenance(run, resolved, commandLine());
    } catch (java.io.IOException e) {
      err.println("error: cannot create the run directory under " + root.toAbsolutePath() + ": "
          + e.getMessage() + ". Fix: choose a writable --runs-dir or output.runs-dir.");
      return Main.SOFTWARE;
    }
    out.println("run directory: " + run.path());
    out.flush();
    StopSignal stop = new StopSignal();
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.request();
      try {
        // Ctrl-C: let the trainer finish its step and write the final checkpoint.
        done.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, "engram-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    boolean terminal = progress == null ? System.console() != null : progress.equals("bar");
    try (AutoCloseable log = RunLog.attach(run.logFile());
        RunArtifacts artifacts = RunArtifacts.open(run, resolved)) {
      LOG.info("Run {} started: {}", run.path(), resolved.name());
      TrainingObserver observer = TrainingObserver.of(List.of(artifacts,
          new ProgressObserver(out, terminal), new LogObserver()));
      Trainer trainer = Guice.createInjector(new ExperimentModule(resolved, observer, stop))
          .getInstance(Trainer.class);
      TrainingResult result = trainer.run();
      out.printf("finished: %s after %d epochs (%d steps); largest N solved: %s; run directory: %s%n",
          result.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
          result.epochs(), result.steps(),
          result.maxLevelSolved() == 0 ? "none" : String.valueOf(result.maxLevelSolved()), run.path());
      if (result.reason() == TrainingResult.Reason.STOPPED) {
        return Main.INTERRUPTED;
      }
      int failed = 0;
      if (!resolved.analyzers().isEmpty()) {
        for (engram.core.analysis.AnalysisRunner.Outcome o : engram.core.analysis.AnalysisRunner.run(
            run.path(), resolved.analyzers(), engram.core.analysis.AnalysisRunner.Selection.ALL)) {
          if (o.ok()) {
            out.println("analysis " + o.id() + ": wrote " + o.directory());
          } else {
            err.println("error: analysis " + o.id() + ": " + o.error());
            failed++;
          }
        }
      }
      return failed == 0 ? Main.OK : Main.SOFTWARE;
    } catch (TrainingDivergedException e) {
      LOG.info("Run stopped: {}", e.getMessage());
      err.println("error: " + e.getMessage());
      return Main.DIVERGED;
    } catch (Exception e) {
      LOG.error("Run failed", e);
      err.println("error: the run failed: " + e + " (stack trace in " + run.logFile() + ")");
      return Main.SOFTWARE;
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // already shutting down: the hook is running and has been released above
      }
    }
  }

  private List<String> commandLine() {
    List<String> line = new ArrayList<>(List.of("engram", "run", experiment.toString()));
    line.addAll(overrides);
    return line;
  }
}
