package engram.api.study;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import engram.api.table.Table;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apiguardian.api.API;

/**
 * How far a run got through the levels of its curriculum, read off its {@code metrics.csv} (one row
 * per epoch and active head, with the columns {@code epoch}, {@code N} — the head's level — and
 * {@code accuracy}).
 *
 * @param threshold the accuracy (fraction) at which a level counts as solved
 * @param maxLevelByEpoch epoch → the largest N among that epoch's rows, unmodifiable
 * @param maxLevelReached the largest N of a row whose accuracy is ≥ {@code threshold}; 0 when no
 *     level was solved
 * @param epochsPerLevel N → the number of epochs whose largest N was N (the epochs spent at each
 *     stage), unmodifiable
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record LevelProgress(
    double threshold,
    SortedMap<Integer, Integer> maxLevelByEpoch,
    int maxLevelReached,
    SortedMap<Integer, Integer> epochsPerLevel) {

  /**
   * Copies the maps into unmodifiable sorted maps.
   *
   * @param threshold the solved-level accuracy
   * @param maxLevelByEpoch epoch → largest N; never null
   * @param maxLevelReached the largest solved N, or 0
   * @param epochsPerLevel N → epochs; never null
   */
  public LevelProgress {
    maxLevelByEpoch = Collections.unmodifiableSortedMap(new TreeMap<>(maxLevelByEpoch));
    epochsPerLevel = Collections.unmodifiableSortedMap(new TreeMap<>(epochsPerLevel));
  }

  /**
   * Reads the progress off a metrics table.
   *
   * @param metrics a table with INTEGER columns {@code epoch} and {@code N} and a number column
   *     {@code accuracy} (a fraction); other columns are ignored
   * @param threshold the accuracy at which a level counts as solved
   * @return the progress; empty maps and 0 for a table without rows
   * @throws IllegalArgumentException when a column is missing or of the wrong kind
   */
  public static LevelProgress of(Table metrics, double threshold) {
    SortedMap<Integer, Integer> byEpoch = new TreeMap<>();
    int reached = 0;
    for (Table.Row row : metrics.rows()) {
      int level = row.integer("N");
      byEpoch.merge(row.integer("epoch"), level, Math::max);
      if (row.number("accuracy") >= threshold) {
        reached = Math.max(reached, level);
      }
    }
    SortedMap<Integer, Integer> perLevel = new TreeMap<>();
    byEpoch.values().forEach(level -> perLevel.merge(level, 1, Integer::sum));
    return new LevelProgress(threshold, byEpoch, reached, perLevel);
  }

  /**
   * The number of epochs with a row.
   *
   * @return ≥ 0
   */
  public int epochs() {
    return maxLevelByEpoch.size();
  }

  /**
   * The largest N trained at any epoch.
   *
   * @return the largest N; 0 when there are no rows
   */
  public int largestLevelTrained() {
    return maxLevelByEpoch.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /**
   * The mean number of epochs spent at each stage whose largest level N was solved (N ≤ {@link
   * #maxLevelReached()}); the unfinished last stage is left out because the budget, not the
   * learning, ended it.
   *
   * @return epochs per solved level; NaN when no level was solved
   */
  public double meanEpochsPerSolvedLevel() {
    return epochsPerLevel.entrySet().stream()
        .filter(e -> e.getKey() <= maxLevelReached)
        .mapToInt(Map.Entry::getValue)
        .average()
        .orElse(Double.NaN);
  }
}
