package engram.studies.geometry;

import engram.api.study.Figure;
import engram.api.study.Quantity;
import engram.api.table.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The study's figures and per-run quantities, as data over every run (core groups runs by the
 * comparison's grouping, a reproduction's conditions, and draws mean ± std over seeds).
 */
final class GeometryFigures {
  private GeometryFigures() {}

  static final String LOSS = "loss-at-drop.png";
  static final String T_DROP = "t-drop.png";
  static final String LEARNED = "learned.png";
  static final String ATTRACTORS = "attractors.png";
  static final String LEAD = "gr-lead.png";

  /** Half-width of the window around t_drop, and the spacing of its points, in steps. */
  static final int WINDOW = 3000;

  static final int SPACING = 50;

  static List<Figure> figures(List<GeometryRun> runs) {
    List<Figure> out = new ArrayList<>();
    Map<String, SortedMap<Double, Double>> aligned = new LinkedHashMap<>();
    Map<String, SortedMap<Double, Double>> whole = new LinkedHashMap<>();
    for (GeometryRun r : runs) {
      Table loss = GeometryTables.LOSS.of(r.run()).orElse(null);
      if (loss == null) {
        continue;
      }
      SortedMap<Double, Double> all = new TreeMap<>();
      SortedMap<Double, Double> near = new TreeMap<>();
      for (Table.Row row : loss.rows()) {
        double step = row.number("step");
        double y = row.number("smoothed");
        if (!(y > 0)) {
          continue;
        }
        if (onLogGrid(step)) {
          all.put(step, Math.log10(y));
        }
        if (r.learned()) {
          double x = step - r.tDrop();
          if (Math.abs(x) <= WINDOW && Math.floorMod((long) x, SPACING) == 0) {
            near.put(x, Math.log10(y));
          }
        }
      }
      whole.put(r.run().id(), all);
      if (!near.isEmpty()) {
        aligned.put(r.run().id(), near);
      }
    }
    out.add(
        new Figure(
            LOSS,
            "Loss curves: whole runs, and aligned at each run's t_drop",
            List.of(
                new Figure.Curves(
                    "log10_loss",
                    "Smoothed training loss (every run)",
                    "optimizer step",
                    "log10 loss (moving median)",
                    true,
                    whole),
                new Figure.Curves(
                    "log10_loss_at_drop",
                    "Around the drop: runs that learned, aligned at t_drop",
                    "steps from t_drop",
                    "log10 loss (moving median)",
                    false,
                    aligned)),
            "No run has abrupt-learning-loss.csv: add the abrupt-learning analyzer."));
    out.add(
        new Figure(
            T_DROP,
            "Time to the drop (runs that learned)",
            List.of(
                new Figure.Bars(
                    "t_drop of the runs that learned",
                    "t_drop (optimizer steps)",
                    List.of(series("t_drop", runs, r -> r.learned() ? r.tDrop() : Double.NaN)))),
            "No run learned."));
    out.add(
        new Figure(
            LEARNED,
            "Fraction of runs with a plateau then a drop, and that solved the task, within budget",
            List.of(
                new Figure.Bars(
                    "Runs that learned",
                    "fraction of runs",
                    List.of(
                        series(
                            "plateau then drop",
                            runs,
                            r -> r.measured() ? (r.learned() ? 1 : 0) : Double.NaN),
                        series(
                            "solved the task",
                            runs,
                            r -> r.measured() ? (r.solved() ? 1 : 0) : Double.NaN)))),
            "No run has the abrupt-learning analysis."));
    out.add(
        new Figure(
            ATTRACTORS,
            "Fraction of runs whose last checkpoint holds every condition in a stable attractor",
            List.of(
                new Figure.Bars(
                    "All conditions captured by stable attractors at the end",
                    "fraction of runs",
                    List.of(
                        series(
                            "all conditions captured",
                            runs,
                            r ->
                                Double.isFinite(r.captured())
                                    ? (r.captured() >= 1 ? 1 : 0)
                                    : Double.NaN)))),
            "No run has the attractor census of the geometry analyzer."));
    out.add(
        new Figure(
            LEAD,
            "Lead of geometric restructuring over the drop",
            List.of(
                new Figure.Bars(
                    "t_drop − onset of the judged GR metric (> 0: GR first)",
                    "lead (optimizer steps)",
                    List.of(
                        series("lead (judged window)", runs, GeometryRun::lead),
                        series("lead (fit over the whole run)", runs, GeometryRun::leadWholeRun)))),
            "No run has a GR onset: run geometry before abrupt-learning."));
    return out;
  }

  static List<Quantity> quantities(List<GeometryRun> runs) {
    return List.of(
        quantity("lambda", "", runs, GeometryRun::lambda),
        quantity("gain", "", runs, GeometryRun::gain),
        quantity("learned", "0/1", runs, r -> r.measured() ? (r.learned() ? 1 : 0) : Double.NaN),
        quantity("solved", "0/1", runs, r -> r.solved() ? 1 : 0),
        quantity("t_drop", "steps", runs, GeometryRun::tDrop),
        quantity("plateau_start", "steps", runs, GeometryRun::plateauStart),
        quantity("plateau_end", "steps", runs, GeometryRun::plateauEnd),
        quantity("plateau_loss", "", runs, GeometryRun::plateauLoss),
        quantity("drop_width", "steps", runs, GeometryRun::dropWidth),
        quantity("t_last_drop", "steps", runs, GeometryRun::tLastDrop),
        quantity("gr_lead", "steps", runs, GeometryRun::lead),
        quantity("gr_lead_whole_run", "steps", runs, GeometryRun::leadWholeRun),
        quantity("gr_lead_last_drop", "steps", runs, GeometryRun::leadLast),
        quantity("captured_fraction", "", runs, GeometryRun::captured));
  }

  /** Steps kept for the whole-run panel: about 20 per decade, the same for every run. */
  static boolean onLogGrid(double step) {
    if (step < 10) {
      return step >= 1;
    }
    double unit = Math.pow(10, Math.floor(Math.log10(step)) - 1) * 5;
    return step % unit == 0;
  }

  private static Figure.Series series(
      String name, List<GeometryRun> runs, ToDoubleFunction<GeometryRun> f) {
    Map<String, Double> values = new LinkedHashMap<>();
    runs.forEach(r -> values.put(r.run().id(), f.applyAsDouble(r)));
    return new Figure.Series(name, values);
  }

  private static Quantity quantity(
      String name, String unit, List<GeometryRun> runs, ToDoubleFunction<GeometryRun> f) {
    Map<String, Double> values = new LinkedHashMap<>();
    runs.forEach(r -> values.put(r.run().id(), f.applyAsDouble(r)));
    return new Quantity(name, unit, values);
  }
}
