package engram.analysis.transfer;

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
import java.util.List;
import java.util.random.RandomGenerator;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Transfer by retraining (spec §5 item 7): how quickly does a network trained up to N learn harder
 * levels N′ when it is retrained on them?
 *
 * <p>The source is the last checkpoint ({@code source-level: 0}) or the first checkpoint whose
 * largest level reached {@code source-level} (the paper: 16). For each N′ = from, from + step, … ≤
 * to ({@code levels-from} 0 means the source's N, {@code levels-to} 0 means N + 30, so the defaults
 * give the paper's 16, 21, …, 46 for a source at N = 16) a copy of the source network is retrained
 * as single-head on N′ with a fresh readout head for at most {@code epochs} epochs ({@link
 * Run#retrain}: the run's optimizer, batch and evaluation settings, stopping early at the run's
 * curriculum threshold). Each level's seed is the next {@code long} of {@code
 * run.random("transfer")}, so a repeated analysis retrains identically.
 *
 * <p>Outputs, in the analyzer's output directory:
 *
 * <ul>
 *   <li>{@code transfer.csv}, header {@code checkpoint,source_level,level,retrain_epoch,accuracy}:
 *       per N′ = {@code level} (ascending) one row per retraining epoch run ({@code retrain_epoch}
 *       1, 2, …), {@code accuracy} the run's evaluation accuracy after that epoch, in [0, 1];
 *       {@code checkpoint} is the source's name and {@code source_level} its N;
 *   <li>{@code transfer-summary.csv}, header {@code
 *       checkpoint,source_level,level,epochs,final_accuracy,best_accuracy}: per N′ the number of
 *       epochs run (fewer than {@code epochs} when it stopped early), the accuracy after the last
 *       and the best over epochs (NaN when no epoch ran);
 *   <li>{@code transfer.png}: final and best accuracy against N′.
 * </ul>
 *
 * <p>Needs a run behind the checkpoints ({@link Context#run()}); throws {@link
 * IllegalStateException} and writes nothing when no checkpoint reached {@code source-level} or the
 * level range is empty or below the task's smallest level.
 */
public final class TransferAnalyzer implements Analyzer<TransferAnalyzer.Config> {

  static final String ID = "transfer";

  /** Column {@code source_level}: N of the source checkpoint. */
  private static final ColumnSpec SOURCE_LEVEL =
      ColumnSpec.integer(
          "source_level",
          "levels",
          "N, the largest level the source checkpoint had been trained on");

  /** {@code transfer.csv}: per level retrained on, one row per retraining epoch. */
  static final TableSpec TABLE =
      TableSpec.of(
          "transfer.csv",
          "per level N′ retrained on (ascending) one row per retraining epoch run",
          ColumnSpec.text("checkpoint", "the source checkpoint's directory name"),
          SOURCE_LEVEL,
          ColumnSpec.integer("level", "levels", "N′, the level retrained on"),
          ColumnSpec.integer("retrain_epoch", "epochs", "the retraining epoch, from 1"),
          ColumnSpec.number(
              "accuracy", "fraction correct", "evaluation accuracy after that epoch"));

  /** {@code transfer-summary.csv}: one row per level retrained on. */
  static final TableSpec SUMMARY =
      TableSpec.of(
          "transfer-summary.csv",
          "one row per level N′ retrained on, ascending",
          ColumnSpec.text("checkpoint", "the source checkpoint's directory name"),
          SOURCE_LEVEL,
          ColumnSpec.integer("level", "levels", "N′, the level retrained on"),
          ColumnSpec.integer(
              "epochs", "epochs", "retraining epochs run (fewer when it stopped early)"),
          ColumnSpec.number(
              "final_accuracy",
              "fraction correct",
              "accuracy after the last epoch; NaN when none ran"),
          ColumnSpec.number(
              "best_accuracy",
              "fraction correct",
              "best accuracy over the epochs; NaN when none ran"));

  static final String PNG = "transfer.png";

  /** How far above the source's N the default range reaches (the paper: 16 → 46). */
  static final int DEFAULT_SPAN = 30;

  /**
   * @param sourceLevel the N the source checkpoint must have reached; 0 = the last checkpoint
   * @param levelsFrom first level retrained on; 0 = the source's N
   * @param levelsTo last level retrained on (inclusive); 0 = the source's N + 30
   * @param levelsStep step between levels
   * @param epochs most retraining epochs per level
   */
  public record Config(
      @Doc(
              "the source is the first checkpoint trained up to at least this level N; 0 = the last"
                  + " checkpoint (the paper: 16)")
          int sourceLevel,
      @Doc("first level N′ retrained on; 0 = the source's N") int levelsFrom,
      @Doc("last level N′ retrained on, inclusive; 0 = the source's N + 30") int levelsTo,
      @Doc("step between the levels retrained on, ≥ 1") int levelsStep,
      @Doc(
              "most retraining epochs per level (fewer when the run's curriculum threshold is"
                  + " reached), ≥ 1")
          int epochs) {
    public Config {
      Check.atLeast("source-level", sourceLevel, 0);
      Check.atLeast("levels-from", levelsFrom, 0);
      Check.atLeast("levels-to", levelsTo, 0);
      Check.atLeast("levels-step", levelsStep, 1);
      Check.atLeast("epochs", epochs, 1);
      if (levelsFrom > 0 && levelsTo > 0 && levelsFrom > levelsTo) {
        throw new IllegalArgumentException(
            "levels-from "
                + levelsFrom
                + " is above levels-to "
                + levelsTo
                + "; set levels-from ≤ levels-to");
      }
    }
  }

  /** The retraining curve of one level. */
  record Curve(int level, double[] accuracies) {
    double finalAccuracy() {
      return accuracies.length == 0 ? Double.NaN : accuracies[accuracies.length - 1];
    }

    double bestAccuracy() {
      double best = Double.NaN;
      for (double a : accuracies) {
        best = Double.isNaN(best) || a > best ? a : best;
      }
      return best;
    }
  }

  public TransferAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Transfer: retraining on harder levels",
        "Retrains copies of a checkpoint trained up to N (source-level; default the last) as"
            + " single-head on each level N′ of a range (default N … N + 30 in steps of 5) for"
            + " at most 'epochs' epochs and records the accuracy after each epoch. Writes"
            + " transfer.csv, transfer-summary.csv and transfer.png.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(0, 0, 0, 5, 20);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(TABLE, SUMMARY);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    Run run = context.run();
    Checkpoint source = source(context.checkpoints(), config.sourceLevel());
    int[] levels = levels(config, source.maxLevel(), run.minLevel());
    RandomGenerator seeds = run.random("transfer");
    List<Curve> curves = new ArrayList<>();
    for (int level : levels) {
      curves.add(new Curve(level, run.retrain(source, level, config.epochs(), seeds.nextLong())));
    }
    Path out = context.outputDirectory();
    writeCsv(out, source, curves);
    writeSummary(out, source, curves);
    draw(out.resolve(PNG), source, curves);
  }

  /**
   * The last checkpoint when {@code sourceLevel} is 0, else the first (oldest) whose largest level
   * is ≥ {@code sourceLevel}.
   *
   * @throws IllegalStateException naming the largest level reached when none reached it
   */
  static Checkpoint source(List<Checkpoint> checkpoints, int sourceLevel) {
    if (checkpoints.isEmpty()) {
      throw new IllegalStateException(
          ID
              + ": the run has no checkpoints to retrain from; analyse"
              + " a run directory made by ./engram run that finished at least one epoch");
    }
    if (sourceLevel == 0) {
      return checkpoints.get(checkpoints.size() - 1);
    }
    int reached = Integer.MIN_VALUE;
    for (Checkpoint checkpoint : checkpoints) {
      if (checkpoint.maxLevel() >= sourceLevel) {
        return checkpoint;
      }
      reached = Math.max(reached, checkpoint.maxLevel());
    }
    throw new IllegalStateException(
        ID
            + ": no checkpoint was trained up to source-level "
            + sourceLevel
            + "; the run's "
            + checkpoints.size()
            + " checkpoint(s) reach at most N = "
            + reached
            + ". Fix: set source-level ≤ "
            + reached
            + " (or 0 for the last checkpoint),"
            + " or analyse a run that trained further");
  }

  /** The levels retrained on, ascending: from, from + step, … ≤ to, after resolving the zeros. */
  static int[] levels(Config config, int sourceN, int minLevel) {
    int from = config.levelsFrom() == 0 ? sourceN : config.levelsFrom();
    int to = config.levelsTo() == 0 ? sourceN + DEFAULT_SPAN : config.levelsTo();
    if (from > to) {
      throw new IllegalStateException(
          ID
              + ": the levels to retrain on run from "
              + from
              + " to "
              + to
              + ", which is empty (the source is trained up to N = "
              + sourceN
              + "). Fix: set levels-from ≤ levels-to");
    }
    if (from < minLevel) {
      throw new IllegalStateException(
          ID
              + ": levels-from resolves to "
              + from
              + ", below the"
              + " task's smallest level "
              + minLevel
              + ". Fix: set levels-from ≥ "
              + minLevel);
    }
    int count = (to - from) / config.levelsStep() + 1;
    int[] levels = new int[count];
    for (int i = 0; i < count; i++) {
      levels[i] = from + i * config.levelsStep();
    }
    return levels;
  }

  private static void writeCsv(Path dir, Checkpoint source, List<Curve> curves) throws IOException {
    List<List<Object>> table = new ArrayList<>();
    for (Curve curve : curves) {
      for (int e = 0; e < curve.accuracies().length; e++) {
        table.add(
            List.of(source.name(), source.maxLevel(), curve.level(), e + 1, curve.accuracies()[e]));
      }
    }
    Outputs.writeCsv(dir, TABLE, table);
  }

  private static void writeSummary(Path dir, Checkpoint source, List<Curve> curves)
      throws IOException {
    List<List<Object>> table = new ArrayList<>();
    for (Curve curve : curves) {
      table.add(
          List.of(
              source.name(),
              source.maxLevel(),
              curve.level(),
              curve.accuracies().length,
              curve.finalAccuracy(),
              curve.bestAccuracy()));
    }
    Outputs.writeCsv(dir, SUMMARY, table);
  }

  private static void draw(Path file, Checkpoint source, List<Curve> curves) throws IOException {
    XYChart chart =
        Outputs.chart(
            "Retraining " + source.name() + " (trained up to N = " + source.maxLevel() + ") on N′",
            "N′ (level retrained on)",
            "accuracy after retraining (fraction correct)",
            500);
    List<Curve> drawn = curves.stream().filter(c -> c.accuracies().length > 0).toList();
    if (!drawn.isEmpty()) {
      double[] n = drawn.stream().mapToDouble(Curve::level).toArray();
      chart
          .addSeries(
              "final accuracy", n, drawn.stream().mapToDouble(Curve::finalAccuracy).toArray())
          .setMarker(SeriesMarkers.CIRCLE);
      chart
          .addSeries("best accuracy", n, drawn.stream().mapToDouble(Curve::bestAccuracy).toArray())
          .setMarker(SeriesMarkers.DIAMOND);
    }
    Outputs.save(file, List.of(chart));
  }
}
