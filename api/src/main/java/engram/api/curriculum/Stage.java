package engram.api.curriculum;

import java.util.List;

/**
 * What is trained now: the active levels with their heads, oldest first and newest last.
 *
 * @param assignments non-empty; levels distinct, heads distinct
 */
public record Stage(List<Assignment> assignments) {
  /**
   * Copies the assignments into an unmodifiable list and checks them.
   *
   * @param assignments the active levels with their heads, oldest first
   * @throws IllegalArgumentException when the list is empty, or levels or heads repeat
   */
  public Stage {
    assignments = List.copyOf(assignments);
    if (assignments.isEmpty()) {
      throw new IllegalArgumentException("a stage needs at least one level");
    }
    if (assignments.stream().map(Assignment::level).distinct().count() != assignments.size()
        || assignments.stream().map(Assignment::head).distinct().count() != assignments.size()) {
      throw new IllegalArgumentException(
          "levels and heads of a stage must be distinct: " + assignments);
    }
  }

  /**
   * A stage of the given assignments, in order.
   *
   * @param assignments oldest first
   * @return the stage
   * @throws IllegalArgumentException as the canonical constructor
   */
  public static Stage of(Assignment... assignments) {
    return new Stage(List.of(assignments));
  }

  /**
   * The active levels, which core passes to {@link engram.api.Task#sample}.
   *
   * @return a new array of the levels in assignment order
   */
  public int[] levels() {
    return assignments.stream().mapToInt(Assignment::level).toArray();
  }

  /**
   * The largest active level.
   *
   * @return the largest level
   */
  public int maxLevel() {
    return assignments.stream().mapToInt(Assignment::level).max().orElseThrow();
  }

  /**
   * The newest assignment.
   *
   * @return the last assignment: the level added most recently
   */
  public Assignment newest() {
    return assignments.get(assignments.size() - 1);
  }
}
