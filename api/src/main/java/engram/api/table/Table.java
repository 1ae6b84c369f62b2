package engram.api.table;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * A table read from a CSV file: named, typed columns of equal length. Immutable.
 *
 * <p>Lookups name the column: {@link #number}, {@link #integer} and {@link #text} throw {@link
 * IllegalArgumentException} naming the table and its columns when the column is absent or of the
 * other kind, so a reader that relies on an undeclared column fails loudly rather than reading NaN.
 *
 * @param name where the table came from, for messages (e.g. {@code
 *     analysis/tau-stats/tau-stats.csv} of a run)
 * @param columns the columns in header order; names distinct, all of the same size
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record Table(String name, List<Column> columns) {

  /**
   * Copies the columns and checks them.
   *
   * @param name where the table came from; never null
   * @param columns the columns; never null
   * @throws IllegalArgumentException when names repeat or the columns differ in size
   */
  public Table {
    java.util.Objects.requireNonNull(name, "name");
    columns = List.copyOf(columns);
    Set<String> names = new HashSet<>();
    for (Column c : columns) {
      if (!names.add(c.name())) {
        throw new IllegalArgumentException(name + ": column '" + c.name() + "' appears twice");
      }
      if (c.size() != columns.get(0).size()) {
        throw new IllegalArgumentException(
            name
                + ": column '"
                + c.name()
                + "' has "
                + c.size()
                + " values but '"
                + columns.get(0).name()
                + "' has "
                + columns.get(0).size());
      }
    }
  }

  /**
   * Reads a declared table from CSV text: only the declared columns are kept.
   *
   * @param name where the text came from, for messages and {@link #name()}
   * @param csv the file's text, as {@link #parse(String, String, List, ColumnType)} reads it
   * @param spec the declaration; every declared column must be in the header
   * @return the table, columns in header order
   * @throws IllegalArgumentException as {@link #parse(String, String, List, ColumnType)}
   */
  public static Table parse(String name, String csv, TableSpec spec) {
    return parse(name, csv, spec.columns(), null);
  }

  /**
   * Reads a table from CSV text as Engram writes it: a header line, then rows with as many fields;
   * blank lines are skipped; a field may be double-quoted ({@code ""} inside quotes is one quote)
   * and is stripped of surrounding blanks. Numbers are read as {@link ColumnType} describes.
   *
   * @param name where the text came from, for messages and {@link #name()}
   * @param csv the whole text
   * @param columns the columns to read, with their types; each must be in the header
   * @param others the type of the header's other columns, or null to leave them out
   * @return the table, columns in header order
   * @throws IllegalArgumentException when the text has no header line ({@code it is empty (no
   *     header line)}), the header lacks a column ({@code it has no column 'x'}), a row has another
   *     number of fields than the header ({@code line 3 has 4 fields but the header has 5}), or an
   *     INTEGER column holds something else ({@code row 2 has 'x' in column 'epoch' (an integer is
   *     expected)}; rows count from 1 after the header)
   */
  public static Table parse(String name, String csv, List<ColumnSpec> columns, ColumnType others) {
    List<String> lines = csv.lines().toList();
    int first = 0;
    while (first < lines.size() && lines.get(first).isBlank()) {
      first++;
    }
    if (first == lines.size()) {
      throw new IllegalArgumentException("it is empty (no header line)");
    }
    List<String> header = split(lines.get(first));
    Map<String, ColumnType> types = new HashMap<>();
    for (ColumnSpec c : columns) {
      if (!header.contains(c.name())) {
        throw new IllegalArgumentException("it has no column '" + c.name() + "'");
      }
      types.put(c.name(), c.type());
    }
    List<List<String>> fields = new ArrayList<>();
    header.forEach(h -> fields.add(new ArrayList<>()));
    for (int i = first + 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      List<String> values = split(lines.get(i));
      if (values.size() != header.size()) {
        throw new IllegalArgumentException(
            "line "
                + (i + 1)
                + " has "
                + values.size()
                + " fields but the header has "
                + header.size());
      }
      for (int c = 0; c < values.size(); c++) {
        fields.get(c).add(values.get(c));
      }
    }
    List<Column> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int c = 0; c < header.size(); c++) {
      String column = header.get(c);
      ColumnType type = types.getOrDefault(column, others);
      if (type == null || !seen.add(column)) {
        continue; // not wanted, or a repeated name (the first one counts)
      }
      List<String> raw = fields.get(c);
      if (type == ColumnType.TEXT) {
        out.add(new TextColumn(column, raw));
        continue;
      }
      List<Double> numbers = new ArrayList<>(raw.size());
      for (int r = 0; r < raw.size(); r++) {
        double value = number(raw.get(r));
        if (type == ColumnType.INTEGER && (!Double.isFinite(value) || value != Math.rint(value))) {
          throw new IllegalArgumentException(
              "row "
                  + (r + 1)
                  + " has '"
                  + raw.get(r)
                  + "' in column '"
                  + column
                  + "' (an integer is expected)");
        }
        numbers.add(value);
      }
      out.add(new NumberColumn(column, type, numbers));
    }
    return new Table(name, out);
  }

  /**
   * A CSV field as a number: Java's syntax, or {@code nan}, {@code inf}, {@code -inf} in any case.
   *
   * @param text a field
   * @return the number; NaN for an empty field or anything unreadable
   */
  public static double number(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    switch (t) {
      case "", "nan", "null", "none" -> {
        return Double.NaN;
      }
      case "inf", "+inf", "infinity", "+infinity" -> {
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

  private static List<String> split(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    String text = line.strip();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
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

  /** One row of a table: typed lookups by column name. */
  public record Row(Table table, int index) {
    /**
     * Checks the index.
     *
     * @param table the table; never null
     * @param index in {@code [0, table.size())}
     * @throws IndexOutOfBoundsException when the index is outside the table
     */
    public Row {
      java.util.Objects.checkIndex(index, table.size());
    }

    /**
     * A value of a number column.
     *
     * @param column a NUMBER or INTEGER column
     * @return the value, NaN where there is none
     * @throws IllegalArgumentException as {@link Table#number}
     */
    public double number(String column) {
      return table.number(index, column);
    }

    /**
     * A value of an INTEGER column (or a finite whole value of a NUMBER column).
     *
     * @param column the column
     * @return the value
     * @throws IllegalArgumentException as {@link Table#integer}
     */
    public int integer(String column) {
      return table.integer(index, column);
    }

    /**
     * A value of a TEXT column.
     *
     * @param column the column
     * @return the value
     * @throws IllegalArgumentException as {@link Table#text}
     */
    public String text(String column) {
      return table.text(index, column);
    }
  }

  /**
   * The number of rows.
   *
   * @return ≥ 0; 0 also for a table without columns
   */
  public int size() {
    return columns.isEmpty() ? 0 : columns.get(0).size();
  }

  /**
   * The column names in header order.
   *
   * @return the names
   */
  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  /**
   * Whether the table has a column.
   *
   * @param column a column name
   * @return true when it has one of that name
   */
  public boolean has(String column) {
    return columns.stream().anyMatch(c -> c.name().equals(column));
  }

  /**
   * A column by name.
   *
   * @param column a column name
   * @return the column, or empty when the table has none of that name
   */
  public Optional<Column> column(String column) {
    return columns.stream().filter(c -> c.name().equals(column)).findFirst();
  }

  /**
   * The rows, in file order, as a list view (no copy).
   *
   * @return the rows
   */
  public List<Row> rows() {
    int size = size();
    Table table = this;
    return new AbstractList<>() {
      @Override
      public Row get(int index) {
        return new Row(table, index);
      }

      @Override
      public int size() {
        return size;
      }
    };
  }

  /**
   * A value of a number column.
   *
   * @param row a row index in {@code [0, size())}
   * @param column a NUMBER or INTEGER column
   * @return the value, NaN where there is none
   * @throws IllegalArgumentException when the table has no such column or it holds text
   * @throws IndexOutOfBoundsException when the row is outside the table
   */
  public double number(int row, String column) {
    if (require(column) instanceof NumberColumn n) {
      return n.values().get(row);
    }
    throw new IllegalArgumentException(name + ": column '" + column + "' holds text, not numbers");
  }

  /**
   * A value of an INTEGER column, or a whole value of a NUMBER column.
   *
   * @param row a row index in {@code [0, size())}
   * @param column a number column
   * @return the value
   * @throws IllegalArgumentException when the table has no such column, it holds text, or the value
   *     is not a finite whole number
   * @throws IndexOutOfBoundsException when the row is outside the table
   */
  public int integer(int row, String column) {
    double value = number(row, column);
    if (!Double.isFinite(value) || value != Math.rint(value)) {
      throw new IllegalArgumentException(
          name
              + ": column '"
              + column
              + "' row "
              + row
              + " holds "
              + value
              + " where a whole number is expected");
    }
    return (int) value;
  }

  /**
   * A value of a TEXT column.
   *
   * @param row a row index in {@code [0, size())}
   * @param column a TEXT column
   * @return the value
   * @throws IllegalArgumentException when the table has no such column or it holds numbers
   * @throws IndexOutOfBoundsException when the row is outside the table
   */
  public String text(int row, String column) {
    if (require(column) instanceof TextColumn t) {
      return t.values().get(row);
    }
    throw new IllegalArgumentException(name + ": column '" + column + "' holds numbers, not text");
  }

  private Column require(String column) {
    return column(column)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    name
                        + " has no column '"
                        + column
                        + "' (it has "
                        + String.join(",", columnNames())
                        + ")"));
  }
}
