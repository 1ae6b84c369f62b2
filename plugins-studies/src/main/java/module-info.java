/**
 * Built-in studies: {@code timescales-curriculum}, the findings of Khajehabdollahi, Zeraati et al.
 * (ICLR 2024) on curricula and timescales checked against runs; {@code memory-geometry}, the claims
 * of Haputhanthri, Storan, Jiang et al. (2025) on abrupt learning, geometric restructuring and
 * temporal consistency regularization. {@code engram.studies.common} holds the measures studies
 * read off per-checkpoint analyzer tables (a column against N, slopes, the checkpoint at a level).
 */
module engram.studies {
  requires engram.api;
  requires commons.math3;

  provides engram.api.study.Study with
      engram.studies.timescales.TimescalesCurriculumStudy,
      engram.studies.geometry.MemoryGeometryStudy;

  // The study's configuration record is bound by core's Jackson.
  opens engram.studies.timescales to
      engram.core,
      com.fasterxml.jackson.databind;
  opens engram.studies.geometry to
      engram.core,
      com.fasterxml.jackson.databind;
}
