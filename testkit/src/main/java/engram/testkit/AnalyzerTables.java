package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import engram.api.Analyzer;
import engram.api.table.ColumnSpec;
import engram.api.table.Table;
import engram.api.table.TableSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks that an analyzer's declared tables ({@link Analyzer#tables()}) are what it writes, so that
 * {@code ./engram compare} and studies, which read tables by declaration, read them right.
 *
 * <pre>{@code
 * analyzer.analyze(config, new FakeAnalysisContext(checkpoints, dir, run));
 * Map<String, Table> tables = AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);
 * assertEquals(2, tables.get("my-table.csv").size());
 * }</pre>
 */
public final class AnalyzerTables {
  private AnalyzerTables() {}

  /**
   * The declarations themselves: file names distinct, every table and every column described (a
   * column by its description or its unit).
   *
   * @param analyzer an analyzer
   */
  public static void assertDeclared(Analyzer<?> analyzer) {
    String id = analyzer.info().id();
    Set<String> files = new HashSet<>();
    for (TableSpec table : analyzer.tables()) {
      assertTrue(files.add(table.file()), id + " declares " + table.file() + " twice");
      assertFalse(
          table.description().isBlank(),
          id + ": " + table.file() + " has no description (say what one row is)");
      for (ColumnSpec column : table.columns()) {
        assertFalse(
            column.description().isBlank() && column.unit().isBlank(),
            id
                + ": column '"
                + column.name()
                + "' of "
                + table.file()
                + " has neither a description nor a unit");
      }
    }
    assertEquals(analyzer.tables(), analyzer.tables(), id + ": tables() changes between calls");
  }

  /**
   * What an analysis wrote into {@code outputDirectory} against what the analyzer declares: every
   * CSV file there is declared, at least one declared table was written, and each written one has
   * exactly the declared header (names and order) and rows that read as declared (one field per
   * column, INTEGER columns whole numbers).
   *
   * @param analyzer the analyzer that wrote the directory
   * @param outputDirectory the directory {@link Analyzer#analyze} wrote into
   * @return the tables written, by file name, read as core reads them
   */
  public static Map<String, Table> assertWrittenAsDeclared(
      Analyzer<?> analyzer, Path outputDirectory) {
    assertDeclared(analyzer);
    String id = analyzer.info().id();
    Map<String, TableSpec> declared = new LinkedHashMap<>();
    analyzer.tables().forEach(t -> declared.put(t.file(), t));
    Set<String> csv = new TreeSet<>();
    try (Stream<Path> files = Files.list(outputDirectory)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".csv")).forEach(csv::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String file : csv) {
      assertTrue(
          declared.containsKey(file),
          id
              + " wrote "
              + file
              + ", which it does not declare"
              + " in tables() (declared: "
              + declared.keySet()
              + ")");
    }
    assertTrue(
        declared.isEmpty() || !csv.isEmpty(),
        id + " declares " + declared.keySet() + " but wrote none of them into " + outputDirectory);
    Map<String, Table> tables = new LinkedHashMap<>();
    for (String file : csv) {
      TableSpec spec = declared.get(file);
      String text;
      try {
        text = Files.readString(outputDirectory.resolve(file), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String header = text.lines().filter(l -> !l.isBlank()).findFirst().orElse("");
      assertEquals(
          spec.header(),
          header.strip(),
          id + ": the header of " + file + " is not the declared one");
      try {
        tables.put(file, Table.parse(file, text, spec));
      } catch (IllegalArgumentException e) {
        fail(id + ": " + file + " does not read as declared: " + e.getMessage());
      }
    }
    return tables;
  }

  /**
   * A table from CSV lines, for tests of studies: the header is the declaration's, so a renamed
   * column fails here rather than in a report.
   *
   * @param name the table's name, for messages
   * @param spec the declaration (from the analyzer that writes the table)
   * @param rows data lines in the declared column order
   * @return the table as core would read it
   */
  public static Table table(String name, TableSpec spec, String... rows) {
    return Table.parse(name, spec.header() + "\n" + String.join("\n", rows) + "\n", spec);
  }

  /**
   * A table from a header and CSV lines, every column read as a number when all its values read as
   * one (or are empty, {@code nan}, ...) and as text otherwise; for tests with tables of no
   * particular analyzer.
   *
   * @param name the table's name, for messages
   * @param header the header line
   * @param rows data lines
   * @return the table
   */
  public static Table table(String name, String header, String... rows) {
    List<String> columns = List.of(header.split(","));
    List<ColumnSpec> specs = new java.util.ArrayList<>();
    for (int c = 0; c < columns.size(); c++) {
      boolean numeric = true;
      for (String row : rows) {
        String field = row.split(",", -1)[c].strip();
        if (Double.isNaN(Table.number(field)) && !List.of("", "nan", "NaN").contains(field)) {
          numeric = false;
        }
      }
      specs.add(
          numeric
              ? ColumnSpec.number(columns.get(c).strip(), "", "")
              : ColumnSpec.text(columns.get(c).strip(), ""));
    }
    return Table.parse(name, header + "\n" + String.join("\n", rows) + "\n", specs, null);
  }
}
