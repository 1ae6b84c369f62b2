package engram.analysis.common;

import engram.api.Analyzer.Checkpoint;
import java.util.List;

/**
 * Which of the run's checkpoints an analyzer that runs the network simulates (YAML: {@code all},
 * {@code last}). Simulating is the expensive part, so analyses of a long run may want only the
 * final network; {@code ./engram analyze --checkpoints last} narrows the list the same way for
 * every analyzer at once.
 */
public enum CheckpointSelection {
  /** Every checkpoint given to the analyzer, oldest first. */
  ALL,
  /** Only the newest checkpoint given to the analyzer. */
  LAST;

  /**
   * The chosen checkpoints, oldest first.
   *
   * @param analyzerId named in the error
   * @throws IllegalStateException when {@code checkpoints} is empty
   */
  public List<Checkpoint> choose(List<Checkpoint> checkpoints, String analyzerId) {
    if (checkpoints.isEmpty()) {
      throw new IllegalStateException(analyzerId + " was given no checkpoints, so there is no "
          + "network to simulate. Fix: analyse a run that trained at least until its first "
          + "checkpoint.");
    }
    return this == LAST ? List.of(checkpoints.get(checkpoints.size() - 1)) : checkpoints;
  }
}
