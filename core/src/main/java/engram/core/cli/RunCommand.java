package engram.core.cli;

import engram.core.analysis.AnalysisRunner;
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

  @picocli.CommandLine.ParentCommand
  Main main;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PluginRegistry registry = main.plugins();
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
    try {
      return train(resolved, loader, root, commandLine(), new ProgressObserver(out, terminal), "",
          out, err, stop).code();
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // already shutting down: the hook is running and has been released above
      }
    }
  }

  /** What {@link #train} did: the exit code, the run directory (null if none) and the result. */
  record Outcome(int code, Path run, TrainingResult result) {}

  /**
   * Creates a run directory under {@code root}, trains, and runs the experiment's analyzers: the
   * whole of {@code engram run} after loading, shared with {@code engram reproduce}.
   *
   * @param display progress display of this run
   * @param prefix put before every line this method prints (a run's label when several run side by
   *     side)
   */
  static Outcome train(ResolvedExperiment resolved, ExperimentLoader loader, Path root,
      List<String> commandLine, TrainingObserver display, String prefix, PrintWriter out,
      PrintWriter err, StopSignal stop) {
    RunDirectory run;
    try {
      run = RunDirectory.create(root, resolved.name(), Instant.now());
      run.writeNew("config.resolved.yaml", loader.toYaml(resolved));
      RunArtifacts.writeProvenance(run, resolved, commandLine);
    } catch (java.io.IOException e) {
      err.println(prefix + "error: cannot create the run directory under " + root.toAbsolutePath()
          + ": " + e.getMessage() + ". Fix: choose a writable --runs-dir or output.runs-dir.");
      return new Outcome(Main.SOFTWARE, null, null);
    }
    out.println(prefix + "run directory: " + run.path());
    out.flush();
    try (AutoCloseable log = RunLog.attach(run.logFile());
        RunArtifacts artifacts = RunArtifacts.open(run, resolved)) {
      LOG.info("Run {} started: {}", run.path(), resolved.name());
      TrainingObserver observer = TrainingObserver.of(List.of(artifacts, display,
          new LogObserver()));
      Trainer trainer = ExperimentModule.trainer(resolved, observer, stop);
      TrainingResult result = trainer.run();
      out.printf("%sfinished: %s after %d epochs (%d steps); largest N solved: %s; run directory:"
          + " %s%n", prefix,
          result.reason().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '),
          result.epochs(), result.steps(),
          result.maxLevelSolved() == 0 ? "none" : String.valueOf(result.maxLevelSolved()),
          run.path());
      out.flush();
      if (result.reason() == TrainingResult.Reason.STOPPED) {
        return new Outcome(Main.INTERRUPTED, run.path(), result);
      }
      int failed = 0;
      if (!resolved.analyzers().isEmpty()) {
        for (AnalysisRunner.Outcome o : AnalysisRunner.run(run.path(), resolved, loader,
            resolved.analyzers(), AnalysisRunner.Selection.ALL)) {
          if (o.ok()) {
            out.println(prefix + "analysis " + o.id() + ": wrote " + o.directory());
          } else {
            err.println(prefix + "error: analysis " + o.id() + ": " + o.error());
            failed++;
          }
        }
        out.flush();
      }
      return new Outcome(failed == 0 ? Main.OK : Main.SOFTWARE, run.path(), result);
    } catch (TrainingDivergedException e) {
      LOG.info("Run stopped: {}", e.getMessage());
      err.println(prefix + "error: " + e.getMessage());
      return new Outcome(Main.DIVERGED, run.path(), null);
    } catch (Exception e) {
      LOG.error("Run failed", e);
      err.println(prefix + "error: the run failed: " + e + " (stack trace in " + run.logFile()
          + ")");
      return new Outcome(Main.SOFTWARE, run.path(), null);
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
