package engram.analysis.geometry;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.common.Outputs;
import engram.analysis.common.Probe;
import engram.analysis.fixedpoints.StepMap;
import engram.analysis.geometry.GeometryMath.Pca;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Geometric restructuring (GR) metrics per checkpoint (spec memory-geometry §6 and §8), all on one
 * fixed probe batch and in one common PCA basis, so that checkpoints are comparable.
 *
 * <p><b>Probe</b>: one batch of {@code trials} trials of the run's task ({@link Run#sample} with
 * {@code run.random("probe")}) at level {@code level} (0: the largest level of the selected
 * checkpoints, or the task's smallest when they list none). Every checkpoint is run on it from the
 * same initial states ({@code run.random("h0")}, drawn afresh per checkpoint); the states used are
 * the trajectory's hidden states h_t {@code [H]} (what the readout sees; an LSTM's h without c).
 *
 * <p><b>Remembered variable and delay period</b>: by the rules of {@link Probe} (the condition is
 * read off the target at the trial's last scored step; the delay steps are those of the periods
 * named {@code delay-period}*). {@code probe.txt} in the output directory says which rule applied
 * and how many trials each condition has.
 *
 * <p><b>Metrics</b> per checkpoint (delay states = hidden states at delay steps, all trials):
 *
 * <ul>
 *   <li>{@code separation}: in the common PCA basis (top {@code components} axes of the covariance
 *       of the delay states pooled over all selected checkpoints), the mean distance between the
 *       condition means of the delay states over the RMS distance of a delay state to its own
 *       condition's mean (dimensionless; see {@link GeometryMath#separation});
 *   <li>{@code decoding_accuracy}: cross-validated accuracy of a ridge least-squares decoder of the
 *       condition from single delay states in the common basis ({@code folds} folds by trial, ridge
 *       λ = {@code ridge}; normal equations solved by Commons Math's Cholesky; see {@link
 *       GeometryMath#decodingAccuracy}); chance is the largest condition's share;
 *   <li>{@code delay_speed}: mean ‖h_{t+1} − h_t‖ over consecutive delay steps of every trial, in
 *       the full state space (state units per step);
 *   <li>{@code state_participation_ratio}: (Σλ)²/Σλ² of the covariance of the delay states;
 *   <li>{@code cka_previous}, {@code cka_final}: linear CKA between this checkpoint's delay states
 *       and those of the previous (NaN for the first) and of the last selected checkpoint (full
 *       space, same samples);
 *   <li>{@code dw_effective_rank}, {@code dw_sv1..3}: singular values σ of ΔW = W_rec − W_rec(first
 *       selected checkpoint) and its effective rank as the participation ratio (Σσ²)²/Σσ⁴ (1 for a
 *       rank-one ΔW, k for k equal singular values; NaN at the first checkpoint);
 *   <li>{@code w_eig1..3}: the three largest moduli |λ| of the eigenvalues of W_rec.
 * </ul>
 *
 * The weight columns need a square tensor named {@code recurrent-tensor} ({@code w_rec} by default;
 * {@code w} for a plrnn) in every selected checkpoint; a model without one (gate blocks, low-rank
 * factors) gets NaN there, and the state metrics still.
 *
 * <p>Writes {@code geometry.csv}, {@code geometry-pca.csv} (condition-mean delay states per step on
 * the first three common axes), {@code probe.txt}, {@code geometry.png} (metrics against epoch) and
 * {@code geometry-pca.png} (condition means on PC1–PC2 for up to four checkpoints).
 */
public final class GeometryAnalyzer implements Analyzer<GeometryAnalyzer.Config> {

  static final String ID = "geometry";
  static final String PNG = "geometry.png";
  static final String PCA_PNG = "geometry-pca.png";
  static final String PROBE = "probe.txt";

  static final TableSpec TABLE =
      TableSpec.of(
          "geometry.csv",
          "one row per selected checkpoint, oldest first: GR metrics on one probe batch in one"
              + " common PCA basis (weight columns NaN without a square recurrent-tensor)",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          ColumnSpec.number(
              "separation",
              "",
              "mean distance of condition means over the within-condition spread"),
          ColumnSpec.number(
              "decoding_accuracy", "", "cross-validated ridge decoder accuracy of the condition"),
          ColumnSpec.number("delay_speed", "state units per step", "mean ‖h_{t+1} − h_t‖"),
          ColumnSpec.number(
              "state_participation_ratio", "", "participation ratio of the delay-state covariance"),
          ColumnSpec.number("cka_previous", "", "linear CKA to the previous checkpoint"),
          ColumnSpec.number("cka_final", "", "linear CKA to the last selected checkpoint"),
          ColumnSpec.number(
              "dw_effective_rank",
              "",
              "participation ratio of σ² of W − W(first), W the recurrent-tensor"),
          ColumnSpec.number("dw_sv1", "", "largest singular value of ΔW"),
          ColumnSpec.number("dw_sv2", "", "second singular value of ΔW"),
          ColumnSpec.number("dw_sv3", "", "third singular value of ΔW"),
          ColumnSpec.number("w_eig1", "", "largest eigenvalue modulus of W"),
          ColumnSpec.number("w_eig2", "", "second eigenvalue modulus of W"),
          ColumnSpec.number("w_eig3", "", "third eigenvalue modulus of W"),
          ColumnSpec.number(
              "captured_fraction",
              "",
              "classes of the remembered variable whose memory state settles, under the autonomous"
                  + " map, on an attractor of its own: a stable point or a periodic orbit of"
                  + " period ≤ census-max-period (see AttractorCensus)"),
          ColumnSpec.integer(
              "attractors",
              "",
              "distinct attractors (fixed points and periodic orbits) the memory states settle on"),
          ColumnSpec.number(
              "census_speed",
              "state units per step",
              "largest ‖F(e) − e‖ over the end points e of the census"),
          ColumnSpec.number(
              "census_drift",
              "state units",
              "largest distance from a memory state to its end point"),
          ColumnSpec.integer(
              "census_cycles", "", "how many of the attractors are periodic orbits (period ≥ 2)"));

  static final TableSpec PCA_TABLE =
      TableSpec.of(
          "geometry-pca.csv",
          "condition-mean delay states of every selected checkpoint on the first three common PCA"
              + " axes, one row per checkpoint, condition and delay step",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.integer("condition", "", "condition index (see probe.txt)"),
          ColumnSpec.integer("step", "steps", "step of the trial"),
          ColumnSpec.number("pc1", "", "coordinate on the first common axis"),
          ColumnSpec.number("pc2", "", "coordinate on the second common axis (0 if H < 2)"),
          ColumnSpec.number("pc3", "", "coordinate on the third common axis (0 if H < 3)"));

  /** Configuration; YAML keys are the kebab-case component names. */
  public record Config(
      @Doc("which checkpoints to analyse: all (oldest first) or last")
          CheckpointSelection checkpoints,
      @Doc("task level of the probe batch; 0: the largest level of the selected checkpoints")
          int level,
      @Doc("trials in the probe batch, ≥ 4") int trials,
      @Doc("axes of the common PCA basis for separation and decoding, ≥ 1 (capped at H)")
          int components,
      @Doc("prefix of the names of the task's delay periods") String delayPeriod,
      @Doc("ridge strength λ of the decoder, > 0") double ridge,
      @Doc("cross-validation folds of the decoder (by trial), ≥ 2") int folds,
      @Doc(
              "the square recurrent matrix of the ΔW and eigenvalue columns: w_rec (leaky,"
                  + " vanilla), w for a plrnn")
          String recurrentTensor,
      @Doc("census: steps of the autonomous map (input 0, no noise) from each memory state, ≥ 1")
          int censusSteps,
      @Doc("census: an end point with ‖F(e) − e‖ ≤ census-tol (state units per step) converged")
          double censusTol,
      @Doc(
              "census: end points closer than this (state units) are one attractor; classes that"
                  + " share an attractor are not captured")
          double censusRadius,
      @Doc(
              "census: longest period of an attracting periodic orbit searched, ≥ 1 (1: fixed"
                  + " points only)")
          int censusMaxPeriod) {
    public Config {
      Check.notNull("checkpoints", checkpoints);
      Check.atLeast("level", level, 0);
      Check.atLeast("trials", trials, 4);
      Check.atLeast("components", components, 1);
      Check.notNull("delay-period", delayPeriod);
      Check.positive("ridge", ridge);
      Check.atLeast("folds", folds, 2);
      Check.notNull("recurrent-tensor", recurrentTensor);
      new AttractorCensus(censusSteps, censusTol, censusRadius, censusMaxPeriod);
      if (folds > trials) {
        throw new IllegalArgumentException(
            "folds (" + folds + ") must not exceed trials (" + trials + ")");
      }
    }
  }

  /** One checkpoint's row. */
  record Row(Checkpoint checkpoint, double[] values) {}

  public GeometryAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Geometry of memory states per checkpoint (GR metrics)",
        "Runs every selected checkpoint on one probe batch and, in one PCA basis fitted on the"
            + " delay states of all of them: separation of the memory states, cross-validated"
            + " ridge decodability of the remembered condition, delay-period speed, participation"
            + " ratio, linear CKA to the previous and final checkpoint, singular values and"
            + " effective rank of ΔW = W_rec − W_rec(first) and the leading |eigenvalues| of W_rec."
            + " Writes geometry.csv, geometry-pca.csv, probe.txt, geometry.png and"
            + " geometry-pca.png. Needs a run.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(
        CheckpointSelection.ALL, 0, 64, 10, "delay", 1e-3, 5, "w_rec", 500, 1e-4, 0.1, 50);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(TABLE, PCA_TABLE);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    List<Checkpoint> checkpoints = config.checkpoints().select(context.checkpoints(), ID);
    Run run = context.run();
    int level = config.level();
    if (level == 0) {
      level = Integer.MIN_VALUE;
      for (Checkpoint c : checkpoints) {
        level = Math.max(level, c.levels().length == 0 ? run.minLevel() : c.maxLevel());
      }
    }
    int[] levels = {level};
    Optional<Batch> set = run.conditions(levels, 1);
    Batch batch;
    Probe probe;
    if (set.isPresent() && set.get().batch() >= 2) {
      int conditions = set.get().batch();
      int copies = Math.max(1, (config.trials() + conditions - 1) / conditions);
      batch = run.conditions(levels, copies).orElseThrow();
      probe = Probe.ofConditions(batch, conditions, config.delayPeriod(), ID);
    } else {
      batch = run.sample(levels, config.trials(), run.random("probe"));
      probe = Probe.of(batch, config.delayPeriod(), ID);
    }
    AttractorCensus census =
        new AttractorCensus(
            config.censusSteps(),
            config.censusTol(),
            config.censusRadius(),
            config.censusMaxPeriod());
    List<AttractorCensus.Result> censuses = new ArrayList<>();
    List<double[][]> delayStates = new ArrayList<>();
    for (Checkpoint checkpoint : checkpoints) {
      Restored restored = run.restore(checkpoint);
      Network network = restored.network();
      INDArray hidden = restored.forward(batch, run.random("h0")).hidden().castTo(DataType.DOUBLE);
      double[][] memory = memoryStates(network, batch, probe, run.random("h0"));
      censuses.add(census.run(StepMap.of(network, new double[batch.inputSize()]), memory));
      int width = (int) hidden.size(2);
      double[][] all = hidden.reshape(batch.steps() * batch.batch(), width).toDoubleMatrix();
      double[][] delay = new double[probe.rows().length][];
      for (int i = 0; i < delay.length; i++) {
        delay[i] = all[probe.rows()[i]];
        for (double v : delay[i]) {
          if (!Double.isFinite(v)) {
            throw new IllegalStateException(
                ID
                    + ": the hidden state of the "
                    + run.modelId()
                    + " network at checkpoint '"
                    + checkpoint.name()
                    + "' is not finite on the probe batch");
          }
        }
      }
      delayStates.add(delay);
    }
    double[][] pooled = delayStates.stream().flatMap(Arrays::stream).toArray(double[][]::new);
    Pca pca = Pca.fit(pooled, config.components());
    double[][] firstWeights = recurrent(checkpoints.get(0), config.recurrentTensor());
    List<Row> rows = new ArrayList<>();
    List<List<Object>> pcaRows = new ArrayList<>();
    double[][] last = delayStates.get(delayStates.size() - 1);
    for (int k = 0; k < checkpoints.size(); k++) {
      double[][] states = delayStates.get(k);
      double[][] z = pca.project(states);
      double[] values = new double[18];
      values[0] = GeometryMath.separation(z, probe.condition(), probe.conditions());
      values[1] =
          GeometryMath.decodingAccuracy(
              z,
              probe.condition(),
              probe.trial(),
              probe.conditions(),
              config.folds(),
              config.ridge());
      values[2] = delaySpeed(states, probe);
      values[3] = GeometryMath.participationRatio(GeometryMath.spectrum(states));
      values[4] = k == 0 ? Double.NaN : GeometryMath.linearCka(delayStates.get(k - 1), states);
      values[5] = GeometryMath.linearCka(states, last);
      Arrays.fill(values, 6, 13, Double.NaN);
      double[][] w = recurrent(checkpoints.get(k), config.recurrentTensor());
      if (w != null && firstWeights != null && w.length == firstWeights.length) {
        double[][] delta = new double[w.length][w.length];
        for (int i = 0; i < w.length; i++) {
          for (int j = 0; j < w.length; j++) {
            delta[i][j] = w[i][j] - firstWeights[i][j];
          }
        }
        double[] sv = GeometryMath.singularValues(delta);
        double[] squared = Arrays.stream(sv).map(s -> s * s).toArray();
        values[6] = k == 0 ? Double.NaN : GeometryMath.participationRatio(squared);
        double[] moduli = GeometryMath.eigenvalueModuli(w);
        for (int i = 0; i < 3; i++) {
          values[7 + i] = i < sv.length ? sv[i] : Double.NaN;
          values[10 + i] = i < moduli.length ? moduli[i] : Double.NaN;
        }
      }
      AttractorCensus.Result c = censuses.get(k);
      values[13] = c.capturedFraction();
      values[14] = c.attractors();
      values[15] = c.maxSpeed();
      values[16] = c.maxDrift();
      values[17] = c.cycles();
      rows.add(new Row(checkpoints.get(k), values));
      pcaRows.addAll(conditionMeans(checkpoints.get(k), z, probe));
    }
    Path out = context.outputDirectory();
    List<List<Object>> table = new ArrayList<>();
    for (Row r : rows) {
      List<Object> cells = new ArrayList<>();
      cells.add(r.checkpoint().name());
      cells.add(r.checkpoint().epoch());
      cells.add(Outputs.maxLevel(r.checkpoint().levels()));
      for (int i = 0; i < r.values().length; i++) {
        boolean count = i == 14 || i == 17;
        cells.add(count ? (Object) (int) r.values()[i] : (Object) r.values()[i]);
      }
      table.add(cells);
    }
    Outputs.writeCsv(out, TABLE, table);
    Outputs.writeCsv(out, PCA_TABLE, pcaRows);
    Files.writeString(
        out.resolve(PROBE),
        "task "
            + run.taskId()
            + ", level "
            + level
            + ", "
            + config.trials()
            + " trials\n"
            + probe.description()
            + "census: "
            + probe.conditions()
            + " memory states (mean full state at each trial's last delay step, per class), "
            + config.censusSteps()
            + " steps of the map at input 0, tol "
            + config.censusTol()
            + ", radius "
            + config.censusRadius()
            + ", periods up to "
            + config.censusMaxPeriod()
            + "\n",
        StandardCharsets.UTF_8);
    draw(out.resolve(PNG), rows);
    drawPca(out.resolve(PCA_PNG), pcaRows, checkpoints);
  }

  /**
   * The memory state of every class of the remembered variable: the mean full cell state (an LSTM's
   * [h | c], what the one-step map acts on) at each trial's last delay step, over the trials of the
   * class. The cell is run step by step from the network's initial states drawn with {@code rng},
   * without noise.
   *
   * @return {@code [C][S]}
   * @throws IllegalStateException when a state is not finite
   */
  static double[][] memoryStates(Network network, Batch batch, Probe probe, RandomGenerator rng) {
    int trials = batch.batch();
    int[] lastDelay = new int[trials];
    Arrays.fill(lastDelay, -1);
    for (int i = 0; i < probe.trial().length; i++) {
      lastDelay[probe.trial()[i]] = Math.max(lastDelay[probe.trial()[i]], probe.step()[i]);
    }
    int[] conditionOf = probe.conditionOfTrial(trials);
    int until = Arrays.stream(lastDelay).max().orElse(-1);
    Cell cell = network.cell();
    INDArray s = network.initialState(trials, rng);
    DataType type = s.dataType();
    INDArray inputs =
        Nd4j.createFromArray(batch.inputs())
            .reshape(batch.steps(), trials, batch.inputSize())
            .castTo(type);
    int width = network.stateSize();
    double[][] sums = new double[probe.conditions()][width];
    int[] counts = new int[probe.conditions()];
    for (int t = 0; t <= until; t++) {
      s = cell.step(s, inputs.slice(t).dup('c'), null).next();
      double[][] rows = s.castTo(DataType.DOUBLE).reshape(trials, width).toDoubleMatrix();
      for (int b = 0; b < trials; b++) {
        if (lastDelay[b] != t || conditionOf[b] < 0) {
          continue;
        }
        for (int i = 0; i < width; i++) {
          if (!Double.isFinite(rows[b][i])) {
            throw new IllegalStateException(
                ID + ": the cell state is not finite at step " + t + " of trial " + b);
          }
          sums[conditionOf[b]][i] += rows[b][i];
        }
        counts[conditionOf[b]]++;
      }
    }
    for (int c = 0; c < sums.length; c++) {
      for (int i = 0; i < width; i++) {
        sums[c][i] /= Math.max(1, counts[c]);
      }
    }
    return sums;
  }

  /** The square recurrent matrix as doubles, or null when the checkpoint has none. */
  static double[][] recurrent(Checkpoint checkpoint, String name) {
    INDArray w = checkpoint.tensors().get(name);
    if (w == null || w.rank() != 2 || w.rows() != w.columns()) {
      return null;
    }
    return w.castTo(DataType.DOUBLE).toDoubleMatrix();
  }

  /** Mean ‖h_{t+1} − h_t‖ over pairs of delay states of one trial at consecutive steps. */
  static double delaySpeed(double[][] states, Probe probe) {
    Map<Long, Integer> at = new TreeMap<>();
    for (int i = 0; i < states.length; i++) {
      at.put(((long) probe.trial()[i] << 32) | probe.step()[i], i);
    }
    double sum = 0;
    int pairs = 0;
    for (int i = 0; i < states.length; i++) {
      Integer next = at.get(((long) probe.trial()[i] << 32) | (probe.step()[i] + 1));
      if (next != null) {
        sum += Math.sqrt(GeometryMath.squaredDistance(states[next], states[i]));
        pairs++;
      }
    }
    return pairs == 0 ? Double.NaN : sum / pairs;
  }

  private static List<List<Object>> conditionMeans(Checkpoint checkpoint, double[][] z, Probe p) {
    // (condition, step) → sum of coordinates and count.
    Map<Long, double[]> sums = new TreeMap<>();
    for (int i = 0; i < z.length; i++) {
      double[] s =
          sums.computeIfAbsent(((long) p.condition()[i] << 32) | p.step()[i], k -> new double[4]);
      for (int c = 0; c < 3; c++) {
        s[c] += c < z[i].length ? z[i][c] : 0;
      }
      s[3]++;
    }
    List<List<Object>> rows = new ArrayList<>();
    for (Map.Entry<Long, double[]> e : sums.entrySet()) {
      double[] s = e.getValue();
      rows.add(
          List.of(
              checkpoint.name(),
              checkpoint.epoch(),
              (int) (e.getKey() >> 32),
              (int) (e.getKey() & 0xffffffffL),
              s[0] / s[3],
              s[1] / s[3],
              s[2] / s[3]));
    }
    return rows;
  }

  private static void draw(Path file, List<Row> rows) throws IOException {
    double[] epochs = rows.stream().mapToDouble(r -> r.checkpoint().epoch()).toArray();
    String[][] panels = {
      {"separation", "decoding_accuracy"},
      {"delay_speed", "state_participation_ratio"},
      {"cka_previous", "cka_final"},
      {"dw_effective_rank", "w_eig1"},
      {"captured_fraction", "attractors"}
    };
    String[] names = {
      "separation",
      "decoding_accuracy",
      "delay_speed",
      "state_participation_ratio",
      "cka_previous",
      "cka_final",
      "dw_effective_rank",
      "dw_sv1",
      "dw_sv2",
      "dw_sv3",
      "w_eig1",
      "w_eig2",
      "w_eig3",
      "captured_fraction",
      "attractors",
      "census_speed",
      "census_drift"
    };
    List<XYChart> charts = new ArrayList<>();
    for (String[] panel : panels) {
      XYChart chart =
          Outputs.chart(String.join(" and ", panel), "epoch", String.join(", ", panel), 300);
      for (String name : panel) {
        int column = Arrays.asList(names).indexOf(name);
        double[] ys = rows.stream().mapToDouble(r -> r.values()[column]).toArray();
        double[][] points = Outputs.finitePoints(epochs, ys);
        if (points[0].length > 0) {
          chart.addSeries(name, points[0], points[1]).setMarker(SeriesMarkers.CIRCLE);
        }
      }
      charts.add(chart);
    }
    Outputs.save(file, charts);
  }

  private static void drawPca(Path file, List<List<Object>> pcaRows, List<Checkpoint> checkpoints)
      throws IOException {
    XYChart chart =
        Outputs.chart("Condition-mean delay states in the common PCA basis", "PC1", "PC2", 600);
    int n = checkpoints.size();
    List<Integer> shown = new ArrayList<>();
    for (int i = 0; i < Math.min(4, n); i++) {
      int k = n <= 4 ? i : (int) Math.round(i * (n - 1) / 3.0);
      if (!shown.contains(k)) {
        shown.add(k);
      }
    }
    for (int k : shown) {
      String name = checkpoints.get(k).name();
      Map<Integer, List<double[]>> byCondition = new TreeMap<>();
      for (List<Object> row : pcaRows) {
        if (row.get(0).equals(name)) {
          byCondition
              .computeIfAbsent((Integer) row.get(2), c -> new ArrayList<>())
              .add(new double[] {(Double) row.get(4), (Double) row.get(5)});
        }
      }
      for (Map.Entry<Integer, List<double[]>> e : byCondition.entrySet()) {
        double[] x = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
        double[] y = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
        chart.addSeries(name + " condition " + e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
      }
    }
    Outputs.save(file, List.of(chart));
  }
}
