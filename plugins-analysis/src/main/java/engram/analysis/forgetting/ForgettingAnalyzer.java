package engram.analysis.forgetting;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.common.Outputs;
import engram.api.Analyzer;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.table.ColumnSpec;
import engram.api.table.TableSpec;
import engram.api.task.Batch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Forgetting (spec §5 item 6): how well does a network trained up to N still solve every easier
 * level N′ ≤ N?
 *
 * <p>For each analysed checkpoint (trained up to N = {@link Checkpoint#maxLevel()}) and each N′
 * from the task's smallest level ({@link Run#minLevel()}) to N, the network restored from the
 * checkpoint is read out by the head that would serve N′ ({@link Restored#head}: the checkpoint's
 * assignment, or the single head of a single-head stage, which answers every level). A level that
 * no head serves ({@code head} throws {@link IllegalArgumentException}, e.g. a level a sliding
 * window has dropped along with its head) is skipped: it gets no row.
 *
 * <p>Accuracy is measured on task trials as in training ({@link Run#sample}, scored as the task
 * scores them): the mean over {@code batches} batches of {@code batch-size} sequences. With {@code
 * sampling: joint} (default) every batch carries targets for all served N′ on the same inputs, as a
 * multi-head curriculum trains; the trial length of some tasks depends on the largest level in the
 * batch (N-parity: uniform on {N_max + 2 … 4·N_max + 1}), so an easy N′ is then scored on longer
 * sequences than it was trained on alone. {@code sampling: per-level} samples separate batches for
 * each N′, at that level's own trial length ({@code batches} per level). Data come from {@code
 * run.random("forgetting")} and initial states from {@code run.random("forgetting-initial-state")},
 * fresh for each checkpoint.
 *
 * <p>Outputs, in the analyzer's output directory:
 *
 * <ul>
 *   <li>{@code forgetting.csv}, header {@code checkpoint,epoch,max_level,level,head,accuracy}: per
 *       checkpoint (oldest first) one row per served level N′ = {@code level} (ascending), {@code
 *       head} the index of the head that read it out, {@code accuracy} in [0, 1] (NaN when no batch
 *       scored anything);
 *   <li>{@code forgetting.png}: accuracy against N′, one series per checkpoint for the last
 *       analysed checkpoint and up to four earlier ones evenly spread over the rest.
 * </ul>
 *
 * <p>Needs a run behind the checkpoints ({@link Context#run()}); throws {@link
 * IllegalStateException} and writes nothing when no checkpoint has any served level.
 */
public final class ForgettingAnalyzer implements Analyzer<ForgettingAnalyzer.Config> {

  static final String ID = "forgetting";

  /** {@code forgetting.csv}: per checkpoint one row per served level. */
  static final TableSpec TABLE =
      TableSpec.of(
          "forgetting.csv",
          "per checkpoint (oldest first) one row per level N′ a head serves, ascending",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          ColumnSpec.integer("level", "levels", "N′, the level evaluated"),
          ColumnSpec.integer("head", "", "the index of the head that read it out"),
          ColumnSpec.number(
              "accuracy",
              "fraction correct",
              "accuracy on task trials; NaN when no batch scored anything"));

  static final String PNG = "forgetting.png";

  /** Checkpoints drawn as separate series in the figure, the last included. */
  static final int SERIES = 5;

  /** How the evaluation batches cover the levels. */
  public enum Sampling {
    /** One batch with a target for every served level, on the same inputs. */
    JOINT,
    /** Separate batches per level, each at its own trial length. */
    PER_LEVEL
  }

  /**
   * @param checkpoints which checkpoints to analyse
   * @param batches evaluation batches per checkpoint (joint) or per level (per-level)
   * @param batchSize sequences per batch
   * @param sampling whether levels share batches
   */
  public record Config(
      @Doc("checkpoints to analyse: all (default) or last") CheckpointSelection checkpoints,
      @Doc("evaluation batches, ≥ 1; accuracy is their mean") int batches,
      @Doc("sequences per evaluation batch, ≥ 1") int batchSize,
      @Doc(
              "joint: one batch carries every level N′ (trial length set by the largest, as in"
                  + " multi-head training); per-level: separate batches per N′ at its own trial"
                  + " length")
          Sampling sampling) {
    public Config {
      Check.notNull("checkpoints", checkpoints);
      Check.atLeast("batches", batches, 1);
      Check.atLeast("batch-size", batchSize, 1);
      Check.notNull("sampling", sampling);
    }
  }

  /** Accuracy of one checkpoint on one easier level, read out by the head that serves it. */
  record Row(Checkpoint checkpoint, int level, int head, double accuracy) {}

  public ForgettingAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Forgetting of easier levels",
        "For every checkpoint trained up to N: accuracy on each level N′ from the task's smallest"
            + " to N, read out by the head that serves N′ (levels no head serves are skipped),"
            + " on fresh task trials. Writes forgetting.csv and forgetting.png.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(CheckpointSelection.ALL, 4, 128, Sampling.JOINT);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(TABLE);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    Run run = context.run();
    List<Checkpoint> chosen = config.checkpoints().select(context.checkpoints(), ID);
    List<Row> rows = new ArrayList<>();
    List<Checkpoint> withRows = new ArrayList<>();
    for (Checkpoint checkpoint : chosen) {
      List<Row> own = evaluate(config, run, checkpoint);
      if (!own.isEmpty()) {
        withRows.add(checkpoint);
        rows.addAll(own);
      }
    }
    if (rows.isEmpty()) {
      throw new IllegalStateException(
          ID
              + ": no head serves any level from "
              + run.minLevel()
              + " to N at the "
              + chosen.size()
              + " analysed checkpoint(s) (last '"
              + chosen.get(chosen.size() - 1).name()
              + "', N = "
              + chosen.get(chosen.size() - 1).maxLevel()
              + "), so nothing can be evaluated. Fix:"
              + " analyse a run whose checkpoints record head assignments");
    }
    Path out = context.outputDirectory();
    writeCsv(out, rows);
    draw(out.resolve(PNG), rows, withRows);
  }

  /** One row per served level of {@code checkpoint}, ascending; empty when none is served. */
  private static List<Row> evaluate(Config config, Run run, Checkpoint checkpoint) {
    Restored restored = run.restore(checkpoint);
    List<Integer> levels = new ArrayList<>();
    List<Integer> heads = new ArrayList<>();
    for (int level = run.minLevel(); level <= checkpoint.maxLevel(); level++) {
      try {
        heads.add(restored.head(level));
        levels.add(level);
      } catch (IllegalArgumentException unserved) {
        // No head serves this level at this checkpoint: nothing to evaluate, no row.
      }
    }
    if (levels.isEmpty()) {
      return List.of();
    }
    RandomGenerator data = run.random("forgetting");
    RandomGenerator initialState = run.random("forgetting-initial-state");
    double[] sums = new double[levels.size()];
    int[] counts = new int[levels.size()];
    if (config.sampling() == Sampling.JOINT) {
      int[] all = levels.stream().mapToInt(Integer::intValue).toArray();
      for (int b = 0; b < config.batches(); b++) {
        Batch batch = run.sample(all, config.batchSize(), data);
        add(restored.accuracy(batch, 0, initialState), sums, counts, 0);
      }
    } else {
      for (int i = 0; i < levels.size(); i++) {
        for (int b = 0; b < config.batches(); b++) {
          Batch batch = run.sample(new int[] {levels.get(i)}, config.batchSize(), data);
          add(restored.accuracy(batch, 0, initialState), sums, counts, i);
        }
      }
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < levels.size(); i++) {
      rows.add(
          new Row(
              checkpoint,
              levels.get(i),
              heads.get(i),
              counts[i] == 0 ? Double.NaN : sums[i] / counts[i]));
    }
    return rows;
  }

  /** Adds accuracies (NaN ones — nothing scored — are left out) from position {@code offset}. */
  private static void add(double[] accuracies, double[] sums, int[] counts, int offset) {
    for (int i = 0; i < accuracies.length; i++) {
      if (!Double.isNaN(accuracies[i])) {
        sums[offset + i] += accuracies[i];
        counts[offset + i]++;
      }
    }
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
              r.head(),
              r.accuracy()));
    }
    Outputs.writeCsv(dir, TABLE, table);
  }

  /** The last checkpoint and up to SERIES − 1 earlier ones, evenly spread, oldest first. */
  static List<Checkpoint> drawn(List<Checkpoint> checkpoints) {
    int n = checkpoints.size();
    if (n <= SERIES) {
      return checkpoints;
    }
    List<Checkpoint> picked = new ArrayList<>();
    for (int k = 0; k < SERIES; k++) {
      picked.add(checkpoints.get((int) Math.round((double) k * (n - 1) / (SERIES - 1))));
    }
    return picked;
  }

  private static void draw(Path file, List<Row> rows, List<Checkpoint> withRows)
      throws IOException {
    XYChart chart =
        Outputs.chart(
            "Accuracy on easier levels N′ ≤ N",
            "N′ (level evaluated)",
            "accuracy (fraction correct)",
            500);
    // Up to five series over the whole range: the legend goes beside the plot.
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    for (Checkpoint checkpoint : drawn(withRows)) {
      List<Row> own =
          rows.stream()
              .filter(r -> r.checkpoint() == checkpoint && !Double.isNaN(r.accuracy()))
              .toList();
      if (own.isEmpty()) {
        continue;
      }
      chart
          .addSeries(
              checkpoint.name() + " (N = " + checkpoint.maxLevel() + ")",
              own.stream().mapToDouble(Row::level).toArray(),
              own.stream().mapToDouble(Row::accuracy).toArray())
          .setMarker(SeriesMarkers.CIRCLE);
    }
    Outputs.save(file, List.of(chart));
  }
}
