package engram.api.task;

/** How a target is scored. */
public enum LossKind {
  /**
   * Cross-entropy of a readout head's logits against a class index; accuracy is the fraction of
   * scored entries whose argmax equals the label.
   */
  CLASSIFICATION,
  /** Mean squared error of a readout head's outputs against real-valued targets. */
  REGRESSION
}
