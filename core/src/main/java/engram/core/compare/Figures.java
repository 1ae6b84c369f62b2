package engram.core.compare;

import engram.api.study.Stats;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The comparison's figures: what each shows, per group (computed from the runs), and how it is
 * drawn (XChart, headless PNG). Every curve is a group: at each x, the mean over the group's runs
 * that have a value there, with error bars of ± one sample standard deviation over those runs. Core
 * draws the largest N against epoch from the metrics; every other figure is a study's ({@link
 * engram.api.study.Figure}: one curve or value per run), put into groups here.
 */
final class Figures {
  private Figures() {}

  /** The mean and spread over a group's runs at one x. */
  record Point(double x, Stats y) {}

  /** One chart: a curve per group (group label → points, ordered by x). */
  record Panel(
      String quantity,
      String title,
      String xTitle,
      String yTitle,
      boolean logX,
      Map<String, List<Point>> curves) {
    boolean empty() {
      return curves.values().stream().allMatch(List::isEmpty);
    }
  }

  /** Bars per group: series name (e.g. {@code slowest}) → one value per category (group). */
  record Bars(
      String title, String yTitle, List<String> categories, Map<String, List<Stats>> series) {}

  /**
   * One PNG: stacked panels, bars, or a run's own PNG copied from {@code source}. {@code missing}
   * says why it is not drawn (null when drawn).
   */
  record Figure(
      String file, String heading, List<Panel> panels, Bars bars, Path source, String missing) {
    boolean drawn() {
      return missing == null;
    }
  }

  static final String MAX_N = "max-N-vs-epoch.png";

  private static final Color[] PALETTE = {
    new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115),
    new Color(204, 121, 167), new Color(230, 159, 0), new Color(86, 180, 233),
    new Color(0, 0, 0), new Color(240, 228, 66)
  };

  /**
   * Every figure of the report, drawn or with the reason it is left out: the largest N against
   * epoch, then the study's figures in its order.
   *
   * @throws ComparisonException when a study figure takes the file name of another figure
   */
  static List<Figure> build(Comparison c, List<engram.api.study.Figure> study)
      throws ComparisonException {
    List<Figure> figures = new ArrayList<>();
    Panel maxLevel = maxLevel(c);
    figures.add(
        new Figure(
            MAX_N,
            "Largest N trained against epoch",
            List.of(maxLevel),
            null,
            null,
            maxLevel.empty() ? "no run has a row in metrics.csv" : null));
    for (engram.api.study.Figure f : study) {
      if (figures.stream().anyMatch(other -> other.file().equals(f.file()))) {
        throw new ComparisonException(
            "the study's figure "
                + f.file()
                + " would overwrite"
                + " another figure of the comparison. Fix: the study must name its figures apart.");
      }
      figures.add(group(c, f));
    }
    return figures;
  }

  /** A study's figure with its runs put into the comparison's groups. */
  private static Figure group(Comparison c, engram.api.study.Figure figure) {
    if (figure.panels().get(0) instanceof engram.api.study.Figure.RunImage image) {
      Path source =
          c.runs().stream()
              .filter(r -> r.id().equals(image.run()))
              .findFirst()
              .flatMap(r -> RunReader.newestFile(r.dir(), image.analyzer(), image.file()))
              .orElse(null);
      return new Figure(
          figure.file(),
          figure.heading(),
          List.of(),
          null,
          source,
          source == null ? figure.whenEmpty() : null);
    }
    if (figure.panels().get(0) instanceof engram.api.study.Figure.Bars bars) {
      List<String> categories = new ArrayList<>();
      Map<String, List<Stats>> series = new LinkedHashMap<>();
      bars.series().forEach(s -> series.put(s.name(), new ArrayList<>()));
      for (Comparison.Group g : c.groups()) {
        List<Stats> values =
            bars.series().stream()
                .map(
                    s ->
                        Stats.of(
                            g.runs().stream()
                                .mapToDouble(r -> s.values().getOrDefault(r.id(), Double.NaN))
                                .toArray()))
                .toList();
        if (values.stream().allMatch(Stats::present)) {
          categories.add(
              g.label() + " (n = " + values.stream().mapToInt(Stats::n).max().orElse(0) + ")");
          for (int i = 0; i < values.size(); i++) {
            series.get(bars.series().get(i).name()).add(values.get(i));
          }
        }
      }
      if (categories.isEmpty()) {
        return new Figure(
            figure.file(), figure.heading(), List.of(), null, null, figure.whenEmpty());
      }
      return new Figure(
          figure.file(),
          figure.heading(),
          List.of(),
          new Bars(bars.title(), bars.yTitle(), categories, series),
          null,
          null);
    }
    List<Panel> panels = new ArrayList<>();
    for (engram.api.study.Figure.Panel p : figure.panels()) {
      engram.api.study.Figure.Curves curves = (engram.api.study.Figure.Curves) p;
      Map<String, List<Point>> byGroup = new LinkedHashMap<>();
      for (Comparison.Group g : c.groups()) {
        byGroup.put(
            g.label(),
            aggregate(
                g.runs().stream()
                    .map(r -> curves.runs().getOrDefault(r.id(), new TreeMap<>()))
                    .toList()));
      }
      panels.add(
          new Panel(
              curves.quantity(),
              curves.title(),
              curves.xTitle(),
              curves.yTitle(),
              curves.logX(),
              byGroup));
    }
    boolean empty = panels.stream().allMatch(Panel::empty);
    return new Figure(
        figure.file(), figure.heading(), panels, null, null, empty ? figure.whenEmpty() : null);
  }

  /** Draws a figure that has data into {@code dir}. */
  static void save(Figure figure, Path dir, List<String> groupOrder) throws IOException {
    System.setProperty("java.awt.headless", "true");
    String file = dir.resolve(figure.file()).toString();
    if (figure.source() != null) {
      java.nio.file.Files.copy(figure.source(), dir.resolve(figure.file()));
      return;
    }
    if (figure.bars() != null) {
      BitmapEncoder.saveBitmap(bars(figure.bars()), file, BitmapEncoder.BitmapFormat.PNG);
      return;
    }
    List<XYChart> charts = new ArrayList<>();
    for (Panel panel : figure.panels()) {
      if (!panel.empty()) {
        charts.add(chart(panel, groupOrder));
      }
    }
    BitmapEncoder.saveBitmap(charts, charts.size(), 1, file, BitmapEncoder.BitmapFormat.PNG);
  }

  private static XYChart chart(Panel panel, List<String> groupOrder) {
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(450)
            .title(panel.title())
            .xAxisTitle(panel.xTitle())
            .yAxisTitle(panel.yTitle())
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setErrorBarsColorSeriesColor(true);
    chart.getStyler().setXAxisLogarithmic(panel.logX());
    for (Map.Entry<String, List<Point>> curve : panel.curves().entrySet()) {
      List<Point> points = curve.getValue();
      if (points.isEmpty()) {
        continue;
      }
      double[] x = points.stream().mapToDouble(Point::x).toArray();
      double[] y = points.stream().mapToDouble(p -> p.y().mean()).toArray();
      double[] err = points.stream().mapToDouble(p -> p.y().std()).toArray();
      int fewest = points.stream().mapToInt(p -> p.y().n()).min().orElse(0);
      int most = points.stream().mapToInt(p -> p.y().n()).max().orElse(0);
      XYSeries series = chart.addSeries(legend(curve.getKey(), fewest, most), x, y, err);
      Color color = color(groupOrder, curve.getKey());
      series.setMarker(SeriesMarkers.CIRCLE);
      series.setLineColor(color);
      series.setMarkerColor(color);
    }
    return chart;
  }

  private static CategoryChart bars(Bars bars) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(800)
            .height(500)
            .title(bars.title())
            .xAxisTitle("group (error bars: ± std over runs)")
            .yAxisTitle(bars.yTitle())
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setErrorBarsColorSeriesColor(true);
    int k = 0;
    for (Map.Entry<String, List<Stats>> series : bars.series().entrySet()) {
      List<Double> mean = series.getValue().stream().map(Stats::mean).toList();
      List<Double> std = series.getValue().stream().map(Stats::std).toList();
      CategorySeries s =
          chart.addSeries(series.getKey(), withoutSharedPrefix(bars.categories()), mean, std);
      s.setFillColor(PALETTE[k++ % PALETTE.length]);
    }
    return chart;
  }

  /**
   * Category labels without the prefix all of them share up to a '-' (run names of one
   * reproduction: {@code reproduce-geometry-g1-no-tcr (n = 7)} → {@code g1-no-tcr (n = 7)}), so
   * that the labels of a bar chart do not run into each other. Fewer than two labels, or no shared
   * prefix, are returned as they are.
   */
  static List<String> withoutSharedPrefix(List<String> labels) {
    if (labels.size() < 2) {
      return labels;
    }
    String first = labels.get(0);
    int common = first.length();
    for (String l : labels) {
      int i = 0;
      while (i < Math.min(common, l.length()) && l.charAt(i) == first.charAt(i)) {
        i++;
      }
      common = i;
    }
    int cut = first.lastIndexOf('-', common - 1) + 1;
    if (cut <= 0) {
      return labels;
    }
    for (String l : labels) {
      if (l.length() <= cut) {
        return labels; // a label would be left empty
      }
    }
    return labels.stream().map(l -> l.substring(cut)).toList();
  }

  /** The group and what its points summarise: the number of runs, a range when it varies. */
  static String legend(String group, int fewest, int most) {
    String runs = fewest == most ? String.valueOf(most) : fewest + "–" + most;
    return group + ": mean ± std over " + runs + (most == 1 ? " run" : " runs");
  }

  private static Color color(List<String> groupOrder, String group) {
    int i = Math.max(0, groupOrder.indexOf(group));
    return PALETTE[i % PALETTE.length];
  }

  /**
   * Largest N against epoch. A run that stopped before the longest run of its group (its curriculum
   * finished, or it was cut short) keeps its last N, so that it does not drop out of the mean.
   */
  private static Panel maxLevel(Comparison c) {
    Map<String, List<Point>> curves = new LinkedHashMap<>();
    for (Comparison.Group g : c.groups()) {
      int lastEpoch =
          g.runs().stream()
              .filter(r -> r.epochs() > 0)
              .mapToInt(r -> r.maxLevelByEpoch().lastKey())
              .max()
              .orElse(0);
      List<SortedMap<Double, Double>> runs = new ArrayList<>();
      for (RunSummary r : g.runs()) {
        SortedMap<Double, Double> curve = toDouble(r.maxLevelByEpoch());
        if (!curve.isEmpty()) {
          double last = curve.get(curve.lastKey());
          for (int e = r.maxLevelByEpoch().lastKey() + 1; e <= lastEpoch; e++) {
            curve.put((double) e, last);
          }
        }
        runs.add(curve);
      }
      curves.put(g.label(), aggregate(runs));
    }
    return new Panel(
        "max_N",
        "Largest N trained against epoch (a run that stopped keeps its" + " last N)",
        "epoch",
        "largest N trained (levels)",
        false,
        curves);
  }

  /** At every x of any run: the statistics over the runs that have a finite value there. */
  static List<Point> aggregate(List<SortedMap<Double, Double>> curves) {
    TreeSet<Double> xs = new TreeSet<>();
    curves.forEach(curve -> xs.addAll(curve.keySet()));
    List<Point> points = new ArrayList<>();
    for (double x : xs) {
      Stats y =
          Stats.of(
              curves.stream()
                  .filter(curve -> curve.containsKey(x))
                  .mapToDouble(curve -> curve.get(x))
                  .toArray());
      if (y.present()) {
        points.add(new Point(x, y));
      }
    }
    return points;
  }

  private static SortedMap<Double, Double> toDouble(SortedMap<Integer, ? extends Number> map) {
    SortedMap<Double, Double> out = new TreeMap<>();
    map.forEach((k, v) -> out.put(k.doubleValue(), v.doubleValue()));
    return out;
  }
}
