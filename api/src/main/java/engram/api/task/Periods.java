package engram.api.task;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The named periods of the trials of a batch (fixation, stimulus, delay, response, ...), so masks,
 * regularizers, plots and analyses can say "the delay period" instead of index arithmetic.
 * Durations may differ between sequences, so the period is given per step and sequence.
 *
 * @param names period names in trial order; empty when the task declares none
 * @param index time-major {@code [T, B]}: entry {@code t * batch + b} is the position in {@code
 *     names} of the period that step t of sequence b belongs to, or −1 for none
 */
public record Periods(List<String> names, byte[] index) {
  /**
   * Copies the names into an unmodifiable list and checks them and the index; the index array is
   * kept, not copied.
   *
   * @param names distinct period names in trial order, at most 127
   * @param index time-major {@code [T, B]} positions in {@code names}, or −1
   * @throws IllegalArgumentException when names repeat or are too many, or an index is out of range
   * @throws NullPointerException when either is null
   */
  public Periods {
    names = List.copyOf(names);
    Objects.requireNonNull(index, "index");
    if (names.size() > Byte.MAX_VALUE) {
      throw new IllegalArgumentException(
          "at most " + Byte.MAX_VALUE + " periods, got " + names.size());
    }
    if (names.stream().distinct().count() != names.size()) {
      throw new IllegalArgumentException("period names must be distinct: " + names);
    }
    for (byte i : index) {
      if (i < -1 || i >= names.size()) {
        throw new IllegalArgumentException(
            "period index " + i + " outside [-1, " + names.size() + ")");
      }
    }
  }

  /**
   * No named periods: every step belongs to none.
   *
   * @param steps T
   * @param batch B
   * @return periods without names, index −1 everywhere
   */
  public static Periods none(int steps, int batch) {
    byte[] index = new byte[Math.max(0, steps * batch)];
    Arrays.fill(index, (byte) -1);
    return new Periods(List.of(), index);
  }

  /**
   * Whether a period of this name exists.
   *
   * @param name a period name
   * @return true when the task declares it
   */
  public boolean has(String name) {
    return names.contains(name);
  }

  /**
   * Whether step t of sequence b lies in the named period.
   *
   * @param name a period name
   * @param t step, in {@code [0, T)}
   * @param b sequence, in {@code [0, B)}
   * @param batch B, the number of sequences of the batch
   * @return true when it does; false for an unknown name
   */
  public boolean in(String name, int t, int b, int batch) {
    int position = names.indexOf(name);
    return position >= 0 && index[t * batch + b] == position;
  }

  /**
   * A {@code [T, B]} mask, 1 where the step lies in the named period.
   *
   * @param name a period name
   * @return a new time-major array of length T·B, 1 inside the period and 0 elsewhere
   * @throws IllegalArgumentException naming the known periods when the name is unknown
   */
  public float[] mask(String name) {
    int position = names.indexOf(name);
    if (position < 0) {
      throw new IllegalArgumentException(
          "no period named '" + name + "'; this task's periods are " + names);
    }
    float[] mask = new float[index.length];
    for (int i = 0; i < index.length; i++) {
      mask[i] = index[i] == position ? 1f : 0f;
    }
    return mask;
  }
}
