package engram.core.config;

import org.nd4j.linalg.api.buffer.DataType;

/** Floating-point type of a run's arrays; written {@code float32} or {@code float64} in YAML. */
public enum Precision {
  FLOAT32(DataType.FLOAT),
  FLOAT64(DataType.DOUBLE);

  private final DataType dataType;

  Precision(DataType dataType) {
    this.dataType = dataType;
  }

  /** The ND4J data type ({@code FLOAT} or {@code DOUBLE}). */
  public DataType dataType() {
    return dataType;
  }
}
