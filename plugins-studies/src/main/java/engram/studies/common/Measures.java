package engram.studies.common;

import engram.api.study.StudyRun;
import engram.api.table.Table;
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
 * Numbers read off the per-checkpoint tables of Engram's analyzers: every row names its checkpoint
 * ({@code checkpoint}, {@code epoch}) and the level N it had been trained up to ({@code max_level},
 * or {@code source_level} for a table of one source checkpoint). Every method returns NaN (or an
 * empty map, or no rows) when the run lacks the table or the rows needed; none throws for missing
 * data.
 *
 * <p>Checkpoints: a table may hold several checkpoints with the same N (periodic checkpoints
 * between advances); "the checkpoint at N" is the latest of them (highest epoch, then the last in
 * the file). "The last checkpoint" is the latest overall.
 */
public final class Measures {
  private Measures() {}

  /**
   * A column against N: for every N in the table, the column's value at the checkpoint at N. NaN
   * values are dropped.
   */
  public static SortedMap<Integer, Double> perLevel(StudyRun run, TableRef table, String column) {
    SortedMap<Integer, Double> out = new TreeMap<>();
    table
        .of(run)
        .ifPresent(
            t -> {
              for (Map.Entry<Integer, List<Table.Row>> e : byLevel(t).entrySet()) {
                List<Table.Row> latest = latestCheckpoint(t, e.getValue());
                double value = latest.get(latest.size() - 1).number(column);
                if (Double.isFinite(value)) {
                  out.put(e.getKey(), value);
                }
              }
            });
    return out;
  }

  /** Least-squares slope of y against N (units of y per level); NaN with fewer than two levels. */
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
   * The largest checkpoint level present in every run that has the table: the level at which runs
   * can be compared like for like. Null when no run has the table or the runs share no level.
   */
  public static Integer commonLevel(Collection<StudyRun> runs, TableRef table) {
    Set<Integer> common = null;
    for (StudyRun run : runs) {
      Table t = table.of(run).orElse(null);
      if (t == null) {
        continue;
      }
      Set<Integer> levels = new TreeSet<>(byLevel(t).keySet());
      if (common == null) {
        common = levels;
      } else {
        common.retainAll(levels);
      }
    }
    return common == null || common.isEmpty()
        ? null
        : common.stream().max(Integer::compare).orElseThrow();
  }

  /**
   * The rows of the checkpoint at {@code level} (the last checkpoint when {@code level} is null or
   * absent from this run). With {@code hardestOnly}, when that checkpoint was evaluated on several
   * levels (column {@code level}), only the rows of its own N are kept, so that every run is scored
   * on the hardest level it was trained on.
   */
  public static List<Table.Row> checkpointRows(
      StudyRun run, TableRef table, Integer level, boolean hardestOnly) {
    Table t = table.of(run).orElse(null);
    if (t == null || t.size() == 0) {
      return List.of();
    }
    Map<Integer, List<Table.Row>> byLevel = byLevel(t);
    List<Table.Row> candidates =
        level != null && byLevel.containsKey(level) ? byLevel.get(level) : t.rows();
    List<Table.Row> rows = latestCheckpoint(t, candidates);
    if (hardestOnly && t.has("level")) {
      int top = levelOf(t, rows.get(0));
      List<Table.Row> hardest = rows.stream().filter(r -> r.integer("level") == top).toList();
      if (!hardest.isEmpty()) {
        return hardest;
      }
    }
    return rows;
  }

  /**
   * Mean of a value over rows grouped by an integer key column (for example accuracy against the
   * level N′): key → mean of the finite values.
   */
  public static SortedMap<Integer, Double> meanByKey(
      List<Table.Row> rows, String key, String column) {
    Map<Integer, List<Double>> values = new HashMap<>();
    for (Table.Row r : rows) {
      double v = r.number(column);
      if (Double.isFinite(v)) {
        values.computeIfAbsent(r.integer(key), k -> new ArrayList<>()).add(v);
      }
    }
    SortedMap<Integer, Double> out = new TreeMap<>();
    values.forEach(
        (k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
    return out;
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
    return curve.entrySet().stream()
        .filter(e -> keys == null || keys.contains(e.getKey()))
        .mapToDouble(Map.Entry::getValue)
        .average()
        .orElse(Double.NaN);
  }

  /** The level N of a row's checkpoint: {@code max_level}, or {@code source_level}. */
  public static int levelOf(Table table, Table.Row row) {
    return row.integer(table.has("max_level") ? "max_level" : "source_level");
  }

  /** Rows grouped by their checkpoint's level, in file order. */
  private static Map<Integer, List<Table.Row>> byLevel(Table table) {
    Map<Integer, List<Table.Row>> out = new TreeMap<>();
    for (Table.Row r : table.rows()) {
      out.computeIfAbsent(levelOf(table, r), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  /**
   * The rows of the latest checkpoint among {@code rows}: highest epoch (when the table has one),
   * ties broken by the last to appear in the file.
   */
  private static List<Table.Row> latestCheckpoint(Table table, List<Table.Row> rows) {
    Map<String, List<Table.Row>> byCheckpoint = new LinkedHashMap<>();
    for (Table.Row r : rows) {
      byCheckpoint.computeIfAbsent(r.text("checkpoint"), k -> new ArrayList<>()).add(r);
    }
    List<Table.Row> best = null;
    double bestEpoch = Double.NEGATIVE_INFINITY;
    for (List<Table.Row> group : byCheckpoint.values()) {
      double epoch = table.has("epoch") ? group.get(0).number("epoch") : 0;
      if (best == null || epoch >= bestEpoch) {
        best = group;
        bestEpoch = epoch;
      }
    }
    return best;
  }
}
