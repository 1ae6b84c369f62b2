package engram.core.config;

/** The optimizers core provides; written {@code sgd} or {@code adam} in YAML. */
public enum OptimizerType {
  /** Stochastic gradient descent, optionally with (Nesterov) momentum. */
  SGD,
  /** Adam (Kingma &amp; Ba, 2015) with bias correction. */
  ADAM
}
