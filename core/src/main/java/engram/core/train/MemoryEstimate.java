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
 *
 * <p>The Java heap holds what a task samples before it becomes an ND4J array: the inputs, one
 * target and one mask value per step and sequence, for a training and an evaluation batch, as
 * 4-byte values (bytes ≥ 4 · T · (B + B_eval) · (I + O + 1)). It is checked against the heap limit
 * ({@code -Xmx}, {@link Runtime#maxMemory()}), also shared by the runs side by side.
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

  /** The lower bound on the Java heap in bytes: the sampled batches' host arrays. */
  public double heapBytes() {
    return 4.0 * steps * ((double) batch + evalBatch) * ((double) inputs + outputs + 1);
  }

  /**
   * The limits a run in this JVM is given.
   *
   * @param offHeapBytes what ND4J may allocate outside the heap ({@code
   *     org.bytedeco.javacpp.maxBytes})
   * @param heapBytes the Java heap's maximum ({@code -Xmx})
   */
  public record Limits(long offHeapBytes, long heapBytes) {
    /** The limits of this JVM: JavaCPP's {@code Pointer.maxBytes()} and {@code -Xmx}. */
    public static Limits current() {
      return new Limits(org.bytedeco.javacpp.Pointer.maxBytes(), Runtime.getRuntime().maxMemory());
    }
  }

  /**
   * Refuses a run whose bounds, times the runs trained at once, exceed the off-heap or the heap
   * limit.
   *
   * @param workers runs trained side by side in this process, ≥ 1
   * @throws ConfigException with the estimate, the limit and the fix
   */
  public void check(Limits limits, int workers) throws ConfigException {
    check(limits.offHeapBytes(), workers);
    double need = heapBytes() * workers;
    if (need > limits.heapBytes()) {
      throw new ConfigException(
          String.format(
              Locale.ROOT,
              "this experiment's batches need at least %s of Java heap%s (%d steps × batch %d +"
                  + " evaluation batch %d) but the heap is %s. Fix: lower training.batch-size,"
                  + " evaluation.batch-size or the sequence length%s, or give a larger heap:"
                  + " JAVA_OPTS=-Xmx<size> ./engram ... (or ENGRAM_MEMORY=<size>)",
              human(need),
              workers > 1 ? " for " + workers + " runs side by side" : "",
              steps,
              batch,
              evalBatch,
              human(limits.heapBytes()),
              workers > 1 ? ", train fewer runs at once (--workers)" : ""));
    }
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
                  + " more memory: ENGRAM_MEMORY=<size> ./engram ... (the launcher's budget), or"
                  + " JAVA_OPTS=-Dorg.bytedeco.javacpp.maxBytes=<size>",
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
