package engram.analysis.fixedpoints;

import java.lang.System.Logger.Level;

/**
 * Wall-clock time of the phases of one analysis, logged at DEBUG level on the logger {@code
 * engram.analysis.fixedpoints} (java.util.logging: set that logger's level to FINE to see it). Only
 * for profiling; nothing reads it. Not thread-safe (one per analysis).
 */
final class PhaseClock {

  private static final System.Logger LOG = System.getLogger("engram.analysis.fixedpoints");

  private long last = System.nanoTime();

  /** Logs the seconds since the previous call (or construction) under {@code phase}; restarts. */
  void lap(String phase) {
    long now = System.nanoTime();
    LOG.log(Level.DEBUG, () -> String.format("fixed-points %s: %.3f s", phase, (now - last) / 1e9));
    last = now;
  }
}
