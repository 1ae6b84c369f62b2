package engram.analysis.timescales;

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
import java.util.Set;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Network timescales τ_net (spec §5 item 2): how long each neuron's spontaneous activity stays
 * correlated with itself while the network runs on a long continuous stream of its task.
 *
 * <p>For every chosen checkpoint the network is simulated as in {@link Simulation}: {@code trials}
 * independent streams of {@code warmup + steps} steps, the first {@code warmup} discarded (the
 * paper: 10 trials × 101,000 steps, 500 discarded; the default here is 10 × 5,000 after 500). Then
 * per hidden unit:
 *
 * <ol>
 *   <li>the normalised autocorrelation over lags 0 … {@code max-lag} (steps), per trial mean
 *       subtracted, by FFT, lag k divided by n − 1 − k, averaged over trials and divided by lag 0
 *       ({@link Autocorrelation});
 *   <li>single and double exponential fits, one selected by {@code selection} ({@link
 *       TimescaleFit}): {@code aic-strict} (default) takes DOUBLE only when it is clearly better
 *       and made of two real components, {@code aic} is the spec's raw AIC rule, which on a pure
 *       AR(1) picks DOUBLE on about a third of the seeds and then reports a τ_net anywhere in 5…100
 *       (see {@link TimescaleFit});
 *   <li>τ_net = the single τ or the slower double τ, in steps, bounded to [0, 100] by the fit.
 * </ol>
 *
 * A unit whose activity is constant in every trial (a dead or saturated unit) has no
 * autocorrelation: its row has {@code model = none} and NaN fit values. Summaries keep the units
 * with τ_net &gt; {@code min-tau-net} (the spec's τ_net &gt; 1). The population activity (the sum
 * of all units at every step) is analysed the same way. For an {@code lstm} the single-unit
 * timescale of the forget gate, τ_forget = 1/(1 − ⟨f⟩) with ⟨f⟩ the mean of the forget gate over
 * analysed steps and trials (spec §2), is recorded too. When the checkpoint has a {@code taus}
 * tensor (leaky RNN, or GRU/LSTM with {@code tau-leak}), each unit's trained τ̃ = max(τ, 1) is
 * recorded next to its τ_net.
 *
 * <p>Outputs, in the analyzer's output directory ({@code max_level} is N, the largest level the
 * checkpoint had been trained on, 0 if it lists none; all τ in time steps):
 *
 * <ul>
 *   <li>{@code network-timescales.csv}, one row per checkpoint, oldest first: {@code
 *       checkpoint,epoch,max_level,neurons,kept,tau_net_mean,tau_net_std,tau_net_median,
 *       population_tau_net,population_model} — {@code neurons} = H, {@code kept} = units with τ_net
 *       &gt; min-tau-net, mean / std (population, ddof 0) / median of τ_net over the kept units
 *       (NaN when none is kept), the population's τ_net and selected model ({@code single}, {@code
 *       double}, or {@code none} when the population activity is constant);
 *   <li>{@code network-timescales-neurons.csv}, one row per checkpoint and unit: {@code
 *       checkpoint,epoch,max_level,unit,tau,tau_net,model,tau_single,tau_fast,tau_slow,
 *       weight_slow,aic_single,aic_double} — {@code tau} the trained τ̃ (NaN without {@code taus}),
 *       {@code model} = {@code single}|{@code double} ({@code none} for a constant unit), {@code
 *       tau_single} the single fit's τ and {@code tau_fast}, {@code tau_slow}, {@code weight_slow}
 *       (= 1 − c) the double fit's, reported whichever model is selected, with both AICs;
 *   <li>{@code network-timescales-forget.csv}, only for an {@code lstm}: {@code
 *       checkpoint,epoch,max_level,unit,forget_mean,tau_forget,tau_net};
 *   <li>{@code tau-net-vs-N.png}: mean ± std of the kept units' τ_net and the population τ_net
 *       against N;
 *   <li>{@code tau-net-histogram.png}: τ_net of the kept units at the last checkpoint;
 *   <li>{@code autocorrelation.png}: the population autocorrelation at the last checkpoint against
 *       lag (steps) with the selected fit;
 *   <li>{@code tau-net-vs-tau.png}, only when the last checkpoint has {@code taus}: τ_net against
 *       trained τ̃ per unit, with the diagonal τ_net = τ̃.
 * </ul>
 *
 * <p>Needs a run behind the checkpoints ({@link Analyzer.Context#run()}) whose task has a
 * continuous stream (n-parity, n-dms). Everything is computed before anything is written, so a
 * failure leaves no partial output. Cost per checkpoint: one forward pass of {@code trials ×
 * (warmup + steps)} steps, then O(steps·log steps) per unit and trial for the autocorrelation and
 * about a millisecond per fit (H = 128, 10 × 5,000 steps: under a second besides the forward pass).
 */
public final class NetworkTimescalesAnalyzer implements Analyzer<NetworkTimescalesAnalyzer.Config> {

  static final String ID = "network-timescales";

  /** Column {@code unit}: a hidden unit's index. */
  private static final ColumnSpec UNIT = ColumnSpec.integer("unit", "", "the hidden unit, 0 … H−1");

  /** {@code network-timescales.csv}: one row per checkpoint. */
  static final TableSpec TABLE =
      TableSpec.of(
          "network-timescales.csv",
          "one row per checkpoint, oldest first: τ_net of the units and of the population",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          ColumnSpec.integer("neurons", "units", "H, the number of hidden units"),
          ColumnSpec.integer("kept", "units", "units with τ_net > min-tau-net"),
          ColumnSpec.number(
              "tau_net_mean",
              "time steps",
              "mean τ_net over the kept units; NaN when none is kept"),
          ColumnSpec.number(
              "tau_net_std", "time steps", "std (ddof 0) of τ_net over the kept units"),
          ColumnSpec.number("tau_net_median", "time steps", "median τ_net of the kept units"),
          ColumnSpec.number(
              "population_tau_net",
              "time steps",
              "τ_net of the population activity (the sum of all units)"),
          ColumnSpec.text(
              "population_model",
              "the fit selected for the population: single, double, or none (constant activity)"));

  /** {@code network-timescales-neurons.csv}: one row per checkpoint and unit. */
  static final TableSpec NEURONS =
      TableSpec.of(
          "network-timescales-neurons.csv",
          "one row per checkpoint and unit: the fits of the unit's autocorrelation",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          UNIT,
          ColumnSpec.number("tau", "time steps", "trained τ̃ = max(τ, 1); NaN without taus"),
          ColumnSpec.number("tau_net", "time steps", "the selected fit's timescale"),
          ColumnSpec.text("model", "single, double, or none for a constant unit"),
          ColumnSpec.number("tau_single", "time steps", "τ of the single exponential fit"),
          ColumnSpec.number("tau_fast", "time steps", "faster τ of the double exponential fit"),
          ColumnSpec.number("tau_slow", "time steps", "slower τ of the double exponential fit"),
          ColumnSpec.number("weight_slow", "", "weight of the slower exponential (1 − c)"),
          ColumnSpec.number("aic_single", "", "AIC of the single fit"),
          ColumnSpec.number("aic_double", "", "AIC of the double fit"));

  /** {@code network-timescales-forget.csv}: an lstm's forget-gate timescales. */
  static final TableSpec FORGET =
      TableSpec.of(
          "network-timescales-forget.csv",
          "only for an lstm: one row per checkpoint and unit, the forget gate's timescale",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          UNIT,
          ColumnSpec.number("forget_mean", "fraction", "⟨f⟩, the mean of the forget gate"),
          ColumnSpec.number("tau_forget", "time steps", "1/(1 − ⟨f⟩)"),
          ColumnSpec.number("tau_net", "time steps", "the unit's τ_net"));

  static final String VS_N_PNG = "tau-net-vs-N.png";
  static final String HISTOGRAM_PNG = "tau-net-histogram.png";
  static final String AUTOCORRELATION_PNG = "autocorrelation.png";
  static final String VS_TAU_PNG = "tau-net-vs-tau.png";

  /** Configuration; YAML keys are the kebab-case component names. */
  public record Config(
      @Doc("which checkpoints to simulate: all (oldest first) or last")
          CheckpointSelection checkpoints,
      @Doc("independent streams simulated per checkpoint, ≥ 1; the paper used 10") int trials,
      @Doc(
              "analysed steps per trial after the warm-up (time steps), ≥ max-lag + 2; the default "
                  + "keeps a checkpoint to seconds, paper scale: steps: 101000")
          int steps,
      @Doc(
              "steps simulated and discarded before the analysed ones (time steps), ≥ 0; the paper "
                  + "discarded 500")
          int warmup,
      @Doc(
              "last lag of the autocorrelation that is fitted (time steps), ≥ 4; the spec fits lags"
                  + " 0..30")
          int maxLag,
      @Doc(
              "model selection: aic-strict (double exponential only when ΔAIC > 10, both weights ≥"
                  + " 0.1, τ_slow ≥ 2·τ_fast and τ_slow < 99: a robust τ_net) or aic (the paper's"
                  + " raw rule, double whenever its AIC is smaller; unstable on one-timescale"
                  + " units)")
          TimescaleFit.Selection selection,
      @Doc(
              "summaries keep units with τ_net above this (time steps), ≥ 0; the spec keeps "
                  + "τ_net > 1")
          double minTauNet,
      @Doc("number of equal-width bins of the τ_net histogram at the last checkpoint, ≥ 1")
          int bins) {
    public Config {
      Check.notNull("checkpoints", checkpoints);
      Check.atLeast("trials", trials, 1);
      Check.atLeast("warmup", warmup, 0);
      Check.atLeast("max-lag", maxLag, 4);
      Check.atLeast("steps", steps, maxLag + 2);
      Check.notNull("selection", selection);
      Check.nonNegative("min-tau-net", minTauNet);
      Check.atLeast("bins", bins, 1);
      if ((long) trials * (warmup + steps) > Integer.MAX_VALUE / 4) {
        throw new IllegalArgumentException(
            "steps: trials × (warmup + steps) = "
                + (long) trials * (warmup + steps)
                + " steps is too long to simulate at once; "
                + "use fewer trials or steps");
      }
    }
  }

  /** One unit's fit at one checkpoint ({@code fit} null for a constant unit). */
  record Neuron(int unit, double trainedTau, TimescaleFit.Result fit) {
    double tauNet() {
      return fit == null ? Double.NaN : fit.tau();
    }
  }

  /**
   * τ_net over the kept units (finite, above min-tau-net): count, mean, std (ddof 0), median; NaN
   * statistics when none is kept.
   */
  record Summary(int kept, double mean, double std, double median) {
    static Summary of(List<Neuron> neurons, double minTauNet) {
      double[] kept = NetworkTimescalesAnalyzer.kept(neurons, minTauNet);
      if (kept.length == 0) {
        return new Summary(0, Double.NaN, Double.NaN, Double.NaN);
      }
      double mean = Arrays.stream(kept).average().orElseThrow();
      double squares = 0;
      for (double t : kept) {
        squares += (t - mean) * (t - mean);
      }
      Arrays.sort(kept);
      int n = kept.length;
      double median = n % 2 == 1 ? kept[n / 2] : (kept[n / 2 - 1] + kept[n / 2]) / 2;
      return new Summary(n, mean, Math.sqrt(squares / n), median);
    }
  }

  /** Everything computed for one checkpoint ({@code population*} null when it is constant). */
  record CheckpointResult(
      Checkpoint checkpoint,
      int maxLevel,
      List<Neuron> neurons,
      Summary summary,
      double[] populationAcf,
      TimescaleFit.Result population,
      double[] forgetMean,
      boolean hasTaus) {}

  public NetworkTimescalesAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Network timescales τ_net from the autocorrelation of activity",
        "Simulates each checkpoint's network on a long continuous task stream (trials × steps after"
            + " a warm-up; the paper used 10 × 101,000 after 500), takes every unit's"
            + " trial-averaged autocorrelation (FFT) and fits a·e^(−k/τ) and a·[c·e^(−k/τ1) +"
            + " (1−c)·e^(−k/τ2)] on lags 0..max-lag; τ_net is the single τ or the slower τ2"
            + " (selection aic-strict or the paper's aic). Also the population (sum of units), an"
            + " LSTM's forget-gate τ and the trained τ̃ when present. Writes"
            + " network-timescales.csv, network-timescales-neurons.csv, tau-net-vs-N.png,"
            + " tau-net-histogram.png, autocorrelation.png and tau-net-vs-tau.png. Needs a run and"
            + " a task with a stream.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(
        CheckpointSelection.ALL, 10, 5000, 500, 30, TimescaleFit.Selection.AIC_STRICT, 1.0, 30);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(TABLE, NEURONS, FORGET);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    List<Checkpoint> chosen = config.checkpoints().select(context.checkpoints(), ID);
    Run run = Simulation.run(context, ID);
    boolean lstm = "lstm".equals(run.modelId());
    List<CheckpointResult> results = new ArrayList<>();
    for (Checkpoint checkpoint : chosen) {
      results.add(analyse(config, run, checkpoint, lstm));
    }
    Path out = context.outputDirectory();
    writeTables(out, config, results, lstm);
    CheckpointResult last = results.get(results.size() - 1);
    drawVsN(out.resolve(VS_N_PNG), config, results);
    drawHistogram(out.resolve(HISTOGRAM_PNG), config, last);
    drawAutocorrelation(out.resolve(AUTOCORRELATION_PNG), last);
    if (last.hasTaus()) {
      drawVsTau(out.resolve(VS_TAU_PNG), last);
    }
  }

  static CheckpointResult analyse(Config config, Run run, Checkpoint checkpoint, boolean lstm) {
    Simulation.Result sim =
        Simulation.simulate(
            run,
            checkpoint,
            ID,
            config.warmup(),
            config.steps(),
            config.trials(),
            lstm ? Set.of("f") : Set.of());
    Simulation.Activity hidden = sim.hidden();
    int units = hidden.units();
    double[] trained = trainedTaus(checkpoint, units);
    List<Neuron> neurons = new ArrayList<>(units);
    for (int h = 0; h < units; h++) {
      double[][] trials = hidden.unit(h);
      TimescaleFit.Result fit =
          constant(trials)
              ? null
              : TimescaleFit.fit(
                  Autocorrelation.of(trials, config.maxLag()), config.maxLag(), config.selection());
      neurons.add(new Neuron(h, trained == null ? Double.NaN : trained[h], fit));
    }
    double[][] population = hidden.population();
    double[] populationAcf = null;
    TimescaleFit.Result populationFit = null;
    if (!constant(population)) {
      populationAcf = Autocorrelation.of(population, config.maxLag());
      populationFit = TimescaleFit.fit(populationAcf, config.maxLag(), config.selection());
    }
    double[] forgetMean = lstm ? sim.extras().get("f").unitMeans() : null;
    if (forgetMean != null && forgetMean.length != units) {
      throw new IllegalStateException(
          ID
              + ": the forget gate 'f' of checkpoint '"
              + checkpoint.name()
              + "' has "
              + forgetMean.length
              + " units, the hidden state "
              + units);
    }
    return new CheckpointResult(
        checkpoint,
        Outputs.maxLevel(checkpoint.levels()),
        neurons,
        Summary.of(neurons, config.minTauNet()),
        populationAcf,
        populationFit,
        forgetMean,
        trained != null);
  }

  /** τ̃ = max(τ, 1) per unit from the checkpoint's {@code taus}, or null when it has none. */
  private static double[] trainedTaus(Checkpoint checkpoint, int units) {
    INDArray taus = checkpoint.tensors().get("taus");
    if (taus == null) {
      return null;
    }
    double[] raw = taus.ravel().toDoubleVector();
    if (raw.length != units) {
      throw new IllegalStateException(
          ID
              + ": checkpoint '"
              + checkpoint.name()
              + "' has "
              + raw.length
              + " taus but its network has "
              + units
              + " hidden units");
    }
    for (int i = 0; i < raw.length; i++) {
      raw[i] = Math.max(raw[i], 1.0);
    }
    return raw;
  }

  /** True when every trial is constant (no variance: the autocorrelation is undefined). */
  static boolean constant(double[][] trials) {
    for (double[] trial : trials) {
      for (double v : trial) {
        if (v != trial[0]) {
          return false;
        }
      }
    }
    return true;
  }

  /** τ_net of the units kept by the summaries (finite and above min-tau-net). */
  static double[] kept(List<Neuron> neurons, double minTauNet) {
    return neurons.stream()
        .mapToDouble(Neuron::tauNet)
        .filter(t -> Double.isFinite(t) && t > minTauNet)
        .toArray();
  }

  private static String modelName(TimescaleFit.Result fit) {
    return fit == null ? "none" : fit.model().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static void writeTables(
      Path out, Config config, List<CheckpointResult> results, boolean lstm) throws IOException {
    List<List<Object>> summary = new ArrayList<>();
    List<List<Object>> neurons = new ArrayList<>();
    List<List<Object>> forget = new ArrayList<>();
    for (CheckpointResult r : results) {
      Checkpoint cp = r.checkpoint();
      Summary s = r.summary();
      summary.add(
          List.of(
              cp.name(),
              cp.epoch(),
              r.maxLevel(),
              r.neurons().size(),
              s.kept(),
              s.mean(),
              s.std(),
              s.median(),
              r.population() == null ? Double.NaN : r.population().tau(),
              modelName(r.population())));
      for (Neuron n : r.neurons()) {
        TimescaleFit.Result f = n.fit();
        neurons.add(
            f == null
                ? List.of(
                    cp.name(),
                    cp.epoch(),
                    r.maxLevel(),
                    n.unit(),
                    n.trainedTau(),
                    Double.NaN,
                    "none",
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN)
                : List.of(
                    cp.name(),
                    cp.epoch(),
                    r.maxLevel(),
                    n.unit(),
                    n.trainedTau(),
                    f.tau(),
                    modelName(f),
                    f.tauSingle(),
                    f.tau1(),
                    f.tau2(),
                    f.weightSlow(),
                    f.aicSingle(),
                    f.aicDouble()));
        if (lstm) {
          double f0 = r.forgetMean()[n.unit()];
          forget.add(
              List.of(cp.name(), cp.epoch(), r.maxLevel(), n.unit(), f0, 1 / (1 - f0), n.tauNet()));
        }
      }
    }
    Outputs.writeCsv(out, TABLE, summary);
    Outputs.writeCsv(out, NEURONS, neurons);
    if (lstm) {
      Outputs.writeCsv(out, FORGET, forget);
    }
  }

  private static void drawVsN(Path file, Config config, List<CheckpointResult> results)
      throws IOException {
    List<double[]> meanPoints = new ArrayList<>(); // {N, mean, std}
    double[] n = new double[results.size()];
    double[] population = new double[results.size()];
    for (int i = 0; i < results.size(); i++) {
      CheckpointResult r = results.get(i);
      n[i] = r.maxLevel();
      population[i] = r.population() == null ? Double.NaN : r.population().tau();
      if (r.summary().kept() > 0) {
        meanPoints.add(new double[] {r.maxLevel(), r.summary().mean(), r.summary().std()});
      }
    }
    XYChart chart = Outputs.chartAgainstN("Network timescale against N", "τ_net (time steps)", 500);
    if (!meanPoints.isEmpty()) {
      XYSeries series =
          chart.addSeries(
              "mean τ_net ± std (units with τ_net > " + config.minTauNet() + ")",
              meanPoints.stream().mapToDouble(p -> p[0]).toArray(),
              meanPoints.stream().mapToDouble(p -> p[1]).toArray(),
              meanPoints.stream().mapToDouble(p -> p[2]).toArray());
      series.setMarker(SeriesMarkers.CIRCLE);
    }
    double[][] pop = Outputs.finitePoints(n, population);
    if (pop[0].length > 0) {
      chart.addSeries("population τ_net", pop[0], pop[1]).setMarker(SeriesMarkers.SQUARE);
    }
    if (meanPoints.isEmpty() && pop[0].length == 0) { // nothing to draw: say so on the figure
      chart.setTitle(
          "Network timescale against N: no unit with τ_net > "
              + config.minTauNet()
              + " and a constant population activity");
    }
    Outputs.save(file, List.of(chart));
  }

  private static void drawHistogram(Path file, Config config, CheckpointResult last)
      throws IOException {
    Outputs.histogram(
        file,
        kept(last.neurons(), config.minTauNet()),
        config.bins(),
        "τ_net of units with τ_net > "
            + config.minTauNet()
            + " at "
            + last.checkpoint().name()
            + " (N = "
            + last.maxLevel()
            + ")",
        "τ_net (time steps)",
        "units",
        "0.#");
  }

  private static void drawAutocorrelation(Path file, CheckpointResult last) throws IOException {
    XYChart chart =
        Outputs.chart(
            "Population autocorrelation at "
                + last.checkpoint().name()
                + " (N = "
                + last.maxLevel()
                + ")",
            "lag (time steps)",
            "autocorrelation (lag 0 = 1)",
            500);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    double[] acf = last.populationAcf();
    if (acf == null) {
      chart.setTitle(chart.getTitle() + ": the population activity is constant");
    } else {
      TimescaleFit.Result fit = last.population();
      double[] lags = new double[acf.length];
      double[] curve = new double[acf.length];
      for (int k = 0; k < acf.length; k++) {
        lags[k] = k;
        curve[k] = fit.curve(k);
      }
      XYSeries data = chart.addSeries("population autocorrelation", lags, acf);
      data.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      data.setMarker(SeriesMarkers.CIRCLE);
      String label =
          fit.model() == TimescaleFit.Model.SINGLE
              ? String.format(java.util.Locale.ROOT, "single fit, τ = %.2f", fit.tau())
              : String.format(
                  java.util.Locale.ROOT,
                  "double fit, τ_fast = %.2f, τ_slow = %.2f," + " slow weight %.2f",
                  fit.tau1(),
                  fit.tau2(),
                  fit.weightSlow());
      chart.addSeries(label, lags, curve).setMarker(SeriesMarkers.NONE);
    }
    Outputs.save(file, List.of(chart));
  }

  private static void drawVsTau(Path file, CheckpointResult last) throws IOException {
    double[] trained = last.neurons().stream().mapToDouble(Neuron::trainedTau).toArray();
    double[] net = last.neurons().stream().mapToDouble(Neuron::tauNet).toArray();
    double[][] points = Outputs.finitePoints(trained, net);
    XYChart chart =
        Outputs.chart(
            "τ_net against trained τ̃ at "
                + last.checkpoint().name()
                + " (N = "
                + last.maxLevel()
                + ")",
            "trained τ̃ = max(τ, 1) (time steps)",
            "τ_net (time steps)",
            600);
    double hi = 1;
    for (int i = 0; i < points[0].length; i++) {
      hi = Math.max(hi, Math.max(points[0][i], points[1][i]));
    }
    chart
        .addSeries("τ_net = τ̃", new double[] {0, hi}, new double[] {0, hi})
        .setMarker(SeriesMarkers.NONE);
    if (points[0].length > 0) {
      XYSeries units = chart.addSeries("units", points[0], points[1]);
      units.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      units.setMarker(SeriesMarkers.CIRCLE);
    }
    Outputs.save(file, List.of(chart));
  }
}
