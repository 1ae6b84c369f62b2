package engram.core.cli;

import engram.core.config.ConfigException;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code engram validate}: checks an experiment file without training. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Check an experiment file (keys, plugin ids, value ranges) and print the "
            + "resolved configuration, without training or writing anything.")
final class ValidateCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "EXPERIMENT.yaml", description = "The experiment file.")
  Path experiment;

  @Parameters(
      index = "1..*",
      paramLabel = "KEY=VALUE",
      description = "Dotted overrides, e.g. model.hidden-size=64 training.optimizer.lr=0.01")
  List<String> overrides = new ArrayList<>();

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.ParentCommand Main main;

  @Option(names = "--quiet", description = "Print only errors.")
  boolean quiet;

  @Override
  public Integer call() {
    java.io.PrintWriter out = spec.commandLine().getOut();
    java.io.PrintWriter err = spec.commandLine().getErr();
    PluginRegistry registry = main.plugins();
    registry.problems().forEach(p -> err.println("warning: " + p));
    ExperimentLoader loader = new ExperimentLoader(registry);
    try {
      ResolvedExperiment resolved = loader.load(experiment, overrides);
      engram.core.train.Preflight.check(resolved);
      if (!quiet) {
        out.println("# " + experiment + " is valid; resolved configuration:");
        out.print(loader.toYaml(resolved));
        out.flush();
      }
      return Main.OK;
    } catch (ConfigException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
  }
}
