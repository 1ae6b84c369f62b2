package engram.analysis.common;

import engram.api.table.ColumnSpec;
import engram.api.table.TableSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.Histogram;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * What every analyzer writes the same way: CSV tables, histograms and "quantity against N" charts
 * (XChart, headless PNG). Not part of any API: shared by this module's analyzers only.
 */
public final class Outputs {
  private Outputs() {}

  /** Column {@code checkpoint}: the checkpoint's directory name, first in every table. */
  public static final ColumnSpec CHECKPOINT =
      ColumnSpec.text(
          "checkpoint", "the checkpoint's directory name (advance-e0012-N5, final, ...)");

  /** Column {@code epoch}: epochs completed when the checkpoint was written. */
  public static final ColumnSpec EPOCH =
      ColumnSpec.integer("epoch", "epochs", "epochs completed when the checkpoint was written");

  /** Column {@code max_level}: N, the largest level the checkpoint had been trained on. */
  public static final ColumnSpec MAX_LEVEL =
      ColumnSpec.integer(
          "max_level",
          "levels",
          "N, the largest level the checkpoint had been trained on (0 if it lists none)");

  /** The largest level of a checkpoint (the N it was trained up to), or 0 when it lists none. */
  public static int maxLevel(int[] levels) {
    return levels == null || levels.length == 0 ? 0 : Arrays.stream(levels).max().getAsInt();
  }

  /**
   * Writes a declared table into {@code dir}: file name and header from {@code table}, so that what
   * an analyzer declares ({@link engram.api.Analyzer#tables()}) and what it writes cannot drift;
   * strings quoted when needed, numbers with {@link Double#toString} (exact, locale-independent),
   * integers as they are.
   *
   * @throws IllegalStateException when a row has not one cell per declared column
   */
  public static void writeCsv(Path dir, TableSpec table, List<List<Object>> rows)
      throws IOException {
    StringBuilder csv = new StringBuilder(table.header()).append('\n');
    for (List<Object> row : rows) {
      if (row.size() != table.columns().size()) {
        throw new IllegalStateException(
            table.file()
                + ": a row has "
                + row.size()
                + " cells but the table declares "
                + table.columns().size()
                + " columns");
      }
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          csv.append(',');
        }
        Object cell = row.get(i);
        csv.append(cell instanceof String s ? field(s) : String.valueOf(cell));
      }
      csv.append('\n');
    }
    Files.writeString(dir.resolve(table.file()), csv, StandardCharsets.UTF_8);
  }

  private static String field(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n")
        ? '"' + s.replace("\"", "\"\"") + '"'
        : s;
  }

  /** An empty line chart with N (largest level trained) on the x axis. */
  public static XYChart chartAgainstN(String title, String yTitle, int height) {
    return chart(title, "N (largest level trained)", yTitle, height);
  }

  /** An empty 800-pixel-wide line chart with the given axis titles (put the units in them). */
  public static XYChart chart(String title, String xTitle, String yTitle, int height) {
    headless();
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(height)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    return chart;
  }

  /**
   * The points (x_i, y_i) whose coordinates are both finite, as {@code {xs, ys}}: XChart cannot
   * draw NaN, and a NaN in a table (an empty summary) is no point in a figure.
   */
  public static double[][] finitePoints(double[] xs, double[] ys) {
    int n = 0;
    for (int i = 0; i < xs.length; i++) {
      if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
        n++;
      }
    }
    double[][] points = new double[2][n];
    int k = 0;
    for (int i = 0; i < xs.length; i++) {
      if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
        points[0][k] = xs[i];
        points[1][k] = ys[i];
        k++;
      }
    }
    return points;
  }

  /**
   * A histogram of {@code values} in {@code bins} equal bins over their range (±0.5 around a single
   * value; [−0.5, 0.5] when there are none), saved as PNG.
   */
  public static void histogram(
      Path file,
      double[] values,
      int bins,
      String title,
      String xTitle,
      String yTitle,
      String decimalPattern)
      throws IOException {
    headless();
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    List<Double> data = new ArrayList<>(values.length);
    for (double v : values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      data.add(v);
    }
    if (data.isEmpty()) {
      lo = -0.5;
      hi = 0.5;
    } else if (hi <= lo) {
      lo -= 0.5;
      hi += 0.5;
    }
    Histogram histogram = new Histogram(data, bins, lo, hi);
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(800)
            .height(500)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setAvailableSpaceFill(0.95);
    chart.getStyler().setXAxisDecimalPattern(decimalPattern);
    chart.getStyler().setXAxisLabelRotation(90);
    chart.addSeries(yTitle, histogram.getxAxisData(), histogram.getyAxisData());
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** Saves charts stacked vertically as one PNG. */
  public static void save(Path file, List<XYChart> charts) throws IOException {
    BitmapEncoder.saveBitmap(
        charts, charts.size(), 1, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void headless() {
    System.setProperty("java.awt.headless", "true");
  }
}
