package engram.analysis.connectivity;

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
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Connectivity (spec §5 item 8): mean recurrent weight and spectral radius of W^R at every
 * checkpoint.
 *
 * <p>For each checkpoint's recurrent matrix W = {@code w_rec} ({@code [H, H]}, dimensionless
 * weights; the leaky RNN keeps its diagonal at 0, so only the H·(H − 1) off-diagonal entries are
 * used for the weight statistics):
 *
 * <ul>
 *   <li>{@code mean_weight} = (1/(H(H−1)))·Σ_{i≠j} W_ij,
 *   <li>{@code std_weight} = √((1/(H(H−1)))·Σ_{i≠j} (W_ij − mean)²) (population, ddof 0),
 *   <li>{@code spectral_radius} ρ(W) = max_k |λ_k| = max_k √(Re λ_k² + Im λ_k²) over the complex
 *       eigenvalues of the (non-symmetric) W, computed with Commons Math's {@link
 *       EigenDecomposition} (full matrix, diagonal included). ρ &gt; 1 means the linearised
 *       recurrence amplifies some direction.
 * </ul>
 *
 * <p>Outputs, in the analyzer's output directory:
 *
 * <ul>
 *   <li>{@code connectivity.csv}: one row per checkpoint, oldest first, header {@code
 *       checkpoint,epoch,max_level,mean_weight,std_weight,spectral_radius}; {@code max_level} is N,
 *       the largest level the checkpoint had been trained on (0 if it lists no level);
 *   <li>{@code connectivity-vs-N.png}: two stacked charts, mean off-diagonal weight and spectral
 *       radius against N;
 *   <li>{@code weights-histogram.png}: histogram of the off-diagonal weights of the last checkpoint
 *       with {@code bins} equal-width bins.
 * </ul>
 *
 * <p>Needs a square recurrent matrix named {@code w_rec} (e.g. a {@code leaky-rnn}) in every
 * checkpoint; GRU/LSTM gate blocks ({@code w_hh}) are not analysed. Otherwise it throws {@link
 * IllegalStateException} naming the available tensors, and writes nothing.
 */
public final class ConnectivityAnalyzer implements Analyzer<ConnectivityAnalyzer.Config> {

  /** {@code connectivity.csv}: one row per checkpoint. */
  static final TableSpec TABLE =
      TableSpec.of(
          "connectivity.csv",
          "one row per checkpoint, oldest first: the off-diagonal weights of w_rec and its spectral"
              + " radius",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          ColumnSpec.number("mean_weight", "", "mean of the off-diagonal recurrent weights"),
          ColumnSpec.number(
              "std_weight",
              "",
              "standard deviation of the off-diagonal recurrent weights (ddof 0)"),
          ColumnSpec.number(
              "spectral_radius", "", "largest |eigenvalue| of w_rec, diagonal included"));

  static final String VS_N_PNG = "connectivity-vs-N.png";
  static final String HISTOGRAM_PNG = "weights-histogram.png";

  /**
   * @param bins number of equal-width bins of the weight histogram
   */
  public record Config(
      @Doc(
              "number of equal-width bins of the off-diagonal weight histogram at the last "
                  + "checkpoint, ≥ 1")
          int bins) {
    public Config {
      Check.atLeast("bins", bins, 1);
    }
  }

  /** Off-diagonal weight statistics and spectral radius of W^R at one checkpoint. */
  record Row(
      String checkpoint,
      int epoch,
      int maxLevel,
      double meanWeight,
      double stdWeight,
      double spectralRadius) {}

  public ConnectivityAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        "connectivity",
        "Recurrent connectivity per checkpoint",
        "For every checkpoint: mean and std of the off-diagonal recurrent weights W^R (w_rec) and "
            + "its spectral radius max|λ|; writes connectivity.csv, connectivity-vs-N.png and "
            + "weights-histogram.png (last checkpoint). Needs a recurrent matrix named w_rec, "
            + "e.g. a leaky-rnn.");
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
    double[] lastOffDiagonal = null;
    for (Checkpoint checkpoint : context.checkpoints()) {
      INDArray tensor = checkpoint.tensors().get("w_rec");
      if (tensor == null) {
        throw missing(checkpoint);
      }
      if (tensor.rank() != 2 || tensor.rows() != tensor.columns()) {
        throw new IllegalStateException(
            "connectivity needs a square recurrent matrix 'w_rec'; "
                + "checkpoint '"
                + checkpoint.name()
                + "' has shape "
                + Arrays.toString(tensor.shape()));
      }
      double[][] w = tensor.toDoubleMatrix();
      double[] offDiagonal = offDiagonal(w);
      double mean = mean(offDiagonal);
      rows.add(
          new Row(
              checkpoint.name(),
              checkpoint.epoch(),
              Outputs.maxLevel(checkpoint.levels()),
              mean,
              std(offDiagonal, mean),
              spectralRadius(w)));
      lastOffDiagonal = offDiagonal;
    }
    if (rows.isEmpty()) {
      throw new IllegalStateException(
          "connectivity needs a recurrent matrix named w_rec (e.g. a "
              + "leaky-rnn); this run has no checkpoints");
    }
    Path out = context.outputDirectory();
    writeCsv(out, rows);
    drawVsN(out.resolve(VS_N_PNG), rows);
    drawHistogram(
        out.resolve(HISTOGRAM_PNG), lastOffDiagonal, config.bins(), rows.get(rows.size() - 1));
  }

  private static IllegalStateException missing(Checkpoint checkpoint) {
    Set<String> names = new TreeSet<>(checkpoint.tensors().keySet());
    return new IllegalStateException(
        "connectivity needs a recurrent matrix named w_rec (e.g. a "
            + "leaky-rnn); checkpoint '"
            + checkpoint.name()
            + "' has "
            + names);
  }

  /** Entries W_ij with i ≠ j, row-major. For H = 1 there are none (statistics are NaN). */
  static double[] offDiagonal(double[][] w) {
    int h = w.length;
    double[] values = new double[h * (h - 1)];
    int k = 0;
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < h; j++) {
        if (i != j) {
          values[k++] = w[i][j];
        }
      }
    }
    return values;
  }

  static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  static double std(double[] values, double mean) {
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    return Math.sqrt(squares / values.length);
  }

  /** max_k |λ_k| over the complex eigenvalues of the general real matrix W. */
  static double spectralRadius(double[][] w) {
    EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(w, false));
    double[] re = eigen.getRealEigenvalues();
    double[] im = eigen.getImagEigenvalues();
    double radius = 0;
    for (int k = 0; k < re.length; k++) {
      radius = Math.max(radius, Math.hypot(re[k], im[k]));
    }
    return radius;
  }

  private static void writeCsv(Path dir, List<Row> rows) throws IOException {
    List<List<Object>> table = new ArrayList<>();
    for (Row r : rows) {
      table.add(
          List.of(
              r.checkpoint(),
              r.epoch(),
              r.maxLevel(),
              r.meanWeight(),
              r.stdWeight(),
              r.spectralRadius()));
    }
    Outputs.writeCsv(dir, TABLE, table);
  }

  private static void drawVsN(Path file, List<Row> rows) throws IOException {
    double[] n = new double[rows.size()];
    double[] mean = new double[rows.size()];
    double[] radius = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      n[i] = rows.get(i).maxLevel();
      mean[i] = rows.get(i).meanWeight();
      radius[i] = rows.get(i).spectralRadius();
    }
    XYChart meanChart =
        Outputs.chartAgainstN("Mean recurrent weight against N", "mean off-diagonal W^R", 400);
    meanChart.addSeries("mean weight", n, mean).setMarker(SeriesMarkers.CIRCLE);
    XYChart radiusChart =
        Outputs.chartAgainstN("Spectral radius against N", "spectral radius max|λ|", 400);
    radiusChart.addSeries("spectral radius", n, radius).setMarker(SeriesMarkers.CIRCLE);
    Outputs.save(file, List.of(meanChart, radiusChart));
  }

  private static void drawHistogram(Path file, double[] weights, int bins, Row last)
      throws IOException {
    Outputs.histogram(
        file,
        weights,
        bins,
        "Off-diagonal W^R at " + last.checkpoint() + " (N = " + last.maxLevel() + ")",
        "recurrent weight W_ij",
        "connections",
        "0.###");
  }
}
