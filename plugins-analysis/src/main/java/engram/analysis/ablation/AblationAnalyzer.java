package engram.analysis.ablation;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.common.Outputs;
import engram.analysis.common.StreamAccuracy;
import engram.api.Analyzer;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.table.ColumnSpec;
import engram.api.table.TableSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Single-neuron ablation (spec §5 item 4): how much does the network need its fastest and its
 * slowest neurons?
 *
 * <p>For each analysed checkpoint, trained up to N = {@link Checkpoint#maxLevel()}: the effective
 * time constants τ̃ᵢ = max(τᵢ, 1) (time steps) come from the checkpoint's {@code taus} tensor. The
 * {@code fastest} neurons with the smallest τ̃ and the {@code slowest} with the largest (each count
 * capped at H; ties broken by the lower unit index; a neuron may be in both groups when fastest +
 * slowest &gt; H) are removed one at a time — each from a fresh copy of the network ({@link
 * Restored#ablate}: its recurrent row and column, input weights and readout column are zeroed) —
 * and the copy is scored on level N with continuous-stream accuracy (see {@link StreamAccuracy}):
 * one stream of {@code warmup} + {@code scored} steps, no resets, scored at every step after the
 * warm-up, {@code streams} sequences. The unchanged network on the same stream and the same initial
 * states is the baseline; relative accuracy = (acc − chance)/(baseline − chance) with chance =
 * 1/classes (0.5 for N-parity), or {@code chance} for regression tasks; NaN when the baseline is at
 * chance.
 *
 * <p>Outputs, in the analyzer's output directory:
 *
 * <ul>
 *   <li>{@code ablation.csv}, header {@code
 *       checkpoint,epoch,max_level,level,group,unit,tau,accuracy,relative_accuracy}: per checkpoint
 *       (oldest first) one {@code baseline} row (unit −1, tau NaN, relative accuracy 1), then the
 *       {@code fastest} rows (smallest τ̃ first), then the {@code slowest} rows (largest τ̃ first).
 *       {@code level} is the level scored (= {@code max_level}, N), {@code unit} the ablated hidden
 *       unit, {@code tau} its τ̃ in time steps, {@code accuracy} in [0, 1];
 *   <li>{@code ablation-summary.csv}, header {@code
 *       checkpoint,epoch,max_level,group,mean_relative_accuracy,min_relative_accuracy}: per
 *       checkpoint and group ({@code fastest}, {@code slowest}; a group with no neuron is left out)
 *       the mean and the minimum of the relative accuracies;
 *   <li>{@code ablation.png}: relative accuracy of each ablated neuron against its τ̃ (scatter,
 *       series fastest and slowest) at the last analysed checkpoint.
 * </ul>
 *
 * <p>Needs a run behind the checkpoints ({@link Context#run()}), a task with a continuous stream
 * (n-parity, n-dms), a model that can ablate a unit, and a {@code taus} tensor in every analysed
 * checkpoint (a leaky-rnn, or a gru/lstm with {@code tau-leak: true}); otherwise it throws {@link
 * IllegalStateException} (or the run's {@link UnsupportedOperationException}) and writes nothing.
 */
public final class AblationAnalyzer implements Analyzer<AblationAnalyzer.Config> {

  static final String ID = "ablation";

  /** {@code ablation.csv}: per checkpoint a baseline row, then one row per ablated unit. */
  static final TableSpec TABLE =
      TableSpec.of(
          "ablation.csv",
          "per checkpoint (oldest first) one baseline row (unit -1, tau NaN, relative accuracy 1),"
              + " then one row per ablated unit: the fastest (smallest τ̃ first), then the slowest"
              + " (largest τ̃ first)",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          ColumnSpec.integer("level", "levels", "the level scored (= max_level)"),
          ColumnSpec.text("group", "baseline, fastest or slowest"),
          ColumnSpec.integer("unit", "", "the ablated hidden unit; -1 for the baseline"),
          ColumnSpec.number("tau", "time steps", "τ̃ = max(τ, 1) of the ablated unit"),
          ColumnSpec.number("accuracy", "fraction correct", "continuous-stream accuracy"),
          ColumnSpec.number(
              "relative_accuracy",
              "relative accuracy",
              "(accuracy − chance)/(baseline − chance); NaN when the baseline is at chance"));

  /** {@code ablation-summary.csv}: per checkpoint and group the mean and minimum. */
  static final TableSpec SUMMARY =
      TableSpec.of(
          "ablation-summary.csv",
          "per checkpoint and ablated group (a group with no neuron is left out)",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          ColumnSpec.text("group", "fastest or slowest"),
          ColumnSpec.number(
              "mean_relative_accuracy", "relative accuracy", "mean over the group's ablations"),
          ColumnSpec.number(
              "min_relative_accuracy", "relative accuracy", "minimum over the group's ablations"));

  static final String CSV = TABLE.file();
  static final String PNG = "ablation.png";

  static final String BASELINE = "baseline";
  static final String FASTEST = "fastest";
  static final String SLOWEST = "slowest";

  /**
   * @param fastest neurons with the smallest τ̃ to ablate, one at a time
   * @param slowest neurons with the largest τ̃ to ablate, one at a time
   * @param checkpoints which checkpoints to analyse
   * @param warmup unscored steps at the start of the stream
   * @param scored scored steps after the warm-up
   * @param streams independent sequences of the stream
   * @param chance chance accuracy of a regression task
   */
  public record Config(
      @Doc(
              "how many neurons with the smallest trained τ̃ = max(τ, 1) to ablate, one at a time;"
                  + " ≥ 0, capped at the hidden size H")
          int fastest,
      @Doc("how many neurons with the largest τ̃ to ablate, one at a time; ≥ 0, capped at H")
          int slowest,
      @Doc("checkpoints to analyse: last or all (each costs fastest + slowest + 1 evaluations)")
          CheckpointSelection checkpoints,
      @Doc(
              "when > 0, analyse only the last checkpoint trained up to this N instead (so networks"
                  + " of different runs are compared at the same N); 0 = use checkpoints")
          int atLevel,
      @Doc("warm-up steps of the continuous stream, not scored, ≥ 0") int warmup,
      @Doc("steps scored after the warm-up (at every step, no resets), ≥ 1") int scored,
      @Doc(
              "independent stream sequences averaged into one accuracy, ≥ 1; the paper used 1, more"
                  + " give a less noisy number")
          int streams,
      @Doc(
              "chance accuracy for regression tasks, in [0, 1); classification tasks use 1/classes"
                  + " (0.5 for N-parity) and ignore this")
          double chance) {
    public Config {
      Check.atLeast("fastest", fastest, 0);
      Check.atLeast("slowest", slowest, 0);
      if (fastest + slowest == 0) {
        throw new IllegalArgumentException(
            "fastest and slowest are both 0, so nothing would be ablated; set either ≥ 1");
      }
      Check.notNull("checkpoints", checkpoints);
      Check.atLeast("at-level", atLevel, 0);
      Check.atLeast("warmup", warmup, 0);
      Check.atLeast("scored", scored, 1);
      Check.atLeast("streams", streams, 1);
      if (!(chance >= 0 && chance < 1)) {
        throw new IllegalArgumentException("chance must be in [0, 1) (was " + chance + ")");
      }
    }
  }

  /** One evaluated network: the baseline (unit −1, τ NaN) or one ablated unit. */
  record Row(
      Checkpoint checkpoint,
      int level,
      String group,
      int unit,
      double tau,
      double accuracy,
      double relativeAccuracy) {}

  public AblationAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Single-neuron ablation of the fastest and slowest neurons",
        "Removes one neuron at a time — the 'fastest' with the smallest trained τ̃ = max(τ, 1) and"
            + " the 'slowest' with the largest — and scores each copy on a continuous stream of"
            + " the checkpoint's largest level N; relative accuracy (acc − chance)/(baseline −"
            + " chance). Writes ablation.csv, ablation-summary.csv and ablation.png. Needs a"
            + " 'taus' tensor (leaky-rnn, or gru/lstm with tau-leak: true).");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(20, 20, CheckpointSelection.LAST, 0, 100, 1000, 16, 0.5);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(TABLE, SUMMARY);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    Run run = context.run();
    List<Checkpoint> chosen =
        config.checkpoints().select(context.checkpoints(), ID, config.atLevel());
    List<double[]> tauTildes = new ArrayList<>();
    for (Checkpoint checkpoint : chosen) {
      tauTildes.add(effectiveTaus(checkpoint, run.modelId()));
    }
    List<Row> rows = new ArrayList<>();
    for (int c = 0; c < chosen.size(); c++) {
      rows.addAll(ablate(config, run, chosen.get(c), tauTildes.get(c)));
    }
    Path out = context.outputDirectory();
    writeCsv(out, rows);
    writeSummary(out, chosen, rows);
    draw(out.resolve(PNG), rows, chosen.get(chosen.size() - 1));
  }

  /** Baseline and one row per ablated unit of one checkpoint, in CSV order. */
  private static List<Row> ablate(
      Config config, Run run, Checkpoint checkpoint, double[] tauTilde) {
    int level = checkpoint.maxLevel();
    StreamAccuracy stream =
        StreamAccuracy.draw(
            run, level, config.warmup(), config.scored(), config.streams(), config.chance());
    double baseline = stream.baseline(run.restore(checkpoint), ID, checkpoint.name());
    List<Row> rows = new ArrayList<>();
    rows.add(
        new Row(
            checkpoint,
            level,
            BASELINE,
            -1,
            Double.NaN,
            baseline,
            StreamAccuracy.relative(baseline, baseline, stream.chance())));
    for (String group : List.of(FASTEST, SLOWEST)) {
      int[] units =
          group.equals(FASTEST)
              ? fastest(tauTilde, config.fastest())
              : slowest(tauTilde, config.slowest());
      for (int unit : units) {
        Restored copy = run.restore(checkpoint);
        copy.ablate(unit);
        double accuracy = stream.of(copy);
        rows.add(
            new Row(
                checkpoint,
                level,
                group,
                unit,
                tauTilde[unit],
                accuracy,
                StreamAccuracy.relative(accuracy, baseline, stream.chance())));
      }
    }
    return rows;
  }

  /**
   * τ̃ = max(τ, 1) per hidden unit from the checkpoint's {@code taus}.
   *
   * @throws IllegalStateException naming the checkpoint, the model and the fix when it has none
   */
  static double[] effectiveTaus(Checkpoint checkpoint, String modelId) {
    INDArray taus = checkpoint.tensors().get("taus");
    if (taus == null) {
      throw new IllegalStateException(
          ID
              + ": checkpoint '"
              + checkpoint.name()
              + "' has no"
              + " tensor 'taus' (model "
              + modelId
              + ", tensors "
              + new TreeSet<>(checkpoint.tensors().keySet())
              + "), so its neurons cannot be ordered"
              + " by timescale. Fix: analyse a leaky-rnn run, or a gru/lstm trained with tau-leak:"
              + " true");
    }
    double[] tauTilde = taus.ravel().toDoubleVector();
    for (int i = 0; i < tauTilde.length; i++) {
      tauTilde[i] = Math.max(tauTilde[i], 1.0);
    }
    return tauTilde;
  }

  /** The min(k, H) units with the smallest τ̃, smallest first; ties by lower unit index. */
  static int[] fastest(double[] tauTilde, int k) {
    return ordered(tauTilde, Comparator.comparingDouble(i -> tauTilde[i]), k);
  }

  /** The min(k, H) units with the largest τ̃, largest first; ties by lower unit index. */
  static int[] slowest(double[] tauTilde, int k) {
    return ordered(tauTilde, Comparator.comparingDouble(i -> -tauTilde[i]), k);
  }

  private static int[] ordered(double[] tauTilde, Comparator<Integer> byTau, int k) {
    return IntStream.range(0, tauTilde.length)
        .boxed()
        .sorted(byTau.thenComparing(Comparator.naturalOrder()))
        .limit(Math.min(k, tauTilde.length))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  private static void writeCsv(Path dir, List<Row> rows) throws IOException {
    List<List<Object>> table = new ArrayList<>();
    for (Row r : rows) {
      table.add(
          List.of(
              r.checkpoint().name(),
              r.checkpoint().epoch(),
              r.checkpoint().maxLevel(),
              r.level(),
              r.group(),
              r.unit(),
              r.tau(),
              r.accuracy(),
              r.relativeAccuracy()));
    }
    Outputs.writeCsv(dir, TABLE, table);
  }

  /** Mean and minimum relative accuracy per checkpoint and ablated group (NaN-propagating). */
  private static void writeSummary(Path dir, List<Checkpoint> chosen, List<Row> rows)
      throws IOException {
    List<List<Object>> table = new ArrayList<>();
    for (Checkpoint checkpoint : chosen) {
      for (String group : List.of(FASTEST, SLOWEST)) {
        double[] relative =
            rows.stream()
                .filter(r -> r.checkpoint() == checkpoint && r.group().equals(group))
                .mapToDouble(Row::relativeAccuracy)
                .toArray();
        if (relative.length == 0) {
          continue;
        }
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        for (double v : relative) {
          sum += v;
          min = Double.isNaN(v) || Double.isNaN(min) ? Double.NaN : Math.min(min, v);
        }
        table.add(
            List.of(
                checkpoint.name(),
                checkpoint.epoch(),
                checkpoint.maxLevel(),
                group,
                sum / relative.length,
                min));
      }
    }
    Outputs.writeCsv(dir, SUMMARY, table);
  }

  private static void draw(Path file, List<Row> rows, Checkpoint last) throws IOException {
    XYChart chart =
        Outputs.chart(
            "Single-neuron ablation at " + last.name() + " (N = " + last.maxLevel() + ")",
            "τ̃ = max(τ, 1) of the ablated neuron (time steps)",
            "relative accuracy (acc − chance)/(baseline − chance)",
            500);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    for (String group : List.of(FASTEST, SLOWEST)) {
      // A NaN relative accuracy (baseline at chance) has no place on the chart.
      List<Row> points =
          rows.stream()
              .filter(r -> r.checkpoint() == last && r.group().equals(group))
              .filter(r -> Double.isFinite(r.relativeAccuracy()))
              .toList();
      if (points.isEmpty()) {
        continue;
      }
      double[] tau = points.stream().mapToDouble(Row::tau).toArray();
      double[] relative = points.stream().mapToDouble(Row::relativeAccuracy).toArray();
      chart
          .addSeries(group + " " + points.size(), tau, relative)
          .setMarker(Objects.equals(group, FASTEST) ? SeriesMarkers.CIRCLE : SeriesMarkers.DIAMOND);
    }
    Outputs.save(file, List.of(chart));
  }
}
