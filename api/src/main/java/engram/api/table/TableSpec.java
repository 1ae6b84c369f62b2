package engram.api.table;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * A CSV file an analyzer writes into its output directory, declared: its name, its columns in
 * header order, and what one row is. An analyzer that declares a table writes exactly these
 * columns, in this order, as the header line of {@code file} (write the header from {@link
 * #header()} so that the two cannot drift); each row has one field per column, text quoted when it
 * holds a comma or a quote.
 *
 * @param file the file name inside the analyzer's output directory, e.g. {@code tau-stats.csv}
 * @param description what one row is, and when the file is written if not always (e.g. "only for an
 *     lstm")
 * @param columns the columns in header order; non-empty, names distinct
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record TableSpec(String file, String description, List<ColumnSpec> columns) {
  private static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*\\.csv");

  /**
   * Copies the columns into an unmodifiable list and checks them.
   *
   * @param file the file name, ending in {@code .csv}, without a directory
   * @param description what one row is; null for none
   * @param columns the columns in header order
   * @throws IllegalArgumentException when the file name is not a plain {@code *.csv} name, or the
   *     columns are empty or repeat a name
   */
  public TableSpec {
    if (file == null || !FILE.matcher(file).matches()) {
      throw new IllegalArgumentException(
          "table file must be a plain name ending in .csv, was '" + file + "'");
    }
    description = description == null ? "" : description;
    columns = List.copyOf(columns);
    if (columns.isEmpty()) {
      throw new IllegalArgumentException(file + " declares no column");
    }
    Set<String> names = new HashSet<>();
    for (ColumnSpec c : columns) {
      if (!names.add(c.name())) {
        throw new IllegalArgumentException(file + " declares column '" + c.name() + "' twice");
      }
    }
  }

  /**
   * A table with the given columns.
   *
   * @param file the file name
   * @param description what one row is
   * @param columns the columns in header order
   * @return the declaration
   * @throws IllegalArgumentException as the canonical constructor
   */
  public static TableSpec of(String file, String description, ColumnSpec... columns) {
    return new TableSpec(file, description, List.of(columns));
  }

  /**
   * The column names in header order.
   *
   * @return the names, unmodifiable
   */
  public List<String> columnNames() {
    return columns.stream().map(ColumnSpec::name).toList();
  }

  /**
   * The header line, without the line break.
   *
   * @return the column names joined by commas
   */
  public String header() {
    return String.join(",", columnNames());
  }

  /**
   * A declared column.
   *
   * @param name a column name
   * @return the column, or empty when the table does not declare it
   */
  public Optional<ColumnSpec> column(String name) {
    return columns.stream().filter(c -> c.name().equals(name)).findFirst();
  }
}
