package engram.api.curriculum;

/**
 * One trained level and the readout head that serves it.
 *
 * @param level the task level (for example N)
 * @param head index of the readout head, ≥ 0; core creates heads on demand, with no upper limit
 */
public record Assignment(int level, int head) {
  /**
   * Checks the head index.
   *
   * @param level the task level
   * @param head index of the readout head, ≥ 0
   * @throws IllegalArgumentException when {@code head} is negative
   */
  public Assignment {
    if (head < 0) {
      throw new IllegalArgumentException("head must be ≥ 0, was " + head);
    }
  }
}
