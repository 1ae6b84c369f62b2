package engram.core.compare;

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
import java.util.function.Function;
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
 * The comparison's figures: what each shows (computed from the runs) and how it is drawn (XChart,
 * headless PNG). Every curve is a group: at each x, the mean over the group's runs that have a
 * value there, with error bars of ± one sample standard deviation over those runs.
 */
final class Figures {
  private Figures() {}

  /** The mean and spread over a group's runs at one x. */
  record Point(double x, Stats y) {}

  /** One chart: a curve per group (group label → points, ordered by x). */
  record Panel(String quantity, String title, String xTitle, String yTitle, boolean logX,
      Map<String, List<Point>> curves) {
    boolean empty() {
      return curves.values().stream().allMatch(List::isEmpty);
    }
  }

  /** Bars per group: series name (e.g. {@code slowest}) → one value per category (group). */
  record Bars(String title, String yTitle, List<String> categories, Map<String, List<Stats>> series) {}

  /**
   * One PNG: stacked panels, or bars. {@code missing} says why it is not drawn (null when drawn).
   */
  record Figure(String file, String heading, List<Panel> panels, Bars bars, String missing) {
    boolean drawn() {
      return missing == null;
    }
  }

  static final String MAX_N = "max-N-vs-epoch.png";
  static final String TAU = "tau-vs-N.png";
  static final String TAU_NET = "tau-net-vs-N.png";
  static final String CONNECTIVITY = "connectivity-vs-N.png";
  static final String DIMENSIONALITY = "dimensionality-vs-N.png";
  static final String ABLATION = "ablation.png";
  static final String PERTURBATION = "perturbation.png";
  static final String FORGETTING = "forgetting.png";
  static final String TRANSFER = "transfer.png";

  private static final String N_AXIS = "N (largest level trained)";
  private static final String LEVEL_AXIS = "N′ (level evaluated)";
  private static final String RELATIVE = "relative accuracy ((acc − 0.5)/(baseline − 0.5))";
  private static final Color[] PALETTE = {
      new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115),
      new Color(204, 121, 167), new Color(230, 159, 0), new Color(86, 180, 233),
      new Color(0, 0, 0), new Color(240, 228, 66)};

  /** Every figure of the report, drawn or with the reason it is left out. */
  static List<Figure> build(Comparison c) {
    List<Figure> figures = new ArrayList<>();
    figures.add(figure(MAX_N, "Largest N trained against epoch", null, List.of(maxLevel(c))));
    figures.add(figure(TAU, "Trained τ̃ = max(τ, 1) against N", AnalysisTable.TAU_STATS, List.of(
        vsN(c, AnalysisTable.TAU_STATS, "mean", "Mean of τ̃ over neurons",
            "mean τ̃ (time steps)"),
        vsN(c, AnalysisTable.TAU_STATS, "std", "Spread of τ̃ over neurons",
            "std of τ̃ over neurons (time steps)"))));
    figures.add(figure(TAU_NET, "Network timescale τ_net against N",
        AnalysisTable.NETWORK_TIMESCALES, List.of(
            vsN(c, AnalysisTable.NETWORK_TIMESCALES, "tau_net_mean",
                "τ_net of single neurons (mean over kept neurons)", "τ_net (time steps)"),
            vsN(c, AnalysisTable.NETWORK_TIMESCALES, "population_tau_net",
                "τ_net of the population activity", "population τ_net (time steps)"))));
    figures.add(figure(CONNECTIVITY, "Recurrent connectivity against N",
        AnalysisTable.CONNECTIVITY, List.of(
            vsN(c, AnalysisTable.CONNECTIVITY, "spectral_radius", "Spectral radius of W^R",
                "spectral radius of W^R (no unit)"),
            vsN(c, AnalysisTable.CONNECTIVITY, "mean_weight", "Mean recurrent weight",
                "mean off-diagonal W^R (no unit)"))));
    figures.add(figure(DIMENSIONALITY, "Dimensionality of the activity against N",
        AnalysisTable.DIMENSIONALITY, List.of(
            vsN(c, AnalysisTable.DIMENSIONALITY, "components",
                "PCA components to reach the explained-variance threshold", "components (count)"),
            vsN(c, AnalysisTable.DIMENSIONALITY, "participation_ratio", "Participation ratio",
                "participation ratio (components)"))));
    figures.add(ablation(c));
    Integer perturbed = Measures.commonLevel(c.runs(), AnalysisTable.PERTURBATION);
    String at = perturbed == null ? "each run's last checkpoint" : "N = " + perturbed;
    figures.add(figure(PERTURBATION, "Robustness to perturbation (" + at + ")",
        AnalysisTable.PERTURBATION, List.of(
            panel(c, "perturbation_recurrent", "Perturbing W^R (" + at + ")",
                "ε (relative size of the perturbation, log scale)", RELATIVE, true,
                r -> Measures.perturbationCurve(r, "recurrent", perturbed)),
            panel(c, "perturbation_tau", "Perturbing τ (" + at + ")",
                "ε (relative size of the perturbation, log scale)", RELATIVE, true,
                r -> Measures.perturbationCurve(r, "tau", perturbed)))));
    figures.add(figure(FORGETTING, "Forgetting: accuracy on every level at the last checkpoint",
        AnalysisTable.FORGETTING, List.of(panel(c, "forgetting_accuracy",
            "Accuracy on N′ at each run's last checkpoint", LEVEL_AXIS,
            "accuracy (fraction correct)", false, r -> toDouble(Measures.forgettingCurve(r))))));
    Integer source = Measures.commonLevel(c.runs(), AnalysisTable.TRANSFER);
    String from = source == null ? "each run's largest source level" : "N = " + source;
    figures.add(figure(TRANSFER, "Transfer: retraining single-head on new N′ (from " + from + ")",
        AnalysisTable.TRANSFER, List.of(panel(c, "transfer_final_accuracy",
            "Final accuracy after retraining (from " + from + ")", "N′ (level retrained on)",
            "final accuracy (fraction correct)", false,
            r -> toDouble(Measures.transferCurve(r, source))))));
    return figures;
  }

  /** Draws a figure that has data into {@code dir}. */
  static void save(Figure figure, Path dir, List<String> groupOrder) throws IOException {
    System.setProperty("java.awt.headless", "true");
    String file = dir.resolve(figure.file()).toString();
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
    XYChart chart = new XYChartBuilder().width(800).height(450).title(panel.title())
        .xAxisTitle(panel.xTitle()).yAxisTitle(panel.yTitle()).build();
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
    CategoryChart chart = new CategoryChartBuilder().width(800).height(500).title(bars.title())
        .xAxisTitle("group (error bars: ± std over runs)").yAxisTitle(bars.yTitle()).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setErrorBarsColorSeriesColor(true);
    int k = 0;
    for (Map.Entry<String, List<Stats>> series : bars.series().entrySet()) {
      List<Double> mean = series.getValue().stream().map(Stats::mean).toList();
      List<Double> std = series.getValue().stream().map(Stats::std).toList();
      CategorySeries s = chart.addSeries(series.getKey(), bars.categories(), mean, std);
      s.setFillColor(PALETTE[k++ % PALETTE.length]);
    }
    return chart;
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

  private static Figure figure(String file, String heading, AnalysisTable table,
      List<Panel> panels) {
    String missing = null;
    if (panels.stream().allMatch(Panel::empty)) {
      missing = table == null ? "no run has a row in metrics.csv"
          : "no run has usable rows in " + table.relativePath();
    }
    return new Figure(file, heading, panels, null, missing);
  }

  private static Figure ablation(Comparison c) {
    Integer level = Measures.commonLevel(c.runs(), AnalysisTable.ABLATION);
    String at = level == null ? "each run's last checkpoint" : "N = " + level;
    List<String> categories = new ArrayList<>();
    List<Stats> fastest = new ArrayList<>();
    List<Stats> slowest = new ArrayList<>();
    for (Comparison.Group g : c.groups()) {
      Stats f = Stats.of(g.runs().stream().mapToDouble(r -> Measures.ablation(r, "fastest", level))
          .toArray());
      Stats s = Stats.of(g.runs().stream().mapToDouble(r -> Measures.ablation(r, "slowest", level))
          .toArray());
      if (f.present() && s.present()) {
        categories.add(g.label() + " (n = " + Math.max(f.n(), s.n()) + ")");
        fastest.add(f);
        slowest.add(s);
      }
    }
    String heading = "Ablation of single neurons (" + at + ")";
    if (categories.isEmpty()) {
      return new Figure(ABLATION, heading, List.of(), null, "no group has both fastest and"
          + " slowest ablations in " + AnalysisTable.ABLATION.relativePath());
    }
    Map<String, List<Stats>> series = new LinkedHashMap<>();
    series.put("20 fastest neurons (smallest τ), one at a time", fastest);
    series.put("20 slowest neurons (largest τ), one at a time", slowest);
    return new Figure(ABLATION, heading, List.of(), new Bars(heading + ": mean over ablations",
        "mean " + RELATIVE, categories, series), null);
  }

  /**
   * Largest N against epoch. A run that stopped before the longest run of its group (its
   * curriculum finished, or it was cut short) keeps its last N, so that it does not drop out of
   * the mean.
   */
  private static Panel maxLevel(Comparison c) {
    Map<String, List<Point>> curves = new LinkedHashMap<>();
    for (Comparison.Group g : c.groups()) {
      int lastEpoch = g.runs().stream().filter(r -> r.epochs() > 0)
          .mapToInt(r -> r.maxLevelByEpoch().lastKey()).max().orElse(0);
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
    return new Panel("max_N", "Largest N trained against epoch (a run that stopped keeps its"
        + " last N)", "epoch", "largest N trained (levels)", false, curves);
  }

  private static Panel vsN(Comparison c, AnalysisTable table, String column, String title,
      String yTitle) {
    return panel(c, table.id() + "." + column, title + " against N", N_AXIS, yTitle, false,
        r -> toDouble(Measures.perLevel(r, table, column)));
  }

  /** A panel with, for every group, its runs' curves averaged point by point. */
  private static Panel panel(Comparison c, String quantity, String title, String xTitle,
      String yTitle, boolean logX, Function<RunSummary, SortedMap<Double, Double>> curveOfRun) {
    Map<String, List<Point>> curves = new LinkedHashMap<>();
    for (Comparison.Group g : c.groups()) {
      curves.put(g.label(), aggregate(g.runs().stream().map(curveOfRun).toList()));
    }
    return new Panel(quantity, title, xTitle, yTitle, logX, curves);
  }

  /** At every x of any run: the statistics over the runs that have a finite value there. */
  static List<Point> aggregate(List<SortedMap<Double, Double>> curves) {
    TreeSet<Double> xs = new TreeSet<>();
    curves.forEach(curve -> xs.addAll(curve.keySet()));
    List<Point> points = new ArrayList<>();
    for (double x : xs) {
      Stats y = Stats.of(curves.stream().filter(curve -> curve.containsKey(x))
          .mapToDouble(curve -> curve.get(x)).toArray());
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
