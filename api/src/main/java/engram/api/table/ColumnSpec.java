package engram.api.table;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * One declared column of a table.
 *
 * @param name the header field: letters, digits and {@code _ . : + -}, starting with a letter
 * @param type what the values are
 * @param unit the unit of the values ({@code time steps}, {@code fraction correct}, ...), or empty
 *     for text and for numbers without one
 * @param description what a value means, in one sentence; empty when the name says it all
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record ColumnSpec(String name, ColumnType type, String unit, String description) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.:+-]*");

  /**
   * Checks the name and turns a null unit or description into an empty string.
   *
   * @param name the header field
   * @param type what the values are; never null
   * @param unit the unit, or null for none
   * @param description the meaning, or null for none
   * @throws IllegalArgumentException when the name is not a valid header field
   * @throws NullPointerException when {@code type} is null
   */
  public ColumnSpec {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "column name must be letters, digits and _ . : + -,"
              + " starting with a letter, was '"
              + name
              + "'");
    }
    Objects.requireNonNull(type, "type");
    unit = unit == null ? "" : unit;
    description = description == null ? "" : description;
  }

  /**
   * A text column.
   *
   * @param name the header field
   * @param description what a value means
   * @return the column
   */
  public static ColumnSpec text(String name, String description) {
    return new ColumnSpec(name, ColumnType.TEXT, "", description);
  }

  /**
   * A column of whole numbers.
   *
   * @param name the header field
   * @param unit the unit ({@code epochs}, {@code levels}, ...), or empty
   * @param description what a value means
   * @return the column
   */
  public static ColumnSpec integer(String name, String unit, String description) {
    return new ColumnSpec(name, ColumnType.INTEGER, unit, description);
  }

  /**
   * A column of real numbers.
   *
   * @param name the header field
   * @param unit the unit ({@code time steps}, ...), or empty
   * @param description what a value means
   * @return the column
   */
  public static ColumnSpec number(String name, String unit, String description) {
    return new ColumnSpec(name, ColumnType.NUMBER, unit, description);
  }
}
