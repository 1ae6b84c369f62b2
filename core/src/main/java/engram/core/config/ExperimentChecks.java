package engram.core.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import engram.api.Curriculum;
import engram.api.Task;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.api.task.FiniteConditions;
import java.util.Objects;

/**
 * Checks across sections of a bound experiment, which no single configuration record can make: the
 * curriculum must be able to start, the task must name its level by the rule of {@link LevelName},
 * and the curriculum's first stage must train only levels the task has.
 */
final class ExperimentChecks {
  private final ObjectMapper mapper;
  private final Overrides overrides;

  /**
   * @param mapper a mapper from {@link ConfigMapper#create()}
   * @param overrides the load's overrides, named in messages about the keys they set
   */
  ExperimentChecks(ObjectMapper mapper, Overrides overrides) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.overrides = Objects.requireNonNull(overrides, "overrides");
  }

  /**
   * Runs every check on {@code experiment}.
   *
   * @throws ConfigException naming the section, the values and the fix of the first that fails
   */
  void check(ResolvedExperiment experiment) throws ConfigException {
    checkCurriculumFitsTask(experiment.task(), experiment.curriculum());
    checkFullBatch(experiment.task(), experiment.training());
  }

  /** Full-batch training needs a task with a finite set of conditions. */
  private void checkFullBatch(PluginChoice task, TrainingConfig training) throws ConfigException {
    if (training.fullBatchCopies() > 0 && !(task.plugin().plugin() instanceof FiniteConditions)) {
      String key = "training.full-batch-copies";
      throw new ConfigException(
          "Invalid value: "
              + key
              + " = "
              + training.fullBatchCopies()
              + " asks for full-batch training, but task '"
              + task.id()
              + "' has no finite set of conditions to train on"
              + overrides.origin(key)
              + ". Fix: remove "
              + key
              + " (or set it to 0) to train on sampled batches of training.batch-size, or use a"
              + " task with conditions (built in: delayed-cue, dmts, and delayed-addition with"
              + " values ≥ 2 and fixed durations).");
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void checkCurriculumFitsTask(PluginChoice task, PluginChoice curriculum)
      throws ConfigException {
    Stage start;
    int minLevel;
    try {
      start = ((Curriculum) curriculum.plugin().plugin()).start(curriculum.config());
    } catch (RuntimeException e) {
      throw new ConfigException(
          "Invalid value in curriculum: curriculum '"
              + curriculum.id()
              + "' cannot start: "
              + ConfigMessages.firstLine(e.getMessage())
              + ". Fix: change the curriculum section.",
          e);
    }
    try {
      minLevel = ((Task) task.plugin().plugin()).minLevel(task.config());
    } catch (RuntimeException e) {
      throw new ConfigException(
          "Invalid value in task: task '"
              + task.id()
              + "' rejects its configuration: "
              + ConfigMessages.firstLine(e.getMessage())
              + ". Fix: change the task section.",
          e);
    }
    String levelName;
    try {
      levelName = LevelName.of(task);
    } catch (IllegalStateException e) {
      throw new ConfigException(e.getMessage() + ".", e); // names the task, the rule, the fix
    }
    // a task that names its level gets the name next to the number (the default N would only
    // repeat "level")
    String named = levelName.equals(LevelName.DEFAULT) ? "" : " (" + levelName + "=%d)";
    for (Assignment assignment : start.assignments()) {
      if (assignment.level() < minLevel) {
        // Point at the curriculum's start-level when it has one; its first stage otherwise.
        boolean hasStartLevel = mapper.valueToTree(curriculum.config()).has("start-level");
        String key = hasStartLevel ? "curriculum.start-level" : "curriculum";
        throw new ConfigException(
            "Invalid value: "
                + key
                + " starts curriculum '"
                + curriculum.id()
                + "' at level "
                + assignment.level()
                + named.formatted(assignment.level())
                + ", but task '"
                + task.id()
                + "' starts at level "
                + minLevel
                + named.formatted(minLevel)
                + overrides.origin(key)
                + ". Fix: set "
                + key
                + (hasStartLevel ? "" : "'s first level")
                + " to at least "
                + minLevel
                + ".");
      }
    }
  }
}
