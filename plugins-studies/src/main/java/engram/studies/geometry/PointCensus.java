package engram.studies.geometry;

import engram.api.study.StudyRun;
import engram.api.table.Table;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * What the geometry study reads off one run's {@code fixed-points} analysis: the points of the
 * input-free map at the checkpoints that stand for moments of training ({@code checkpoints.csv}:
 * plateau, before-drop, after-drop, after-last-drop, end; with {@code checkpoints: around-drop}),
 * and from {@code ghost-tracks.csv} whether a ghost precedes the drop.
 *
 * @param counts role → the points at the checkpoint playing it (from {@code
 *     fixed-points-summary.csv}); a role the run lacks is absent; empty without the tables
 * @param ghostBefore 1 when an analysed checkpoint before t_drop has a ghost (a track row of kind
 *     ghost), 0 when none has; NaN without a drop, without the tables, or when no analysed
 *     checkpoint lies before t_drop
 * @param slowBefore the same for a ghost or a slow point (a region of small, non-zero speed)
 * @param firstGhost the step of the first analysed checkpoint with a ghost minus t_drop (negative:
 *     before the drop); NaN without a ghost or a drop
 * @param ghostBecomesFixed 1 when a track that was a ghost later becomes a fixed point, else 0; NaN
 *     without {@code ghost-tracks.csv}
 */
record PointCensus(
    Map<String, Counts> counts,
    double ghostBefore,
    double slowBefore,
    double firstGhost,
    double ghostBecomesFixed) {

  /** The moments of training, in order; their x position in the census figure is their index. */
  static final List<String> ROLES =
      List.of("plateau", "before-drop", "after-drop", "after-last-drop", "end");

  /** Points of one checkpoint: fixed points by class, ghosts, slow points. */
  record Counts(int stable, int saddle, int unstable, int ghost, int slow) {}

  static final PointCensus NONE =
      new PointCensus(Map.of(), Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  PointCensus {
    counts = Map.copyOf(counts);
  }

  /** Whether the run has the census at any moment. */
  boolean measured() {
    return !counts.isEmpty();
  }

  /** One count at one moment; NaN when the run lacks that moment. */
  double count(String role, ToIntFunction<Counts> what) {
    Counts c = counts.get(role);
    return c == null ? Double.NaN : what.applyAsInt(c);
  }

  /**
   * Reads one run.
   *
   * @param run the run
   * @param tDrop its t_drop when it dropped, else NaN
   */
  static PointCensus of(StudyRun run, double tDrop) {
    Table chosen = GeometryTables.FP_CHECKPOINTS.of(run).orElse(null);
    Table summary = GeometryTables.FP_SUMMARY.of(run).orElse(null);
    if (chosen == null || summary == null) {
      return NONE;
    }
    Map<String, Counts> byCheckpoint = new HashMap<>();
    for (Table.Row r : summary.rows()) {
      byCheckpoint.put(
          r.text("checkpoint"),
          new Counts(
              r.integer("stable"),
              r.integer("saddle"),
              r.integer("unstable"),
              r.integer("ghost"),
              r.integer("slow")));
    }
    Map<String, Counts> counts = new LinkedHashMap<>();
    Map<String, Double> stepOf = new HashMap<>();
    for (Table.Row r : chosen.rows()) {
      Counts c = byCheckpoint.get(r.text("checkpoint"));
      if (c != null) {
        counts.putIfAbsent(r.text("role"), c);
      }
      stepOf.put(r.text("checkpoint"), r.number("step"));
    }
    Table tracks = GeometryTables.FP_TRACKS.of(run).orElse(null);
    if (tracks == null) {
      return new PointCensus(counts, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    boolean anyBefore = Double.isFinite(tDrop) && stepOf.values().stream().anyMatch(s -> s < tDrop);
    boolean ghostBefore = false;
    boolean slowBefore = false;
    double firstGhost = Double.POSITIVE_INFINITY;
    Map<Integer, List<String>> kindsByTrack = new HashMap<>();
    boolean becomesFixed = false;
    for (Table.Row r : tracks.rows()) {
      if (r.text("event").equals("disappears")) {
        continue;
      }
      String kind = r.text("kind");
      double step = stepOf.getOrDefault(r.text("checkpoint"), Double.NaN);
      List<String> history =
          kindsByTrack.computeIfAbsent(r.integer("track"), k -> new ArrayList<>());
      becomesFixed |= kind.equals("fixed") && history.contains("ghost");
      history.add(kind);
      if (kind.equals("ghost") && step < firstGhost) {
        firstGhost = step;
      }
      if (step < tDrop) {
        ghostBefore |= kind.equals("ghost");
        slowBefore |= kind.equals("ghost") || kind.equals("slow");
      }
    }
    return new PointCensus(
        counts,
        anyBefore ? (ghostBefore ? 1 : 0) : Double.NaN,
        anyBefore ? (slowBefore ? 1 : 0) : Double.NaN,
        Double.isFinite(firstGhost) && Double.isFinite(tDrop) ? firstGhost - tDrop : Double.NaN,
        becomesFixed ? 1 : 0);
  }
}
