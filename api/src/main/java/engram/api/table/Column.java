package engram.api.table;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * The values of one column of a {@link Table}, in row order: numbers ({@link NumberColumn}, for
 * {@link ColumnType#NUMBER} and {@link ColumnType#INTEGER}) or text ({@link TextColumn}).
 */
@API(status = EXPERIMENTAL, since = "0.2")
public sealed interface Column permits NumberColumn, TextColumn {

  /**
   * The column's name, as in the header.
   *
   * @return the name
   */
  String name();

  /**
   * What the values are.
   *
   * @return the type the column was declared with
   */
  ColumnType type();

  /**
   * The number of values, which is the table's number of rows.
   *
   * @return ≥ 0
   */
  int size();
}
