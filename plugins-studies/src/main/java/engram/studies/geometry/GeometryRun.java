package engram.studies.geometry;

import engram.api.study.StudyRun;
import engram.api.table.Table;
import java.util.List;
import java.util.Optional;

/**
 * What the geometry study reads off one run: its condition (TCR strength λ and gain g, from the
 * resolved configuration), the {@code abrupt-learning} summary, the lead of geometric restructuring
 * (GR) over the drop and the attractor census of its last checkpoint.
 *
 * @param run the run
 * @param lambda λ of the run's {@code temporal-consistency} regularizer; 0 without one
 * @param gain {@code model.gain} (the recurrent weights' initial scale g); 1 when absent
 * @param budget optimizer steps the run was given ({@code training.max-epochs × steps-per-epoch});
 *     NaN when the configuration lacks either
 * @param verdict {@code drop}, {@code no-drop} or {@code no-plateau}; empty without the table
 * @param tDrop t_drop in steps; NaN without a drop
 * @param plateauStart first step of the plateau; NaN without one
 * @param plateauEnd last step of the plateau; NaN without one
 * @param plateauLoss the plateau's (smoothed) loss level
 * @param afterLoss the level the loss falls to after the plateau
 * @param dropWidth steps the smoothed loss takes to fall from 10 % to 90 % of the way from the
 *     plateau level to {@code afterLoss}; NaN when not measurable
 * @param tLastDrop the last drop of the run ({@code t_last_drop}; equal to t_drop with one drop);
 *     NaN without a drop or when the table lacks the column
 * @param lead t_drop minus the onset of the study's GR metric in the judged window ({@code
 *     gr-window}), when its change-point fit holds; NaN when there is no drop or no such onset
 * @param leadWholeRun t_drop minus the study's GR metric's onset over all checkpoints, when that
 *     fit holds (equal to {@code lead} with {@code gr-window: run})
 * @param leadLast t_last_drop minus the whole-run onset (a later drop lies outside the drop window)
 * @param leads t_drop minus the onset in the judged window of every GR metric whose fit holds, by
 *     metric
 * @param seenBeforeDrop the metrics of {@code leads} whose change is seen before the drop: the
 *     checkpoint after the onset lies before t_drop (a lead shorter than the checkpoint spacing is
 *     not resolved)
 * @param solved whether an evaluation reached the curriculum's accuracy threshold ({@code
 *     metrics.csv}), with or without a plateau
 * @param captured fraction of the task's conditions captured by a stable attractor at the run's
 *     last analysed checkpoint ({@code geometry} census); NaN without the census
 * @param points fixed points, ghosts and slow points around the drop ({@code fixed-points} with
 *     {@code checkpoints: around-drop}); {@link PointCensus#NONE} without its tables
 */
record GeometryRun(
    StudyRun run,
    double lambda,
    double gain,
    double budget,
    String verdict,
    double tDrop,
    double plateauStart,
    double plateauEnd,
    double plateauLoss,
    double afterLoss,
    double dropWidth,
    double tLastDrop,
    double lead,
    double leadWholeRun,
    double leadLast,
    java.util.Map<String, Double> leads,
    java.util.Set<String> seenBeforeDrop,
    boolean solved,
    double captured,
    PointCensus points) {

  static final String TCR_ID = "temporal-consistency";

  /** Whether the judged GR metric's change is seen before the drop (see {@code seenBeforeDrop}). */
  boolean leadSeen(String grMetric) {
    return lead > 0 && seenBeforeDrop.contains(grMetric);
  }

  /** Whether the run learned: {@code abrupt-learning} found a plateau followed by a drop. */
  boolean learned() {
    return "drop".equals(verdict);
  }

  /** Whether {@code abrupt-learning} was read for this run. */
  boolean measured() {
    return !verdict.isEmpty();
  }

  /** t_drop, or +∞ for a run that did not drop within its budget (a censored time). */
  double timeToDrop() {
    return learned() ? tDrop : Double.POSITIVE_INFINITY;
  }

  /** Plateau then a drop that takes at most as many steps as the plateau lasted. */
  boolean abrupt() {
    return learned() && Double.isFinite(dropWidth) && dropWidth <= plateauEnd - plateauStart;
  }

  /**
   * Reads one run.
   *
   * @param run the run
   * @param config the study's options: {@code max-sse-ratio} (a GR onset counts only when its
   *     two-segment fit leaves at most this fraction of the one-line residual), {@code gr-metric}
   *     (whose onset gives {@code lead}) and {@code gr-window}
   */
  static GeometryRun of(StudyRun run, MemoryGeometryStudy.Config config) {
    double maxSseRatio = config.maxSseRatio();
    String grMetric = config.grMetric();
    double lambda = lambda(run);
    double gain = run.configNumber("model.gain", 1.0);
    double budget =
        run.configNumber("training.max-epochs", Double.NaN)
            * run.configNumber("training.steps-per-epoch", Double.NaN);
    Optional<Table> summary = GeometryTables.ABRUPT.of(run).filter(t -> t.size() > 0);
    if (summary.isEmpty()) {
      return new GeometryRun(
          run,
          lambda,
          gain,
          budget,
          "",
          nan(),
          nan(),
          nan(),
          nan(),
          nan(),
          nan(),
          nan(),
          nan(),
          nan(),
          nan(),
          java.util.Map.of(),
          java.util.Set.of(),
          solved(run),
          captured(run),
          PointCensus.of(run, nan()));
    }
    Table s = summary.get();
    String verdict = s.text(0, "verdict");
    double tDrop = s.number(0, "t_drop");
    double start = s.number(0, "plateau_start");
    double end = s.number(0, "plateau_end");
    double level = s.number(0, "plateau_loss");
    double after = s.number(0, "after_loss");
    double width =
        GeometryTables.LOSS.of(run).map(t -> dropWidth(t, end, level, after)).orElse(nan());
    double tLast = s.has("t_last_drop") ? s.number(0, "t_last_drop") : tDrop;
    double lead = nan();
    double leadWholeRun = nan();
    double leadLast = nan();
    java.util.Map<String, Double> leads = new java.util.TreeMap<>();
    java.util.Set<String> seen = new java.util.TreeSet<>();
    if ("drop".equals(verdict)) {
      Table onsets = GeometryTables.ONSETS.of(run).orElse(null);
      // A table written before the drop window existed has no drop_* columns: no windowed lead.
      boolean hasWindow = onsets != null && onsets.has("drop_onset");
      String onsetColumn = config.dropWindow() ? "drop_onset" : "onset";
      String sseColumn = config.dropWindow() ? "drop_sse_ratio" : "sse_ratio";
      String nextColumn = config.dropWindow() ? "drop_onset_next" : "onset_next";
      if (onsets != null) {
        for (Table.Row r : onsets.rows()) {
          boolean judged = r.text("metric").equals(grMetric);
          double onset = r.number("onset");
          if (Double.isFinite(onset) && r.number("sse_ratio") <= maxSseRatio && judged) {
            leadWholeRun = tDrop - onset;
            leadLast = tLast - onset;
          }
          if (config.dropWindow() && !hasWindow) {
            continue;
          }
          double windowed = r.number(onsetColumn);
          if (Double.isFinite(windowed) && r.number(sseColumn) <= maxSseRatio) {
            leads.put(r.text("metric"), tDrop - windowed);
            // Tables written before onset_next existed: a positive lead counts as seen.
            double next = onsets.has(nextColumn) ? r.number(nextColumn) : windowed;
            if (next < tDrop) {
              seen.add(r.text("metric"));
            }
            if (judged) {
              lead = tDrop - windowed;
            }
          }
        }
      }
    }
    return new GeometryRun(
        run,
        lambda,
        gain,
        budget,
        verdict,
        tDrop,
        start,
        end,
        level,
        after,
        width,
        tLast,
        lead,
        leadWholeRun,
        leadLast,
        java.util.Map.copyOf(leads),
        java.util.Set.copyOf(seen),
        solved(run),
        captured(run),
        PointCensus.of(run, "drop".equals(verdict) ? tDrop : nan()));
  }

  /**
   * Whether an evaluation reached the curriculum's threshold; false when metrics are unreadable.
   */
  static boolean solved(StudyRun run) {
    try {
      return run.progress().maxLevelReached() > 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** λ of the first {@code temporal-consistency} regularizer in the run's list, else 0. */
  static double lambda(StudyRun run) {
    for (int i = 0; run.configValue("regularizers." + i + ".id").isPresent(); i++) {
      if (TCR_ID.equals(run.configValue("regularizers." + i + ".id").orElseThrow().strip())) {
        return run.configNumber("regularizers." + i + ".lambda", 0.0);
      }
    }
    return 0.0;
  }

  /** The census of the last row of {@code geometry.csv}: its fraction of captured conditions. */
  private static double captured(StudyRun run) {
    Optional<Table> geometry = GeometryTables.GEOMETRY.of(run);
    if (geometry.isEmpty()
        || geometry.get().size() == 0
        || !geometry.get().has(GeometryTables.CAPTURED)) {
      return nan();
    }
    Table t = geometry.get();
    return t.number(t.size() - 1, GeometryTables.CAPTURED);
  }

  /**
   * Steps between the first points after the plateau where the smoothed loss has fallen 10 % and 90
   * % of the way from {@code level} to {@code after}.
   */
  static double dropWidth(Table loss, double plateauEnd, double level, double after) {
    if (!(level > after) || !Double.isFinite(plateauEnd)) {
      return nan();
    }
    double t10 = nan();
    double t90 = nan();
    List<Table.Row> rows = loss.rows();
    for (Table.Row r : rows) {
      double step = r.number("step");
      double y = r.number("smoothed");
      if (step < plateauEnd || !Double.isFinite(y)) {
        continue;
      }
      if (Double.isNaN(t10) && y <= level - 0.1 * (level - after)) {
        t10 = step;
      }
      if (Double.isNaN(t90) && y <= level - 0.9 * (level - after)) {
        t90 = step;
        break;
      }
    }
    return t90 - t10;
  }

  private static double nan() {
    return Double.NaN;
  }
}
