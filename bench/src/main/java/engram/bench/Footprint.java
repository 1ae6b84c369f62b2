package engram.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * Memory of the process sampled after every training step: heap in use after a full GC, the
 * resident set ({@link Pointer#physicalBytes()}) and the native memory JavaCPP allocated for ND4J
 * ({@link Pointer#totalBytes()}), plus the peak heap of the JVM's heap pools.
 *
 * <p>The flat-footprint rule: a series is flat when the median of its last third exceeds the median
 * of its first third by at most {@code max(5% of the first, 16 MiB)}.
 */
public final class Footprint {
  /** Relative growth allowed between the first and the last third. */
  public static final double RELATIVE_TOLERANCE = 0.05;

  /** Absolute growth (bytes) always allowed: allocator and GC noise. */
  public static final double ABSOLUTE_TOLERANCE = 16.0 * 1024 * 1024;

  private final List<Double> heap = new ArrayList<>();
  private final List<Double> physical = new ArrayList<>();
  private final List<Double> javacpp = new ArrayList<>();

  /** Resets the heap pools' peak usage; call before the first step. */
  public void start() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  /** Samples after a step (runs a full GC first, so the heap number is the live set). */
  public void sample() {
    System.gc();
    heap.add((double) ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    physical.add((double) Pointer.physicalBytes());
    javacpp.add((double) Pointer.totalBytes());
  }

  /** The sum over the heap pools of their peak usage since {@link #start()}. */
  public static long peakHeapBytes() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  public Series heap() {
    return Series.of(heap);
  }

  public Series physical() {
    return Series.of(physical);
  }

  public Series javacpp() {
    return Series.of(javacpp);
  }

  /**
   * A sampled quantity in bytes: its peak, the medians of its first and last thirds, and the
   * verdict of the flat rule.
   */
  public record Series(double peak, double firstThird, double lastThird, boolean flat) {
    static Series of(List<Double> samples) {
      return of(samples.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * Applies the flat rule to {@code samples} (at least 3).
     *
     * @throws IllegalArgumentException with fewer than 3 samples
     */
    public static Series of(double[] samples) {
      if (samples.length < 3) {
        throw new IllegalArgumentException(
            "the flat-footprint check needs at least 3 samples, got " + samples.length);
      }
      int third = samples.length / 3;
      double first = Summary.of(java.util.Arrays.copyOfRange(samples, 0, third)).median();
      double last =
          Summary.of(java.util.Arrays.copyOfRange(samples, samples.length - third, samples.length))
              .median();
      double peak = java.util.Arrays.stream(samples).max().orElseThrow();
      return new Series(peak, first, last, flat(first, last));
    }

    /** The rule itself: growth ≤ max(5% of the first third, 16 MiB). */
    public static boolean flat(double firstThird, double lastThird) {
      return lastThird - firstThird
          <= Math.max(RELATIVE_TOLERANCE * firstThird, ABSOLUTE_TOLERANCE);
    }
  }
}
