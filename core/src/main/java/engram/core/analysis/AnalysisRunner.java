package engram.core.analysis;

import engram.api.Analyzer;
import engram.core.config.PluginChoice;
import engram.core.run.Checkpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs analyzers on a finished run: reads its checkpoints and gives each analyzer a fresh
 * directory {@code <run>/analysis/<id>/} ({@code <id>-2}, ... when that exists: earlier results are
 * never overwritten). An analyzer that fails leaves no empty directory behind and touches nothing
 * else of the run.
 */
public final class AnalysisRunner {
  private AnalysisRunner() {}

  /** Which checkpoints an analysis reads. */
  public enum Selection { ALL, LAST }

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
  public static List<Outcome> run(Path runDirectory, List<PluginChoice> analyzers,
      Selection selection) throws IOException {
    Path checkpointsDir = runDirectory.resolve("checkpoints");
    List<Analyzer.Checkpoint> all = Files.isDirectory(checkpointsDir)
        ? Checkpoints.readAll(checkpointsDir) : List.of();
    if (all.isEmpty()) {
      throw new IllegalStateException(runDirectory + " has no checkpoints (checkpoints/ is missing"
          + " or empty); analyzers read checkpoints. Fix: analyse a run that trained at least"
          + " until its first checkpoint.");
    }
    List<Analyzer.Checkpoint> chosen =
        selection == Selection.LAST ? List.of(all.get(all.size() - 1)) : all;
    List<Outcome> outcomes = new ArrayList<>();
    for (PluginChoice choice : analyzers) {
      String id = choice.plugin().id();
      Path out = freshDirectory(runDirectory.resolve("analysis"), id);
      Analyzer.Context context = new Analyzer.Context() {
        @Override
        public List<Analyzer.Checkpoint> checkpoints() {
          return chosen;
        }

        @Override
        public Path outputDirectory() {
          return out;
        }
      };
      try {
        ((Analyzer) choice.plugin().plugin()).analyze(choice.config(), context);
        outcomes.add(new Outcome(id, out, null));
      } catch (Exception e) {
        deleteIfEmpty(out);
        outcomes.add(new Outcome(id, out, e.getMessage() == null ? e.toString() : e.getMessage()));
      }
    }
    return outcomes;
  }

  private static Path freshDirectory(Path parent, String id) throws IOException {
    Files.createDirectories(parent);
    for (int k = 1; ; k++) {
      Path candidate = parent.resolve(k == 1 ? id : id + "-" + k);
      try {
        return Files.createDirectory(candidate);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // taken: try the next suffix
      }
    }
  }

  private static void deleteIfEmpty(Path dir) {
    try (var children = Files.list(dir)) {
      if (children.findAny().isEmpty()) {
        Files.delete(dir);
      }
    } catch (IOException ignored) {
      // leaving an empty directory is harmless
    }
  }
}
