package engram.core.compare;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Numbers read off one run's analyzer tables, shared by the figures, {@code comparison.csv} and
 * the findings. Every method returns NaN (or an empty map) when the run lacks the table or the
 * rows needed; none throws for missing data.
 *
 * <p>Checkpoints: a table may hold several checkpoints with the same largest level N (periodic
 * checkpoints between advances); "the checkpoint at N" is the latest of them (highest epoch, then
 * the last in the file). "The last checkpoint" is the latest overall.
 */
public final class Measures {
  private Measures() {}

  /**
   * A column against N: for every largest level N in the table, the column's value at the
   * checkpoint at N. NaN values are dropped.
   */
  public static SortedMap<Integer, Double> perLevel(RunSummary run, AnalysisTable table,
      String column) {
    SortedMap<Integer, Double> out = new TreeMap<>();
    run.table(table).ifPresent(csv -> {
      for (Map.Entry<Integer, List<String[]>> e : byLevel(csv).entrySet()) {
        List<String[]> rows = latestCheckpoint(csv, e.getValue());
        double value = csv.number(rows.get(rows.size() - 1), column);
        if (Double.isFinite(value)) {
          out.put(e.getKey(), value);
        }
      }
    });
    return out;
  }

  /**
   * Least-squares slope of y against N (units of y per level); NaN with fewer than two levels.
   */
  public static double slope(SortedMap<Integer, Double> points) {
    int n = points.size();
    if (n < 2) {
      return Double.NaN;
    }
    double mx = points.keySet().stream().mapToDouble(Integer::doubleValue).average().orElseThrow();
    double my = points.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double sxy = 0;
    double sxx = 0;
    for (Map.Entry<Integer, Double> p : points.entrySet()) {
      sxy += (p.getKey() - mx) * (p.getValue() - my);
      sxx += (p.getKey() - mx) * (p.getKey() - mx);
    }
    return sxy / sxx;
  }

  /** The value at the largest N of a series; NaN when it is empty. */
  public static double atLargestLevel(SortedMap<Integer, Double> points) {
    return points.isEmpty() ? Double.NaN : points.get(points.lastKey());
  }

  /**
   * The largest checkpoint level present in every run that has the table ({@code max_level}, or
   * {@code source_level} for transfer): the level at which runs can be compared like for like.
   * Null when no run has the table or the runs share no level.
   */
  public static Integer commonLevel(Collection<RunSummary> runs, AnalysisTable table) {
    Set<Integer> common = null;
    for (RunSummary run : runs) {
      CsvTable csv = run.analyses().get(table);
      if (csv == null) {
        continue;
      }
      Set<Integer> levels = new TreeSet<>(byLevel(csv).keySet());
      if (common == null) {
        common = levels;
      } else {
        common.retainAll(levels);
      }
    }
    return common == null || common.isEmpty() ? null
        : common.stream().max(Integer::compare).orElseThrow();
  }

  /**
   * The rows of the checkpoint at {@code level} (the last checkpoint when {@code level} is null or
   * absent from this run). For ablation and perturbation, when that checkpoint was evaluated on
   * several levels, only the rows of its largest level are kept, so that every run is scored on
   * the hardest level it was trained on.
   */
  public static List<String[]> checkpointRows(RunSummary run, AnalysisTable table, Integer level) {
    CsvTable csv = run.analyses().get(table);
    if (csv == null || csv.rows().isEmpty()) {
      return List.of();
    }
    Map<Integer, List<String[]>> byLevel = byLevel(csv);
    List<String[]> candidates = level != null && byLevel.containsKey(level) ? byLevel.get(level)
        : csv.rows();
    List<String[]> rows = latestCheckpoint(csv, candidates);
    if ((table == AnalysisTable.ABLATION || table == AnalysisTable.PERTURBATION)
        && csv.has("level")) {
      int top = csv.integer(rows.get(0), "max_level");
      List<String[]> hardest = rows.stream().filter(r -> csv.integer(r, "level") == top).toList();
      if (!hardest.isEmpty()) {
        return hardest;
      }
    }
    return rows;
  }

  /** The largest level of the checkpoint {@link #checkpointRows} picks; 0 when there is none. */
  public static int checkpointLevel(RunSummary run, AnalysisTable table, Integer level) {
    List<String[]> rows = checkpointRows(run, table, level);
    CsvTable csv = run.analyses().get(table);
    return rows.isEmpty() ? 0 : csv.integer(rows.get(0), levelColumn(table));
  }

  /**
   * Mean relative accuracy, (acc − 0.5)/(baseline − 0.5), over the ablations of one group ({@code
   * fastest} or {@code slowest}) at the checkpoint at {@code level}.
   */
  public static double ablation(RunSummary run, String group, Integer level) {
    CsvTable csv = run.analyses().get(AnalysisTable.ABLATION);
    return checkpointRows(run, AnalysisTable.ABLATION, level).stream()
        .filter(r -> csv.text(r, "group").equals(group))
        .mapToDouble(r -> csv.number(r, "relative_accuracy")).filter(Double::isFinite)
        .average().orElse(Double.NaN);
  }

  /**
   * Relative accuracy against ε for one perturbation target ({@code recurrent} or {@code tau}) at
   * the checkpoint at {@code level}: ε → mean over draws.
   */
  public static SortedMap<Double, Double> perturbationCurve(RunSummary run, String target,
      Integer level) {
    CsvTable csv = run.analyses().get(AnalysisTable.PERTURBATION);
    Map<Double, List<Double>> byEpsilon = new HashMap<>();
    for (String[] r : checkpointRows(run, AnalysisTable.PERTURBATION, level)) {
      double epsilon = csv.number(r, "epsilon");
      double relative = csv.number(r, "relative_accuracy");
      if (csv.text(r, "target").equals(target) && epsilon > 0 && Double.isFinite(epsilon)
          && Double.isFinite(relative)) {
        byEpsilon.computeIfAbsent(epsilon, e -> new ArrayList<>()).add(relative);
      }
    }
    SortedMap<Double, Double> curve = new TreeMap<>();
    byEpsilon.forEach((e, values) -> curve.put(e,
        values.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
    return curve;
  }

  /**
   * Robustness to a perturbation: the area under relative accuracy against log₁₀ ε (trapezoids),
   * divided by the width of the log₁₀ ε range, i.e. the mean relative accuracy over the ε grid
   * on a log scale (1 = unaffected at every ε, 0 = at chance). With one ε, its value; NaN with
   * none.
   */
  public static double perturbationArea(SortedMap<Double, Double> curve) {
    if (curve.isEmpty()) {
      return Double.NaN;
    }
    if (curve.size() == 1) {
      return curve.get(curve.firstKey());
    }
    double area = 0;
    Double previousX = null;
    double previousY = 0;
    for (Map.Entry<Double, Double> p : curve.entrySet()) {
      double x = Math.log10(p.getKey());
      if (previousX != null) {
        area += (x - previousX) * (p.getValue() + previousY) / 2;
      }
      previousX = x;
      previousY = p.getValue();
    }
    return area / (Math.log10(curve.lastKey()) - Math.log10(curve.firstKey()));
  }

  /** Accuracy against N′ at the last checkpoint of {@code forgetting.csv} (mean over heads). */
  public static SortedMap<Integer, Double> forgettingCurve(RunSummary run) {
    CsvTable csv = run.analyses().get(AnalysisTable.FORGETTING);
    return meanByLevel(csv, checkpointRows(run, AnalysisTable.FORGETTING, null), "level",
        "accuracy");
  }

  /**
   * Mean accuracy over the earlier levels N′ &lt; N at the last checkpoint (trained up to N); NaN
   * when that checkpoint has no earlier level.
   */
  public static double forgettingEarlier(RunSummary run) {
    List<String[]> rows = checkpointRows(run, AnalysisTable.FORGETTING, null);
    if (rows.isEmpty()) {
      return Double.NaN;
    }
    CsvTable csv = run.analyses().get(AnalysisTable.FORGETTING);
    int top = csv.integer(rows.get(0), "max_level");
    return forgettingCurve(run).entrySet().stream().filter(e -> e.getKey() < top)
        .mapToDouble(Map.Entry::getValue).average().orElse(Double.NaN);
  }

  /**
   * Final accuracy of retraining against the new level N′, from the source checkpoint at {@code
   * sourceLevel} (the largest source level when null or absent).
   */
  public static SortedMap<Integer, Double> transferCurve(RunSummary run, Integer sourceLevel) {
    CsvTable csv = run.analyses().get(AnalysisTable.TRANSFER);
    return meanByLevel(csv, checkpointRows(run, AnalysisTable.TRANSFER, sourceLevel), "level",
        "final_accuracy");
  }

  /**
   * The keys every non-empty curve has (for example the N′ every run was retrained on); null,
   * meaning "all", when no curve has data or they share no key.
   */
  public static Set<Integer> commonKeys(List<SortedMap<Integer, Double>> curves) {
    Set<Integer> common = null;
    for (SortedMap<Integer, Double> curve : curves) {
      if (curve.isEmpty()) {
        continue;
      }
      if (common == null) {
        common = new TreeSet<>(curve.keySet());
      } else {
        common.retainAll(curve.keySet());
      }
    }
    return common == null || common.isEmpty() ? null : common;
  }

  /** Mean of a curve's values over the given keys (all keys when null); NaN when none. */
  public static double meanOver(SortedMap<Integer, Double> curve, Set<Integer> keys) {
    return curve.entrySet().stream().filter(e -> keys == null || keys.contains(e.getKey()))
        .mapToDouble(Map.Entry::getValue).average().orElse(Double.NaN);
  }

  private static SortedMap<Integer, Double> meanByLevel(CsvTable csv, List<String[]> rows,
      String key, String column) {
    Map<Integer, List<Double>> values = new HashMap<>();
    for (String[] r : rows) {
      double v = csv.number(r, column);
      if (Double.isFinite(v)) {
        values.computeIfAbsent(csv.integer(r, key), k -> new ArrayList<>()).add(v);
      }
    }
    SortedMap<Integer, Double> out = new TreeMap<>();
    values.forEach((k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).average()
        .orElseThrow()));
    return out;
  }

  private static String levelColumn(AnalysisTable table) {
    return table == AnalysisTable.TRANSFER ? "source_level" : "max_level";
  }

  /** Rows grouped by the checkpoint's level, in file order. */
  private static Map<Integer, List<String[]>> byLevel(CsvTable csv) {
    String column = csv.has("max_level") ? "max_level" : "source_level";
    Map<Integer, List<String[]>> out = new TreeMap<>();
    for (String[] r : csv.rows()) {
      out.computeIfAbsent(csv.integer(r, column), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  /**
   * The rows of the latest checkpoint among {@code rows}: highest epoch (when the table has one),
   * ties broken by the last to appear in the file.
   */
  private static List<String[]> latestCheckpoint(CsvTable csv, List<String[]> rows) {
    Map<String, List<String[]>> byCheckpoint = new LinkedHashMap<>();
    for (String[] r : rows) {
      byCheckpoint.computeIfAbsent(csv.text(r, "checkpoint"), k -> new ArrayList<>()).add(r);
    }
    List<String[]> best = null;
    double bestEpoch = Double.NEGATIVE_INFINITY;
    for (List<String[]> group : byCheckpoint.values()) {
      double epoch = csv.has("epoch") ? csv.number(group.get(0), "epoch") : 0;
      if (best == null || epoch >= bestEpoch) {
        best = group;
        bestEpoch = epoch;
      }
    }
    return best;
  }
}
