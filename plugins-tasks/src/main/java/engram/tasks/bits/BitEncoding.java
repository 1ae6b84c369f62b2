package engram.tasks.bits;

/**
 * How a bit is presented to the network: a 1-bit is always the input value 1, a 0-bit is 0 or −1.
 * In experiment files the constants are written {@code zero-one} and {@code plus-minus-one}.
 */
public enum BitEncoding {
  /** 0-bit → 0, 1-bit → 1 (the authors' leaky RNN). */
  ZERO_ONE(0f),
  /** 0-bit → −1, 1-bit → 1 (the authors' LSTM and GRU). */
  PLUS_MINUS_ONE(-1f);

  private final float zeroBit;

  BitEncoding(float zeroBit) {
    this.zeroBit = zeroBit;
  }

  /** The input value of {@code bit}. */
  public float input(boolean bit) {
    return bit ? 1f : zeroBit;
  }
}
