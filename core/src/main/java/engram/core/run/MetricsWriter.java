package engram.core.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes {@code metrics.csv}: header {@code epoch,step,N,head,loss,accuracy,wall_seconds} plus the
 * extra columns given at construction (regularizer terms such as {@code reg_activity-l2}), then one
 * row per epoch and head. Numbers are written with {@link Double#toString} (shortest exact form,
 * '.' as decimal separator whatever the locale); NaN is {@code nan} and infinities are {@code
 * inf}/{@code -inf}, which numpy and pandas read. Rows reach the disk at {@link #flush()} (call it
 * after each epoch's rows) and {@link #close()}, whole: the file never ends inside a row. Not
 * thread-safe.
 *
 * <p>Column {@code N} holds the level of the row's head whatever the task calls its level ({@link
 * engram.api.Task#levelName}: a copy task's "length" is still in column {@code N}), so {@code
 * engram compare} and scripts read every run, old and new, alike. Column {@code accuracy} is
 * counted as the task declares it, per entry or per whole trial.
 */
public final class MetricsWriter implements AutoCloseable {
  /** The fixed columns. */
  public static final List<String> COLUMNS =
      List.of("epoch", "step", "N", "head", "loss", "accuracy", "wall_seconds");

  private static final Pattern COLUMN = Pattern.compile("[A-Za-z0-9_.:+-]+");

  private final WholeLines out;
  private final int extras;
  private final StringBuilder line = new StringBuilder(128);

  /**
   * Creates {@code file} (which must not exist) and writes the header.
   *
   * @param extraColumns names of the extra columns: letters, digits and {@code _ . : + -}, distinct
   *     and different from the fixed columns
   */
  public MetricsWriter(Path file, List<String> extraColumns) throws IOException {
    this(file, extraColumns, RunFiles.SYSTEM);
  }

  /** As {@link #MetricsWriter(Path, List)}, writing through {@code files} (tests inject faults). */
  MetricsWriter(Path file, List<String> extraColumns, RunFiles files) throws IOException {
    List<String> header = header(extraColumns); // checked before the file is created
    this.extras = header.size() - COLUMNS.size();
    this.out = new WholeLines(file, files, true);
    out.append(String.join(",", header) + "\n");
    flush();
  }

  private MetricsWriter(WholeLines out, int extras) {
    this.out = out;
    this.extras = extras;
  }

  /**
   * Appends to the existing {@code metrics.csv} of a resumed run, after its last whole row.
   *
   * @throws IOException when the file is missing, or its header is not the one {@code extraColumns}
   *     gives (the run's regularizers changed)
   */
  static MetricsWriter append(RunDirectory run, List<String> extraColumns, RunFiles files)
      throws IOException {
    String header = String.join(",", header(extraColumns));
    checkHeader(run.metricsFile(), header);
    return new MetricsWriter(
        new WholeLines(run.metricsFile(), files, false),
        header(extraColumns).size() - COLUMNS.size());
  }

  /** Checks that {@code file} exists and its first line is {@code header}. */
  static void checkHeader(Path file, String header) throws IOException {
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new IOException(file + " is missing");
    }
    String first;
    try (var lines = java.nio.file.Files.lines(file)) {
      first = lines.findFirst().orElse("");
    }
    if (!first.equals(header)) {
      throw new IOException(
          file + " has the header '" + first + "', but this run writes '" + header + "'");
    }
  }

  /** Bytes of whole rows (header included) in the file. */
  public long bytes() {
    return out.bytes();
  }

  /** Rows in the file, the header not counted. */
  public long rows() {
    return Math.max(0, out.lines() - 1);
  }

  private static List<String> header(List<String> extraColumns) {
    List<String> header = new ArrayList<>(COLUMNS);
    Set<String> seen = new HashSet<>(COLUMNS);
    for (String column : extraColumns) {
      if (column == null || !COLUMN.matcher(column).matches()) {
        throw new IllegalArgumentException(
            "metrics column '" + column + "' may only contain letters, digits and _ . : + -");
      }
      if (!seen.add(column)) {
        throw new IllegalArgumentException("metrics column '" + column + "' is given twice");
      }
      header.add(column);
    }
    return header;
  }

  /** {@code metrics.csv} of a run. */
  public static MetricsWriter create(RunDirectory run, List<String> extraColumns)
      throws IOException {
    return new MetricsWriter(run.metricsFile(), extraColumns);
  }

  /** {@code metrics.csv} of a run, written through {@code files}. */
  static MetricsWriter create(RunDirectory run, List<String> extraColumns, RunFiles files)
      throws IOException {
    return new MetricsWriter(run.metricsFile(), extraColumns, files);
  }

  /**
   * Appends one row.
   *
   * @param level the task's level, whatever its name (column {@code N})
   * @param extras one value per extra column, in order
   */
  public void row(
      int epoch,
      long step,
      int level,
      int head,
      double loss,
      double accuracy,
      double wallSeconds,
      double... extras) {
    if (extras.length != this.extras) {
      throw new IllegalArgumentException(
          "expected " + this.extras + " extra values, got " + extras.length);
    }
    line.setLength(0);
    line.append(epoch).append(',').append(step).append(',').append(level).append(',').append(head);
    append(loss);
    append(accuracy);
    append(wallSeconds);
    for (double extra : extras) {
      append(extra);
    }
    line.append('\n');
    out.append(line);
  }

  private void append(double value) {
    line.append(',');
    if (Double.isNaN(value)) {
      line.append("nan");
    } else if (Double.isInfinite(value)) {
      line.append(value > 0 ? "inf" : "-inf");
    } else {
      line.append(value); // Double.toString: locale-independent, round-trips exactly
    }
  }

  /**
   * Appends the rows given since the last flush to the file, all or none: when the write fails (a
   * full disk), the file is cut back to its last whole row — truncating needs no free space — and
   * the rows stay pending, so a later flush can retry them.
   *
   * @throws IOException naming the file, with the cause's message
   */
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
