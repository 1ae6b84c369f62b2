package engram.core.analysis;

import engram.api.Analyzer;
import engram.core.config.ExperimentLoader;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.core.run.Checkpoints;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs analyzers on a finished run: reads its complete checkpoints and gives each analyzer a
 * directory that becomes {@code <run>/analysis/<id>/} ({@code <id>-2}, ... when that exists:
 * earlier results are never overwritten).
 *
 * <p>Complete or absent: an analyzer writes into a hidden sibling {@code
 * analysis/.tmp-<id>-<uuid>/} that is renamed to its real name in one step only when the analyzer
 * returns normally. An analyzer that fails leaves nothing; one that is killed leaves only a hidden
 * {@code .tmp-} folder, which every reader ignores (it is not removed automatically: another
 * analysis of the same run may be writing it). Damaged checkpoints are left out and named, not
 * fatal.
 */
public final class AnalysisRunner {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(AnalysisRunner.class);

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
   * @param warnings receives one line per checkpoint left out because it is incomplete
   * @throws IllegalStateException when the run has no complete checkpoint to analyse
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static List<Outcome> run(
      Path runDirectory,
      ResolvedExperiment experiment,
      ExperimentLoader loader,
      List<PluginChoice> analyzers,
      Selection selection,
      Consumer<String> warnings)
      throws IOException {
    Path checkpointsDir = runDirectory.resolve("checkpoints");
    Checkpoints.Scan scan =
        Files.isDirectory(checkpointsDir)
            ? Checkpoints.scan(checkpointsDir)
            : new Checkpoints.Scan(List.of(), List.of());
    for (String skipped : scan.skipped()) {
      warnings.accept("checkpoint " + skipped + " (left out)");
    }
    List<Analyzer.Checkpoint> all = scan.complete();
    if (all.isEmpty()) {
      throw new IllegalStateException(
          runDirectory
              + (scan.skipped().isEmpty()
                  ? " has no checkpoints (checkpoints/ is missing or empty)"
                  : " has no complete checkpoint (" + scan.skipped().size() + " left out)")
              + "; analyzers read checkpoints. Fix: analyse a run that trained at least"
              + " until its first checkpoint.");
    }
    List<Analyzer.Checkpoint> chosen = selection.select(all);
    Path analysisRoot = runDirectory.resolve("analysis");
    List<Outcome> outcomes = new ArrayList<>();
    for (PluginChoice choice : analyzers) {
      String id = choice.plugin().id();
      Files.createDirectories(analysisRoot);
      Path out = Files.createDirectory(analysisRoot.resolve(TEMP + id + "-" + UUID.randomUUID()));
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
      long started = System.nanoTime();
      LOG.info("Analysis {} started on {} checkpoints", id, chosen.size());
      try {
        ((Analyzer) choice.plugin().plugin()).analyze(choice.config(), context);
        Path written = publish(out, analysisRoot, id);
        // with run.log attached, a run directory says how long each analyzer took
        LOG.info(
            "Analysis {} wrote {} in {} s",
            id,
            written.getFileName(),
            String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9));
        outcomes.add(new Outcome(id, written, null));
      } catch (Exception | LinkageError e) {
        deleteTree(out);
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        // The outcome is printed after the id already: "error: transfer: ..." once, not twice.
        outcomes.add(
            new Outcome(
                id,
                null,
                message.startsWith(id + ": ") ? message.substring(id.length() + 2) : message));
      }
    }
    return outcomes;
  }

  private static final String TEMP = ".tmp-";

  /**
   * Renames a finished analysis to {@code <id>}, or the first free {@code <id>-k}; a name taken
   * between the check and the rename (another analysis of the same run) moves on to the next.
   */
  private static Path publish(Path temp, Path analysisRoot, String id) throws IOException {
    for (int k = 1; k <= 10_000; k++) {
      Path target = analysisRoot.resolve(k == 1 ? id : id + "-" + k);
      if (Files.exists(target)) {
        continue;
      }
      try {
        return Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        // taken meanwhile: try the next suffix
      }
    }
    throw new IOException("cannot name the analysis " + temp + ": " + id + "-1..10000 all exist");
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // a hidden .tmp- folder may remain; readers ignore it
    }
  }
}
