package engram.core.cli;

import engram.api.study.Finding;
import engram.core.compare.Comparison;
import engram.core.compare.ComparisonException;
import engram.core.compare.ComparisonReport;
import engram.core.compare.GroupBy;
import engram.core.compare.SelectedStudy;
import engram.core.plugin.PluginRegistry;
import engram.core.run.RunDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code engram compare}: figures over several runs, grouped, and with {@code --study} the study's
 * findings table.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description =
        "Compare finished runs, grouped (by default by curriculum), several seeds per group: PNG"
            + " figures, comparison.csv and comparison.md; with --study, the study's findings"
            + " (reproduced or not) and the figures that show them. Reads each run's metrics.csv"
            + " and the analysis/ tables the study reads; what a run lacks is left out and said so."
            + " Nothing is overwritten.")
final class CompareCommand implements Callable<Integer> {
  /** Where reports go by default, under the current directory. */
  static final Path DEFAULT_PARENT = Path.of("comparisons");

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "0..*",
      paramLabel = "RUN-DIR",
      description = "Run directories made by ./engram run (runs/<name>-<timestamp>).")
  List<Path> runDirectories = new ArrayList<>();

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Directory to write (must not exist; default: comparisons/compare-"
              + "<yyyyMMdd-HHmmss>, -2, -3, ... if taken).")
  Path out;

  @Option(
      names = "--group-by",
      defaultValue = "curriculum",
      paramLabel = "name|curriculum|model|curriculum+model|condition",
      description = "How runs form groups (default: ${DEFAULT-VALUE}).")
  String groupBy;

  @Option(
      names = "--study",
      paramLabel = "ID",
      description =
          "Check the findings of this study plugin (e.g. timescales-curriculum; "
              + "./engram plugins lists them). Without it: no findings section.")
  String study;

  @Option(
      names = "--include-untrained",
      description =
          "Count runs that never completed an epoch (left out by default, with a note naming"
              + " them).")
  boolean includeUntrained;

  @picocli.CommandLine.ParentCommand Main main;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Comparison comparison;
    try {
      GroupBy by = GroupBy.parse(groupBy);
      SelectedStudy selected = null;
      if (study != null) {
        PluginRegistry registry = main.plugins();
        registry.problems().forEach(p -> err.println("warning: " + p));
        selected =
            SelectedStudy.resolve(
                registry, study, "pass one of them to --study, or leave --study out.");
      }
      comparison = Comparison.load(runDirectories, by, selected, includeUntrained);
    } catch (ComparisonException e) {
      err.println("error: " + e.getMessage());
      return Main.USAGE;
    }
    if (out != null && Files.exists(out)) {
      err.println(
          "error: "
              + out
              + " exists; nothing is overwritten. Fix: choose another --out"
              + " or leave it out (a fresh comparisons/compare-<time> is made).");
      return Main.USAGE;
    }
    Path directory = null;
    List<Finding> findings;
    try {
      directory =
          out != null ? out : ComparisonReport.freshDirectory(DEFAULT_PARENT, Instant.now());
      findings = ComparisonReport.write(comparison, directory).findings();
    } catch (ComparisonException e) {
      RunDirectory.deleteIfEmpty(directory);
      err.println("error: " + e.getMessage());
      return Main.SOFTWARE;
    } catch (IOException e) {
      RunDirectory.deleteIfEmpty(directory);
      err.println(
          "error: cannot write the comparison ("
              + e.getMessage()
              + "). Fix: check that"
              + " the output directory is writable.");
      return Main.SOFTWARE;
    }
    comparison.notes().forEach(n -> err.println("note: " + n));
    for (Comparison.Group g : comparison.groups()) {
      stdout.println(
          "group "
              + g.label()
              + ": "
              + g.runs().size()
              + (g.runs().size() == 1 ? " run" : " runs"));
    }
    for (Finding f : findings) {
      stdout.println("(" + f.id() + ") " + f.verdict().label() + ": " + f.claim());
    }
    stdout.println("wrote " + directory.resolve(ComparisonReport.MARKDOWN));
    stdout.flush();
    err.flush();
    return Main.OK;
  }
}
