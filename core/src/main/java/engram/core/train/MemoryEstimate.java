package engram.core.train;

import engram.core.config.ConfigException;
import java.util.Locale;

/**
 * A lower bound on the memory a run needs, checked before the run directory exists so that a size
 * that cannot fit stops with one line instead of an {@code OutOfMemoryError} a minute later.
 *
 * <p>Values of one training step: the parameters with their gradient and the optimizer's two
 * moments (4·P), and for every step t of the sequence and every sequence of the batch what BPTT
 * keeps — at least the state, one cached activation and their gradients (4·S) — plus the inputs and
 * the heads' outputs with their gradients (2·I + 2·O); the evaluation forward keeps the state and
 * outputs of its batch (S + O per step and sequence). In bytes, with b bytes per value:
 *
 * <pre>
 * bytes ≥ b · (4·P + T·B·(4·S + 2·I + 2·O) + T·B_eval·(S + O))
 * </pre>
 *
 * Gated cells cache more per step (a GRU three gates, an LSTM four and its cell state), so the true
 * use is higher: the bound only refuses runs that certainly do not fit. T, I and O are those of the
 * curriculum's first stage; a task whose sequences grow with the level needs more later.
 *
 * <p>The limit is the native memory ND4J may allocate ({@code org.bytedeco.javacpp.maxBytes}, by
 * default the JVM's {@code -Xmx}; the launcher sets both from the machine's memory), shared by the
 * runs trained side by side.
 */
public record MemoryEstimate(
    long parameters,
    int steps,
    int batch,
    int evalBatch,
    int state,
    int inputs,
    int outputs,
    int bytesPerValue) {

  /** The lower bound in bytes; saturates instead of overflowing for absurd sizes. */
  public double bytes() {
    double perStep =
        (double) steps * batch * (4.0 * state + 2.0 * inputs + 2.0 * outputs)
            + (double) steps * evalBatch * ((double) state + outputs);
    return bytesPerValue * (4.0 * parameters + perStep);
  }

  /**
   * Refuses a run whose bound, times the runs trained at once, exceeds {@code limitBytes}.
   *
   * @param workers runs trained side by side in this process, ≥ 1
   * @throws ConfigException with the estimate, the limit and the fix
   */
  public void check(long limitBytes, int workers) throws ConfigException {
    double need = bytes() * workers;
    if (need > limitBytes) {
      throw new ConfigException(
          String.format(
              Locale.ROOT,
              "this experiment needs at least %s of memory%s (%,d parameters; %d steps × batch"
                  + " %d × state %d per step) but Engram may use %s. Fix: lower"
                  + " training.batch-size, model.hidden-size or the sequence length%s, or give"
                  + " more memory: JAVA_OPTS=\"-Xmx<size> -Dorg.bytedeco.javacpp.maxBytes=<size>\""
                  + " ./engram ...",
              human(need),
              workers > 1 ? " for " + workers + " runs side by side" : "",
              parameters,
              steps,
              batch,
              state,
              human(limitBytes),
              workers > 1 ? ", train fewer runs at once (--workers)" : ""));
    }
  }

  static String human(double bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GB", bytes / (1L << 30));
    }
    return String.format(Locale.ROOT, "%.0f MB", Math.ceil(bytes / (1L << 20)));
  }
}
