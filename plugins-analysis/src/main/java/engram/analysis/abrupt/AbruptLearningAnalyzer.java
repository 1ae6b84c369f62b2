package engram.analysis.abrupt;

import engram.analysis.common.Outputs;
import engram.api.Analyzer;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.table.ColumnSpec;
import engram.api.table.TableSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Abrupt learning of one run (spec memory-geometry §6 "Timing"): the loss plateau, the drop time
 * t_drop and, when the run's {@code geometry} analysis has been written, the onset of geometric
 * restructuring (GR) in each GR metric and its lead over the drop.
 *
 * <p>Data: the loss over optimizer steps from the run's {@code trace.csv} (fine-grained, written by
 * training every k steps), else from {@code metrics.csv} (one point per epoch; see {@link
 * TrainingTrace}). The run directory is the grandparent of the output directory ({@code
 * <run-dir>/analysis/abrupt-learning/}, as {@link Analyzer.Context#outputDirectory()} promises).
 * Plateau, t_drop, t_steepest and the verdict follow the rules of {@link LossCurve} with this
 * configuration's thresholds.
 *
 * <p>GR onsets: the {@code geometry} analyzer's table {@code <run-dir>/analysis/geometry/
 * geometry.csv} has one row per checkpoint; a checkpoint named {@code step-NNNNNNNN} (scheduled by
 * step, e.g. log-spaced) is placed at step NNNNNNNN, any other at the last step of its {@code
 * epoch} in the trace (epoch 0 at step 0; checkpoints whose epoch the trace lacks are dropped). For
 * each column named in {@code gr-metrics} the onset is the break of a continuous two-segment
 * piecewise-linear least-squares fit ({@link ChangePoint}), so it is resolved to the checkpoint
 * spacing; NaN values are left out, and a column that is missing or NaN at every checkpoint gets no
 * row. The lead is t_drop − onset in steps: positive when GR precedes the drop.
 *
 * <p>Over the whole run the fit finds the metric's largest bend, which on a run with several drops
 * may belong to a later drop or to the metric's saturation. So each metric is fitted a second time
 * over the <em>drop window</em> only: the checkpoints from the plateau's start to the first
 * checkpoint at or after the end of the first fall ({@link #fallEnd}: the smoothed loss 90 % of the
 * way from the plateau level to the next level). Its break ({@code drop_onset}) answers whether the
 * metric began to change during the plateau, before t_drop ({@code drop_lead} = t_drop − drop_onset
 * &gt; 0), or only with the fall. A break is resolved to the checkpoint spacing: the change is
 * first <em>seen</em> at the checkpoint after the break ({@code onset_next}, {@code
 * drop_onset_next}), so a positive lead shows restructuring before the drop only when that
 * checkpoint is itself before t_drop.
 *
 * <p>Writes {@code abrupt-learning.csv} (one row), {@code abrupt-learning-loss.csv} (the loss and
 * the smoothed loss at every point), {@code gr-onsets.csv} (only when the geometry table exists)
 * and {@code abrupt-learning.png} (log loss with plateau and t_drop marked; below it, when GR
 * metrics exist, each metric rescaled to [0, 1] with its onset). Deterministic; no randomness.
 */
public final class AbruptLearningAnalyzer implements Analyzer<AbruptLearningAnalyzer.Config> {

  /** The analyzer id, which names its output directory. */
  public static final String ID = "abrupt-learning";

  static final String PNG = "abrupt-learning.png";

  /** Where the geometry analyzer's table lies, relative to the run directory. */
  static final Path GEOMETRY_TABLE = Path.of("analysis", "geometry", "geometry.csv");

  /** {@code abrupt-learning.csv}; public for analyzers that read a run's drop (fixed-points). */
  public static final TableSpec SUMMARY =
      TableSpec.of(
          "abrupt-learning.csv",
          "one row: the loss plateau, the drop time and the verdict (rules in the analyzer's"
              + " javadoc)",
          ColumnSpec.text("source", "trace.csv or metrics.csv, where the loss was read"),
          ColumnSpec.text("verdict", "drop, no-drop or no-plateau"),
          ColumnSpec.number("plateau_start", "steps", "first step of the plateau (NaN: none)"),
          ColumnSpec.number("plateau_end", "steps", "last step of the plateau (NaN: none)"),
          ColumnSpec.number("plateau_loss", "", "median smoothed loss over the plateau"),
          ColumnSpec.number("after_loss", "", "the level the loss falls to after the plateau"),
          ColumnSpec.number(
              "t_drop",
              "steps",
              "first step after the plateau where the smoothed loss has fallen the fraction"
                  + " drop-fraction of the way to after_loss (NaN: no drop)"),
          ColumnSpec.number(
              "t_steepest",
              "steps",
              "midpoint of the steepest fall of the smoothed log loss after the plateau"),
          ColumnSpec.number(
              "final_loss", "", "the smoothed loss at the last point (defined for every verdict)"),
          ColumnSpec.integer(
              "drops",
              "",
              "plateaus at distinct levels, each followed by a fall of min-drop (0 unless drop)"),
          ColumnSpec.number(
              "t_last_drop",
              "steps",
              "t_drop of the last of the counted plateaus (= t_drop when drops = 1; NaN: no"
                  + " drop)"));

  /** {@code abrupt-learning-loss.csv}; public for the same reason. */
  public static final TableSpec LOSS =
      TableSpec.of(
          "abrupt-learning-loss.csv",
          "one row per point of the loss curve: the loss and its moving median",
          ColumnSpec.number("step", "steps", "optimizer steps"),
          ColumnSpec.number("loss", "", "loss (mean over the rows of that step)"),
          ColumnSpec.number("smoothed", "", "centred moving median over smooth-window points"));

  static final TableSpec ONSETS =
      TableSpec.of(
          "gr-onsets.csv",
          "one row per GR metric found in the geometry table (written only when"
              + " analysis/geometry/geometry.csv exists): its change point and lead over t_drop",
          ColumnSpec.text("metric", "the geometry table's column"),
          ColumnSpec.number(
              "onset",
              "steps",
              "break of the two-segment linear fit (NaN: too few" + " checkpoints)"),
          ColumnSpec.number("slope_before", "per step", "slope of the fit before the onset"),
          ColumnSpec.number("slope_after", "per step", "slope of the fit after the onset"),
          ColumnSpec.number(
              "sse_ratio", "", "residual of the two-segment fit over that of one line, in [0, 1]"),
          ColumnSpec.number(
              "lead", "steps", "t_drop − onset: positive when GR precedes the drop (NaN: no drop)"),
          ColumnSpec.integer("checkpoints", "", "checkpoints in the fit"),
          ColumnSpec.number(
              "onset_next",
              "steps",
              "the checkpoint after the onset, where the change is first seen (NaN: none)"),
          ColumnSpec.number(
              "window_start",
              "steps",
              "start of the drop window: the plateau's start (NaN: no drop)"),
          ColumnSpec.number(
              "window_end",
              "steps",
              "end of the drop window: the first checkpoint at or after the end of the first fall"
                  + " (smoothed loss 90 % of the way from the plateau to the next level)"),
          ColumnSpec.number(
              "drop_onset", "steps", "break of the same fit over the drop window's checkpoints"),
          ColumnSpec.number(
              "drop_sse_ratio", "", "residual ratio of the fit over the drop window, in [0, 1]"),
          ColumnSpec.number(
              "drop_lead", "steps", "t_drop − drop_onset: positive when GR precedes the drop"),
          ColumnSpec.integer("drop_checkpoints", "", "checkpoints in the drop window"),
          ColumnSpec.number(
              "drop_onset_next",
              "steps",
              "the checkpoint after drop_onset: GR is seen before the drop only when this is"
                  + " before t_drop (NaN: none)"));

  /** Configuration; YAML keys are the kebab-case component names. */
  public record Config(
      @Doc("points in the centred moving median that smooths the loss, ≥ 1") int smoothWindow,
      @Doc("relative band ε of a flat stretch: max/min of the smoothed loss ≤ 1 + ε, > 0")
          double band,
      @Doc(
              "shortest plateau as a fraction of the steps from the first point to the plateau's"
                  + " end (never of the whole run), in (0, 1]; 0.5: the plateau lasts at least as"
                  + " long as the descent before it")
          double minPlateau,
      @Doc(
              "shortest plateau, and shortest flat stretch taken as the level after a drop, in"
                  + " optimizer steps, ≥ 0; excludes the first few points of the initial fall")
          double minPlateauSteps,
      @Doc("smallest relative fall below the plateau level that counts as a drop, in (0, 1)")
          double minDrop,
      @Doc(
              "t_drop is where the smoothed loss has fallen this fraction of the way from the"
                  + " plateau to the next level, in (0, 1); spec: 0.5")
          double dropFraction,
      @Doc("comma-separated columns of the geometry table whose onsets are found") String grMetrics,
      @Doc("fewest checkpoints on each side of a GR change point, ≥ 2") int minSide) {
    public Config {
      rules(smoothWindow, band, minPlateau, minPlateauSteps, minDrop, dropFraction);
      Check.notNull("gr-metrics", grMetrics);
      Check.atLeast("min-side", minSide, 2);
    }

    LossCurve rules() {
      return rules(smoothWindow, band, minPlateau, minPlateauSteps, minDrop, dropFraction);
    }

    private static LossCurve rules(
        int smoothWindow,
        double band,
        double minPlateau,
        double minPlateauSteps,
        double minDrop,
        double dropFraction) {
      return new LossCurve(smoothWindow, band, minPlateau, minPlateauSteps, minDrop, dropFraction);
    }

    List<String> metrics() {
      return Arrays.stream(grMetrics.split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .toList();
    }
  }

  /**
   * The onset of one GR metric.
   *
   * @param metric the geometry table's column
   * @param steps the checkpoints' steps
   * @param values the metric at each checkpoint
   * @param fit the change point
   */
  record Onset(String metric, double[] steps, double[] values, ChangePoint.Fit fit) {

    /**
     * The step of the checkpoint after the onset: the fit's break lies at a checkpoint, and the
     * change it marks is first measured at the next one; NaN without an onset or a next checkpoint.
     */
    double next() {
      int k = fit.index();
      return k >= 0 && k + 1 < steps.length ? steps[k + 1] : Double.NaN;
    }

    /**
     * The same metric fitted only over the checkpoints with {@code from ≤ step ≤ to}; an empty
     * window (NaN bounds) gives a fit with NaN onset.
     */
    Onset window(double from, double to, ChangePoint changePoint) {
      List<double[]> kept = new ArrayList<>();
      for (int i = 0; i < steps.length; i++) {
        if (steps[i] >= from && steps[i] <= to) {
          kept.add(new double[] {steps[i], values[i]});
        }
      }
      double[] x = kept.stream().mapToDouble(p -> p[0]).toArray();
      double[] y = kept.stream().mapToDouble(p -> p[1]).toArray();
      return new Onset(metric, x, y, changePoint.fit(x, y));
    }
  }

  /**
   * The end of the first fall: the first point at or after t_drop where the smoothed loss has come
   * 90 % of the way from the plateau level P to the next level L, i.e. ≤ L + 0.1·(P − L); NaN
   * without a drop. The 90 % mark is where the fall's 10–90 % width, as the study measures it,
   * ends.
   */
  static double fallEnd(double[] steps, LossCurve.Result r) {
    if (!Double.isFinite(r.tDrop())) {
      return Double.NaN;
    }
    double mark = r.afterLevel() + 0.1 * (r.plateauLevel() - r.afterLevel());
    for (int i = 0; i < steps.length; i++) {
      if (steps[i] >= r.tDrop() && r.smoothed()[i] <= mark) {
        return steps[i];
      }
    }
    return steps[steps.length - 1];
  }

  /**
   * The drop window's end: the first checkpoint step at or after {@code fallEnd} (so the segment
   * after a break has a point past the fall), else the last checkpoint; NaN when {@code fallEnd}
   * is.
   */
  static double windowEnd(double[] checkpointSteps, double fallEnd) {
    if (!Double.isFinite(fallEnd) || checkpointSteps.length == 0) {
      return Double.NaN;
    }
    for (double s : checkpointSteps) {
      if (s >= fallEnd) {
        return s;
      }
    }
    return checkpointSteps[checkpointSteps.length - 1];
  }

  public AbruptLearningAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Loss plateau, abrupt drop and the lead of geometric restructuring",
        "From the run's trace.csv (else metrics.csv): the loss plateau (first flat stretch of the"
            + " moving-median loss within a relative band, lasting at least min-plateau of the"
            + " steps before its end, followed by a fall), the drop time t_drop (halfway from the"
            + " plateau to the next level) and a verdict (drop, no-drop,"
            + " no-plateau); with the geometry analyzer's table, the change point of each GR"
            + " metric (two-segment piecewise-linear fit) and its lead over t_drop. Writes"
            + " abrupt-learning.csv, abrupt-learning-loss.csv, gr-onsets.csv and"
            + " abrupt-learning.png.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(
        5,
        0.1,
        0.5,
        100,
        0.5,
        0.5,
        "separation,decoding_accuracy,delay_speed,cka_final,dw_effective_rank",
        3);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(SUMMARY, LOSS, ONSETS);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    Path out = context.outputDirectory();
    Path runDirectory = out.toAbsolutePath().getParent().getParent();
    TrainingTrace trace = TrainingTrace.read(runDirectory);
    LossCurve.Result result = config.rules().analyse(trace.steps(), trace.losses());
    List<Onset> onsets = null;
    Path geometry = runDirectory.resolve(GEOMETRY_TABLE);
    if (Files.exists(geometry)) {
      onsets = onsets(geometry, trace, config);
    }
    Outputs.writeCsv(
        out,
        SUMMARY,
        List.of(
            List.of(
                trace.source(),
                result.verdict().label(),
                result.plateauStart(),
                result.plateauEnd(),
                result.plateauLevel(),
                result.afterLevel(),
                result.tDrop(),
                result.tSteepest(),
                result.finalLevel(),
                result.drops(),
                result.tLastDrop())));
    List<List<Object>> loss = new ArrayList<>();
    for (int i = 0; i < trace.steps().length; i++) {
      loss.add(List.of(trace.steps()[i], trace.losses()[i], result.smoothed()[i]));
    }
    Outputs.writeCsv(out, LOSS, loss);
    if (onsets != null) {
      List<List<Object>> rows = new ArrayList<>();
      double fallEnd = fallEnd(trace.steps(), result);
      ChangePoint changePoint = new ChangePoint(config.minSide());
      for (Onset o : onsets) {
        double windowEnd = windowEnd(o.steps(), fallEnd);
        Onset w = o.window(result.plateauStart(), windowEnd, changePoint);
        rows.add(
            List.of(
                o.metric(),
                o.fit().onset(),
                o.fit().slopeBefore(),
                o.fit().slopeAfter(),
                o.fit().sseRatio(),
                result.tDrop() - o.fit().onset(),
                o.steps().length,
                o.next(),
                Double.isFinite(windowEnd) ? result.plateauStart() : Double.NaN,
                windowEnd,
                w.fit().onset(),
                w.fit().sseRatio(),
                result.tDrop() - w.fit().onset(),
                w.steps().length,
                w.next()));
      }
      Outputs.writeCsv(out, ONSETS, rows);
    }
    draw(out.resolve(PNG), trace, result, onsets == null ? List.of() : onsets);
  }

  /** Change points of the configured metrics of the geometry table, on the step axis. */
  static List<Onset> onsets(Path geometry, TrainingTrace trace, Config config) throws IOException {
    List<String> names = new ArrayList<>(config.metrics());
    names.add(0, "epoch");
    Map<String, double[]> columns = TrainingTrace.readNumericColumns(geometry, names);
    double[] epochs = columns.get("epoch");
    if (epochs == null) {
      throw new IllegalStateException(
          geometry + " has no column 'epoch'; rerun the geometry analyzer");
    }
    String[] checkpointNames = TrainingTrace.readTextColumn(geometry, "checkpoint");
    List<Onset> onsets = new ArrayList<>();
    ChangePoint changePoint = new ChangePoint(config.minSide());
    for (String metric : config.metrics()) {
      double[] values = columns.get(metric);
      if (values == null) {
        continue;
      }
      List<double[]> points = new ArrayList<>();
      for (int i = 0; i < epochs.length; i++) {
        double step =
            checkpointStep(
                checkpointNames == null ? "" : checkpointNames[i], (int) epochs[i], trace);
        if (Double.isFinite(step) && Double.isFinite(values[i])) {
          points.add(new double[] {step, values[i]});
        }
      }
      // Several checkpoints of one epoch (an advance and a scheduled one) keep the first.
      points.sort((a, b) -> Double.compare(a[0], b[0]));
      List<double[]> distinct = new ArrayList<>();
      for (double[] p : points) {
        if (distinct.isEmpty() || p[0] > distinct.get(distinct.size() - 1)[0]) {
          distinct.add(p);
        }
      }
      double[] x = distinct.stream().mapToDouble(p -> p[0]).toArray();
      double[] y = distinct.stream().mapToDouble(p -> p[1]).toArray();
      if (x.length == 0) {
        continue; // NaN at every checkpoint: e.g. the w_rec columns of a model without one
      }
      onsets.add(new Onset(metric, x, y, changePoint.fit(x, y)));
    }
    return onsets;
  }

  /**
   * The step of a checkpoint: the number in a name {@code step-NNNNNNNN} (training's step-scheduled
   * checkpoints, e.g. log-spaced within one epoch), else the last step of its epoch in the trace.
   */
  static double checkpointStep(String name, int epoch, TrainingTrace trace) {
    java.util.regex.Matcher m = STEP_NAME.matcher(name);
    return m.matches() ? Double.parseDouble(m.group(1)) : trace.stepOfEpoch(epoch);
  }

  /**
   * The optimizer step of each checkpoint, placed as this analyzer places checkpoints on the loss
   * curve (what another analyzer uses to relate checkpoints to t_drop): the number of a name {@code
   * step-NNNNNNNN}, else the last step of the checkpoint's epoch in the run's {@code trace.csv}
   * (else {@code metrics.csv}).
   *
   * @param runDirectory the run directory
   * @param checkpoints the checkpoints
   * @return one step per checkpoint, in their order; NaN for a checkpoint whose epoch the run's
   *     trace lacks, or when the run has neither file and the name carries no step
   */
  public static double[] checkpointSteps(Path runDirectory, List<Checkpoint> checkpoints)
      throws IOException {
    double[] steps = new double[checkpoints.size()];
    TrainingTrace trace = null;
    for (int i = 0; i < steps.length; i++) {
      Checkpoint c = checkpoints.get(i);
      java.util.regex.Matcher m = STEP_NAME.matcher(c.name());
      if (m.matches()) {
        steps[i] = Double.parseDouble(m.group(1));
        continue;
      }
      if (trace == null) {
        boolean readable =
            Files.exists(runDirectory.resolve(TrainingTrace.TRACE))
                || Files.exists(runDirectory.resolve(TrainingTrace.METRICS));
        if (!readable) {
          steps[i] = Double.NaN;
          continue;
        }
        trace = TrainingTrace.read(runDirectory);
      }
      steps[i] = trace.stepOfEpoch(c.epoch());
    }
    return steps;
  }

  private static final java.util.regex.Pattern STEP_NAME =
      java.util.regex.Pattern.compile("step-0*(\\d+)");

  private static void draw(Path file, TrainingTrace trace, LossCurve.Result r, List<Onset> onsets)
      throws IOException {
    XYChart loss =
        Outputs.chart(
            "Loss, plateau and drop (" + r.verdict().label() + ")",
            "optimizer step",
            "loss (log scale)",
            450);
    loss.getStyler().setYAxisLogarithmic(true);
    loss.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    loss.addSeries("loss (" + trace.source() + ")", trace.steps(), trace.losses())
        .setMarker(SeriesMarkers.NONE);
    loss.addSeries("moving median", trace.steps(), r.smoothed()).setMarker(SeriesMarkers.NONE);
    double lo = Arrays.stream(trace.losses()).min().orElse(1);
    double hi = Arrays.stream(trace.losses()).max().orElse(1);
    if (Double.isFinite(r.plateauStart())) {
      loss.addSeries(
              "plateau",
              new double[] {r.plateauStart(), r.plateauEnd()},
              new double[] {r.plateauLevel(), r.plateauLevel()})
          .setMarker(SeriesMarkers.DIAMOND);
    }
    if (Double.isFinite(r.tDrop())) {
      vertical(loss, "t_drop", r.tDrop(), lo, hi);
    }
    List<XYChart> charts = new ArrayList<>(List.of(loss));
    if (!onsets.isEmpty()) {
      XYChart gr =
          Outputs.chart(
              "GR metrics (each rescaled to [0, 1]) and their onsets",
              "optimizer step",
              "metric, min-max rescaled",
              450);
      for (Onset o : onsets) {
        double[] scaled = rescale(o.values());
        XYSeries s = gr.addSeries(o.metric(), o.steps(), scaled);
        s.setMarker(SeriesMarkers.CIRCLE);
        if (Double.isFinite(o.fit().onset())) {
          vertical(gr, o.metric() + " onset", o.fit().onset(), 0, 1);
        }
      }
      if (Double.isFinite(r.tDrop())) {
        vertical(gr, "t_drop ", r.tDrop(), 0, 1);
      }
      charts.add(gr);
    }
    Outputs.save(file, charts);
  }

  private static void vertical(XYChart chart, String name, double x, double lo, double hi) {
    chart.addSeries(name, new double[] {x, x}, new double[] {lo, hi}).setMarker(SeriesMarkers.NONE);
  }

  private static double[] rescale(double[] v) {
    double lo = Arrays.stream(v).min().orElse(0);
    double hi = Arrays.stream(v).max().orElse(1);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = hi > lo ? (v[i] - lo) / (hi - lo) : 0.5;
    }
    return out;
  }
}
