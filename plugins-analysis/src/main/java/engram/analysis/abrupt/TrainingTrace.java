package engram.analysis.abrupt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The loss of a run over optimizer steps, read from {@code trace.csv} when training wrote one
 * (header exactly {@code step,epoch,level,loss,accuracy,grad_norm_rec,weight_norm_rec}, one row
 * every k steps, steps 1-based), else from {@code metrics.csv} (one row per epoch and head, columns
 * {@code epoch,step,...,loss,...}; the rows of one epoch are averaged, so a multi-head epoch gives
 * one point at its {@code step}).
 *
 * @param source {@code trace.csv} or {@code metrics.csv}
 * @param steps optimizer steps, strictly increasing
 * @param losses loss at each step
 * @param epochEnd epoch → the last step of that epoch (epoch 0 → step 0)
 */
record TrainingTrace(String source, double[] steps, double[] losses, Map<Integer, Long> epochEnd) {

  static final String TRACE = "trace.csv";
  static final String METRICS = "metrics.csv";

  /**
   * Reads {@code trace.csv}, or {@code metrics.csv} when there is none, from a run directory.
   *
   * @throws IllegalStateException naming the directory when it has neither file, or naming the file
   *     and column when one is missing or a cell is not a number
   */
  static TrainingTrace read(Path runDirectory) throws IOException {
    Path trace = runDirectory.resolve(TRACE);
    if (Files.exists(trace)) {
      return parse(trace, TRACE);
    }
    Path metrics = runDirectory.resolve(METRICS);
    if (Files.exists(metrics)) {
      return parse(metrics, METRICS);
    }
    throw new IllegalStateException(
        "abrupt-learning needs the run's "
            + TRACE
            + " or "
            + METRICS
            + ", but "
            + runDirectory
            + " has neither; analyse a run directory made by ./engram run");
  }

  private static TrainingTrace parse(Path file, String source) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IllegalStateException(file + " is empty; it needs a header and rows");
    }
    List<String> header = Arrays.asList(lines.get(0).split(",", -1));
    int stepColumn = column(header, "step", file);
    int epochColumn = column(header, "epoch", file);
    int lossColumn = column(header, "loss", file);
    // step → (sum of losses, count): several heads of one epoch share a step.
    Map<Long, double[]> byStep = new TreeMap<>();
    Map<Integer, Long> epochEnd = new LinkedHashMap<>();
    epochEnd.put(0, 0L);
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      long step = (long) number(cells, stepColumn, file, i, "step");
      int epoch = (int) number(cells, epochColumn, file, i, "epoch");
      double loss = number(cells, lossColumn, file, i, "loss");
      double[] sum = byStep.computeIfAbsent(step, k -> new double[2]);
      sum[0] += loss;
      sum[1] += 1;
      epochEnd.merge(epoch, step, Math::max);
    }
    if (byStep.isEmpty()) {
      throw new IllegalStateException(file + " has no rows; train for at least one epoch");
    }
    double[] steps = new double[byStep.size()];
    double[] losses = new double[byStep.size()];
    int k = 0;
    for (Map.Entry<Long, double[]> e : byStep.entrySet()) {
      steps[k] = e.getKey();
      losses[k] = e.getValue()[0] / e.getValue()[1];
      k++;
    }
    return new TrainingTrace(source, steps, losses, Map.copyOf(epochEnd));
  }

  private static int column(List<String> header, String name, Path file) {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new IllegalStateException(
          file + " has no column '" + name + "'; its header is " + String.join(",", header));
    }
    return i;
  }

  private static double number(String[] cells, int column, Path file, int line, String name) {
    try {
      return Double.parseDouble(cells[column]);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new IllegalStateException(
          file + " line " + (line + 1) + ": column '" + name + "' is not a number", e);
    }
  }

  /**
   * A numeric table with a header (the geometry analyzer's), as columns by name.
   *
   * @throws IllegalStateException naming the file and line of a cell that is not a number
   */
  static Map<String, double[]> readNumericColumns(Path file, List<String> names)
      throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<String> header = Arrays.asList(lines.get(0).split(",", -1));
    Map<String, double[]> columns = new LinkedHashMap<>();
    List<String[]> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        rows.add(lines.get(i).split(",", -1));
      }
    }
    for (String name : names) {
      int c = header.indexOf(name);
      if (c < 0) {
        continue;
      }
      double[] values = new double[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        values[r] = number(rows.get(r), c, file, r + 1, name);
      }
      columns.put(name, values);
    }
    return columns;
  }

  /**
   * One text column of a CSV file with a header row.
   *
   * @return the column's cells in row order, or null when the header has no such column
   */
  static String[] readTextColumn(Path file, String name) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    int c = Arrays.asList(lines.get(0).split(",", -1)).indexOf(name);
    if (c < 0) {
      return null;
    }
    List<String> cells = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        String[] row = lines.get(i).split(",", -1);
        cells.add(c < row.length ? row[c] : "");
      }
    }
    return cells.toArray(String[]::new);
  }

  /**
   * The step at the end of {@code epoch}.
   *
   * @return the last step of that epoch; NaN when the trace has no row of it
   */
  double stepOfEpoch(int epoch) {
    Long step = epochEnd.get(epoch);
    return step == null ? Double.NaN : step;
  }
}
