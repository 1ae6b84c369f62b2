package engram.analysis.plrnn;

import engram.analysis.common.CheckpointSelection;
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
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exact fixed points of a piecewise-linear RNN (spec memory-geometry §8 "PLRNN exact fixed points")
 * at every selected checkpoint: all 2^M ReLU regions enumerated, z* = (I − A − W D)⁻¹ h kept when
 * its sign pattern agrees, classified by the eigenvalues of A + W D (algorithm in {@link
 * PlrnnFixedPoints}). The input is zero (s = 0, so the drive is h), as the autonomous delay-period
 * dynamics.
 *
 * <p><b>Which models</b>: those whose step is z' = a⊙z + W·ReLU(z) + C s + h with parameters named
 * {@code a} {@code [M]}, {@code w} {@code [M, M]}, {@code c} {@code [M, I]} and {@code h} {@code
 * [M]} (the plrnn). Any other model is refused with one line naming it and its tensors. M is capped
 * by {@code max-units} (2^M linear solves of size M per checkpoint; M = 16 is 65,536).
 *
 * <p>Writes {@code plrnn-fixed-points.csv} (one row per point), {@code
 * plrnn-fixed-point-states.csv} (the coordinates z*), {@code plrnn-fixed-points-summary.csv}
 * (counts per checkpoint) and {@code plrnn-fixed-points.png} (counts per class against epoch).
 * Deterministic; no randomness.
 */
public final class PlrnnFixedPointsAnalyzer implements Analyzer<PlrnnFixedPointsAnalyzer.Config> {

  static final String ID = "plrnn-fixed-points";
  static final String PNG = "plrnn-fixed-points.png";

  static final TableSpec POINTS =
      TableSpec.of(
          "plrnn-fixed-points.csv",
          "one row per exact fixed point (zero input) per checkpoint",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.integer("point", "", "index of the point within its checkpoint"),
          ColumnSpec.text("kind", "stable (all |λ| < 1), saddle or unstable (all |λ| > 1)"),
          ColumnSpec.integer("active_units", "units", "units with z* > 0 (the region's D)"),
          ColumnSpec.integer("unstable_dims", "", "eigenvalues of A + W D with |λ| > 1"),
          ColumnSpec.number("max_modulus", "", "largest |λ| of A + W D"),
          ColumnSpec.number("norm", "", "‖z*‖₂"));

  static final TableSpec STATES =
      TableSpec.of(
          "plrnn-fixed-point-states.csv",
          "the coordinates of every fixed point, one row per checkpoint, point and unit",
          Outputs.CHECKPOINT,
          ColumnSpec.integer("point", "", "index of the point within its checkpoint"),
          ColumnSpec.integer("unit", "", "unit i"),
          ColumnSpec.number("z", "", "z*_i"));

  static final TableSpec SUMMARY =
      TableSpec.of(
          "plrnn-fixed-points-summary.csv",
          "one row per checkpoint: the regions searched and the points found per class",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          ColumnSpec.integer("units", "", "M"),
          ColumnSpec.integer("singular_regions", "", "regions with singular I − A − W D, skipped"),
          ColumnSpec.integer("stable", "", "stable fixed points"),
          ColumnSpec.integer("saddle", "", "saddles"),
          ColumnSpec.integer("unstable", "", "unstable fixed points"));

  /** Configuration; YAML keys are the kebab-case component names. */
  public record Config(
      @Doc("which checkpoints to analyse: all (oldest first) or last")
          CheckpointSelection checkpoints,
      @Doc("largest M enumerated (2^M regions), in [1, 30]") int maxUnits) {
    public Config {
      Check.notNull("checkpoints", checkpoints);
      Check.atLeast("max-units", maxUnits, 1);
      if (maxUnits > 30) {
        throw new IllegalArgumentException(
            "max-units must be ≤ 30 (2^30 regions), was " + maxUnits);
      }
    }
  }

  public PlrnnFixedPointsAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Exact fixed points of a piecewise-linear RNN",
        "For a network z' = a⊙z + W·ReLU(z) + C s + h (parameters a, w, c, h: the plrnn): every"
            + " fixed point at zero input, by enumerating all 2^M ReLU regions and solving"
            + " (I − A − W D) z = h in each, kept when its sign pattern agrees; classified by the"
            + " eigenvalues of A + W D. Writes plrnn-fixed-points.csv,"
            + " plrnn-fixed-point-states.csv, plrnn-fixed-points-summary.csv and"
            + " plrnn-fixed-points.png.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(CheckpointSelection.ALL, 16);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(POINTS, STATES, SUMMARY);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    List<Checkpoint> checkpoints = config.checkpoints().select(context.checkpoints(), ID);
    List<PlrnnFixedPoints> networks = new ArrayList<>();
    for (Checkpoint checkpoint : checkpoints) {
      PlrnnFixedPoints network = network(checkpoint, context);
      if (network.a().length > config.maxUnits()) {
        throw new IllegalStateException(
            ID
                + ": checkpoint '"
                + checkpoint.name()
                + "' has M = "
                + network.a().length
                + " units, above max-units = "
                + config.maxUnits()
                + " (2^M regions); raise max-units or use the fixed-points analyzer");
      }
      networks.add(network);
    }
    List<List<Object>> points = new ArrayList<>();
    List<List<Object>> states = new ArrayList<>();
    List<List<Object>> summary = new ArrayList<>();
    double[] epochs = new double[checkpoints.size()];
    double[][] counts = new double[3][checkpoints.size()];
    for (int k = 0; k < checkpoints.size(); k++) {
      Checkpoint checkpoint = checkpoints.get(k);
      PlrnnFixedPoints.Result result = networks.get(k).find(config.maxUnits());
      int[] perKind = new int[3];
      for (int i = 0; i < result.points().size(); i++) {
        PlrnnFixedPoints.Point p = result.points().get(i);
        perKind[p.kind().ordinal()]++;
        double norm = Math.sqrt(Arrays.stream(p.z()).map(v -> v * v).sum());
        points.add(
            List.of(
                checkpoint.name(),
                checkpoint.epoch(),
                i,
                p.kind().label,
                p.active(),
                p.unstableDimensions(),
                p.moduli()[0],
                norm));
        for (int u = 0; u < p.z().length; u++) {
          states.add(List.of(checkpoint.name(), i, u, p.z()[u]));
        }
      }
      summary.add(
          List.of(
              checkpoint.name(),
              checkpoint.epoch(),
              networks.get(k).a().length,
              result.singularRegions(),
              perKind[0],
              perKind[1],
              perKind[2]));
      epochs[k] = checkpoint.epoch();
      for (int c = 0; c < 3; c++) {
        counts[c][k] = perKind[c];
      }
    }
    Path out = context.outputDirectory();
    Outputs.writeCsv(out, POINTS, points);
    Outputs.writeCsv(out, STATES, states);
    Outputs.writeCsv(out, SUMMARY, summary);
    XYChart chart =
        Outputs.chart("Exact PLRNN fixed points (zero input)", "epoch", "fixed points", 450);
    String[] names = {"stable", "saddle", "unstable"};
    for (int c = 0; c < 3; c++) {
      chart.addSeries(names[c], epochs, counts[c]).setMarker(SeriesMarkers.CIRCLE);
    }
    Outputs.save(out.resolve(PNG), List.of(chart));
  }

  /**
   * The map of a checkpoint at zero input.
   *
   * @throws IllegalStateException naming the model and its tensors when they are not a PLRNN's
   */
  static PlrnnFixedPoints network(Checkpoint checkpoint, Context context) {
    Map<String, INDArray> t = checkpoint.tensors();
    INDArray a = t.get("a");
    INDArray w = t.get("w");
    INDArray c = t.get("c");
    INDArray h = t.get("h");
    boolean fits =
        a != null
            && w != null
            && c != null
            && h != null
            && a.rank() == 1
            && h.rank() == 1
            && w.rank() == 2
            && c.rank() == 2
            && w.rows() == a.length()
            && w.columns() == a.length()
            && h.length() == a.length()
            && c.rows() == a.length();
    if (!fits) {
      String model;
      try {
        model = "model '" + context.run().modelId() + "'";
      } catch (IllegalStateException noRun) {
        model = "checkpoint '" + checkpoint.name() + "'";
      }
      throw new IllegalStateException(
          ID
              + " analyses piecewise-linear RNNs with parameters a [M], w [M, M], c [M, I] and"
              + " h [M] (e.g. a plrnn); "
              + model
              + " has "
              + new TreeSet<>(t.keySet()));
    }
    return new PlrnnFixedPoints(
        a.castTo(DataType.DOUBLE).toDoubleVector(),
        w.castTo(DataType.DOUBLE).toDoubleMatrix(),
        h.castTo(DataType.DOUBLE).toDoubleVector());
  }
}
