package engram.core.compare;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a comparison needs from one run directory (read by {@link RunReader}).
 *
 * @param dir the run directory
 * @param name {@code name} of {@code config.resolved.yaml}
 * @param seed {@code seed}
 * @param taskId {@code task.id}
 * @param modelId {@code model.id}
 * @param curriculumId {@code curriculum.id} ({@code single-head}, {@code multi-head}, {@code none},
 *     ...)
 * @param threshold {@code curriculum.threshold}, the accuracy (fraction) at which a level counts as
 *     solved; 0.9 when the curriculum has none
 * @param maxEpochs {@code training.max-epochs}, the run's budget in epochs; 0 when absent
 * @param maxLevelByEpoch epoch → the largest N among that epoch's rows of {@code metrics.csv}
 * @param maxLevelReached the largest N with a row of {@code metrics.csv} whose accuracy is ≥
 *     {@code threshold}; 0 when no level was solved
 * @param epochsPerLevel N → number of epochs whose largest N was N (epochs spent at each stage)
 * @param analyses the analyzer tables found (newest directory of each analyzer)
 * @param notes what was left out while reading and why (unreadable or incomplete tables)
 */
public record RunSummary(
    Path dir,
    String name,
    long seed,
    String taskId,
    String modelId,
    String curriculumId,
    double threshold,
    int maxEpochs,
    SortedMap<Integer, Integer> maxLevelByEpoch,
    int maxLevelReached,
    SortedMap<Integer, Integer> epochsPerLevel,
    Map<AnalysisTable, CsvTable> analyses,
    List<String> notes) {

  public RunSummary {
    maxLevelByEpoch = Collections.unmodifiableSortedMap(new TreeMap<>(maxLevelByEpoch));
    epochsPerLevel = Collections.unmodifiableSortedMap(new TreeMap<>(epochsPerLevel));
    Map<AnalysisTable, CsvTable> copy = new EnumMap<>(AnalysisTable.class);
    copy.putAll(analyses);
    analyses = Collections.unmodifiableMap(copy);
    notes = List.copyOf(notes);
  }

  /** Number of epochs in {@code metrics.csv}. */
  public int epochs() {
    return maxLevelByEpoch.size();
  }

  /** The largest N trained at any epoch (0 when {@code metrics.csv} has no rows). */
  public int largestLevelTrained() {
    return maxLevelByEpoch.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /**
   * Mean number of epochs spent at each stage whose largest level N was solved (N ≤ {@link
   * #maxLevelReached()}); the unfinished last stage is left out because the budget, not the
   * learning, ended it. NaN when no level was solved.
   */
  public double meanEpochsPerSolvedLevel() {
    return epochsPerLevel.entrySet().stream().filter(e -> e.getKey() <= maxLevelReached)
        .mapToInt(Map.Entry::getValue).average().orElse(Double.NaN);
  }

  /** An analyzer table, when the run has it. */
  public Optional<CsvTable> table(AnalysisTable table) {
    return Optional.ofNullable(analyses.get(table));
  }

  /** The directory's last path element, to name the run in tables and messages. */
  public String dirName() {
    Path last = dir.getFileName();
    return last == null ? dir.toString() : last.toString();
  }
}
