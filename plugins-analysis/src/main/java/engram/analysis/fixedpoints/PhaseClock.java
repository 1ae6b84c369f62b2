package engram.analysis.fixedpoints;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Wall-clock and CPU time (of the calling thread, which runs ND4J's kernels too when
 * OMP_NUM_THREADS=1) of the phases of one analysis, logged at DEBUG level on the logger {@code
 * engram.analysis.fixedpoints} (java.util.logging: set that logger's level to FINE to see it). For
 * profiling only; nothing reads it. Not thread-safe (one per analysis and thread).
 */
final class PhaseClock {

  private static final System.Logger LOG = System.getLogger("engram.analysis.fixedpoints");

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long lastWall = System.nanoTime();
  private long lastCpu = cpu();

  private long cpu() {
    return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
  }

  /** Logs the seconds since the previous call (or construction) under {@code phase}; restarts. */
  void lap(String phase) {
    long wall = System.nanoTime();
    long cpu = cpu();
    double wallSeconds = (wall - lastWall) / 1e9;
    double cpuSeconds = (cpu - lastCpu) / 1e9;
    LOG.log(
        Level.DEBUG,
        () ->
            String.format(
                "fixed-points %s: %.3f s wall, %.3f s CPU", phase, wallSeconds, cpuSeconds));
    lastWall = wall;
    lastCpu = cpu;
  }
}
