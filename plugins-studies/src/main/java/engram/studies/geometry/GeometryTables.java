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

  /** The census column of {@code geometry.csv}: fraction of conditions held by an attractor. */
  static final String CAPTURED = "captured_fraction";

  static final List<TableRef> ALL = List.of(ABRUPT, LOSS, ONSETS, GEOMETRY);
}
