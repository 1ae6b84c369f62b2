package engram.api.table;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A column of text.
 *
 * @param name the column name
 * @param values one value per row (an empty field is the empty string), unmodifiable
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record TextColumn(String name, List<String> values) implements Column {

  /**
   * Copies the values.
   *
   * @param name the column name; never null
   * @param values one value per row; never null, no null element
   */
  public TextColumn {
    Objects.requireNonNull(name, "name");
    values = List.copyOf(values);
  }

  @Override
  public ColumnType type() {
    return ColumnType.TEXT;
  }

  @Override
  public int size() {
    return values.size();
  }
}
