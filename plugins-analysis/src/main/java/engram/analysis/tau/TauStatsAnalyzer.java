package engram.analysis.tau;

import engram.analysis.common.Outputs;
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
import java.util.TreeSet;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trained τ (spec §5 item 1): statistics over neurons of the effective leak time constant at every
 * checkpoint.
 *
 * <p>For each checkpoint with a {@code taus} tensor (shape {@code [H]}, in time steps), the
 * effective time constant is τ̃ᵢ = max(τᵢ, 1) — the leaky update h ← (1 − 1/τ̃)·h + (1/τ̃)·f(·)
 * never uses a τ below one step. Over the H neurons it reports
 *
 * <ul>
 *   <li>{@code mean} = (1/H)·Σ τ̃ᵢ, {@code std} = √((1/H)·Σ (τ̃ᵢ − mean)²) (population, ddof 0),
 *   <li>{@code min}, {@code median} (mean of the two middle values when H is even), {@code max} of
 *       τ̃, all in time steps,
 *   <li>{@code fraction_clamped} = #{i : τᵢ &lt; 1} / H, the fraction of raw τ below 1 (no unit).
 * </ul>
 *
 * <p>Outputs, in the analyzer's output directory:
 *
 * <ul>
 *   <li>{@code tau-stats.csv}: one row per checkpoint that has {@code taus}, oldest first, header
 *       {@code checkpoint,epoch,max_level,mean,std,min,median,max,fraction_clamped}; {@code
 *       max_level} is N, the largest level the checkpoint had been trained on (0 if it lists no
 *       level);
 *   <li>{@code tau-vs-N.png}: mean τ̃ ± std against N;
 *   <li>{@code tau-histogram.png}: histogram of τ̃ over neurons at the last such checkpoint, with
 *       {@code bins} equal-width bins between its min and max.
 * </ul>
 *
 * <p>Needs checkpoints with a {@code taus} tensor: a {@code leaky-rnn}, or a GRU/LSTM trained with
 * {@code tau-leak: true}. Checkpoints without one are skipped; if none has it the analyzer throws
 * {@link IllegalStateException} naming the tensors the checkpoints do have, and writes nothing.
 */
public final class TauStatsAnalyzer implements Analyzer<TauStatsAnalyzer.Config> {

  /** {@code tau-stats.csv}: one row per checkpoint with a {@code taus} tensor. */
  static final TableSpec TABLE =
      TableSpec.of(
          "tau-stats.csv",
          "one row per checkpoint that has a 'taus' tensor, oldest first: statistics over neurons"
              + " of τ̃ = max(τ, 1)",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          ColumnSpec.number("mean", "time steps", "mean of τ̃ over neurons"),
          ColumnSpec.number("std", "time steps", "standard deviation of τ̃ over neurons (ddof 0)"),
          ColumnSpec.number("min", "time steps", "smallest τ̃"),
          ColumnSpec.number("median", "time steps", "median τ̃"),
          ColumnSpec.number("max", "time steps", "largest τ̃"),
          ColumnSpec.number(
              "fraction_clamped", "fraction", "fraction of neurons whose raw τ is below 1"));

  static final String VS_N_PNG = "tau-vs-N.png";
  static final String HISTOGRAM_PNG = "tau-histogram.png";

  /**
   * @param bins number of equal-width bins of the τ histogram
   */
  public record Config(
      @Doc("number of equal-width bins of the τ histogram at the last checkpoint, ≥ 1") int bins) {
    public Config {
      Check.atLeast("bins", bins, 1);
    }
  }

  /** Statistics of τ̃ = max(τ, 1) over the neurons of one checkpoint (all in time steps). */
  record Row(
      String checkpoint,
      int epoch,
      int maxLevel,
      double mean,
      double std,
      double min,
      double median,
      double max,
      double fractionClamped) {}

  public TauStatsAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        "tau-stats",
        "Trained τ statistics per checkpoint",
        "For every checkpoint with a 'taus' tensor: mean, std, min, median and max over neurons of"
            + " τ̃ = max(τ, 1) (time steps) and the fraction of raw τ below 1; writes"
            + " tau-stats.csv, tau-vs-N.png (mean ± std against the largest level N) and"
            + " tau-histogram.png (last checkpoint). Needs a leaky-rnn, or a gru/lstm with"
            + " tau-leak: true.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(30);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(TABLE);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    List<Row> rows = new ArrayList<>();
    double[] lastClamped = null;
    for (Checkpoint checkpoint : context.checkpoints()) {
      INDArray taus = checkpoint.tensors().get("taus");
      if (taus == null) {
        continue;
      }
      double[] raw = taus.ravel().toDoubleVector();
      double[] clamped = clamp(raw);
      rows.add(stats(checkpoint, raw, clamped));
      lastClamped = clamped;
    }
    if (rows.isEmpty()) {
      Set<String> names = new TreeSet<>();
      for (Checkpoint checkpoint : context.checkpoints()) {
        names.addAll(checkpoint.tensors().keySet());
      }
      throw new IllegalStateException(
          "tau-stats needs checkpoints with a 'taus' tensor (a "
              + "leaky-rnn, or gru/lstm with tau-leak: true); this run's checkpoints have "
              + names);
    }
    Path out = context.outputDirectory();
    writeCsv(out, rows);
    drawVsN(out.resolve(VS_N_PNG), rows);
    drawHistogram(
        out.resolve(HISTOGRAM_PNG), lastClamped, config.bins(), rows.get(rows.size() - 1));
  }

  static double[] clamp(double[] raw) {
    double[] clamped = new double[raw.length];
    for (int i = 0; i < raw.length; i++) {
      clamped[i] = Math.max(raw[i], 1.0);
    }
    return clamped;
  }

  static Row stats(Checkpoint checkpoint, double[] raw, double[] clamped) {
    int h = clamped.length;
    if (h == 0) {
      throw new IllegalStateException(
          "tau-stats: checkpoint '" + checkpoint.name() + "' has an empty 'taus' tensor");
    }
    double sum = 0;
    int below = 0;
    for (int i = 0; i < h; i++) {
      sum += clamped[i];
      if (raw[i] < 1) {
        below++;
      }
    }
    double mean = sum / h;
    double squares = 0;
    for (double t : clamped) {
      squares += (t - mean) * (t - mean);
    }
    double[] sorted = clamped.clone();
    Arrays.sort(sorted);
    double median = h % 2 == 1 ? sorted[h / 2] : (sorted[h / 2 - 1] + sorted[h / 2]) / 2;
    return new Row(
        checkpoint.name(),
        checkpoint.epoch(),
        Outputs.maxLevel(checkpoint.levels()),
        mean,
        Math.sqrt(squares / h),
        sorted[0],
        median,
        sorted[h - 1],
        (double) below / h);
  }

  private static void writeCsv(Path dir, List<Row> rows) throws IOException {
    List<List<Object>> table = new ArrayList<>();
    for (Row r : rows) {
      table.add(
          List.of(
              r.checkpoint(),
              r.epoch(),
              r.maxLevel(),
              r.mean(),
              r.std(),
              r.min(),
              r.median(),
              r.max(),
              r.fractionClamped()));
    }
    Outputs.writeCsv(dir, TABLE, table);
  }

  private static void drawVsN(Path file, List<Row> rows) throws IOException {
    double[] n = new double[rows.size()];
    double[] mean = new double[rows.size()];
    double[] std = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      n[i] = rows.get(i).maxLevel();
      mean[i] = rows.get(i).mean();
      std[i] = rows.get(i).std();
    }
    XYChart chart = Outputs.chartAgainstN("Trained τ against N", "τ (time steps)", 500);
    XYSeries series = chart.addSeries("mean τ ± std", n, mean, std);
    series.setMarker(SeriesMarkers.CIRCLE);
    Outputs.save(file, List.of(chart));
  }

  private static void drawHistogram(Path file, double[] clamped, int bins, Row last)
      throws IOException {
    Outputs.histogram(
        file,
        clamped,
        bins,
        "τ̃ = max(τ, 1) at " + last.checkpoint() + " (N = " + last.maxLevel() + ")",
        "τ (time steps)",
        "neurons",
        "0.##");
  }
}
