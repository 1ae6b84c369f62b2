package engram.analysis.fixedpoints;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.common.Outputs;
import engram.analysis.common.Simulation;
import engram.analysis.fixedpoints.FixedPointFinder.Point;
import engram.api.Analyzer;
import engram.api.Cell;
import engram.api.Network;
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
import java.util.Locale;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fixed and slow points of each analysed checkpoint's one-step map (spec memory-geometry §8;
 * Sussillo &amp; Barak 2013), found by {@link FixedPointFinder}.
 *
 * <p>For one checkpoint: a batch of {@code trials} sequences of the task at the checkpoint's
 * largest level comes from {@link Run#sample} with {@code run.random("batch")}; the restored
 * network's cell runs over it step by step from an initial state drawn from {@code
 * run.random("h0")}, keeping the full state s_t {@code [S]} (an LSTM's [h | c]) of every step and
 * sequence. The map is F(s) = cell.step(s, u*) with u* = 0 ({@code input: zero}) or the mean input
 * of the batch over steps and sequences ({@code input: mean}). {@code initial-states} starting
 * points are trajectory states plus N(0, noise²) noise ({@code run.random("initial-states")}); the
 * finder's options are the config's. Every checkpoint draws from generators of the same names, so a
 * repeated analysis gives the same numbers.
 *
 * <p>PCA: one basis per checkpoint, fitted on that checkpoint's trajectory states (centred on their
 * mean); points are projected on its first three components (NaN beyond S).
 *
 * <p>Outputs: {@code fixed-points.csv} (see {@link #TABLE}) and {@code fixed-points.png}, per
 * checkpoint the trajectories in the plane of PC1–PC2 with the points coloured by class.
 */
public final class FixedPointsAnalyzer implements Analyzer<FixedPointsAnalyzer.Config> {

  static final String ID = "fixed-points";
  static final String PNG = "fixed-points.png";

  /** {@code fixed-points.csv}: one row per distinct point, by checkpoint then increasing q. */
  static final TableSpec TABLE =
      TableSpec.of(
          "fixed-points.csv",
          "per analysed checkpoint (oldest first) one row per distinct fixed or slow point, by"
              + " increasing q",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.integer("point", "", "index of the point within the checkpoint, 0 = lowest q"),
          ColumnSpec.number("q", "", "speed q = ½‖F(s) − s‖² at the point"),
          ColumnSpec.text(
              "kind", "fixed (q at the tolerance) or slow (a local minimum of q above it)"),
          ColumnSpec.text(
              "class",
              "stable (no |λ| > 1), saddle or unstable (every |λ| > 1), from"
                  + " the eigenvalues λ of the Jacobian of the discrete map"),
          ColumnSpec.integer("unstable", "eigenvalues", "how many |λ| exceed 1"),
          ColumnSpec.number("leading_modulus", "", "largest |λ|"),
          ColumnSpec.number(
              "pc1",
              "state units",
              "coordinate on the first principal component of"
                  + " the checkpoint's trajectory states"),
          ColumnSpec.number("pc2", "state units", "on the second component (NaN when S < 2)"),
          ColumnSpec.number("pc3", "state units", "on the third component (NaN when S < 3)"));

  /** The constant input u* of the map. */
  public enum InputChoice {
    /** u* = 0. */
    ZERO,
    /** u* = the mean input of the sampled batch. */
    MEAN
  }

  /**
   * @param checkpoints which checkpoints
   * @param trials sequences whose states seed the search
   * @param input u*
   * @param initialStates starting points of the search
   * @param noise standard deviation added to the starting points
   * @param maxIterations Adam iterations
   * @param learningRate Adam's initial rate
   * @param tolQ stopping q
   * @param newtonIterations refinement iterations
   * @param maxQ largest q reported
   * @param uniqueTol de-duplication distance
   * @param outlierScale outlier distance in medians
   */
  public record Config(
      @Doc("checkpoints to analyse: last or all") CheckpointSelection checkpoints,
      @Doc("sequences of the task sampled for trajectory states, ≥ 1") int trials,
      @Doc("the constant input u* of the map: zero or mean (of the sampled inputs)")
          InputChoice input,
      @Doc("starting points of the search, ≥ 1 (1024 in fixed-point-finder)") int initialStates,
      @Doc("standard deviation of the Gaussian noise added to each starting state, ≥ 0")
          double noise,
      @Doc("Adam iterations at most, ≥ 0") int maxIterations,
      @Doc("Adam's initial and largest learning rate, > 0; halved after a step that raises q")
          double learningRate,
      @Doc("q = ½‖F(s) − s‖² at which a search stops and a point counts as fixed, ≥ 0") double tolQ,
      @Doc("Newton (Levenberg–Marquardt) refinement iterations, ≥ 0") int newtonIterations,
      @Doc("points whose final q exceeds this are not reported, ≥ 0") double maxQ,
      @Doc("points closer than this (Euclidean, state units) are one, ≥ 0") double uniqueTol,
      @Doc(
              "points farther from the starting states' centroid than this many medians of their"
                  + " distance to it are outliers, > 0")
          double outlierScale) {
    public Config {
      Check.notNull("checkpoints", checkpoints);
      Check.notNull("input", input);
      Check.atLeast("trials", trials, 1);
      Check.atLeast("initial-states", initialStates, 1);
      if (!(noise >= 0) || Double.isInfinite(noise)) {
        throw new IllegalArgumentException("noise must be a finite number ≥ 0 (was " + noise + ")");
      }
      options(maxIterations, learningRate, tolQ, newtonIterations, maxQ, uniqueTol, outlierScale);
    }

    private static FixedPointFinder.Options options(
        int maxIterations,
        double learningRate,
        double tolQ,
        int newtonIterations,
        double maxQ,
        double uniqueTol,
        double outlierScale) {
      return new FixedPointFinder.Options(
          maxIterations, learningRate, tolQ, newtonIterations, maxQ, uniqueTol, outlierScale);
    }

    /** The finder's options. */
    FixedPointFinder.Options options() {
      return options(
          maxIterations, learningRate, tolQ, newtonIterations, maxQ, uniqueTol, outlierScale);
    }
  }

  /** One checkpoint's result: its trajectory states in PCA coordinates and its points. */
  record Found(
      Checkpoint checkpoint, double[][] trajectory, List<Point> points, double[][] coordinates) {}

  public FixedPointsAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Fixed and slow points of the dynamics",
        "Minimises q = ½‖F(s, u*) − s‖² from states on the task's trajectories (Adam, then Newton),"
            + " de-duplicates, and classifies every point by the eigenvalues of the Jacobian"
            + " (stable, saddle, unstable). Writes fixed-points.csv and fixed-points.png.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(
        CheckpointSelection.LAST,
        16,
        InputChoice.ZERO,
        1024,
        0.5,
        5000,
        1.0,
        1e-12,
        20,
        1.0,
        1e-3,
        10);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(TABLE);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    Run run = Simulation.run(context, ID);
    List<Checkpoint> chosen = config.checkpoints().select(context.checkpoints(), ID);
    List<Found> found = new ArrayList<>();
    for (Checkpoint checkpoint : chosen) {
      found.add(analyse(config, run, checkpoint));
    }
    Path out = context.outputDirectory();
    List<List<Object>> rows = new ArrayList<>();
    for (Found f : found) {
      for (int i = 0; i < f.points().size(); i++) {
        Point p = f.points().get(i);
        double[] c = f.coordinates()[i];
        rows.add(
            List.of(
                f.checkpoint().name(),
                f.checkpoint().epoch(),
                i,
                p.q(),
                p.fixed() ? "fixed" : "slow",
                p.stability().label(),
                p.unstableCount(),
                p.leadingModulus(),
                c[0],
                c[1],
                c[2]));
      }
    }
    Outputs.writeCsv(out, TABLE, rows);
    draw(out.resolve(PNG), found);
  }

  /** Trajectory states, the search and the PCA projection of one checkpoint. */
  static Found analyse(Config config, Run run, Checkpoint checkpoint) {
    int[] levels = checkpoint.levels();
    int level = levels == null || levels.length == 0 ? run.minLevel() : Outputs.maxLevel(levels);
    Batch batch = run.sample(new int[] {level}, config.trials(), run.random("batch"));
    Network network = run.restore(checkpoint).network();
    double[][] states = states(network, batch, run);
    double[] input = new double[batch.inputSize()];
    if (config.input() == InputChoice.MEAN) {
      int rows = batch.steps() * batch.batch();
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < input.length; k++) {
          input[k] += batch.inputs()[r * input.length + k] / (double) rows;
        }
      }
    }
    double[][] initial =
        FixedPointFinder.initialStates(
            states, config.initialStates(), config.noise(), run.random("initial-states"));
    List<Point> points =
        new FixedPointFinder(StepMap.of(network, input), config.options()).find(initial);
    Pca pca = Pca.fit(states, 3);
    double[][] coordinates = new double[points.size()][];
    for (int i = 0; i < coordinates.length; i++) {
      coordinates[i] = pca.project(points.get(i).state());
    }
    double[][] trajectory = new double[states.length][];
    for (int i = 0; i < states.length; i++) {
      trajectory[i] = pca.project(states[i]);
    }
    return new Found(checkpoint, trajectory, points, coordinates);
  }

  /**
   * The full states s_1 … s_T of every sequence, running the cell itself (the trajectory's hidden
   * states lack the other blocks of an LSTM's [h | c]).
   *
   * @return {@code [T·B][S]}, step-major
   * @throws IllegalStateException when a state is not finite
   */
  static double[][] states(Network network, Batch batch, Run run) {
    Cell cell = network.cell();
    INDArray s = network.initialState(batch.batch(), run.random("h0"));
    DataType type = s.dataType();
    INDArray inputs =
        Nd4j.createFromArray(batch.inputs())
            .reshape(batch.steps(), batch.batch(), batch.inputSize())
            .castTo(type);
    int width = network.stateSize();
    double[][] out = new double[batch.steps() * batch.batch()][];
    for (int t = 0; t < batch.steps(); t++) {
      INDArray x = inputs.slice(t).dup('c');
      s = cell.step(s, x, null).next();
      double[][] rows = s.castTo(DataType.DOUBLE).reshape(batch.batch(), width).toDoubleMatrix();
      for (int b = 0; b < rows.length; b++) {
        for (double v : rows[b]) {
          if (!Double.isFinite(v)) {
            throw new IllegalStateException(
                ID
                    + ": the state of the "
                    + run.modelId()
                    + " network diverges on the task (step "
                    + t
                    + ", sequence "
                    + b
                    + ")");
          }
        }
        out[t * batch.batch() + b] = rows[b];
      }
    }
    return out;
  }

  /** Principal components of a cloud of states (centred covariance, symmetric eigenproblem). */
  record Pca(double[] mean, double[][] components) {
    static Pca fit(double[][] x, int k) {
      int s = x[0].length;
      double[] mean = new double[s];
      for (double[] row : x) {
        for (int j = 0; j < s; j++) {
          mean[j] += row[j] / x.length;
        }
      }
      double[][] cov = new double[s][s];
      for (double[] row : x) {
        for (int i = 0; i < s; i++) {
          for (int j = 0; j < s; j++) {
            cov[i][j] += (row[i] - mean[i]) * (row[j] - mean[j]) / x.length;
          }
        }
      }
      EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov));
      double[] values = eig.getRealEigenvalues();
      Integer[] order = new Integer[s];
      for (int i = 0; i < s; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
      double[][] components = new double[Math.min(k, s)][];
      for (int c = 0; c < components.length; c++) {
        components[c] = eig.getEigenvector(order[c]).toArray();
      }
      return new Pca(mean, components);
    }

    /** The first three coordinates, NaN beyond the available components. */
    double[] project(double[] state) {
      double[] c = {Double.NaN, Double.NaN, Double.NaN};
      for (int i = 0; i < components.length && i < 3; i++) {
        double sum = 0;
        for (int j = 0; j < state.length; j++) {
          sum += (state[j] - mean[j]) * components[i][j];
        }
        c[i] = sum;
      }
      return c;
    }
  }

  private static void draw(Path file, List<Found> found) throws IOException {
    List<XYChart> charts = new ArrayList<>();
    for (Found f : found) {
      XYChart chart =
          Outputs.chart(
              "Fixed and slow points at "
                  + f.checkpoint().name()
                  + " (epoch "
                  + f.checkpoint().epoch()
                  + ")",
              "PC1",
              "PC2",
              500);
      double[] tx = new double[f.trajectory().length];
      double[] ty = new double[tx.length];
      for (int i = 0; i < tx.length; i++) {
        tx[i] = f.trajectory()[i][0];
        ty[i] = Double.isNaN(f.trajectory()[i][1]) ? 0 : f.trajectory()[i][1];
      }
      XYSeries states = chart.addSeries("trajectory states", tx, ty);
      states.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      states.setMarker(SeriesMarkers.CIRCLE);
      for (FixedPointFinder.Stability stability : FixedPointFinder.Stability.values()) {
        for (boolean fixed : new boolean[] {true, false}) {
          List<Double> xs = new ArrayList<>();
          List<Double> ys = new ArrayList<>();
          for (int i = 0; i < f.points().size(); i++) {
            Point p = f.points().get(i);
            if (p.stability() == stability && p.fixed() == fixed) {
              xs.add(f.coordinates()[i][0]);
              ys.add(Double.isNaN(f.coordinates()[i][1]) ? 0 : f.coordinates()[i][1]);
            }
          }
          if (!xs.isEmpty()) {
            XYSeries series =
                chart.addSeries(
                    String.format(
                        Locale.ROOT,
                        "%s %s (%d)",
                        stability.label(),
                        fixed ? "fixed" : "slow",
                        xs.size()),
                    xs,
                    ys);
            series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            series.setMarker(fixed ? SeriesMarkers.DIAMOND : SeriesMarkers.TRIANGLE_UP);
          }
        }
      }
      charts.add(chart);
    }
    Outputs.save(file, charts);
  }
}
