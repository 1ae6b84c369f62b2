package engram.api;

import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What core tells a model when it creates a network. The network's parameters, the arrays it
 * returns and the arrays it is given are all of {@link #dataType()}.
 *
 * @param inputSize input channels per step, from the task
 * @param dataType {@code FLOAT} for training, {@code DOUBLE} for gradient checks
 */
public record NetworkSpec(int inputSize, DataType dataType) {
  /**
   * Checks the values.
   *
   * @param inputSize input channels per step, ≥ 1
   * @param dataType {@code FLOAT} or {@code DOUBLE}, never null
   * @throws IllegalArgumentException when {@code inputSize} is below 1 or the type is another one
   * @throws NullPointerException when {@code dataType} is null
   */
  public NetworkSpec {
    if (inputSize < 1) {
      throw new IllegalArgumentException("inputSize must be ≥ 1, was " + inputSize);
    }
    Objects.requireNonNull(dataType, "dataType");
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      throw new IllegalArgumentException("dataType must be FLOAT or DOUBLE, was " + dataType);
    }
  }
}
