package engram.api.study;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import engram.api.table.Table;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * One finished run as a study sees it: what was trained, how it went and the analyzer tables the
 * study asked for. Immutable.
 *
 * @param id identifies the run among those of one comparison (its run directory as given); the key
 *     of the per-run maps of {@link Figure} and {@link Quantity}
 * @param name the experiment's {@code name}
 * @param group the label of the group the comparison put the run in (its curriculum, model, ..., as
 *     the user chose with {@code --group-by}); runs of one group are seeds of one condition
 * @param seed the run's seed
 * @param taskId the task plugin's id ({@code task.id})
 * @param modelId the model plugin's id ({@code model.id})
 * @param curriculumId the curriculum plugin's id ({@code curriculum.id})
 * @param config the resolved configuration ({@code config.resolved.yaml}) as dotted keys: nested
 *     sections joined with {@code .} and list items by index ({@code curriculum.threshold}, {@code
 *     analyzers.0.id}), values as written (numbers and booleans as their text); unmodifiable
 * @param metrics {@code metrics.csv}: INTEGER columns {@code epoch}, {@code step}, {@code N},
 *     {@code head} and number columns {@code loss}, {@code accuracy}, {@code wall_seconds} and one
 *     per regularizer term
 * @param analyses analyzer id → (file → table) for the tables the run has among those its study
 *     reads (of the newest directory of each analyzer, {@code analysis/<id>-k} with the largest k);
 *     a table that is missing or does not match its declaration is absent (core notes why)
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record StudyRun(
    String id,
    String name,
    String group,
    long seed,
    String taskId,
    String modelId,
    String curriculumId,
    Map<String, String> config,
    Table metrics,
    Map<String, Map<String, Table>> analyses) {

  /** The solved-level threshold of a curriculum that has no {@code threshold} key. */
  public static final double DEFAULT_THRESHOLD = 0.9;

  /**
   * Copies the maps into unmodifiable ones (keeping their order) and checks that nothing is null.
   *
   * @param id the run's key
   * @param name the experiment's name
   * @param group the run's group label
   * @param seed the seed
   * @param taskId the task id
   * @param modelId the model id
   * @param curriculumId the curriculum id
   * @param config the configuration as dotted keys
   * @param metrics the metrics table
   * @param analyses the analyzer tables
   * @throws NullPointerException when any is null
   */
  public StudyRun {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(curriculumId, "curriculumId");
    Objects.requireNonNull(metrics, "metrics");
    config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    Map<String, Map<String, Table>> copy = new LinkedHashMap<>();
    analyses.forEach(
        (analyzer, tables) ->
            copy.put(analyzer, Collections.unmodifiableMap(new LinkedHashMap<>(tables))));
    analyses = Collections.unmodifiableMap(copy);
  }

  /**
   * An analyzer table of this run.
   *
   * @param analyzer the analyzer id
   * @param file the table's file name, as the analyzer declares it
   * @return the table, or empty when the run does not have it
   */
  public Optional<Table> table(String analyzer, String file) {
    return Optional.ofNullable(analyses.getOrDefault(analyzer, Map.of()).get(file));
  }

  /**
   * A configuration value.
   *
   * @param key a dotted key, e.g. {@code training.max-epochs}
   * @return its text, or empty when the configuration has no such key
   */
  public Optional<String> configValue(String key) {
    return Optional.ofNullable(config.get(key));
  }

  /**
   * A numeric configuration value.
   *
   * @param key a dotted key
   * @param otherwise the value when the key is absent or not a number
   * @return the number
   */
  public double configNumber(String key, double otherwise) {
    String text = config.get(key);
    if (text == null) {
      return otherwise;
    }
    try {
      return Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  /**
   * The accuracy at which the run's curriculum counts a level as solved.
   *
   * @return {@code curriculum.threshold}, or {@link #DEFAULT_THRESHOLD} when absent
   */
  public double threshold() {
    return configNumber("curriculum.threshold", DEFAULT_THRESHOLD);
  }

  /**
   * The run's budget.
   *
   * @return {@code training.max-epochs}; 0 when absent
   */
  public int maxEpochs() {
    return (int) configNumber("training.max-epochs", 0);
  }

  /**
   * How far the run got, read off {@link #metrics()} with {@link #threshold()}. Computed on every
   * call (a pass over the metrics rows).
   *
   * @return the progress
   */
  public LevelProgress progress() {
    return LevelProgress.of(metrics, threshold());
  }
}
