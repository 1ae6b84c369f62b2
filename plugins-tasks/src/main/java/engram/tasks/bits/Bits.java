package engram.tasks.bits;

import java.util.function.BooleanSupplier;

/**
 * One binary input sequence x<sub>1</sub> … x<sub>M</sub>. Memory tasks ask about its end, so it is
 * read from there: {@link #last()} is x<sub>M</sub>, {@link #stepsBeforeLast(int)
 * stepsBeforeLast(k)} is x<sub>M−k</sub>.
 */
public final class Bits {
  private final boolean[] bits;

  /** M: only bits[0 .. length) belong to this sequence, so prefixes can share one array. */
  private final int length;

  private Bits(boolean[] bits, int length) {
    this.bits = bits;
    this.length = length;
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
    return new Bits(bits, length);
  }

  /**
   * x<sub>1</sub> … x<sub>m</sub>, the sequence as it stood after {@code m} steps, so a rule about
   * the end of a sequence can be asked at every step of a stream. A view: O(1), no copy.
   *
   * @param m 1 ≤ m ≤ M
   */
  public Bits firstSteps(int m) {
    if (m < 1 || m > length) {
      throw new IndexOutOfBoundsException("the first " + m + " of " + length + " bits");
    }
    return new Bits(bits, m);
  }

  /** M, the number of steps. */
  public int length() {
    return length;
  }

  /** The bit at time step {@code t}, counted from 0 (x<sub>t+1</sub>). */
  public boolean atStep(int t) {
    if (t < 0 || t >= length) {
      throw new IndexOutOfBoundsException("step " + t + " of " + length + " bits");
    }
    return bits[t];
  }

  /** x<sub>M</sub>. */
  public boolean last() {
    return bits[length - 1];
  }

  /** x<sub>M−k</sub>, the bit {@code k} steps before the last; {@code 0 ≤ k < M}. */
  public boolean stepsBeforeLast(int k) {
    if (k < 0 || k >= length) {
      throw new IndexOutOfBoundsException(k + " steps before the last of " + length + " bits");
    }
    return bits[length - 1 - k];
  }

  /**
   * How many of the last {@code n} bits x<sub>M−n+1</sub> … x<sub>M</sub> are 1; {@code 0 ≤ n ≤ M}.
   */
  public int onesAmongLast(int n) {
    if (n < 0 || n > length) {
      throw new IndexOutOfBoundsException("the last " + n + " of " + length + " bits");
    }
    int ones = 0;
    for (int t = length - n; t < length; t++) {
      ones += bits[t] ? 1 : 0;
    }
    return ones;
  }
}
