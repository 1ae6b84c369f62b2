package engram.api.task;

/**
 * The output nonlinearity a readout head applies to its linear outputs before a {@link
 * LossKind#REGRESSION} target scores them: the output is o = f(y) with y = W·h + b, the loss is the
 * squared error of o and the accuracy rule reads o. A task that wants outputs bounded like its
 * targets declares it on the {@link Target} (a tanh readout for ±1 targets, a sigmoid readout for 0
 * and 1 targets, as in the rate RNNs of Dinc et al. 2025, arXiv 2501.02378).
 *
 * <p>Classification and multi-label targets have their own output functions (softmax, one sigmoid
 * per component, inside their losses) and take {@link #IDENTITY} only.
 */
public enum OutputActivation {
  /** o = y, the plain linear readout (the default). */
  IDENTITY,
  /** o = tanh(y), in (−1, 1). */
  TANH,
  /** o = σ(y) = 1/(1 + e<sup>−y</sup>), in (0, 1). */
  SIGMOID;

  /**
   * The output of a linear readout value.
   *
   * @param y the linear readout W·h + b
   * @return f(y)
   */
  public double apply(double y) {
    return switch (this) {
      case IDENTITY -> y;
      case TANH -> Math.tanh(y);
      case SIGMOID -> y >= 0 ? 1 / (1 + Math.exp(-y)) : Math.exp(y) / (1 + Math.exp(y));
    };
  }

  /**
   * The derivative df/dy, written through the output o = f(y) (which the caller already has).
   *
   * @param output o = {@link #apply}(y)
   * @return 1, 1 − o² or o(1 − o)
   */
  public double slopeAt(double output) {
    return switch (this) {
      case IDENTITY -> 1;
      case TANH -> 1 - output * output;
      case SIGMOID -> output * (1 - output);
    };
  }
}
