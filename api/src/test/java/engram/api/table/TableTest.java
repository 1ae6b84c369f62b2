package engram.api.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading declared tables: the CSV Engram writes, typed by the declaration. */
class TableTest {
  private static final TableSpec SPEC =
      TableSpec.of(
          "t.csv",
          "one row per thing",
          ColumnSpec.text("checkpoint", "name"),
          ColumnSpec.integer("epoch", "epochs", ""),
          ColumnSpec.number("mean", "time steps", ""));

  @Test
  void declaredColumnsAreTypedAndOthersLeftOut() {
    Table t =
        Table.parse(
            "run/t.csv",
            "checkpoint,extra,epoch,mean\n\n"
                + "\"a, quoted \"\"name\"\"\",x,3,1.5\n"
                + "final, y ,12,nan\n"
                + "last,z,13.0,-inf\n",
            SPEC);
    assertEquals(List.of("checkpoint", "epoch", "mean"), t.columnNames());
    assertEquals(3, t.size());
    assertEquals("a, quoted \"name\"", t.text(0, "checkpoint"));
    assertEquals(12, t.rows().get(1).integer("epoch"));
    assertEquals(13, t.integer(2, "epoch"));
    assertTrue(Double.isNaN(t.number(1, "mean")));
    assertEquals(Double.NEGATIVE_INFINITY, t.rows().get(2).number("mean"));
    assertFalse(t.has("extra"));
    IllegalArgumentException absent =
        assertThrows(IllegalArgumentException.class, () -> t.number(0, "extra"));
    assertEquals(
        "run/t.csv has no column 'extra' (it has checkpoint,epoch,mean)", absent.getMessage());
    assertThrows(IllegalArgumentException.class, () -> t.text(0, "mean"));
    assertThrows(IllegalArgumentException.class, () -> t.number(0, "checkpoint"));
    assertThrows(IllegalArgumentException.class, () -> t.integer(1, "mean"), "NaN is no integer");
  }

  @Test
  void otherColumnsCanBeKeptWithOneType() {
    Table t =
        Table.parse(
            "metrics.csv",
            "epoch,N,accuracy,reg_l2\n1,2,0.5,0.01\n",
            List.of(ColumnSpec.integer("epoch", "", ""), ColumnSpec.integer("N", "", "")),
            ColumnType.NUMBER);
    assertEquals(List.of("epoch", "N", "accuracy", "reg_l2"), t.columnNames());
    assertEquals(0.01, t.number(0, "reg_l2"));
    assertEquals(ColumnType.INTEGER, t.column("N").orElseThrow().type());
    assertEquals(ColumnType.NUMBER, t.column("accuracy").orElseThrow().type());
  }

  @Test
  void whatCannotBeReadIsNamedInOneLine() {
    assertEquals(
        "it is empty (no header line)",
        assertThrows(IllegalArgumentException.class, () -> Table.parse("t", "\n\n", SPEC))
            .getMessage());
    assertEquals(
        "it has no column 'mean'",
        assertThrows(
                IllegalArgumentException.class,
                () -> Table.parse("t", "checkpoint,epoch\na,1\n", SPEC))
            .getMessage());
    assertEquals(
        "line 3 has 2 fields but the header has 3",
        assertThrows(
                IllegalArgumentException.class,
                () -> Table.parse("t", "checkpoint,epoch,mean\na,1,2\nb,2\n", SPEC))
            .getMessage());
    assertEquals(
        "row 2 has 'x' in column 'epoch' (an integer is expected)",
        assertThrows(
                IllegalArgumentException.class,
                () -> Table.parse("t", "checkpoint,epoch,mean\na,1,2\nb,x,2\n", SPEC))
            .getMessage());
    assertEquals(
        "row 1 has '1.5' in column 'epoch' (an integer is expected)",
        assertThrows(
                IllegalArgumentException.class,
                () -> Table.parse("t", "checkpoint,epoch,mean\na,1.5,2\n", SPEC))
            .getMessage());
  }

  @Test
  void declarationsAreCheckedAndGiveTheHeader() {
    assertEquals("checkpoint,epoch,mean", SPEC.header());
    assertEquals(ColumnType.INTEGER, SPEC.column("epoch").orElseThrow().type());
    assertThrows(
        IllegalArgumentException.class,
        () -> TableSpec.of("t.csv", "", ColumnSpec.text("a", ""), ColumnSpec.number("a", "", "")));
    assertThrows(
        IllegalArgumentException.class,
        () -> TableSpec.of("dir/t.csv", "", ColumnSpec.text("a", "")));
    assertThrows(IllegalArgumentException.class, () -> TableSpec.of("t.csv", ""));
    assertThrows(IllegalArgumentException.class, () -> ColumnSpec.text("a,b", ""));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Table(
                "t",
                List.of(
                    NumberColumn.numbers("a", List.of(1.0)),
                    NumberColumn.numbers("b", List.of()))));
    assertThrows(
        IllegalArgumentException.class,
        () -> new NumberColumn("a", ColumnType.INTEGER, List.of(1.5)));
  }

  @Test
  void numbersReadAsEngramWritesThem() {
    assertEquals(1e-3, Table.number(" 1.0E-3 "));
    assertEquals(Double.POSITIVE_INFINITY, Table.number("Inf"));
    assertTrue(Double.isNaN(Table.number("")));
    assertTrue(Double.isNaN(Table.number("NaN")));
    assertTrue(Double.isNaN(Table.number("abc")));
  }
}
