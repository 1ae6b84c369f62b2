package engram.api.table;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A column of numbers: real numbers, NaN where there is no value, or (for {@link
 * ColumnType#INTEGER}) finite whole numbers.
 *
 * @param name the column name
 * @param type {@link ColumnType#NUMBER} or {@link ColumnType#INTEGER}
 * @param values one value per row, unmodifiable
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record NumberColumn(String name, ColumnType type, List<Double> values) implements Column {

  /**
   * Copies the values and checks them against the type.
   *
   * @param name the column name; never null
   * @param type {@link ColumnType#NUMBER} or {@link ColumnType#INTEGER}
   * @param values one value per row; never null, no null element
   * @throws IllegalArgumentException when the type is {@link ColumnType#TEXT}, or an INTEGER column
   *     holds a value that is not a finite whole number (the message names the row, from 0)
   */
  public NumberColumn {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if (type == ColumnType.TEXT) {
      throw new IllegalArgumentException("column '" + name + "': a number column cannot be TEXT");
    }
    values = List.copyOf(values);
    if (type == ColumnType.INTEGER) {
      for (int i = 0; i < values.size(); i++) {
        double v = values.get(i);
        if (!Double.isFinite(v) || v != Math.rint(v)) {
          throw new IllegalArgumentException(
              "column '" + name + "' row " + i + ": " + v + " is not a whole number");
        }
      }
    }
  }

  /**
   * A column of real numbers.
   *
   * @param name the column name
   * @param values one value per row
   * @return the column
   */
  public static NumberColumn numbers(String name, List<Double> values) {
    return new NumberColumn(name, ColumnType.NUMBER, values);
  }

  @Override
  public int size() {
    return values.size();
  }
}
