package engram.analysis.lowrank;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.common.Outputs;
import engram.analysis.common.Probe;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The latent flow of a rank-one network (spec memory-geometry §8 "Low-rank flow field") per
 * checkpoint: F(κ) = −κ + nᵀ tanh(m κ + b)/H on a grid of κ, its zeros (fixed points, stable or
 * unstable by the sign of F′) and ghosts (grid minima of F² that are not zeros), and the
 * trajectories of the probe trials in κ. Equations and the reduction in {@link RankOneFlow}.
 *
 * <p><b>Which models</b>: those whose recurrence is given by loading vectors named {@code m} and
 * {@code n} ({@code [H]}) with a bias {@code b} ({@code [H]}), and whose step is x' = (1 − α)x +
 * α(m·nᵀtanh(x)/H + W_in s + b) with the latent κ = nᵀ tanh(x)/H as the extra {@code kappa} (the
 * rank-one RNN). Any other model is refused with one line naming it. A full-rank W_rec truncated to
 * rank one by its SVD is not analysed: the reduction depends on the cell's update equation, and the
 * leaky and vanilla cells put the nonlinearity elsewhere; this is left to do. There is no rank-two
 * model yet.
 *
 * <p><b>Grid</b>: {@code grid-points} equal steps over |κ| ≤ range, range = 1.2·Σ|n_i|/H of the
 * checkpoint (every zero lies within Σ|n_i|/H since |tanh| ≤ 1) unless {@code range} is set.
 * <b>Trajectories</b>: the trials of one probe batch of the run's task ({@code
 * run.random("probe")}, initial states {@code run.random("h0")}), averaged per condition and step
 * (conditions by the rules of {@link Probe}); all steps, inputs included.
 *
 * <p>Writes {@code low-rank-flow.csv} (the field on the grid), {@code low-rank-points.csv} (zeros
 * and ghosts), {@code low-rank-trajectories.csv} (condition-mean κ_t) and {@code low-rank-flow.png}
 * (log10 F² against κ with the points marked, for up to four checkpoints; κ_t against step).
 */
public final class LowRankFlowAnalyzer implements Analyzer<LowRankFlowAnalyzer.Config> {

  static final String ID = "low-rank-flow";
  static final String PNG = "low-rank-flow.png";

  static final TableSpec FLOW =
      TableSpec.of(
          "low-rank-flow.csv",
          "the latent field on the grid, one row per checkpoint and grid point",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.number("kappa", "", "latent κ"),
          ColumnSpec.number("field", "per τ", "F(κ) = −κ + nᵀ tanh(mκ + b)/H"),
          ColumnSpec.number("log10_speed_sq", "", "log10 F(κ)² (NaN at an exact zero)"));

  static final TableSpec POINTS =
      TableSpec.of(
          "low-rank-points.csv",
          "zeros and ghosts of the latent field, one row per checkpoint and point, by increasing κ",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.number("kappa", "", "latent κ of the point"),
          ColumnSpec.text("kind", "stable, unstable (zeros of F) or ghost (minimum of F², F ≠ 0)"),
          ColumnSpec.number("speed_sq", "", "F(κ)² at the point"),
          ColumnSpec.number("slope", "", "F′(κ): < 0 stable, > 0 unstable"));

  static final TableSpec TRAJECTORIES =
      TableSpec.of(
          "low-rank-trajectories.csv",
          "condition-mean latent κ_t of the probe trials, one row per checkpoint, condition and"
              + " step",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.integer("condition", "", "condition index (rules of the geometry probe)"),
          ColumnSpec.integer("step", "steps", "step of the trial"),
          ColumnSpec.number("kappa", "", "mean κ_t = nᵀ tanh(x_t)/H over the condition's trials"));

  /** Configuration; YAML keys are the kebab-case component names. */
  public record Config(
      @Doc("which checkpoints to analyse: all (oldest first) or last")
          CheckpointSelection checkpoints,
      @Doc("grid points over [−range, range], ≥ 3") int gridPoints,
      @Doc("half-width of the κ grid; 0: 1.2·Σ|n_i|/H of each checkpoint") double range,
      @Doc("trials of the probe batch whose κ trajectories are written, ≥ 2") int trials,
      @Doc("task level of the probe batch; 0: the checkpoint's largest level") int level) {
    public Config {
      Check.notNull("checkpoints", checkpoints);
      Check.atLeast("grid-points", gridPoints, 3);
      Check.nonNegative("range", range);
      Check.atLeast("trials", trials, 2);
      Check.atLeast("level", level, 0);
    }
  }

  record Result(
      Checkpoint checkpoint, double[] grid, double[] field, List<RankOneFlow.Point> points) {}

  public LowRankFlowAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Latent flow of a rank-one network",
        "For a network with rank-one recurrence given by loading vectors m and n (the"
            + " rank-one-rnn): the latent field F(κ) = −κ + nᵀ tanh(mκ + b)/H on a grid, its"
            + " zeros (stable/unstable fixed points) and ghosts (slow minima), and the probe"
            + " trials' κ trajectories per condition. Writes low-rank-flow.csv,"
            + " low-rank-points.csv, low-rank-trajectories.csv and low-rank-flow.png.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(CheckpointSelection.ALL, 2001, 0, 64, 0);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(FLOW, POINTS, TRAJECTORIES);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    List<Checkpoint> checkpoints = config.checkpoints().select(context.checkpoints(), ID);
    Run run = context.run();
    List<RankOneFlow> flows = new ArrayList<>();
    for (Checkpoint checkpoint : checkpoints) {
      flows.add(flow(checkpoint, run.modelId()));
    }
    List<Result> results = new ArrayList<>();
    List<List<Object>> flowRows = new ArrayList<>();
    List<List<Object>> pointRows = new ArrayList<>();
    List<List<Object>> trajectoryRows = new ArrayList<>();
    for (int k = 0; k < checkpoints.size(); k++) {
      Checkpoint checkpoint = checkpoints.get(k);
      RankOneFlow flow = flows.get(k);
      double range = config.range() > 0 ? config.range() : 1.2 * Math.max(flow.bound(), 1e-3);
      double[] grid = RankOneFlow.grid(range, config.gridPoints());
      double[] field = Arrays.stream(grid).map(flow::field).toArray();
      List<RankOneFlow.Point> points = flow.specialPoints(grid);
      results.add(new Result(checkpoint, grid, field, points));
      for (int i = 0; i < grid.length; i++) {
        flowRows.add(
            List.of(
                checkpoint.name(),
                checkpoint.epoch(),
                grid[i],
                field[i],
                field[i] == 0 ? Double.NaN : Math.log10(field[i] * field[i])));
      }
      for (RankOneFlow.Point p : points) {
        pointRows.add(
            List.of(
                checkpoint.name(),
                checkpoint.epoch(),
                p.kappa(),
                p.kind().label,
                p.speedSquared(),
                p.slope()));
      }
      trajectoryRows.addAll(trajectories(config, run, checkpoint));
    }
    Path out = context.outputDirectory();
    Outputs.writeCsv(out, FLOW, flowRows);
    Outputs.writeCsv(out, POINTS, pointRows);
    Outputs.writeCsv(out, TRAJECTORIES, trajectoryRows);
    draw(out.resolve(PNG), results, trajectoryRows);
  }

  /**
   * The flow of a checkpoint's m, n and b.
   *
   * @throws IllegalStateException naming the model and the tensors when they are not rank-one
   *     loadings
   */
  static RankOneFlow flow(Checkpoint checkpoint, String modelId) {
    Map<String, INDArray> t = checkpoint.tensors();
    INDArray m = t.get("m");
    INDArray n = t.get("n");
    INDArray b = t.get("b");
    if (m == null
        || n == null
        || b == null
        || m.rank() != 1
        || !Arrays.equals(m.shape(), n.shape())
        || !Arrays.equals(m.shape(), b.shape())) {
      throw new IllegalStateException(
          ID
              + " analyses networks with a rank-one recurrence given by loading vectors m, n and a"
              + " bias b (e.g. a rank-one-rnn); model '"
              + modelId
              + "' has "
              + new TreeSet<>(t.keySet()));
    }
    return new RankOneFlow(
        m.castTo(DataType.DOUBLE).toDoubleVector(),
        n.castTo(DataType.DOUBLE).toDoubleVector(),
        b.castTo(DataType.DOUBLE).toDoubleVector());
  }

  private static List<List<Object>> trajectories(Config config, Run run, Checkpoint checkpoint) {
    int level =
        config.level() > 0
            ? config.level()
            : checkpoint.levels().length == 0 ? run.minLevel() : checkpoint.maxLevel();
    Batch batch = run.sample(new int[] {level}, config.trials(), run.random("probe"));
    int[] condition = Probe.of(batch, "delay", ID).conditionOfTrial(batch.batch());
    INDArray kappa = run.restore(checkpoint).forward(batch, run.random("h0")).extras().get("kappa");
    if (kappa == null) {
      throw new IllegalStateException(
          ID
              + ": model '"
              + run.modelId()
              + "' has loadings m and n but no extra 'kappa' for the latent trajectory");
    }
    double[] values =
        kappa
            .castTo(DataType.DOUBLE)
            .reshape((long) batch.steps() * batch.batch())
            .toDoubleVector();
    Map<Long, double[]> sums = new TreeMap<>();
    for (int t = 0; t < batch.steps(); t++) {
      for (int b = 0; b < batch.batch(); b++) {
        if (condition[b] < 0) {
          continue;
        }
        double[] s = sums.computeIfAbsent(((long) condition[b] << 32) | t, x -> new double[2]);
        s[0] += values[t * batch.batch() + b];
        s[1]++;
      }
    }
    List<List<Object>> rows = new ArrayList<>();
    for (Map.Entry<Long, double[]> e : sums.entrySet()) {
      rows.add(
          List.of(
              checkpoint.name(),
              checkpoint.epoch(),
              (int) (e.getKey() >> 32),
              (int) (e.getKey() & 0xffffffffL),
              e.getValue()[0] / e.getValue()[1]));
    }
    return rows;
  }

  private static void draw(Path file, List<Result> results, List<List<Object>> trajectoryRows)
      throws IOException {
    XYChart field = Outputs.chart("Latent speed log10 F(κ)²", "κ", "log10 F(κ)²", 500);
    XYChart kappa = Outputs.chart("Condition-mean κ_t of the probe trials", "step", "κ", 400);
    int n = results.size();
    List<Integer> shown = new ArrayList<>();
    for (int i = 0; i < Math.min(4, n); i++) {
      int k = n <= 4 ? i : (int) Math.round(i * (n - 1) / 3.0);
      if (!shown.contains(k)) {
        shown.add(k);
      }
    }
    for (int k : shown) {
      Result r = results.get(k);
      String name = r.checkpoint().name();
      double[] logSpeed = Arrays.stream(r.field()).map(f -> Math.log10(f * f)).toArray();
      double[][] finite = Outputs.finitePoints(r.grid(), logSpeed);
      field.addSeries(name, finite[0], finite[1]).setMarker(SeriesMarkers.NONE);
      if (!r.points().isEmpty()) {
        double[] xs = r.points().stream().mapToDouble(RankOneFlow.Point::kappa).toArray();
        // A zero's F² is ~1e-30 after Brent; drawn at the grid's lowest value to keep the scale.
        double floor = Arrays.stream(finite[1]).min().orElse(0);
        double[] ys =
            r.points().stream()
                .mapToDouble(p -> Math.max(Math.log10(Math.max(p.speedSquared(), 1e-300)), floor))
                .toArray();
        field.addSeries(name + " zeros and ghosts", xs, ys).setMarker(SeriesMarkers.DIAMOND);
        field
            .getSeriesMap()
            .get(name + " zeros and ghosts")
            .setLineStyle(org.knowm.xchart.style.lines.SeriesLines.NONE);
      }
      Map<Integer, List<double[]>> byCondition = new TreeMap<>();
      for (List<Object> row : trajectoryRows) {
        if (row.get(0).equals(name)) {
          byCondition
              .computeIfAbsent((Integer) row.get(2), c -> new ArrayList<>())
              .add(new double[] {(Integer) row.get(3), (Double) row.get(4)});
        }
      }
      for (Map.Entry<Integer, List<double[]>> e : byCondition.entrySet()) {
        double[] x = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
        double[] y = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
        kappa.addSeries(name + " condition " + e.getKey(), x, y).setMarker(SeriesMarkers.NONE);
      }
    }
    Outputs.save(file, List.of(field, kappa));
  }
}
