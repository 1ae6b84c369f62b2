package engram.api.study;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apiguardian.api.API;

/**
 * A figure of a study, as data: one value (or curve) per run. Core puts runs into groups and draws,
 * for each group, the mean over its runs with error bars of ± one sample standard deviation over
 * those runs (the legend says over how many), as a PNG in the comparison directory; it also writes
 * the points into {@code comparison-series.csv}.
 *
 * <p>A figure is either one or more {@link Curves} panels, stacked, or a single {@link Bars} panel,
 * or a single {@link RunImage}: a PNG an analyzer drew for one run, copied as it is (e.g. the speed
 * landscape of a representative run). When no panel has data it is not drawn, and the report lists
 * it with {@code whenEmpty}.
 *
 * @param file the PNG file name, e.g. {@code tau-vs-N.png}
 * @param heading the figure's heading in the report
 * @param panels the panels; non-empty
 * @param whenEmpty why the figure has no data, for the report (e.g. {@code no run has usable rows
 *     in analysis/tau-stats/tau-stats.csv})
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record Figure(String file, String heading, List<Panel> panels, String whenEmpty) {

  /**
   * Copies the panels and checks them.
   *
   * @param file the PNG file name, ending in {@code .png}
   * @param heading the heading; never null
   * @param panels curves panels, or one bars panel, or one run image
   * @param whenEmpty why there is nothing to draw; never null
   * @throws IllegalArgumentException when the file does not end in {@code .png}, there is no panel,
   *     or a bars panel or a run image is not alone
   */
  public Figure {
    if (file == null || !file.endsWith(".png") || file.contains("/")) {
      throw new IllegalArgumentException(
          "figure file must be a plain name ending in .png, was '" + file + "'");
    }
    Objects.requireNonNull(heading, "heading");
    Objects.requireNonNull(whenEmpty, "whenEmpty");
    panels = List.copyOf(panels);
    if (panels.isEmpty()) {
      throw new IllegalArgumentException(file + ": a figure needs a panel");
    }
    if (panels.size() > 1 && panels.stream().anyMatch(p -> p instanceof Bars)) {
      throw new IllegalArgumentException(file + ": a bars panel must be the figure's only panel");
    }
    if (panels.size() > 1 && panels.stream().anyMatch(p -> p instanceof RunImage)) {
      throw new IllegalArgumentException(file + ": a run image must be the figure's only panel");
    }
  }

  /** One chart of a figure. */
  public sealed interface Panel permits Curves, Bars, RunImage {}

  /**
   * A PNG that an analyzer wrote for one run, copied unchanged into the comparison directory under
   * the figure's file name. Core takes the newest copy, {@code analysis/<analyzer>-k/<file>} with
   * the largest k that has the file (as it reads tables); when the run is not in the comparison or
   * has no such file, the figure is not drawn and the report gives {@code whenEmpty}.
   *
   * @param run the run's id ({@link StudyRun#id()})
   * @param analyzer the analyzer's id, e.g. {@code fixed-points}
   * @param file the PNG's name in the analyzer's directory, e.g. {@code speed-landscape.png}
   */
  public record RunImage(String run, String analyzer, String file) implements Panel {

    /**
     * Checks the names.
     *
     * @param run the run's id; never null
     * @param analyzer the analyzer id: not blank, no {@code /} or {@code ..}
     * @param file a plain file name ending in {@code .png}
     * @throws IllegalArgumentException when {@code analyzer} is not an id or {@code file} is not a
     *     plain {@code .png} name
     */
    public RunImage {
      Objects.requireNonNull(run, "run");
      if (analyzer == null
          || analyzer.isBlank()
          || analyzer.contains("/")
          || analyzer.contains("..")) {
        throw new IllegalArgumentException(
            "a run image needs an analyzer id, was '" + analyzer + "'");
      }
      if (file == null || !file.endsWith(".png") || file.contains("/") || file.contains("\\")) {
        throw new IllegalArgumentException(
            "a run image must be a plain file name ending in .png, was '" + file + "'");
      }
    }
  }

  /**
   * Curves against x: per group, at every x, the mean and std over the group's runs that have a
   * finite value there.
   *
   * @param quantity names the panel's points in {@code comparison-series.csv}
   * @param title the chart's title
   * @param xTitle the x axis title, with its unit
   * @param yTitle the y axis title, with its unit
   * @param logX whether the x axis is logarithmic (x &gt; 0 then)
   * @param runs run id → its curve x → y (a run without data may be absent), unmodifiable
   */
  public record Curves(
      String quantity,
      String title,
      String xTitle,
      String yTitle,
      boolean logX,
      Map<String, SortedMap<Double, Double>> runs)
      implements Panel {

    /**
     * Copies the curves into unmodifiable maps.
     *
     * @param quantity the points' name
     * @param title the title
     * @param xTitle the x axis title
     * @param yTitle the y axis title
     * @param logX whether x is logarithmic
     * @param runs run id → curve; never null
     */
    public Curves {
      Objects.requireNonNull(quantity, "quantity");
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(xTitle, "xTitle");
      Objects.requireNonNull(yTitle, "yTitle");
      Map<String, SortedMap<Double, Double>> copy = new LinkedHashMap<>();
      runs.forEach(
          (run, curve) -> copy.put(run, Collections.unmodifiableSortedMap(new TreeMap<>(curve))));
      runs = Collections.unmodifiableMap(copy);
    }
  }

  /**
   * Bars: one category per group that has a value in every series, one bar per series.
   *
   * @param title the chart's title
   * @param yTitle the y axis title, with its unit
   * @param series the bars of each category, in legend order; non-empty, names distinct
   */
  public record Bars(String title, String yTitle, List<Series> series) implements Panel {

    /**
     * Copies the series.
     *
     * @param title the title
     * @param yTitle the y axis title
     * @param series the series; non-empty, names distinct
     * @throws IllegalArgumentException when there is no series, or two have the same name
     */
    public Bars {
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(yTitle, "yTitle");
      series = List.copyOf(series);
      if (series.isEmpty()) {
        throw new IllegalArgumentException("bars '" + title + "' need a series");
      }
      if (series.stream().map(Series::name).distinct().count() != series.size()) {
        throw new IllegalArgumentException("bars '" + title + "' repeat a series name");
      }
    }
  }

  /**
   * One series of bars: a value per run.
   *
   * @param name the legend entry
   * @param values run id → value (NaN or absent: no value), unmodifiable
   */
  public record Series(String name, Map<String, Double> values) {

    /**
     * Copies the values.
     *
     * @param name the legend entry; never null
     * @param values run id → value; never null
     */
    public Series {
      Objects.requireNonNull(name, "name");
      values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
  }
}
