package engram.core.compare;

import engram.api.study.LevelProgress;
import engram.api.study.StudyRun;
import engram.api.table.Table;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * What a comparison needs from one run directory (read by {@link RunReader}).
 *
 * @param dir the run directory
 * @param name {@code name} of {@code config.resolved.yaml}
 * @param seed {@code seed}
 * @param taskId {@code task.id}
 * @param modelId {@code model.id}
 * @param curriculumId {@code curriculum.id}
 * @param config {@code config.resolved.yaml} as dotted keys ({@code curriculum.threshold}, {@code
 *     analyzers.0.id}), values as written
 * @param metrics {@code metrics.csv}
 * @param progress how far the run got through its levels, read off the metrics with {@code
 *     curriculum.threshold} (0.9 when the curriculum has none)
 * @param analyses analyzer id → (file → table) of the declared tables read (newest directory of
 *     each analyzer)
 * @param notes what was left out while reading and why (unreadable or undeclared-looking tables)
 */
public record RunSummary(
    Path dir,
    String name,
    long seed,
    String taskId,
    String modelId,
    String curriculumId,
    Map<String, String> config,
    Table metrics,
    LevelProgress progress,
    Map<String, Map<String, Table>> analyses,
    List<String> notes) {

  public RunSummary {
    config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    Map<String, Map<String, Table>> copy = new LinkedHashMap<>();
    analyses.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
    analyses = Collections.unmodifiableMap(copy);
    notes = List.copyOf(notes);
  }

  /** The run as a study sees it, in the given group. Its id is {@link #id()}. */
  public StudyRun studyRun(String group) {
    return new StudyRun(
        id(), name, group, seed, taskId, modelId, curriculumId, config, metrics, analyses);
  }

  /** The run's key among those of a comparison: its directory as given. */
  public String id() {
    return dir.toString();
  }

  /** {@code curriculum.threshold}, the accuracy at which a level counts as solved. */
  public double threshold() {
    return progress.threshold();
  }

  /** {@code training.max-epochs}, the run's budget in epochs; 0 when absent. */
  public int maxEpochs() {
    String epochs = config.get("training.max-epochs");
    return epochs == null ? 0 : (int) Table.number(epochs);
  }

  /** Epoch → the largest N among that epoch's rows of {@code metrics.csv}. */
  public SortedMap<Integer, Integer> maxLevelByEpoch() {
    return progress.maxLevelByEpoch();
  }

  /** The largest N with a row whose accuracy is ≥ the threshold; 0 when none was solved. */
  public int maxLevelReached() {
    return progress.maxLevelReached();
  }

  /** N → number of epochs whose largest N was N. */
  public SortedMap<Integer, Integer> epochsPerLevel() {
    return progress.epochsPerLevel();
  }

  /** Number of epochs in {@code metrics.csv}. */
  public int epochs() {
    return progress.epochs();
  }

  /** Mean epochs per solved stage; NaN when no level was solved (see {@link LevelProgress}). */
  public double meanEpochsPerSolvedLevel() {
    return progress.meanEpochsPerSolvedLevel();
  }

  /** An analyzer table, when the run has it. */
  public Optional<Table> table(String analyzer, String file) {
    return Optional.ofNullable(analyses.getOrDefault(analyzer, Map.of()).get(file));
  }

  /** The directory's last path element, to name the run in tables and messages. */
  public String dirName() {
    Path last = dir.getFileName();
    return last == null ? dir.toString() : last.toString();
  }
}
