package engram.core.cli;

import engram.api.Curriculum;
import engram.api.Task;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Periods;
import engram.api.task.Target;
import engram.core.config.ConfigException;
import engram.core.config.ExperimentLoader;
import engram.core.config.LevelName;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import engram.core.train.RandomStreams;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code engram trial}: draws one trial of an experiment's task — its inputs, its targets, the
 * scored steps and the named periods — as a PNG, so a protocol can be checked by eye.
 */
@Command(
    name = "trial",
    mixinStandardHelpOptions = true,
    description =
        "Plot one trial of the experiment's task (inputs, targets, scored steps, named periods) to"
            + " a PNG, drawn with the experiment's seed and its curriculum's first levels.")
final class TrialCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "EXPERIMENT.yaml", description = "The experiment file.")
  Path experiment;

  @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "Dotted overrides.")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--out",
      paramLabel = "FILE.png",
      description =
          "Where to write the PNG (default: <experiment name>-trial.png in the working directory;"
              + " never overwritten).")
  Path out;

  @Option(
      names = "--sequence",
      paramLabel = "K",
      defaultValue = "0",
      description = "Which sequence of the first batch to draw (default 0).")
  int sequence;

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PluginRegistry registry = main.plugins();
    ResolvedExperiment e;
    try {
      e = new ExperimentLoader(registry).load(experiment, overrides);
    } catch (ConfigException ex) {
      err.println("error: " + ex.getMessage());
      return Main.USAGE;
    }
    if (sequence < 0) {
      err.println("error: --sequence must be ≥ 0 (was " + sequence + ")");
      return Main.USAGE;
    }
    Path file = out != null ? out : Path.of(e.name() + "-trial.png");
    if (Files.exists(file)) {
      err.println("error: " + file + " exists; nothing is overwritten. Fix: choose another --out.");
      return Main.USAGE;
    }
    Task task = (Task) e.task().plugin().plugin();
    Curriculum curriculum = (Curriculum) e.curriculum().plugin().plugin();
    int[] levels = curriculum.start(e.curriculum().config()).levels();
    Batch batch =
        task.sample(
            e.task().config(),
            levels,
            sequence + 1,
            new RandomStreams(e.seed()).stream("train-data"));
    String levelName = LevelName.of(e); // checked by the loader
    try {
      write(batch, sequence, e.task().plugin().id(), levelName, file);
    } catch (IOException ex) {
      err.println("error: cannot write " + file + ": " + ex.getMessage());
      return Main.SOFTWARE;
    }
    spec.commandLine()
        .getOut()
        .println(
            "wrote "
                + file
                + " (task "
                + e.task().plugin().id()
                + ", "
                + LevelName.range(levelName, levels)
                + ", "
                + batch.steps()
                + " steps)");
    return Main.OK;
  }

  /**
   * Draws sequence {@code b} of a batch: inputs above, targets (scored steps marked) below, each
   * target labelled with the task's level name ({@code length=3}).
   */
  static void write(Batch batch, int b, String taskId, String levelName, Path file)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    int steps = batch.steps();
    int n = batch.batch();
    double[] time = new double[steps];
    for (int t = 0; t < steps; t++) {
      time[t] = t;
    }
    XYChart inputs = chart(taskId + ": inputs of one trial", "input");
    for (int i = 0; i < batch.inputSize(); i++) {
      double[] y = new double[steps];
      for (int t = 0; t < steps; t++) {
        y[t] = batch.input(t, b, i);
      }
      XYSeries series = inputs.addSeries("input " + i, time, y);
      series.setMarker(SeriesMarkers.NONE);
      series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
    }
    XYChart targets = chart("targets at the scored steps", "target");
    for (Target target : batch.targets()) {
      int components = target.kind() == LossKind.CLASSIFICATION ? 1 : target.width();
      for (int c = 0; c < components; c++) {
        double[] y = new double[steps];
        int scored = 0;
        for (int t = 0; t < steps; t++) {
          int entry = t * n + b;
          boolean isScored = target.mask()[entry] != 0;
          scored += isScored ? 1 : 0;
          // unscored steps are gaps: their target values mean nothing
          y[t] =
              !isScored
                  ? Double.NaN
                  : target.kind() == LossKind.CLASSIFICATION
                      ? target.values()[entry]
                      : target.values()[entry * target.width() + c];
        }
        String name = levelName + "=" + target.level() + (components > 1 ? " out " + c : "");
        XYSeries series = targets.addSeries(name, time, y);
        series.setMarker(scored <= 40 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
      }
    }
    annotatePeriods(batch.periods(), b, n, steps, inputs);
    annotatePeriods(batch.periods(), b, n, steps, targets);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    String name = file.toString();
    BitmapEncoder.saveBitmap(
        List.of(inputs, targets),
        2,
        1,
        name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
        BitmapEncoder.BitmapFormat.PNG);
  }

  private static XYChart chart(String title, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(300)
            .title(title)
            .xAxisTitle("time step")
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
    chart.getStyler().setMarkerSize(6);
    chart.getStyler().setYAxisDecimalPattern("0.###");
    return chart;
  }

  /** A line where each named period starts, with its name (alternately high and low). */
  private static void annotatePeriods(Periods periods, int b, int n, int steps, XYChart chart) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (XYSeries series : chart.getSeriesMap().values()) {
      for (double v : series.getYData()) {
        if (!Double.isNaN(v)) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    if (!(max >= min)) {
      return;
    }
    double range = Math.max(max - min, 1e-9);
    int previous = -2;
    int label = 0;
    for (int t = 0; t < steps; t++) {
      int index = periods.index()[t * n + b];
      if (index != previous && index >= 0) {
        chart.addAnnotation(new AnnotationLine(t - 0.5, true, false));
        double y = max - (label++ % 2) * 0.15 * range;
        chart.addAnnotation(new AnnotationText(periods.names().get(index), t + 0.3, y, false));
      }
      previous = index;
    }
  }
}
