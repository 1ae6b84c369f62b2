package engram.analysis.lowrank;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.common.Outputs;
import engram.analysis.common.Probe;
import engram.analysis.fixedpoints.StepMap;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The latent flow of a rank-one or rank-two network (spec memory-geometry §8 "Low-rank flow field")
 * per checkpoint: F(κ) = −κ + Qᵀ tanh(Uκ + b) on a grid of κ, its zeros (fixed points) and ghosts
 * (slow minima of ‖F‖ that are not zeros), and the trajectories of the probe trials in κ. Where U,
 * Q and b come from ({@code source}) and the derivations: {@link LowRankReduction}; the 1-D flow:
 * {@link RankOneFlow}; the 2-D flow: {@link PlaneFlow}.
 *
 * <p><b>Which models</b>: {@code source: loadings} (default) reads loadings {@code m}, {@code n}
 * ({@code [H]}, or {@code [H, r]} with r ≤ 2) and a bias {@code b} — the {@code rank-one-rnn} and
 * the {@code low-rank-rnn} — and the latent trajectory from the extra {@code kappa}. {@code source:
 * svd} truncates the recurrent matrix W of a cell that steps as h' = (1 − a)⊙h + a⊙tanh(W h + b)
 * (the {@code leaky-rnn} with {@code phi: inside, nonlinearity: tanh}, the {@code vanilla-rnn} with
 * tanh) to its leading {@code rank} singular triplets (default 2). Every other model is refused
 * with one line naming it, before anything is written.
 *
 * <p><b>Rank one</b> (output unchanged from the rank-one analyzer): {@code grid-points} equal steps
 * over |κ| ≤ range, range = 1.2·Σ|n_i|/H of the checkpoint unless {@code range} is set; zeros by
 * sign change and Brent, stable iff F′ &lt; 0; ghosts = grid minima of F² without a sign change.
 * Writes {@code low-rank-flow.csv}, {@code low-rank-points.csv}, {@code low-rank-trajectories.csv}.
 *
 * <p><b>Rank two</b>: a {@code plane-points} × {@code plane-points} grid over |κ_k| ≤ 1.2·Σ_i
 * |Q_ik| per axis (or ±{@code range}); zeros by Newton from the grid minima of ‖F‖², classed stable
 * / saddle / unstable / marginal by the eigenvalues of the 2×2 Jacobian; ghosts = grid minima whose
 * Newton does not end on a zero within two grid spacings (rule in {@link PlaneFlow}). Each point
 * also gets {@code step_residual} = ‖Φ(s*) − s*‖₂ of the network's own one-step map Φ at zero input
 * (in the network's data type, so ≈ 1e−6 at best in float32) at the state s* of the point (x* = Mκ*
 * + b for loadings, h* = tanh(Uκ* + b) for SVD): ≈ 0 where the reduction is exact, the error of the
 * truncation otherwise. Writes {@code low-rank-plane.csv}, {@code low-rank-plane-points.csv},
 * {@code low-rank-plane-trajectories.csv}.
 *
 * <p>With {@code source: svd} also {@code low-rank-svd.csv}: σ_1..σ_r, σ_k/‖W‖_F and the energy
 * kept Σ_{j≤k} σ_j²/‖W‖_F² per checkpoint.
 *
 * <p><b>Trajectories</b>: the trials of one probe batch of the run's task ({@code
 * run.random("probe")}, initial states {@code run.random("h0")}), averaged per condition and step
 * (conditions by the rules of {@link Probe}); all steps, inputs included. The latent of a state is
 * the model's {@code kappa} (loadings) or S Vᵀ h_t (SVD).
 *
 * <p>{@code low-rank-flow.png}: rank one, log10 F² against κ with the points marked (up to four
 * checkpoints) and κ_t against step; rank two, one panel per shown checkpoint (up to four) with
 * log10 ‖F‖² as a colour map, zeros marked by class, ghosts, and the condition-mean trajectories in
 * the plane ({@link PlaneFigure}).
 */
public final class LowRankFlowAnalyzer implements Analyzer<LowRankFlowAnalyzer.Config> {

  static final String ID = "low-rank-flow";
  static final String PNG = "low-rank-flow.png";

  static final TableSpec FLOW =
      TableSpec.of(
          "low-rank-flow.csv",
          "rank one: the latent field on the grid, one row per checkpoint and grid point",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.number("kappa", "", "latent κ"),
          ColumnSpec.number("field", "per τ", "F(κ) = −κ + nᵀ tanh(mκ + b)/H"),
          ColumnSpec.number("log10_speed_sq", "", "log10 F(κ)² (NaN at an exact zero)"));

  static final TableSpec POINTS =
      TableSpec.of(
          "low-rank-points.csv",
          "rank one: zeros and ghosts of the latent field, one row per checkpoint and point, by"
              + " increasing κ",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.number("kappa", "", "latent κ of the point"),
          ColumnSpec.text("kind", "stable, unstable (zeros of F) or ghost (minimum of F², F ≠ 0)"),
          ColumnSpec.number("speed_sq", "", "F(κ)² at the point"),
          ColumnSpec.number("slope", "", "F′(κ): < 0 stable, > 0 unstable"));

  static final TableSpec TRAJECTORIES =
      TableSpec.of(
          "low-rank-trajectories.csv",
          "rank one: condition-mean latent κ_t of the probe trials, one row per checkpoint,"
              + " condition and step",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.integer("condition", "", "condition index (rules of the geometry probe)"),
          ColumnSpec.integer("step", "steps", "step of the trial"),
          ColumnSpec.number("kappa", "", "mean κ_t over the condition's trials"));

  static final TableSpec PLANE =
      TableSpec.of(
          "low-rank-plane.csv",
          "rank two: the latent field on the grid, one row per checkpoint and grid point",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.number("kappa_1", "", "latent κ_1"),
          ColumnSpec.number("kappa_2", "", "latent κ_2"),
          ColumnSpec.number("field_1", "per τ", "F_1(κ), F = −κ + Qᵀ tanh(Uκ + b)"),
          ColumnSpec.number("field_2", "per τ", "F_2(κ)"),
          ColumnSpec.number("log10_speed_sq", "", "log10 ‖F(κ)‖² (NaN at an exact zero)"));

  static final TableSpec PLANE_POINTS =
      TableSpec.of(
          "low-rank-plane-points.csv",
          "rank two: zeros (by increasing κ_1, κ_2), then ghosts, one row per checkpoint and point",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.number("kappa_1", "", "κ_1 of the point"),
          ColumnSpec.number("kappa_2", "", "κ_2 of the point"),
          ColumnSpec.text(
              "kind",
              "stable, saddle, unstable, marginal (zeros, by Re λ of J) or ghost (minimum of ‖F‖²"
                  + " with no zero within two grid spacings)"),
          ColumnSpec.number("speed_sq", "", "‖F(κ)‖² at the point"),
          ColumnSpec.number("eig_re_1", "per τ", "Re λ_1 of J = ∂F/∂κ (λ_1: smaller real part)"),
          ColumnSpec.number("eig_im_1", "per τ", "Im λ_1"),
          ColumnSpec.number("eig_re_2", "per τ", "Re λ_2"),
          ColumnSpec.number("eig_im_2", "per τ", "Im λ_2"),
          ColumnSpec.number(
              "step_residual",
              "",
              "‖Φ(s*) − s*‖₂ of the network's one-step map at zero input at the point's state"));

  static final TableSpec PLANE_TRAJECTORIES =
      TableSpec.of(
          "low-rank-plane-trajectories.csv",
          "rank two: condition-mean latent κ_t of the probe trials, one row per checkpoint,"
              + " condition and step",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.integer("condition", "", "condition index (rules of the geometry probe)"),
          ColumnSpec.integer("step", "steps", "step of the trial"),
          ColumnSpec.number("kappa_1", "", "mean κ_1 over the condition's trials"),
          ColumnSpec.number("kappa_2", "", "mean κ_2 over the condition's trials"));

  static final TableSpec SVD =
      TableSpec.of(
          "low-rank-svd.csv",
          "source svd: how much of W the rank-r truncation keeps, one row per checkpoint and"
              + " component",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.integer("component", "", "k = 1..r"),
          ColumnSpec.number("sigma", "", "σ_k, the k-th singular value of W"),
          ColumnSpec.number("sigma_over_frobenius", "", "σ_k/‖W‖_F"),
          ColumnSpec.number("energy_kept", "", "Σ_{j≤k} σ_j²/‖W‖_F²"));

  /** Where the latent flow comes from (YAML: loadings, svd); see {@link LowRankReduction}. */
  public enum Source {
    /** The loadings m, n of a rank-one-rnn or low-rank-rnn. */
    LOADINGS,
    /** The SVD truncation of a full-rank W (leaky-rnn with phi inside, vanilla-rnn; tanh). */
    SVD
  }

  /** Configuration; YAML keys are the kebab-case component names. */
  public record Config(
      @Doc("which checkpoints to analyse: all (oldest first) or last")
          CheckpointSelection checkpoints,
      @Doc("rank one: grid points over [−range, range], ≥ 3") int gridPoints,
      @Doc("half-width of the κ grid (each axis); 0: 1.2·Σ_i|Q_ik| of each checkpoint")
          double range,
      @Doc("trials of the probe batch whose κ trajectories are written, ≥ 2") int trials,
      @Doc("task level of the probe batch; 0: the checkpoint's largest level") int level,
      @Doc(
              "where the flow comes from: loadings (m, n of a rank-one-rnn or low-rank-rnn) or svd"
                  + " (W of a leaky-rnn with phi: inside or a vanilla-rnn, tanh, truncated)")
          Source source,
      @Doc("rank of the flow, 1 or 2; 0: the loadings' own rank (loadings) or 2 (svd)") int rank,
      @Doc("rank two: grid points per axis of the κ plane, ≥ 3") int planePoints) {
    public Config {
      Check.notNull("checkpoints", checkpoints);
      Check.atLeast("grid-points", gridPoints, 3);
      Check.nonNegative("range", range);
      Check.atLeast("trials", trials, 2);
      Check.atLeast("level", level, 0);
      Check.notNull("source", source);
      Check.atLeast("rank", rank, 0);
      if (rank > 2) {
        throw new IllegalArgumentException(
            "rank must be 0, 1 or 2 (was " + rank + "): the flow is drawn on a line or a plane");
      }
      Check.atLeast("plane-points", planePoints, 3);
    }

    /** The rank-one settings: loadings of the model's own rank, a 101-point plane. */
    public Config(
        CheckpointSelection checkpoints, int gridPoints, double range, int trials, int level) {
      this(checkpoints, gridPoints, range, trials, level, Source.LOADINGS, 0, 101);
    }
  }

  record Result(
      Checkpoint checkpoint, double[] grid, double[] field, List<RankOneFlow.Point> points) {}

  /** A rank-two checkpoint's plane, for the figure. */
  record PlaneResult(Checkpoint checkpoint, PlaneFlow.Plane plane) {}

  public LowRankFlowAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Latent flow of a rank-one or rank-two network",
        "For a network with rank-one or rank-two recurrence, from its loadings m, n"
            + " (rank-one-rnn, low-rank-rnn) or the SVD truncation of W (leaky-rnn with phi"
            + " inside, vanilla-rnn; tanh): the latent field F(κ) = −κ + Qᵀ tanh(Uκ + b) on a"
            + " grid, its zeros (stable/saddle/unstable fixed points) and ghosts (slow minima),"
            + " and the probe trials' κ trajectories per condition. Writes low-rank-*.csv and"
            + " low-rank-flow.png.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(CheckpointSelection.ALL, 2001, 0, 64, 0, Source.LOADINGS, 0, 101);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(FLOW, POINTS, TRAJECTORIES, PLANE, PLANE_POINTS, PLANE_TRAJECTORIES, SVD);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    List<Checkpoint> checkpoints = config.checkpoints().select(context.checkpoints(), ID);
    Run run = context.run();
    // Every checkpoint is reduced (or refused) before anything is written.
    List<LowRankReduction> reductions = new ArrayList<>();
    for (Checkpoint checkpoint : checkpoints) {
      reductions.add(reduce(config, run, checkpoint));
    }
    List<Result> results = new ArrayList<>();
    List<PlaneResult> planes = new ArrayList<>();
    Map<TableSpec, List<List<Object>>> rows = new LinkedHashMap<>();
    for (TableSpec table : tables()) {
      rows.put(table, new ArrayList<>());
    }
    for (int k = 0; k < checkpoints.size(); k++) {
      Checkpoint checkpoint = checkpoints.get(k);
      LowRankReduction reduction = reductions.get(k);
      Restored restored = run.restore(checkpoint);
      Batch batch = probe(config, run, checkpoint);
      double[][] latent =
          reduction.latent(restored.forward(batch, run.random("h0")), ID, run.modelId());
      if (reduction.rank() == 1) {
        results.add(rankOne(config, checkpoint, reduction.rankOne(), rows));
        rows.get(TRAJECTORIES).addAll(trajectories(checkpoint, batch, latent));
      } else {
        StepMap map = StepMap.of(restored.network(), new double[batch.inputSize()]);
        planes.add(plane(config, checkpoint, reduction, map, rows));
        rows.get(PLANE_TRAJECTORIES).addAll(trajectories(checkpoint, batch, latent));
      }
      for (int c = 0; c < reduction.sigma().length; c++) {
        double sigma = reduction.sigma()[c];
        double kept = 0;
        for (int j = 0; j <= c; j++) {
          kept += reduction.sigma()[j] * reduction.sigma()[j];
        }
        double frobenius = reduction.frobenius();
        rows.get(SVD)
            .add(
                List.of(
                    checkpoint.name(),
                    checkpoint.epoch(),
                    c + 1,
                    sigma,
                    sigma / frobenius,
                    kept / (frobenius * frobenius)));
      }
    }
    Path out = context.outputDirectory();
    for (Map.Entry<TableSpec, List<List<Object>>> e : rows.entrySet()) {
      if (!e.getValue().isEmpty()) {
        Outputs.writeCsv(out, e.getKey(), e.getValue());
      }
    }
    if (planes.isEmpty()) {
      draw(out.resolve(PNG), results, rows.get(TRAJECTORIES));
    } else {
      PlaneFigure.draw(out.resolve(PNG), planes, rows.get(PLANE_TRAJECTORIES));
    }
  }

  /**
   * The reduction of one checkpoint by the configured source.
   *
   * @throws IllegalStateException naming the model when it does not reduce
   */
  static LowRankReduction reduce(Config config, Run run, Checkpoint checkpoint) {
    if (config.source() == Source.LOADINGS) {
      return LowRankReduction.loadings(checkpoint.tensors(), config.rank(), ID, run.modelId());
    }
    Batch batch = run.sample(new int[] {level(config, run, checkpoint)}, 1, run.random("probe"));
    return LowRankReduction.svd(
        run.restore(checkpoint).network(),
        batch.inputSize(),
        config.rank() == 0 ? 2 : config.rank(),
        ID,
        run.modelId());
  }

  /** The 1-D field, its points and their rows (the rank-one analyzer's output). */
  private static Result rankOne(
      Config config,
      Checkpoint checkpoint,
      RankOneFlow flow,
      Map<TableSpec, List<List<Object>>> rows) {
    double range = config.range() > 0 ? config.range() : 1.2 * Math.max(flow.bound(), 1e-3);
    double[] grid = RankOneFlow.grid(range, config.gridPoints());
    double[] field = Arrays.stream(grid).map(flow::field).toArray();
    List<RankOneFlow.Point> points = flow.specialPoints(grid);
    for (int i = 0; i < grid.length; i++) {
      rows.get(FLOW)
          .add(
              List.of(
                  checkpoint.name(),
                  checkpoint.epoch(),
                  grid[i],
                  field[i],
                  field[i] == 0 ? Double.NaN : Math.log10(field[i] * field[i])));
    }
    for (RankOneFlow.Point p : points) {
      rows.get(POINTS)
          .add(
              List.of(
                  checkpoint.name(),
                  checkpoint.epoch(),
                  p.kappa(),
                  p.kind().label,
                  p.speedSquared(),
                  p.slope()));
    }
    return new Result(checkpoint, grid, field, points);
  }

  /** The 2-D field, its points (with the network's step residual) and their rows. */
  private static PlaneResult plane(
      Config config,
      Checkpoint checkpoint,
      LowRankReduction reduction,
      StepMap map,
      Map<TableSpec, List<List<Object>>> rows) {
    PlaneFlow flow = reduction.plane();
    double range1 = config.range() > 0 ? config.range() : 1.2 * Math.max(flow.bound(0), 1e-3);
    double range2 = config.range() > 0 ? config.range() : 1.2 * Math.max(flow.bound(1), 1e-3);
    PlaneFlow.Plane plane = flow.analyse(range1, range2, config.planePoints());
    for (int i = 0; i < plane.axis1().length; i++) {
      for (int j = 0; j < plane.axis2().length; j++) {
        double[] f = flow.field(plane.axis1()[i], plane.axis2()[j]);
        double speed = plane.speedSquared()[i][j];
        rows.get(PLANE)
            .add(
                List.of(
                    checkpoint.name(),
                    checkpoint.epoch(),
                    plane.axis1()[i],
                    plane.axis2()[j],
                    f[0],
                    f[1],
                    speed == 0 ? Double.NaN : Math.log10(speed)));
      }
    }
    List<PlaneFlow.Point> points = plane.points();
    double[][] states = new double[points.size()][];
    for (int p = 0; p < points.size(); p++) {
      states[p] = reduction.lift(points.get(p).kappa());
    }
    double[][] next = points.isEmpty() ? new double[0][] : map.apply(states);
    for (int p = 0; p < points.size(); p++) {
      PlaneFlow.Point point = points.get(p);
      double residual = 0;
      for (int i = 0; i < states[p].length; i++) {
        double d = next[p][i] - states[p][i];
        residual += d * d;
      }
      rows.get(PLANE_POINTS)
          .add(
              List.of(
                  checkpoint.name(),
                  checkpoint.epoch(),
                  point.kappa()[0],
                  point.kappa()[1],
                  point.kind().label,
                  point.speedSquared(),
                  point.eigenReal()[0],
                  point.eigenImaginary()[0],
                  point.eigenReal()[1],
                  point.eigenImaginary()[1],
                  Math.sqrt(residual)));
    }
    return new PlaneResult(checkpoint, plane);
  }

  private static int level(Config config, Run run, Checkpoint checkpoint) {
    return config.level() > 0
        ? config.level()
        : checkpoint.levels().length == 0 ? run.minLevel() : checkpoint.maxLevel();
  }

  private static Batch probe(Config config, Run run, Checkpoint checkpoint) {
    return run.sample(
        new int[] {level(config, run, checkpoint)}, config.trials(), run.random("probe"));
  }

  /**
   * Condition-mean κ_t rows: checkpoint, epoch, condition, step, then one mean per latent
   * coordinate.
   *
   * @param latent κ of every step and trial, row t·B + b
   */
  private static List<List<Object>> trajectories(
      Checkpoint checkpoint, Batch batch, double[][] latent) {
    int[] condition = Probe.of(batch, "delay", ID).conditionOfTrial(batch.batch());
    int r = latent.length == 0 ? 0 : latent[0].length;
    Map<Long, double[]> sums = new TreeMap<>();
    for (int t = 0; t < batch.steps(); t++) {
      for (int b = 0; b < batch.batch(); b++) {
        if (condition[b] < 0) {
          continue;
        }
        double[] s = sums.computeIfAbsent(((long) condition[b] << 32) | t, x -> new double[r + 1]);
        for (int k = 0; k < r; k++) {
          s[k] += latent[t * batch.batch() + b][k];
        }
        s[r]++;
      }
    }
    List<List<Object>> rows = new ArrayList<>();
    for (Map.Entry<Long, double[]> e : sums.entrySet()) {
      List<Object> row = new ArrayList<>();
      row.add(checkpoint.name());
      row.add(checkpoint.epoch());
      row.add((int) (e.getKey() >> 32));
      row.add((int) (e.getKey() & 0xffffffffL));
      for (int k = 0; k < r; k++) {
        row.add(e.getValue()[k] / e.getValue()[r]);
      }
      rows.add(row);
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
