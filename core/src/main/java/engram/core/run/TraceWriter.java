package engram.core.run;

import engram.api.table.TrainingTrace;
import engram.core.train.TraceRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Writes {@code trace.csv} as {@link TrainingTrace#SPEC} declares it: the header from the
 * declaration, then one row per {@link #row} call, written to the file at once and whole, as {@code
 * metrics.csv}'s rows are: a write that fails (a full disk) is cut back to the last whole row and
 * retried with the next row, and an interrupt does not cut a row short, so the file only ever ends
 * with a whole row. Numbers as in {@code metrics.csv}: shortest round-trip form, {@code nan} and
 * {@code inf}. Not thread-safe.
 */
public final class TraceWriter implements AutoCloseable {
  private final WholeLines out;
  private final StringBuilder line = new StringBuilder(128);

  /**
   * Creates {@code file} (which must not exist) and writes the header.
   *
   * @param file the trace file, normally {@link RunDirectory#traceFile()}
   * @throws IOException when the file exists or cannot be created
   */
  public TraceWriter(Path file) throws IOException {
    this(file, RunFiles.SYSTEM);
  }

  /** As {@link #TraceWriter(Path)}, writing through {@code files}. */
  public TraceWriter(Path file, RunFiles files) throws IOException {
    this.out = new WholeLines(file, files, true);
    out.append(TrainingTrace.SPEC.header() + "\n");
    out.flush();
  }

  private TraceWriter(WholeLines out) {
    this.out = out;
  }

  /**
   * Appends to the existing {@code trace.csv} of a resumed run, after its last whole row.
   *
   * @throws IOException when the file is missing or has another header
   */
  static TraceWriter append(Path file, RunFiles files) throws IOException {
    MetricsWriter.checkHeader(file, TrainingTrace.SPEC.header());
    return new TraceWriter(new WholeLines(file, files, false));
  }

  /** Bytes of whole rows (header included) in the file. */
  public long bytes() {
    return out.bytes();
  }

  /** Rows in the file, the header not counted. */
  public long rows() {
    return Math.max(0, out.lines() - 1);
  }

  /**
   * Appends one row (and any row a failed write left pending) to the file.
   *
   * @throws UncheckedIOException when the write fails; the file then ends with its last whole row
   */
  public void row(TraceRow row) {
    line.setLength(0);
    line.append(row.step()).append(',').append(row.epoch()).append(',').append(row.level());
    append(row.loss());
    append(row.accuracy());
    append(row.gradNormRec());
    append(row.weightNormRec());
    line.append('\n');
    try {
      out.append(line);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e); // names the file and the cause
    }
  }

  private void append(double value) {
    line.append(',');
    if (Double.isNaN(value)) {
      line.append("nan");
    } else if (Double.isInfinite(value)) {
      line.append(value > 0 ? "inf" : "-inf");
    } else {
      line.append(value);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
