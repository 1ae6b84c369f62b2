package engram.analysis.common;

import engram.api.Analyzer.Checkpoint;
import java.util.List;

/**
 * Which of the checkpoints an analyzer is given it runs the network on: analyses that rebuild the
 * network per checkpoint are slow, so they can restrict themselves to the last one. In YAML: {@code
 * last} or {@code all}.
 */
public enum CheckpointSelection {
  /** Only the newest checkpoint (usually {@code final}). */
  LAST,
  /** Every checkpoint, oldest first. */
  ALL;

  /**
   * The chosen checkpoints, oldest first.
   *
   * @param analyzerId prefixes the error message
   * @throws IllegalStateException when there is no checkpoint at all
   */
  public List<Checkpoint> select(List<Checkpoint> checkpoints, String analyzerId) {
    if (checkpoints.isEmpty()) {
      throw new IllegalStateException(
          analyzerId
              + " was given no checkpoints, so there is no "
              + "network to simulate. Fix: analyse a run that trained at least until its first "
              + "checkpoint.");
    }
    return this == LAST
        ? List.of(checkpoints.get(checkpoints.size() - 1))
        : List.copyOf(checkpoints);
  }

  /**
   * The checkpoints to analyse: with {@code atLevel > 0} the last checkpoint trained up to N =
   * {@code atLevel} (the one that solved it, for a curriculum that advances), else {@link
   * #select(List, String)}.
   *
   * @throws IllegalStateException naming the levels the run reached when none was at {@code
   *     atLevel}
   */
  public List<Checkpoint> select(List<Checkpoint> checkpoints, String analyzerId, int atLevel) {
    List<Checkpoint> all = select(checkpoints, analyzerId);
    if (atLevel <= 0) {
      return all;
    }
    Checkpoint found = null;
    for (Checkpoint c : checkpoints) {
      if (c.levels().length > 0 && c.maxLevel() == atLevel) {
        found = c;
      }
    }
    if (found == null) {
      throw new IllegalStateException(
          analyzerId
              + ": no checkpoint was trained up to N = "
              + atLevel
              + "; this run's checkpoints reach N = "
              + checkpoints.stream()
                  .filter(c -> c.levels().length > 0)
                  .map(Checkpoint::maxLevel)
                  .distinct()
                  .toList()
              + ". Fix: set at-level to one of them, or 0 to use checkpoints: last|all.");
    }
    return List.of(found);
  }
}
