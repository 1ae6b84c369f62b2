package engram.core.cli;

import engram.core.analysis.AnalysisRunner;
import engram.core.config.ConfigException;
import engram.core.config.ExperimentLoader;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code engram analyze}: runs analyzers on a finished run's checkpoints. */
@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    description =
        "Run analyzers on a finished run. Results go to <run-dir>/analysis/<id>/; "
            + "nothing already written is overwritten.")
final class AnalyzeCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.ParentCommand Main main;

  @Parameters(
      index = "0",
      paramLabel = "RUN-DIR",
      description = "A run directory (runs/<name>-<timestamp>).")
  Path runDirectory;

  @Option(
      names = "--analyzers",
      split = ",",
      paramLabel = "ID",
      description = "Analyzer ids, comma-separated (default: the run's analyzers section).")
  List<String> ids = new ArrayList<>();

  @Option(
      names = "--checkpoints",
      defaultValue = "all",
      paramLabel = "all|last|N=...",
      description =
          "Which checkpoints to analyse: all (default), last, or N=4,8,16 (for each N the"
              + " last checkpoint trained up to it).")
  String checkpoints;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path config = runDirectory.resolve("config.resolved.yaml");
    if (!Files.isRegularFile(config)) {
      err.println(
          "error: "
              + runDirectory
              + " is not a run directory (no config.resolved.yaml)."
              + " Fix: pass a directory made by ./engram run.");
      return Main.USAGE;
    }
    RunPlugins used = RunPlugins.of(runDirectory);
    PluginRegistry registry = main.plugins(used.folders());
    String missing = used.missing(registry);
    if (missing != null) {
      err.println("error: " + missing);
      return Main.USAGE;
    }
    AnalysisRunner.Selection selection;
    try {
      selection = AnalysisRunner.Selection.parse(checkpoints);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage() + ".");
      return Main.USAGE;
    }
    List<PluginChoice> analyzers;
    ExperimentLoader loader = new ExperimentLoader(registry);
    ResolvedExperiment experiment;
    try {
      experiment = loader.load(config, List.of());
      analyzers = choose(experiment, registry);
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    try {
      int failed = 0;
      for (AnalysisRunner.Outcome o :
          AnalysisRunner.run(
              runDirectory,
              experiment,
              loader,
              analyzers,
              selection,
              w -> err.println("warning: " + w))) {
        if (o.ok()) {
          out.println(o.id() + ": wrote " + o.directory());
        } else {
          err.println("error: " + o.id() + ": " + o.error());
          failed++;
        }
      }
      out.flush();
      return failed == 0 ? Main.OK : Main.SOFTWARE;
    } catch (IllegalStateException | IOException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
  }

  private static ConfigException unknown(String id, PluginRegistry registry) {
    String available =
        "Available analyzers: " + String.join(", ", registry.ids(PluginKind.ANALYZER)) + ".";
    var problems = registry.problemsAbout(PluginKind.ANALYZER, id);
    if (!problems.isEmpty()) {
      return new ConfigException(
          "analyzer '"
              + id
              + "' is not available: "
              + String.join(
                  " Also: ",
                  problems.stream().map(engram.core.plugin.PluginProblem::message).toList())
              + " "
              + available);
    }
    return new ConfigException(
        "Unknown analyzer id '"
            + id
            + "'. "
            + available
            + " Fix: pass one of them to --analyzers.");
  }

  private List<PluginChoice> choose(ResolvedExperiment experiment, PluginRegistry registry)
      throws ConfigException {
    if (ids.isEmpty()) {
      if (experiment.analyzers().isEmpty()) {
        throw new ConfigException(
            "No analyzers chosen: the run lists none and --analyzers is not"
                + " given. Available analyzers: "
                + String.join(", ", registry.ids(PluginKind.ANALYZER))
                + ". Fix: pass --analyzers ID[,ID...].");
      }
      return experiment.analyzers();
    }
    List<PluginChoice> chosen = new ArrayList<>();
    for (String id : ids) {
      PluginChoice fromRun =
          experiment.analyzers().stream()
              .filter(c -> c.plugin().id().equals(id))
              .findFirst()
              .orElse(null);
      if (fromRun != null) {
        chosen.add(fromRun);
        continue;
      }
      var plugin =
          registry.all(PluginKind.ANALYZER).stream()
              .filter(p -> p.id().equals(id))
              .findFirst()
              .orElseThrow(() -> unknown(id, registry));
      chosen.add(new PluginChoice(plugin, plugin.plugin().defaults()));
    }
    return chosen;
  }
}
