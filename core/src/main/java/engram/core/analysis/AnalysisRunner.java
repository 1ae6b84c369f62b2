package engram.core.analysis;

import engram.api.Analyzer;
import engram.core.config.ExperimentLoader;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.core.run.Checkpoints;
import engram.core.run.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs analyzers on a finished run: reads its checkpoints and gives each analyzer a fresh directory
 * {@code <run>/analysis/<id>/} ({@code <id>-2}, ... when that exists: earlier results are never
 * overwritten). An analyzer that fails leaves no empty directory behind and touches nothing else of
 * the run.
 */
public final class AnalysisRunner {
  private AnalysisRunner() {}

  /**
   * Which checkpoints an analysis reads: all, the last, or for each listed N the last checkpoint
   * trained up to that N.
   *
   * @param levels the N list of {@code N=...}, empty for all/last
   */
  public record Selection(String kind, List<Integer> levels) {
    public static final Selection ALL = new Selection("all", List.of());
    public static final Selection LAST = new Selection("last", List.of());

    public Selection {
      levels = List.copyOf(levels);
    }

    /**
     * Parses {@code all}, {@code last} or {@code N=4,8,16}.
     *
     * @throws IllegalArgumentException with the accepted forms
     */
    public static Selection parse(String text) {
      String t = text.trim();
      if (t.equalsIgnoreCase("all")) {
        return ALL;
      }
      if (t.equalsIgnoreCase("last")) {
        return LAST;
      }
      if (t.startsWith("N=") || t.startsWith("n=")) {
        List<Integer> levels = new ArrayList<>();
        try {
          for (String part : t.substring(2).split(",")) {
            levels.add(Integer.parseInt(part.trim()));
          }
        } catch (NumberFormatException e) {
          levels.clear();
        }
        if (!levels.isEmpty()) {
          return new Selection("levels", levels);
        }
      }
      throw new IllegalArgumentException(
          "--checkpoints must be all, last or N=<levels> such as"
              + " N=4,8,16 (was '"
              + text
              + "')");
    }

    /**
     * The chosen checkpoints, oldest first.
     *
     * @throws IllegalStateException naming the N values no checkpoint reached
     */
    public List<Analyzer.Checkpoint> select(List<Analyzer.Checkpoint> all) {
      if (kind.equals("all")) {
        return all;
      }
      if (kind.equals("last")) {
        return List.of(all.get(all.size() - 1));
      }
      List<Analyzer.Checkpoint> chosen = new ArrayList<>();
      List<Integer> missing = new ArrayList<>();
      for (int n : levels) {
        Analyzer.Checkpoint found = null;
        for (Analyzer.Checkpoint c : all) {
          if (c.levels().length > 0 && c.maxLevel() == n) {
            found = c; // the last one at N: trained longest at that level
          }
        }
        if (found == null) {
          missing.add(n);
        } else if (!chosen.contains(found)) {
          chosen.add(found);
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException(
            "no checkpoint was trained up to N="
                + missing
                + "; this run has checkpoints at N="
                + all.stream().map(Analyzer.Checkpoint::maxLevel).distinct().toList()
                + ". Fix: choose among those in --checkpoints N=...");
      }
      chosen.sort(java.util.Comparator.comparingInt(all::indexOf));
      return chosen;
    }
  }

  /** One analyzer's outcome: where it wrote, or why it failed. */
  public record Outcome(String id, Path directory, String error) {
    public boolean ok() {
      return error == null;
    }
  }

  /**
   * Runs each analyzer in order; a failure of one does not stop the others.
   *
   * @throws IllegalStateException when the run has no checkpoints to analyse
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static List<Outcome> run(
      Path runDirectory,
      ResolvedExperiment experiment,
      ExperimentLoader loader,
      List<PluginChoice> analyzers,
      Selection selection)
      throws IOException {
    Path checkpointsDir = runDirectory.resolve("checkpoints");
    List<Analyzer.Checkpoint> all =
        Files.isDirectory(checkpointsDir) ? Checkpoints.readAll(checkpointsDir) : List.of();
    if (all.isEmpty()) {
      throw new IllegalStateException(
          runDirectory
              + " has no checkpoints (checkpoints/ is missing"
              + " or empty); analyzers read checkpoints. Fix: analyse a run that trained at least"
              + " until its first checkpoint.");
    }
    List<Analyzer.Checkpoint> chosen = selection.select(all);
    List<Outcome> outcomes = new ArrayList<>();
    for (PluginChoice choice : analyzers) {
      String id = choice.plugin().id();
      Path out = RunDirectory.fresh(runDirectory.resolve("analysis"), id);
      Analyzer.Context context =
          new Analyzer.Context() {
            @Override
            public List<Analyzer.Checkpoint> checkpoints() {
              return chosen;
            }

            @Override
            public Path outputDirectory() {
              return out;
            }

            @Override
            public Analyzer.Run run() {
              return new RunAccess(experiment, loader, id);
            }
          };
      try {
        ((Analyzer) choice.plugin().plugin()).analyze(choice.config(), context);
        outcomes.add(new Outcome(id, out, null));
      } catch (Exception | LinkageError e) {
        RunDirectory.deleteIfEmpty(out);
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        // The outcome is printed after the id already: "error: transfer: ..." once, not twice.
        outcomes.add(
            new Outcome(
                id,
                out,
                message.startsWith(id + ": ") ? message.substring(id.length() + 2) : message));
      }
    }
    return outcomes;
  }
}
