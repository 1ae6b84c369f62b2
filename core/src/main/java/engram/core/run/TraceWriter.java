package engram.core.run;

import engram.api.table.TrainingTrace;
import engram.core.train.TraceRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes {@code trace.csv} as {@link TrainingTrace#SPEC} declares it: the header from the
 * declaration, then one row per {@link #row} call. Each row is written with one {@code write} of a
 * whole line and flushed at once, so a run that stops (normally or by a signal between rows) leaves
 * only whole rows. Numbers as in {@code metrics.csv}: shortest round-trip form, {@code nan} and
 * {@code inf}. Not thread-safe.
 */
public final class TraceWriter implements AutoCloseable {
  private final Writer out;
  private final StringBuilder line = new StringBuilder(128);

  /**
   * Creates {@code file} (which must not exist) and writes the header.
   *
   * @param file the trace file, normally {@link RunDirectory#traceFile()}
   * @throws IOException when the file exists or cannot be created
   */
  public TraceWriter(Path file) throws IOException {
    this.out =
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    out.write(TrainingTrace.SPEC.header());
    out.write('\n');
    out.flush();
  }

  /** Appends one row and flushes it to the file. */
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
      throw new UncheckedIOException("cannot write " + TrainingTrace.FILE, e);
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
