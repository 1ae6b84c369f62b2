package engram.core.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A CSV file written by Engram itself (metrics and analyzer tables): a header line, then rows with
 * as many fields. Fields may be double-quoted ({@code ""} inside quotes is one quote), as
 * Engram's writers quote strings holding a comma; blank lines are skipped. Numbers read as
 * {@link Double#parseDouble}, plus {@code nan}, {@code inf} and {@code -inf} (what
 * {@link engram.core.run.MetricsWriter} writes) and an empty field as NaN.
 */
public final class CsvTable {
  private final Path file;
  private final List<String> header;
  private final Map<String, Integer> index;
  private final List<String[]> rows;

  private CsvTable(Path file, List<String> header, List<String[]> rows) {
    this.file = file;
    this.header = List.copyOf(header);
    Map<String, Integer> columns = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      columns.putIfAbsent(header.get(i), i);
    }
    this.index = Collections.unmodifiableMap(columns);
    this.rows = Collections.unmodifiableList(rows);
  }

  /**
   * Reads a whole file.
   *
   * @throws IOException when it cannot be read, is empty, or a row has a different number of
   *     fields than the header (the message names the file and line)
   */
  public static CsvTable read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    int first = 0;
    while (first < lines.size() && lines.get(first).isBlank()) {
      first++;
    }
    if (first == lines.size()) {
      throw new IOException(file + " is empty (no header line)");
    }
    List<String> header = split(lines.get(first).strip());
    List<String[]> rows = new ArrayList<>();
    for (int i = first + 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      List<String> fields = split(line.strip());
      if (fields.size() != header.size()) {
        throw new IOException(file + " line " + (i + 1) + " has " + fields.size()
            + " fields but the header has " + header.size());
      }
      rows.add(fields.toArray(String[]::new));
    }
    return new CsvTable(file, header, rows);
  }

  static List<String> split(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString().strip());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString().strip());
    return fields;
  }

  /** The file read. */
  public Path file() {
    return file;
  }

  /** Column names, in file order. */
  public List<String> header() {
    return header;
  }

  /** The rows (without the header); each array has one field per column. */
  public List<String[]> rows() {
    return rows;
  }

  /** Whether the header has {@code column}. */
  public boolean has(String column) {
    return index.containsKey(column);
  }

  /** The first column of {@code wanted} that the header lacks, or null when it has them all. */
  public String missing(List<String> wanted) {
    return wanted.stream().filter(c -> !has(c)).findFirst().orElse(null);
  }

  /** A field as text. */
  public String text(String[] row, String column) {
    return row[column(column)];
  }

  /** A field as a number; NaN when it is empty, {@code nan} or not a number. */
  public double number(String[] row, String column) {
    return parse(row[column(column)]);
  }

  /** A field as an integer (a number rounded to the nearest integer); throws when it is not one. */
  public int integer(String[] row, String column) {
    double value = number(row, column);
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(file + ": column '" + column + "' has '"
          + row[column(column)] + "' where an integer is expected");
    }
    return (int) Math.round(value);
  }

  private int column(String column) {
    Integer i = index.get(column);
    if (i == null) {
      throw new IllegalArgumentException(file + " has no column '" + column + "' (header: "
          + String.join(",", header) + ")");
    }
    return i;
  }

  static double parse(String text) {
    String t = text.strip().toLowerCase(java.util.Locale.ROOT);
    switch (t) {
      case "", "nan", "null", "none" -> {
        return Double.NaN;
      }
      case "inf", "+inf", "infinity" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-inf", "-infinity" -> {
        return Double.NEGATIVE_INFINITY;
      }
      default -> {
        try {
          return Double.parseDouble(t);
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      }
    }
  }
}
