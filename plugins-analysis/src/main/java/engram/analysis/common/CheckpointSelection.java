package engram.analysis.common;

import engram.api.Analyzer.Checkpoint;
import java.util.List;

/**
 * Which of the checkpoints an analyzer is given it runs the network on: analyses that rebuild the
 * network per checkpoint are slow, so they can restrict themselves to the last one. In YAML:
 * {@code last} or {@code all}.
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
      throw new IllegalStateException(analyzerId + " was given no checkpoints, so there is no "
          + "network to simulate. Fix: analyse a run that trained at least until its first "
          + "checkpoint.");
    }
    return this == LAST ? List.of(checkpoints.get(checkpoints.size() - 1))
        : List.copyOf(checkpoints);
  }
}
