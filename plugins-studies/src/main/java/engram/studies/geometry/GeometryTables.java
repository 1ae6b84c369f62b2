package engram.studies.geometry;

import engram.studies.common.TableRef;
import java.util.List;

/** The analyzer tables the geometry study reads. */
final class GeometryTables {
  private GeometryTables() {}

  static final TableRef ABRUPT = new TableRef("abrupt-learning", "abrupt-learning.csv");
  static final TableRef LOSS = new TableRef("abrupt-learning", "abrupt-learning-loss.csv");
  static final TableRef ONSETS = new TableRef("abrupt-learning", "gr-onsets.csv");
  static final TableRef GEOMETRY = new TableRef("geometry", "geometry.csv");
  static final TableRef FP_CHECKPOINTS = new TableRef("fixed-points", "checkpoints.csv");
  static final TableRef FP_SUMMARY = new TableRef("fixed-points", "fixed-points-summary.csv");
  static final TableRef FP_TRACKS = new TableRef("fixed-points", "ghost-tracks.csv");

  /** The census column of {@code geometry.csv}: fraction of conditions held by an attractor. */
  static final String CAPTURED = "captured_fraction";

  static final List<TableRef> ALL =
      List.of(ABRUPT, LOSS, ONSETS, GEOMETRY, FP_CHECKPOINTS, FP_SUMMARY, FP_TRACKS);
}
