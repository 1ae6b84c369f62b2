package engram.analysis.fixedpoints;

import engram.analysis.common.Outputs;
import engram.analysis.fixedpoints.FixedPointFinder.Point;
import engram.analysis.fixedpoints.FixedPointsAnalyzer.Found;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The figures of {@link FixedPointsAnalyzer}: points per checkpoint, and speed landscapes. */
final class FixedPointsFigures {

  /** Panels per row of a figure. */
  private static final int COLUMNS = 3;

  /** The classes drawn, each with its colour: fixed points by stability, the others by kind. */
  enum Drawn {
    STABLE("stable", new Color(0, 114, 178)),
    SADDLE("saddle", new Color(230, 159, 0)),
    UNSTABLE("unstable", new Color(213, 94, 0)),
    GHOST("ghost", new Color(204, 121, 167)),
    SLOW("slow", new Color(90, 90, 90));

    final String label;
    final Color color;

    Drawn(String label, Color color) {
      this.label = label;
      this.color = color;
    }

    static Drawn of(Point p, GhostTest.Kind kind) {
      return switch (kind) {
        case FIXED ->
            switch (p.stability()) {
              case STABLE -> STABLE;
              case SADDLE -> SADDLE;
              case UNSTABLE -> UNSTABLE;
            };
        case GHOST -> GHOST;
        case SLOW -> SLOW;
      };
    }
  }

  private static final Color TRAJECTORY = new Color(200, 200, 200);

  private FixedPointsFigures() {}

  /**
   * {pc1 min, pc1 max, pc2 min, pc2 max} over the given projections (NaN pc2 counts as 0), with a
   * 5% margin; {−1, 1, −1, 1} when empty.
   */
  static double[] range(double[][]... clouds) {
    double[] r = {
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY
    };
    for (double[][] cloud : clouds) {
      for (double[] c : cloud) {
        double x = c[0];
        double y = Double.isNaN(c[1]) ? 0 : c[1];
        if (Double.isFinite(x) && Double.isFinite(y)) {
          r[0] = Math.min(r[0], x);
          r[1] = Math.max(r[1], x);
          r[2] = Math.min(r[2], y);
          r[3] = Math.max(r[3], y);
        }
      }
    }
    if (!(r[0] <= r[1])) {
      return new double[] {-1, 1, -1, 1};
    }
    for (int a = 0; a < 4; a += 2) {
      double margin = Math.max(0.05 * (r[a + 1] - r[a]), 1e-6);
      r[a] -= margin;
      r[a + 1] += margin;
    }
    return r;
  }

  /** One panel per checkpoint, all with the axes of the common range. */
  static void points(Path file, List<Found> found, Map<String, String> roles) throws IOException {
    double[] range = commonRange(found);
    List<XYChart> charts = new ArrayList<>();
    for (Found f : found) {
      XYChart chart = panel(f, "Points", range, roles);
      double[] tx = new double[f.trajectory().length];
      double[] ty = new double[tx.length];
      for (int i = 0; i < tx.length; i++) {
        tx[i] = f.trajectory()[i][0];
        ty[i] = Double.isNaN(f.trajectory()[i][1]) ? 0 : f.trajectory()[i][1];
      }
      XYSeries states = chart.addSeries("trajectory states", tx, ty);
      states.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      states.setMarker(SeriesMarkers.CIRCLE);
      states.setMarkerColor(TRAJECTORY);
      addPoints(chart, f);
      charts.add(chart);
    }
    save(file, charts);
  }

  /** Per checkpoint log10 q on the landscape grid (8 colour bands, −6 … 0), points on top. */
  static void landscape(Path file, List<Found> found, Map<String, String> roles)
      throws IOException {
    List<XYChart> charts = new ArrayList<>();
    double[] range = commonRange(found);
    for (Found f : found) {
      double[][] grid = f.landscape();
      if (grid == null) {
        continue;
      }
      double[] own = range(f.trajectory(), f.coordinates());
      XYChart chart = panel(f, "log10 q", own, roles);
      int n = grid.length;
      int bands = 8;
      for (int b = 0; b < bands; b++) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int iy = 0; iy < n; iy++) {
          for (int ix = 0; ix < n; ix++) {
            double v = Math.max(-7, Math.min(0.999, grid[iy][ix]));
            if ((int) Math.floor(v) + 7 == b) {
              xs.add(own[0] + (own[1] - own[0]) * ix / Math.max(1, n - 1));
              ys.add(own[2] + (own[3] - own[2]) * iy / Math.max(1, n - 1));
            }
          }
        }
        if (!xs.isEmpty()) {
          String label =
              b == 0
                  ? "log10 q < -6"
                  : b == bands - 1
                      ? "log10 q ≥ 0"
                      : String.format(Locale.ROOT, "[%d, %d)", b - 7, b - 6);
          XYSeries band = chart.addSeries(label, xs, ys);
          band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
          band.setMarker(SeriesMarkers.SQUARE);
          float t = b / (float) (bands - 1);
          band.setMarkerColor(Color.getHSBColor(0.7f - 0.55f * t, 0.6f, 0.35f + 0.6f * t));
        }
      }
      addPoints(chart, f);
      charts.add(chart);
    }
    if (!charts.isEmpty()) {
      save(file, charts);
    }
  }

  private static double[] commonRange(List<Found> found) {
    List<double[]> all = new ArrayList<>();
    for (Found f : found) {
      all.addAll(List.of(f.trajectory()));
      all.addAll(List.of(f.coordinates()));
    }
    return range(all.toArray(new double[0][]));
  }

  /**
   * One panel, titled with the checkpoint and the roles it plays ({@code checkpoints.csv}, e.g.
   * "before-drop"), when any.
   */
  private static XYChart panel(Found f, String what, double[] range, Map<String, String> roles) {
    String role = roles.get(f.checkpoint().name());
    XYChart chart =
        Outputs.chart(
            String.format(
                Locale.ROOT,
                "%s at %s (epoch %d%s)",
                what,
                f.checkpoint().name(),
                f.checkpoint().epoch(),
                role == null ? "" : "; " + role),
            "PC1 (common basis)",
            "PC2",
            500);
    chart.getStyler().setXAxisMin(range[0]).setXAxisMax(range[1]);
    chart.getStyler().setYAxisMin(range[2]).setYAxisMax(range[3]);
    chart.getStyler().setMarkerSize(6);
    return chart;
  }

  private static void addPoints(XYChart chart, Found f) {
    for (Drawn drawn : Drawn.values()) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int i = 0; i < f.points().size(); i++) {
        if (Drawn.of(f.points().get(i), f.kinds()[i]) == drawn) {
          xs.add(f.coordinates()[i][0]);
          ys.add(Double.isNaN(f.coordinates()[i][1]) ? 0 : f.coordinates()[i][1]);
        }
      }
      if (!xs.isEmpty()) {
        XYSeries series =
            chart.addSeries(String.format(Locale.ROOT, "%s (%d)", drawn.label, xs.size()), xs, ys);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        series.setMarker(
            drawn == Drawn.GHOST || drawn == Drawn.SLOW
                ? SeriesMarkers.TRIANGLE_UP
                : SeriesMarkers.DIAMOND);
        series.setMarkerColor(drawn.color);
      }
    }
  }

  /**
   * The panels in rows of {@link #COLUMNS}, the last row left blank where it is short (XChart's
   * grid encoder needs rows × columns charts).
   */
  private static void save(Path file, List<XYChart> charts) throws IOException {
    int columns = Math.min(COLUMNS, charts.size());
    int rows = (charts.size() + columns - 1) / columns;
    if (rows * columns == charts.size()) {
      BitmapEncoder.saveBitmap(
          charts, rows, columns, file.toString(), BitmapEncoder.BitmapFormat.PNG);
      return;
    }
    java.awt.image.BufferedImage first = BitmapEncoder.getBufferedImage(charts.get(0));
    int w = first.getWidth();
    int h = first.getHeight();
    java.awt.image.BufferedImage grid =
        new java.awt.image.BufferedImage(
            w * columns, h * rows, java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = grid.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
      for (int i = 0; i < charts.size(); i++) {
        java.awt.image.BufferedImage panel =
            i == 0 ? first : BitmapEncoder.getBufferedImage(charts.get(i));
        g.drawImage(panel, (i % columns) * w, (i / columns) * h, null);
      }
    } finally {
      g.dispose();
    }
    javax.imageio.ImageIO.write(grid, "png", file.toFile());
  }
}
