package engram.core.compare;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How runs are put into groups: runs with the same label are seeds of one condition. */
public enum GroupBy {
  /** The experiment's {@code name}. */
  NAME("name"),
  /** {@code curriculum.id} (single-head vs multi-head, ...): the default. */
  CURRICULUM("curriculum"),
  /** {@code model.id}. */
  MODEL("model"),
  /** {@code curriculum.id} and {@code model.id}, as {@code multi-head/leaky-rnn}. */
  CURRICULUM_MODEL("curriculum+model"),
  /**
   * The experiment's {@code name} without a trailing {@code -s<seed>} (its own seed): the condition
   * of a reproduction, whose runs are named {@code <plan>-<condition>-s<seed>}.
   */
  CONDITION("condition");

  private final String text;

  GroupBy(String text) {
    this.text = text;
  }

  /** How the option is written on the command line. */
  public String text() {
    return text;
  }

  /** The group label of a run. */
  public String label(RunSummary run) {
    return switch (this) {
      case NAME -> run.name();
      case CURRICULUM -> run.curriculumId();
      case MODEL -> run.modelId();
      case CURRICULUM_MODEL -> run.curriculumId() + "/" + run.modelId();
      case CONDITION -> withoutSeed(run.name(), run.seed());
    };
  }

  /**
   * The experiment name a reproduction gives one run, {@code <plan>-<condition>-s<seed>}: the one
   * convention {@link #CONDITION} undoes.
   */
  public static String conditionRunName(String plan, String condition, long seed) {
    return plan + "-" + condition + seedSuffix(seed);
  }

  private static String seedSuffix(long seed) {
    return "-s" + seed;
  }

  private static String withoutSeed(String name, long seed) {
    String suffix = seedSuffix(seed);
    return name.endsWith(suffix) && name.length() > suffix.length()
        ? name.substring(0, name.length() - suffix.length())
        : name;
  }

  /**
   * Parses {@code name}, {@code curriculum}, {@code model}, {@code curriculum+model} or {@code
   * condition}.
   *
   * @throws ComparisonException for anything else, naming the choices
   */
  public static GroupBy parse(String text) throws ComparisonException {
    String wanted = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    for (GroupBy by : values()) {
      if (by.text.equals(wanted)) {
        return by;
      }
    }
    throw new ComparisonException(
        "--group-by must be one of " + choices() + " (was '" + text + "'). Fix: pass one of them.");
  }

  /** The choices, for messages and help. */
  public static String choices() {
    return Arrays.stream(values()).map(GroupBy::text).collect(Collectors.joining("|"));
  }
}
