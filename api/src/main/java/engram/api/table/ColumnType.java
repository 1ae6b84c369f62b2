package engram.api.table;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * What the values of a column are. Numbers are read as {@code double}: besides Java's number
 * syntax, {@code nan}, {@code inf} and {@code -inf} (any case) and an empty field are accepted, the
 * empty field and anything unreadable as NaN.
 */
@API(status = EXPERIMENTAL, since = "0.2")
public enum ColumnType {
  /** Free text (names, labels such as {@code slowest}). */
  TEXT,
  /**
   * Whole numbers (epochs, levels, unit indices). A value that is not a finite whole number makes
   * the table unreadable: core leaves it out with a note rather than guess.
   */
  INTEGER,
  /** Real numbers; NaN where there is no value. */
  NUMBER
}
