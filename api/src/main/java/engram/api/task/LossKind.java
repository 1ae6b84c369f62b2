package engram.api.task;

/**
 * How a target is scored. Every loss is a mean over the target's scored entries, in nats for the
 * cross-entropies; a stage's loss is the sum over its targets.
 */
public enum LossKind {
  /**
   * Softmax cross-entropy of a readout head's {@code width} logits against a class index; accuracy
   * by {@link Accuracy.Rule#ARGMAX}.
   */
  CLASSIFICATION,
  /**
   * Mean squared error of a readout head's {@code width} outputs against real-valued targets (mean
   * over scored entries and components); accuracy by {@link Accuracy.Rule#SIGN} or {@link
   * Accuracy.Rule#WITHIN}.
   */
  REGRESSION,
  /**
   * Multi-label: binary cross-entropy with one sigmoid per output component, each component an
   * independent yes/no label (a bit of a copied pattern). Per component with logit y and target bit
   * t ∈ {0, 1}: −[t·log σ(y) + (1 − t)·log(1 − σ(y))], σ(y) = 1/(1 + e<sup>−y</sup>), in nats,
   * averaged over scored entries and components like {@link #REGRESSION} (PyTorch's {@code
   * BCEWithLogitsLoss} with its default mean); accuracy by {@link Accuracy.Rule#THRESHOLD}.
   */
  MULTI_LABEL
}
