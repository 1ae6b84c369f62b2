package engram.api.curriculum;

import java.util.List;

/**
 * What is trained now: the active levels with their heads, oldest first and newest last.
 *
 * @param assignments non-empty; levels distinct, heads distinct
 */
public record Stage(List<Assignment> assignments) {
  public Stage {
    assignments = List.copyOf(assignments);
    if (assignments.isEmpty()) {
      throw new IllegalArgumentException("a stage needs at least one level");
    }
    if (assignments.stream().map(Assignment::level).distinct().count() != assignments.size()
        || assignments.stream().map(Assignment::head).distinct().count() != assignments.size()) {
      throw new IllegalArgumentException("levels and heads of a stage must be distinct: " + assignments);
    }
  }

  public static Stage of(Assignment... assignments) {
    return new Stage(List.of(assignments));
  }

  /** The active levels in order. */
  public int[] levels() {
    return assignments.stream().mapToInt(Assignment::level).toArray();
  }

  /** The largest active level. */
  public int maxLevel() {
    return assignments.stream().mapToInt(Assignment::level).max().orElseThrow();
  }

  /** The newest assignment (the last). */
  public Assignment newest() {
    return assignments.get(assignments.size() - 1);
  }
}
