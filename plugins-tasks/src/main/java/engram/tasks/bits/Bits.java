package engram.tasks.bits;

import java.util.function.BooleanSupplier;

/**
 * One binary input sequence x<sub>1</sub> … x<sub>M</sub>. Memory tasks ask about its end, so it
 * is read from there: {@link #last()} is x<sub>M</sub>, {@link #stepsBeforeLast(int) stepsBeforeLast(k)}
 * is x<sub>M−k</sub>.
 */
public final class Bits {
  private final boolean[] bits;

  private Bits(boolean[] bits) {
    this.bits = bits;
  }

  /** Draws {@code length} bits in time order, x<sub>1</sub> first, each from {@code bit}. */
  public static Bits draw(int length, BooleanSupplier bit) {
    if (length < 1) {
      throw new IllegalArgumentException("a bit sequence needs length ≥ 1, was " + length);
    }
    boolean[] bits = new boolean[length];
    for (int t = 0; t < length; t++) {
      bits[t] = bit.getAsBoolean();
    }
    return new Bits(bits);
  }

  /** M, the number of steps. */
  public int length() {
    return bits.length;
  }

  /** The bit at time step {@code t}, counted from 0 (x<sub>t+1</sub>). */
  public boolean atStep(int t) {
    return bits[t];
  }

  /** x<sub>M</sub>. */
  public boolean last() {
    return bits[bits.length - 1];
  }

  /** x<sub>M−k</sub>, the bit {@code k} steps before the last; {@code 0 ≤ k < M}. */
  public boolean stepsBeforeLast(int k) {
    if (k < 0 || k >= bits.length) {
      throw new IndexOutOfBoundsException(k + " steps before the last of " + bits.length + " bits");
    }
    return bits[bits.length - 1 - k];
  }

  /** How many of the last {@code n} bits x<sub>M−n+1</sub> … x<sub>M</sub> are 1; {@code 0 ≤ n ≤ M}. */
  public int onesAmongLast(int n) {
    if (n < 0 || n > bits.length) {
      throw new IndexOutOfBoundsException("the last " + n + " of " + bits.length + " bits");
    }
    int ones = 0;
    for (int t = bits.length - n; t < bits.length; t++) {
      ones += bits[t] ? 1 : 0;
    }
    return ones;
  }
}
