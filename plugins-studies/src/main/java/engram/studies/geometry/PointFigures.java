package engram.studies.geometry;

import engram.api.study.Figure;
import engram.api.study.Quantity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;

/**
 * The figures and per-run quantities of the fixed points around the drop ({@link PointCensus}), as
 * data over every run (core groups runs and draws mean ± std over seeds).
 */
final class PointFigures {
  private PointFigures() {}

  static final String CENSUS = "point-census.png";
  static final String GHOSTS = "ghosts-before-drop.png";

  private static final String MOMENTS =
      "moment: 0 plateau, 1 last before t_drop, 2 first after the fall, 3 after a later drop,"
          + " 4 end";

  static final String LANDSCAPE = "speed-landscape.png";

  /**
   * The run whose speed landscape the report shows: of the first condition (smallest gain, then
   * smallest λ) with a run that dropped and has the fixed-points census, its lowest seed.
   */
  static java.util.Optional<GeometryRun> representative(List<GeometryRun> runs) {
    return runs.stream()
        .filter(r -> r.learned() && r.points().measured())
        .min(
            java.util.Comparator.comparingDouble(GeometryRun::gain)
                .thenComparingDouble(GeometryRun::lambda)
                .thenComparingLong(r -> r.run().seed()));
  }

  static List<Figure> figures(List<GeometryRun> runs) {
    GeometryRun shown = representative(runs).orElse(null);
    Figure landscape =
        new Figure(
            LANDSCAPE,
            shown == null
                ? "Speed landscape of one run around its drop"
                : "Speed landscape log10 q and the fixed (by class), ghost and slow points of one"
                    + " run around its drop: seed "
                    + shown.run().seed()
                    + ", g = "
                    + engram.api.study.Stats.number(shown.gain())
                    + ", λ = "
                    + engram.api.study.Stats.number(shown.lambda())
                    + ", t_drop "
                    + engram.api.study.Stats.number(shown.tDrop())
                    + " (the panels are the checkpoints of checkpoints.csv, oldest first)",
            List.of(
                new Figure.RunImage(
                    shown == null ? "" : shown.run().id(), "fixed-points", LANDSCAPE)),
            "No run that dropped has fixed-points' " + LANDSCAPE + " (checkpoints: around-drop).");
    return List.of(
        landscape,
        new Figure(
            CENSUS,
            "Fixed points, saddles and ghosts of the input-free map at the moments around the drop",
            List.of(
                moments(
                    "stable_points",
                    "Stable fixed points (attractors)",
                    runs,
                    PointCensus.Counts::stable),
                moments("saddles", "Saddles", runs, PointCensus.Counts::saddle),
                moments(
                    "ghosts",
                    "Ghosts (local minima of the speed that are not zeros)",
                    runs,
                    PointCensus.Counts::ghost)),
            "No run has fixed-points with checkpoints: around-drop."),
        new Figure(
            GHOSTS,
            "Fraction of runs that dropped with a ghost (or a slow point) before t_drop",
            List.of(
                new Figure.Bars(
                    "A ghost at an analysed checkpoint before t_drop",
                    "fraction of runs",
                    List.of(
                        series("ghost", runs, r -> r.points().ghostBefore()),
                        series("ghost or slow point", runs, r -> r.points().slowBefore())))),
            "No run dropped after a checkpoint analysed by fixed-points (checkpoints:"
                + " around-drop)."));
  }

  /** One panel: a count against the moment's index in {@link PointCensus#ROLES}. */
  private static Figure.Curves moments(
      String quantity, String title, List<GeometryRun> runs, ToIntFunction<PointCensus.Counts> c) {
    Map<String, SortedMap<Double, Double>> curves = new LinkedHashMap<>();
    for (GeometryRun r : runs) {
      SortedMap<Double, Double> curve = new TreeMap<>();
      for (int i = 0; i < PointCensus.ROLES.size(); i++) {
        double v = r.points().count(PointCensus.ROLES.get(i), c);
        if (Double.isFinite(v)) {
          curve.put((double) i, v);
        }
      }
      if (!curve.isEmpty()) {
        curves.put(r.run().id(), curve);
      }
    }
    return new Figure.Curves(quantity, title, MOMENTS, "points per network", false, curves);
  }

  static List<Quantity> quantities(List<GeometryRun> runs) {
    return List.of(
        quantity("stable_before_drop", "points", runs, "before-drop", PointCensus.Counts::stable),
        quantity("stable_after_drop", "points", runs, "after-drop", PointCensus.Counts::stable),
        quantity("stable_end", "points", runs, "end", PointCensus.Counts::stable),
        quantity("saddles_end", "points", runs, "end", PointCensus.Counts::saddle),
        quantity("ghosts_before_drop", "points", runs, "before-drop", PointCensus.Counts::ghost),
        quantity("ghosts_after_drop", "points", runs, "after-drop", PointCensus.Counts::ghost),
        quantity("ghosts_end", "points", runs, "end", PointCensus.Counts::ghost),
        quantity("ghost_before_drop", "0/1", runs, r -> r.points().ghostBefore()),
        quantity("first_ghost_from_drop", "steps", runs, r -> r.points().firstGhost()),
        quantity("ghost_becomes_fixed", "0/1", runs, r -> r.points().ghostBecomesFixed()));
  }

  private static Quantity quantity(
      String name,
      String unit,
      List<GeometryRun> runs,
      String role,
      ToIntFunction<PointCensus.Counts> c) {
    return quantity(name, unit, runs, r -> r.points().count(role, c));
  }

  private static Quantity quantity(
      String name, String unit, List<GeometryRun> runs, ToDoubleFunction<GeometryRun> f) {
    Map<String, Double> values = new LinkedHashMap<>();
    runs.forEach(r -> values.put(r.run().id(), f.applyAsDouble(r)));
    return new Quantity(name, unit, values);
  }

  private static Figure.Series series(
      String name, List<GeometryRun> runs, ToDoubleFunction<GeometryRun> f) {
    Map<String, Double> values = new LinkedHashMap<>();
    runs.forEach(r -> values.put(r.run().id(), f.applyAsDouble(r)));
    return new Figure.Series(name, values);
  }
}
