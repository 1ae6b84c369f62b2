package engram.core.config;

import engram.api.Task;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * What a task calls its level ({@link Task#levelName}: "N" unless the task says "length", "delay",
 * ...), checked, and the one way levels are written for people: {@code length=2..3}. Files do not
 * use it: {@code metrics.csv}'s column {@code N} and checkpoint names hold the level whatever its
 * name, so scripts and {@code engram compare} read every run alike.
 */
public final class LevelName {
  /** The name of a task that does not give one. */
  public static final String DEFAULT = "N";

  // Short and free of spaces, '=' and separators, so "name=2..3" and "largest name solved" read
  // as one token in logs and figure legends.
  private static final Pattern NAME = Pattern.compile("\\p{L}[\\p{L}\\p{N}_-]{0,31}");

  private LevelName() {}

  /**
   * The level name of the experiment's task.
   *
   * @throws IllegalStateException naming the task and the rule when the task returns null or a name
   *     that breaks the rule of {@link Task#levelName}, or throws
   */
  public static String of(ResolvedExperiment experiment) {
    return of(experiment.task());
  }

  /**
   * The level name of a configured task.
   *
   * @throws IllegalStateException naming the task and the rule when the task returns null or a name
   *     that breaks the rule of {@link Task#levelName}, or throws
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static String of(PluginChoice task) {
    String name;
    try {
      name = ((Task) task.plugin().plugin()).levelName(task.config());
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "Task '"
              + task.id()
              + "' cannot name its level: "
              + e
              + ". Fix: make the task's levelName return a name (in the plugin's code)",
          e);
    }
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalStateException(
          "Task '"
              + task.id()
              + "' names its level "
              + (name == null ? "null" : "'" + name + "'")
              + ", but a level name is a letter followed"
              + " by letters, digits, '_' or '-', at most 32 characters (e.g. N, length, delay)."
              + " Fix: return such a name from the task's levelName (in the plugin's code)");
    }
    return name;
  }

  /**
   * Levels as people read them.
   *
   * @param name the level name
   * @param levels the levels of a stage, non-empty
   * @return {@code name=min..max}, or {@code name=level} when all are one level
   */
  public static String range(String name, int[] levels) {
    int min = Arrays.stream(levels).min().orElseThrow();
    int max = Arrays.stream(levels).max().orElseThrow();
    return min == max ? name + "=" + max : name + "=" + min + ".." + max;
  }
}
