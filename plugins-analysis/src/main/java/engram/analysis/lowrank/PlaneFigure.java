package engram.analysis.lowrank;

import engram.analysis.common.Outputs;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The rank-two figure of {@code low-rank-flow}: one panel per shown checkpoint (up to four, evenly
 * spread, first and last included), two panels per row. A panel shows log10 ‖F‖² as a colour map
 * (the grid thinned to at most {@value #CELLS} cells per axis, binned into {@value #LEVELS} colour
 * levels at the eighths (quantiles) of the panel's drawn values, dark = slow), the zeros by class
 * (stable: filled circle, saddle: diamond, unstable: square, marginal: triangle), the ghosts
 * (crosses) and the condition-mean κ_t trajectories (lines).
 */
final class PlaneFigure {
  static final int CELLS = 45;
  static final int LEVELS = 8;

  private PlaneFigure() {}

  static void draw(
      Path file, List<LowRankFlowAnalyzer.PlaneResult> planes, List<List<Object>> trajectoryRows)
      throws IOException {
    int n = planes.size();
    List<Integer> shown = new ArrayList<>();
    for (int i = 0; i < Math.min(4, n); i++) {
      int k = n <= 4 ? i : (int) Math.round(i * (n - 1) / 3.0);
      if (!shown.contains(k)) {
        shown.add(k);
      }
    }
    List<XYChart> charts = new ArrayList<>();
    for (int k : shown) {
      charts.add(panel(planes.get(k), trajectoryRows));
    }
    int columns = Math.min(2, charts.size());
    int rows = (charts.size() + columns - 1) / columns;
    BitmapEncoder.saveBitmap(
        charts, rows, columns, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static XYChart panel(
      LowRankFlowAnalyzer.PlaneResult result, List<List<Object>> trajectoryRows) {
    String name = result.checkpoint().name();
    PlaneFlow.Plane plane = result.plane();
    XYChart chart =
        Outputs.chart(
            name + " (epoch " + result.checkpoint().epoch() + "): log10 ‖F(κ)‖²", "κ₁", "κ₂", 640);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setMarkerSize(9);
    double[] a1 = plane.axis1();
    double[] a2 = plane.axis2();
    int stride = Math.max(1, (int) Math.ceil(a1.length / (double) CELLS));
    // Colour levels at quantiles of the drawn cells' log10 ‖F‖² (equal-width bins would put most
    // of the plane in the top bin: the speed grows like ‖κ − κ*‖² around every zero).
    List<double[]> cells = new ArrayList<>(); // {κ_1, κ_2, log10 ‖F‖²}
    for (int i = 0; i < a1.length; i += stride) {
      for (int j = 0; j < a2.length; j += stride) {
        double v = plane.speedSquared()[i][j];
        cells.add(new double[] {a1[i], a2[j], Math.log10(Math.max(v, 1e-300))});
      }
    }
    double[] sorted = cells.stream().mapToDouble(c -> c[2]).sorted().toArray();
    double[] from = new double[LEVELS];
    for (int l = 0; l < LEVELS; l++) {
      from[l] = sorted[(int) ((long) l * sorted.length / LEVELS)];
    }
    List<List<double[]>> levels = new ArrayList<>();
    for (int l = 0; l < LEVELS; l++) {
      levels.add(new ArrayList<>());
    }
    for (double[] c : cells) {
      int l = LEVELS - 1;
      while (l > 0 && c[2] < from[l]) {
        l--;
      }
      levels.get(l).add(new double[] {c[0], c[1]});
    }
    for (int l = 0; l < LEVELS; l++) {
      if (levels.get(l).isEmpty()) {
        continue;
      }
      String label = String.format(Locale.ROOT, "log10‖F‖² ≥ %.2f", from[l]);
      if (chart.getSeriesMap().containsKey(label)) {
        label += " (" + l + ")";
      }
      XYSeries s = points(chart, label, levels.get(l), SeriesMarkers.SQUARE);
      s.setMarkerColor(colour(l / (double) (LEVELS - 1)));
    }
    Map<PlaneFlow.Kind, List<double[]>> byKind = new TreeMap<>();
    for (PlaneFlow.Point p : plane.points()) {
      byKind.computeIfAbsent(p.kind(), x -> new ArrayList<>()).add(p.kappa());
    }
    for (Map.Entry<PlaneFlow.Kind, List<double[]>> e : byKind.entrySet()) {
      XYSeries s = points(chart, e.getKey().label, e.getValue(), marker(e.getKey()));
      s.setMarkerColor(e.getKey() == PlaneFlow.Kind.GHOST ? Color.MAGENTA : Color.RED);
    }
    Map<Integer, List<double[]>> byCondition = new TreeMap<>();
    for (List<Object> row : trajectoryRows) {
      if (row.get(0).equals(name)) {
        byCondition
            .computeIfAbsent((Integer) row.get(2), c -> new ArrayList<>())
            .add(new double[] {(Double) row.get(4), (Double) row.get(5)});
      }
    }
    Color[] lines = {Color.BLACK, Color.BLUE, Color.ORANGE, Color.CYAN, Color.PINK, Color.GRAY};
    int c = 0;
    for (Map.Entry<Integer, List<double[]>> e : byCondition.entrySet()) {
      double[] x = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
      double[] y = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
      XYSeries s = chart.addSeries("condition " + e.getKey(), x, y);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(lines[c++ % lines.length]);
      s.setLineWidth(2f);
    }
    return chart;
  }

  private static XYSeries points(XYChart chart, String name, List<double[]> at, Marker marker) {
    double[] x = at.stream().mapToDouble(p -> p[0]).toArray();
    double[] y = at.stream().mapToDouble(p -> p[1]).toArray();
    XYSeries s = chart.addSeries(name, x, y);
    s.setMarker(marker);
    s.setLineStyle(SeriesLines.NONE);
    return s;
  }

  private static Marker marker(PlaneFlow.Kind kind) {
    return switch (kind) {
      case STABLE -> SeriesMarkers.CIRCLE;
      case SADDLE -> SeriesMarkers.DIAMOND;
      case UNSTABLE -> SeriesMarkers.SQUARE;
      case MARGINAL -> SeriesMarkers.TRIANGLE_UP;
      case GHOST -> SeriesMarkers.CROSS;
    };
  }

  /** Dark blue (slow, f = 0) through teal and green to yellow (fast, f = 1). */
  private static Color colour(double f) {
    float[][] anchors = {
      {0.15f, 0.05f, 0.35f}, {0.15f, 0.45f, 0.55f}, {0.35f, 0.75f, 0.35f}, {0.98f, 0.9f, 0.15f}
    };
    double pos = Math.max(0, Math.min(1, f)) * (anchors.length - 1);
    int i = Math.min(anchors.length - 2, (int) pos);
    float t = (float) (pos - i);
    float[] p = anchors[i];
    float[] q = anchors[i + 1];
    return new Color(p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]), p[2] + t * (q[2] - p[2]));
  }
}
