package engram.analysis.dimensionality;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.common.Outputs;
import engram.analysis.common.Simulation;
import engram.api.Analyzer;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.table.ColumnSpec;
import engram.api.table.TableSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Dimensionality of the activity (spec §5 item 3): how many principal components the hidden
 * activity of the network spans while it runs on a long continuous stream of its task.
 *
 * <p>For every chosen checkpoint the network is simulated exactly as for {@code network-timescales}
 * ({@link Simulation}: {@code trials} streams of {@code warmup + steps} steps, the warm-up
 * discarded). The M = steps × trials states h ∈ ℝ^H are the samples (rows) and the H hidden units
 * the variables (columns); every unit is centred on its mean over all samples, and PCA is the
 * eigen-decomposition of the covariance C = XᵀX / (M − 1) (Commons Math {@link EigenDecomposition},
 * symmetric H × H). With the eigenvalues λ_1 ≥ … ≥ λ_H ≥ 0 (tiny negative round-off clamped to 0):
 *
 * <ul>
 *   <li>explained variance ratio of component i: λ_i / Σλ; cumulative: Σ_{j ≤ i} λ_j / Σλ;
 *   <li>{@code components}: the smallest number of components whose cumulative ratio reaches {@code
 *       threshold} (the spec's 90%; compared with a 1e-12 tolerance so that a threshold of 1 counts
 *       the non-zero components of exactly low-rank activity);
 *   <li>participation ratio PR = (Σλ)² / Σλ², a threshold-free dimension between 1 (one component
 *       carries all variance) and H (all equal).
 * </ul>
 *
 * When the activity is constant (Σλ = 0) nothing is explained: {@code components} is 0 and the
 * ratios are NaN.
 *
 * <p>Outputs, in the analyzer's output directory ({@code max_level} is N, the largest level the
 * checkpoint had been trained on, 0 if it lists none):
 *
 * <ul>
 *   <li>{@code dimensionality.csv}, one row per checkpoint, oldest first: {@code
 *       checkpoint,epoch,max_level,units,threshold,components,participation_ratio} — {@code units}
 *       = H, {@code threshold} the configured fraction, {@code components} as above;
 *   <li>{@code dimensionality-spectrum.csv}, one row per checkpoint and component (1 … H, largest
 *       variance first): {@code checkpoint,epoch,max_level,component,explained,cumulative};
 *   <li>{@code explained-variance.png}: cumulative explained variance against the number of
 *       components for the last {@value #CURVES} checkpoints, with the threshold;
 *   <li>{@code dimensionality-vs-N.png}: components to reach the threshold and the participation
 *       ratio against N.
 * </ul>
 *
 * <p>Needs a run behind the checkpoints whose task has a continuous stream (n-parity, n-dms). All
 * results are computed before anything is written. Cost per checkpoint: one forward pass, then
 * M·H²/2 multiply-adds for the covariance and an H × H eigen-decomposition.
 */
public final class DimensionalityAnalyzer implements Analyzer<DimensionalityAnalyzer.Config> {

  static final String ID = "dimensionality";

  /** {@code dimensionality.csv}: one row per checkpoint. */
  static final TableSpec TABLE =
      TableSpec.of(
          "dimensionality.csv",
          "one row per checkpoint, oldest first: PCA of the simulated hidden states",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          ColumnSpec.integer("units", "units", "H, the number of hidden units"),
          ColumnSpec.number("threshold", "fraction", "the explained-variance threshold"),
          ColumnSpec.integer(
              "components",
              "components",
              "the fewest components whose cumulative explained variance reaches the threshold; 0"
                  + " for constant activity"),
          ColumnSpec.number(
              "participation_ratio", "components", "(Σλ)²/Σλ²; NaN for constant" + " activity"));

  /** {@code dimensionality-spectrum.csv}: one row per checkpoint and component. */
  static final TableSpec SPECTRUM =
      TableSpec.of(
          "dimensionality-spectrum.csv",
          "one row per checkpoint and component, largest variance first",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          ColumnSpec.integer("component", "", "the component, 1 … H"),
          ColumnSpec.number("explained", "fraction", "its explained variance ratio λ_i/Σλ"),
          ColumnSpec.number("cumulative", "fraction", "Σ_{j ≤ i} λ_j/Σλ"));

  static final String EXPLAINED_PNG = "explained-variance.png";
  static final String VS_N_PNG = "dimensionality-vs-N.png";

  /** Most checkpoints drawn in {@code explained-variance.png} (the newest ones). */
  static final int CURVES = 8;

  /** Tolerance of the comparison cumulative ratio ≥ threshold (round-off of the eigenvalues). */
  static final double THRESHOLD_TOLERANCE = 1e-12;

  /** Configuration; YAML keys are the kebab-case component names. */
  public record Config(
      @Doc("which checkpoints to simulate: all (oldest first) or last")
          CheckpointSelection checkpoints,
      @Doc("independent streams simulated per checkpoint, ≥ 1; the paper used 10") int trials,
      @Doc(
              "analysed steps per trial after the warm-up (time steps), ≥ 2; the default keeps a "
                  + "checkpoint to seconds, paper scale: steps: 101000")
          int steps,
      @Doc(
              "steps simulated and discarded before the analysed ones (time steps), ≥ 0; the paper "
                  + "discarded 500")
          int warmup,
      @Doc(
              "fraction of the variance the counted components must explain, in (0, 1]; the spec "
                  + "uses 0.9")
          double threshold) {
    public Config {
      Check.notNull("checkpoints", checkpoints);
      Check.atLeast("trials", trials, 1);
      Check.atLeast("steps", steps, 2);
      Check.atLeast("warmup", warmup, 0);
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException(
            "threshold must be a fraction in (0, 1], e.g. 0.9 (was " + threshold + ")");
      }
      if ((long) trials * (warmup + steps) > Integer.MAX_VALUE / 4) {
        throw new IllegalArgumentException(
            "steps: trials × (warmup + steps) = "
                + (long) trials * (warmup + steps)
                + " steps is too long to simulate at once; "
                + "use fewer trials or steps");
      }
    }
  }

  /**
   * PCA of one checkpoint's activity.
   *
   * @param explained λ_i / Σλ, largest first, {@code [H]}
   * @param cumulative running sums of {@code explained}
   * @param components components to reach the threshold (0 for constant activity)
   * @param participationRatio (Σλ)² / Σλ²
   */
  record Spectrum(
      double[] explained, double[] cumulative, int components, double participationRatio) {}

  record CheckpointResult(Checkpoint checkpoint, int maxLevel, Spectrum spectrum) {}

  public DimensionalityAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Dimensionality of the activity (PCA) per checkpoint",
        "Simulates each checkpoint's network on a long continuous task stream (trials × steps after"
            + " a warm-up, as network-timescales), runs PCA on the hidden states (samples = steps ×"
            + " trials, variables = units, mean-centred covariance) and reports the number of "
            + "components reaching the threshold of explained variance (spec: 90%) and the "
            + "participation ratio (Σλ)²/Σλ². Writes dimensionality.csv, "
            + "dimensionality-spectrum.csv, explained-variance.png and dimensionality-vs-N.png. "
            + "Needs a run and a task with a stream.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(CheckpointSelection.ALL, 10, 5000, 500, 0.9);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(TABLE, SPECTRUM);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    List<Checkpoint> chosen = config.checkpoints().select(context.checkpoints(), ID);
    Run run = Simulation.run(context, ID);
    List<CheckpointResult> results = new ArrayList<>();
    for (Checkpoint checkpoint : chosen) {
      Simulation.Activity hidden =
          Simulation.simulate(
                  run, checkpoint, ID, config.warmup(), config.steps(), config.trials(), Set.of())
              .hidden();
      results.add(
          new CheckpointResult(
              checkpoint,
              Outputs.maxLevel(checkpoint.levels()),
              spectrum(covariance(hidden), config.threshold())));
    }
    Path out = context.outputDirectory();
    writeTables(out, config, results);
    drawExplained(out.resolve(EXPLAINED_PNG), config, results);
    drawVsN(out.resolve(VS_N_PNG), config, results);
  }

  /**
   * Sample covariance of the units, {@code [H][H]}: every state of every trial is a sample, each
   * unit centred on its mean over all of them, divided by M − 1 (M = steps × trials ≥ 2).
   */
  static double[][] covariance(Simulation.Activity activity) {
    int h = activity.units();
    int samples = activity.steps() * activity.trials();
    float[] values = activity.values();
    double[] mean = activity.unitMeans();
    double[][] c = new double[h][h];
    double[] x = new double[h];
    for (int row = 0; row < samples; row++) {
      int base = row * h;
      for (int i = 0; i < h; i++) {
        x[i] = values[base + i] - mean[i];
      }
      for (int i = 0; i < h; i++) {
        double xi = x[i];
        if (xi == 0) {
          continue;
        }
        double[] ci = c[i];
        for (int j = i; j < h; j++) {
          ci[j] += xi * x[j];
        }
      }
    }
    for (int i = 0; i < h; i++) {
      for (int j = i; j < h; j++) {
        c[i][j] /= samples - 1;
        c[j][i] = c[i][j];
      }
    }
    return c;
  }

  /** PCA spectrum of a covariance matrix, with the components to reach {@code threshold}. */
  static Spectrum spectrum(double[][] covariance, double threshold) {
    int h = covariance.length;
    double[] eigenvalues =
        new EigenDecomposition(new Array2DRowRealMatrix(covariance, false)).getRealEigenvalues();
    double[] lambda = new double[h];
    for (int i = 0; i < h; i++) {
      lambda[i] = Math.max(eigenvalues[i], 0.0); // round-off can make a zero slightly negative
    }
    Arrays.sort(lambda);
    for (int i = 0; i < h / 2; i++) { // largest first
      double t = lambda[i];
      lambda[i] = lambda[h - 1 - i];
      lambda[h - 1 - i] = t;
    }
    double total = 0;
    double squares = 0;
    for (double l : lambda) {
      total += l;
      squares += l * l;
    }
    double[] explained = new double[h];
    double[] cumulative = new double[h];
    if (!(total > 0)) {
      Arrays.fill(explained, Double.NaN);
      Arrays.fill(cumulative, Double.NaN);
      return new Spectrum(explained, cumulative, 0, Double.NaN);
    }
    double running = 0;
    int components = 0;
    for (int i = 0; i < h; i++) {
      explained[i] = lambda[i] / total;
      running += lambda[i];
      cumulative[i] = running / total;
      if (components == 0 && cumulative[i] >= threshold - THRESHOLD_TOLERANCE) {
        components = i + 1;
      }
    }
    return new Spectrum(explained, cumulative, components, total * total / squares);
  }

  private static void writeTables(Path out, Config config, List<CheckpointResult> results)
      throws IOException {
    List<List<Object>> summary = new ArrayList<>();
    List<List<Object>> spectrum = new ArrayList<>();
    for (CheckpointResult r : results) {
      Checkpoint cp = r.checkpoint();
      Spectrum s = r.spectrum();
      summary.add(
          List.of(
              cp.name(),
              cp.epoch(),
              r.maxLevel(),
              s.explained().length,
              config.threshold(),
              s.components(),
              s.participationRatio()));
      for (int i = 0; i < s.explained().length; i++) {
        spectrum.add(
            List.of(
                cp.name(), cp.epoch(), r.maxLevel(), i + 1, s.explained()[i], s.cumulative()[i]));
      }
    }
    Outputs.writeCsv(out, TABLE, summary);
    Outputs.writeCsv(out, SPECTRUM, spectrum);
  }

  private static void drawExplained(Path file, Config config, List<CheckpointResult> results)
      throws IOException {
    XYChart chart =
        Outputs.chart(
            "Cumulative explained variance",
            "principal components (count)",
            "cumulative explained variance (fraction)",
            500);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(1.0);
    int maxUnits = 1;
    for (CheckpointResult r :
        results.subList(Math.max(0, results.size() - CURVES), results.size())) {
      double[] cumulative = r.spectrum().cumulative();
      double[] count = new double[cumulative.length];
      for (int i = 0; i < count.length; i++) {
        count[i] = i + 1;
      }
      double[][] points = Outputs.finitePoints(count, cumulative);
      if (points[0].length > 0) {
        chart
            .addSeries(r.checkpoint().name() + " (N = " + r.maxLevel() + ")", points[0], points[1])
            .setMarker(SeriesMarkers.NONE);
        maxUnits = Math.max(maxUnits, cumulative.length);
      }
    }
    chart
        .addSeries(
            String.format(Locale.ROOT, "threshold %.2f", config.threshold()),
            new double[] {1, maxUnits},
            new double[] {config.threshold(), config.threshold()})
        .setMarker(SeriesMarkers.NONE);
    Outputs.save(file, List.of(chart));
  }

  private static void drawVsN(Path file, Config config, List<CheckpointResult> results)
      throws IOException {
    double[] n = new double[results.size()];
    double[] components = new double[results.size()];
    double[] ratio = new double[results.size()];
    for (int i = 0; i < results.size(); i++) {
      n[i] = results.get(i).maxLevel();
      Spectrum s = results.get(i).spectrum();
      components[i] = s.components() == 0 ? Double.NaN : s.components();
      ratio[i] = s.participationRatio();
    }
    String percent = String.format(Locale.ROOT, "%.0f%%", 100 * config.threshold());
    XYChart componentsChart =
        Outputs.chartAgainstN(
            "Components to explain " + percent + " of the variance against N",
            "principal components (count)",
            400);
    double[][] c = Outputs.finitePoints(n, components);
    if (c[0].length > 0) {
      componentsChart
          .addSeries("components for " + percent, c[0], c[1])
          .setMarker(SeriesMarkers.CIRCLE);
    }
    XYChart ratioChart =
        Outputs.chartAgainstN(
            "Participation ratio against N", "participation ratio (Σλ)²/Σλ² (dimensions)", 400);
    double[][] r = Outputs.finitePoints(n, ratio);
    if (r[0].length > 0) {
      ratioChart.addSeries("participation ratio", r[0], r[1]).setMarker(SeriesMarkers.CIRCLE);
    }
    Outputs.save(file, List.of(componentsChart, ratioChart));
  }
}
