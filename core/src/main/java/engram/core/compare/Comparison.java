package engram.core.compare;

import engram.api.study.StudyRun;
import engram.core.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs put into groups: every group is one condition (a curriculum, a model, ...) and its runs are
 * seeds of it; optionally the study whose findings are checked on them. Immutable. Groups are
 * ordered by label.
 */
public final class Comparison {

  /** One condition and its runs, in the order they were given. */
  public record Group(String label, List<RunSummary> runs) {
    public Group {
      runs = List.copyOf(runs);
    }
  }

  private final GroupBy groupBy;
  private final List<RunSummary> runs;
  private final List<Group> groups;
  private final List<String> notes;
  private final SelectedStudy study;

  private Comparison(
      GroupBy groupBy,
      List<RunSummary> runs,
      List<Group> groups,
      List<String> notes,
      SelectedStudy study) {
    this.groupBy = groupBy;
    this.runs = List.copyOf(runs);
    this.groups = List.copyOf(groups);
    this.notes = List.copyOf(notes);
    this.study = study;
  }

  /**
   * Reads run directories and groups them, without a study.
   *
   * @throws ComparisonException as {@link #load(List, GroupBy, SelectedStudy)}
   */
  public static Comparison load(List<Path> runDirectories, GroupBy by) throws ComparisonException {
    return load(runDirectories, by, null);
  }

  /**
   * Reads run directories, with the tables the study reads, and groups them.
   *
   * @param study the study to check, or null for none (then no analyzer table is read)
   * @throws ComparisonException when none is given, one is given twice, one is not a run directory,
   *     or nothing at all can be compared
   */
  public static Comparison load(List<Path> runDirectories, GroupBy by, SelectedStudy study)
      throws ComparisonException {
    return load(runDirectories, by, study, false);
  }

  /**
   * Reads run directories, with the tables the study reads, and groups them.
   *
   * <p>An untrained run — one with a config but no {@code metrics.csv}, or with no completed epoch
   * (a run stopped before its first epoch ended, a crash at start-up) — is left out with a note
   * naming it, unless {@code includeUntrained}: counted as a seed it would pull every statistic
   * towards zero.
   *
   * @param study the study to check, or null for none (then no analyzer table is read)
   * @param includeUntrained whether untrained runs count
   * @throws ComparisonException when none is given, one is given twice, one is not a run directory,
   *     or nothing at all can be compared
   */
  public static Comparison load(
      List<Path> runDirectories, GroupBy by, SelectedStudy study, boolean includeUntrained)
      throws ComparisonException {
    if (runDirectories == null || runDirectories.isEmpty()) {
      throw new ComparisonException(
          "no run directories given. Fix: pass one or more run"
              + " directories made by ./engram run, e.g. ./engram compare runs/parity-*.");
    }
    Map<Path, Path> seen = new HashMap<>();
    List<RunSummary> runs = new ArrayList<>();
    List<String> untrained = new ArrayList<>();
    for (Path dir : runDirectories) {
      Path key = dir.toAbsolutePath().normalize();
      Path earlier = seen.putIfAbsent(key, dir);
      if (earlier != null) {
        throw new ComparisonException(
            dir
                + " is given twice (it would count as two seeds)."
                + " Fix: pass each run directory once.");
      }
      if (!includeUntrained
          && Files.isRegularFile(dir.resolve(RunDirectory.CONFIG))
          && !Files.exists(dir.resolve(RunDirectory.METRICS))) {
        untrained.add(dir + " (no " + RunDirectory.METRICS + ")");
        continue;
      }
      RunSummary run = RunReader.read(dir, study == null ? Map.of() : study.tables());
      if (!includeUntrained && run.epochs() == 0) {
        untrained.add(dir + " (no completed epoch)");
        continue;
      }
      runs.add(run);
    }
    if (runs.isEmpty()) {
      throw new ComparisonException(
          "nothing to compare: every run given is untrained: "
              + String.join(", ", untrained)
              + ". Fix: compare runs that trained for at least one epoch.");
    }
    Comparison comparison = of(runs, by, study);
    if (untrained.isEmpty()) {
      return comparison;
    }
    List<String> notes = new ArrayList<>();
    for (String u : untrained) {
      notes.add("left out, never trained: " + u + "; --include-untrained counts such runs");
    }
    notes.addAll(comparison.notes());
    return new Comparison(by, comparison.runs, comparison.groups, notes, study);
  }

  /**
   * Groups runs already read.
   *
   * @param study the study to check, or null for none
   * @throws ComparisonException when there are no runs, two have the same directory, or none has a
   *     metrics row or an analyzer table
   */
  public static Comparison of(List<RunSummary> runs, GroupBy by, SelectedStudy study)
      throws ComparisonException {
    if (runs.isEmpty()) {
      throw new ComparisonException("no runs to compare. Fix: pass one or more run directories.");
    }
    Set<String> ids = new HashSet<>();
    for (RunSummary run : runs) {
      if (!ids.add(run.id())) {
        throw new ComparisonException(
            run.dir()
                + " is given twice (it would count as two seeds)."
                + " Fix: pass each run directory once.");
      }
    }
    boolean anything = runs.stream().anyMatch(r -> r.epochs() > 0 || !r.analyses().isEmpty());
    if (!anything) {
      throw new ComparisonException(
          "nothing to compare: no run has a row in metrics.csv or an"
              + " analyzer table. Fix: compare runs that trained for at least one epoch.");
    }
    Map<String, List<RunSummary>> byLabel = new TreeMap<>();
    for (RunSummary run : runs) {
      byLabel.computeIfAbsent(by.label(run), k -> new ArrayList<>()).add(run);
    }
    List<Group> groups = new ArrayList<>();
    byLabel.forEach((label, members) -> groups.add(new Group(label, members)));
    List<String> notes = new ArrayList<>();
    if (study != null) {
      notes.addAll(study.notes());
    }
    runs.forEach(r -> notes.addAll(r.notes()));
    Set<String> tasks = new TreeSet<>();
    runs.forEach(r -> tasks.add(r.taskId()));
    if (tasks.size() > 1) {
      notes.add(
          "the runs train different tasks ("
              + String.join(", ", tasks)
              + "): groups and"
              + " findings mix them; compare one task at a time.");
    }
    return new Comparison(by, runs, groups, notes, study);
  }

  /** How runs were grouped. */
  public GroupBy groupBy() {
    return groupBy;
  }

  /** Every run, in the order given. */
  public List<RunSummary> runs() {
    return runs;
  }

  /** The groups, ordered by label. */
  public List<Group> groups() {
    return groups;
  }

  /** What was left out while reading, and warnings about the mix of runs. */
  public List<String> notes() {
    return notes;
  }

  /** The study whose findings are checked on these runs, if one was chosen. */
  public Optional<SelectedStudy> study() {
    return Optional.ofNullable(study);
  }

  /** Every run as the study sees it, in the order given, each with its group's label. */
  public List<StudyRun> studyRuns() {
    List<StudyRun> out = new ArrayList<>();
    for (RunSummary run : runs) {
      out.add(run.studyRun(groupBy.label(run)));
    }
    return out;
  }
}
