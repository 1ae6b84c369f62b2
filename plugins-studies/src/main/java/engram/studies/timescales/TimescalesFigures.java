package engram.studies.timescales;

import engram.api.study.Figure;
import engram.api.study.Quantity;
import engram.api.study.StudyRun;
import engram.studies.common.Measures;
import engram.studies.common.TableRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The study's figures and per-run quantities, as data over every run of the comparison (core groups
 * and draws them). Checkpoints common to runs are found over all runs here, not only the leaky-rnn
 * single- and multi-head runs the findings compare.
 */
final class TimescalesFigures {
  private TimescalesFigures() {}

  static final String TAU = "tau-vs-N.png";
  static final String TAU_NET = "tau-net-vs-N.png";
  static final String CONNECTIVITY = "connectivity-vs-N.png";
  static final String DIMENSIONALITY = "dimensionality-vs-N.png";
  static final String ABLATION = "ablation.png";
  static final String PERTURBATION = "perturbation.png";
  static final String FORGETTING = "forgetting.png";
  static final String TRANSFER = "transfer.png";

  private static final String N_AXIS = "N (largest level trained)";
  private static final String LEVEL_AXIS = "N′ (level evaluated)";
  private static final String RELATIVE = "relative accuracy ((acc − 0.5)/(baseline − 0.5))";

  /** The figures, in report order. */
  static List<Figure> figures(List<StudyRun> runs) {
    List<Figure> figures = new ArrayList<>();
    figures.add(
        figure(
            TAU,
            "Trained τ̃ = max(τ, 1) against N",
            Tables.TAU_STATS,
            List.of(
                vsN(
                    runs,
                    Tables.TAU_STATS,
                    "mean",
                    "Mean of τ̃ over neurons",
                    "mean τ̃ (time steps)"),
                vsN(
                    runs,
                    Tables.TAU_STATS,
                    "std",
                    "Spread of τ̃ over neurons",
                    "std of τ̃ over neurons (time steps)"))));
    figures.add(
        figure(
            TAU_NET,
            "Network timescale τ_net against N",
            Tables.NETWORK_TIMESCALES,
            List.of(
                vsN(
                    runs,
                    Tables.NETWORK_TIMESCALES,
                    "tau_net_mean",
                    "τ_net of single neurons (mean over kept neurons)",
                    "τ_net (time steps)"),
                vsN(
                    runs,
                    Tables.NETWORK_TIMESCALES,
                    "population_tau_net",
                    "τ_net of the population activity",
                    "population τ_net (time steps)"))));
    figures.add(
        figure(
            CONNECTIVITY,
            "Recurrent connectivity against N",
            Tables.CONNECTIVITY,
            List.of(
                vsN(
                    runs,
                    Tables.CONNECTIVITY,
                    "spectral_radius",
                    "Spectral radius of W^R",
                    "spectral radius of W^R (no unit)"),
                vsN(
                    runs,
                    Tables.CONNECTIVITY,
                    "mean_weight",
                    "Mean recurrent weight",
                    "mean off-diagonal W^R (no unit)"))));
    figures.add(
        figure(
            DIMENSIONALITY,
            "Dimensionality of the activity against N",
            Tables.DIMENSIONALITY,
            List.of(
                vsN(
                    runs,
                    Tables.DIMENSIONALITY,
                    "components",
                    "PCA components to reach the explained-variance threshold",
                    "components (count)"),
                vsN(
                    runs,
                    Tables.DIMENSIONALITY,
                    "participation_ratio",
                    "Participation ratio",
                    "participation ratio (components)"))));
    figures.add(ablation(runs));
    Integer perturbed = Measures.commonLevel(runs, Tables.PERTURBATION);
    String at = perturbed == null ? "each run's last checkpoint" : "N = " + perturbed;
    figures.add(
        figure(
            PERTURBATION,
            "Robustness to perturbation (" + at + ")",
            Tables.PERTURBATION,
            List.of(
                curves(
                    runs,
                    "perturbation_recurrent",
                    "Perturbing W^R (" + at + ")",
                    "ε (relative size of the perturbation, log scale)",
                    RELATIVE,
                    true,
                    r -> PaperMeasures.perturbationCurve(r, "recurrent", perturbed)),
                curves(
                    runs,
                    "perturbation_tau",
                    "Perturbing τ (" + at + ")",
                    "ε (relative size of the perturbation, log scale)",
                    RELATIVE,
                    true,
                    r -> PaperMeasures.perturbationCurve(r, "tau", perturbed)))));
    figures.add(
        figure(
            FORGETTING,
            "Forgetting: accuracy on every level at the last checkpoint",
            Tables.FORGETTING,
            List.of(
                curves(
                    runs,
                    "forgetting_accuracy",
                    "Accuracy on N′ at each run's last checkpoint",
                    LEVEL_AXIS,
                    "accuracy (fraction correct)",
                    false,
                    r -> toDouble(PaperMeasures.forgettingCurve(r))))));
    Integer source = Measures.commonLevel(runs, Tables.TRANSFER);
    String from = source == null ? "each run's largest source level" : "N = " + source;
    figures.add(
        figure(
            TRANSFER,
            "Transfer: retraining single-head on new N′ (from " + from + ")",
            Tables.TRANSFER,
            List.of(
                curves(
                    runs,
                    "transfer_final_accuracy",
                    "Final accuracy after retraining (from " + from + ")",
                    "N′ (level retrained on)",
                    "final accuracy (fraction correct)",
                    false,
                    r -> toDouble(PaperMeasures.transferCurve(r, source))))));
    return figures;
  }

  /** The per-run numbers of {@code comparison.csv}, after core's own. */
  static List<Quantity> quantities(List<StudyRun> runs) {
    Integer ablated = Measures.commonLevel(runs, Tables.ABLATION);
    Integer perturbed = Measures.commonLevel(runs, Tables.PERTURBATION);
    Integer source = Measures.commonLevel(runs, Tables.TRANSFER);
    Set<Integer> retrained =
        Measures.commonKeys(
            runs.stream().map(r -> PaperMeasures.transferCurve(r, source)).toList());
    return List.of(
        quantity(
            runs,
            "tau_mean_slope",
            "time steps per level",
            r -> slope(r, Tables.TAU_STATS, "mean")),
        quantity(
            runs, "tau_std_slope", "time steps per level", r -> slope(r, Tables.TAU_STATS, "std")),
        quantity(
            runs, "tau_mean_at_largest_N", "time steps", r -> last(r, Tables.TAU_STATS, "mean")),
        quantity(
            runs,
            "tau_net_slope",
            "time steps per level",
            r -> slope(r, Tables.NETWORK_TIMESCALES, "tau_net_mean")),
        quantity(
            runs,
            "tau_net_at_largest_N",
            "time steps",
            r -> last(r, Tables.NETWORK_TIMESCALES, "tau_net_mean")),
        quantity(
            runs,
            "spectral_radius_at_largest_N",
            "no unit",
            r -> last(r, Tables.CONNECTIVITY, "spectral_radius")),
        quantity(
            runs,
            "mean_weight_at_largest_N",
            "no unit",
            r -> last(r, Tables.CONNECTIVITY, "mean_weight")),
        quantity(
            runs,
            "components_at_largest_N",
            "components",
            r -> last(r, Tables.DIMENSIONALITY, "components")),
        quantity(
            runs,
            "participation_ratio_at_largest_N",
            "components",
            r -> last(r, Tables.DIMENSIONALITY, "participation_ratio")),
        quantity(
            runs,
            "ablation_fastest_relative_accuracy",
            "relative accuracy",
            r -> PaperMeasures.ablation(r, "fastest", ablated)),
        quantity(
            runs,
            "ablation_slowest_relative_accuracy",
            "relative accuracy",
            r -> PaperMeasures.ablation(r, "slowest", ablated)),
        quantity(
            runs,
            "perturbation_recurrent_area",
            "relative accuracy",
            r ->
                PaperMeasures.perturbationArea(
                    PaperMeasures.perturbationCurve(r, "recurrent", perturbed))),
        quantity(
            runs,
            "perturbation_tau_area",
            "relative accuracy",
            r ->
                PaperMeasures.perturbationArea(
                    PaperMeasures.perturbationCurve(r, "tau", perturbed))),
        quantity(
            runs,
            "forgetting_earlier_accuracy",
            "fraction correct",
            PaperMeasures::forgettingEarlier),
        quantity(
            runs,
            "transfer_final_accuracy",
            "fraction correct",
            r -> Measures.meanOver(PaperMeasures.transferCurve(r, source), retrained)));
  }

  private static Figure ablation(List<StudyRun> runs) {
    Integer level = Measures.commonLevel(runs, Tables.ABLATION);
    String at = level == null ? "each run's last checkpoint" : "N = " + level;
    String heading = "Ablation of single neurons (" + at + ")";
    Map<String, Double> fastest = new LinkedHashMap<>();
    Map<String, Double> slowest = new LinkedHashMap<>();
    for (StudyRun r : runs) {
      fastest.put(r.id(), PaperMeasures.ablation(r, "fastest", level));
      slowest.put(r.id(), PaperMeasures.ablation(r, "slowest", level));
    }
    Figure.Bars bars =
        new Figure.Bars(
            heading + ": mean over ablations",
            "mean " + RELATIVE,
            List.of(
                new Figure.Series("20 fastest neurons (smallest τ), one at a time", fastest),
                new Figure.Series("20 slowest neurons (largest τ), one at a time", slowest)));
    return new Figure(
        ABLATION,
        heading,
        List.of(bars),
        "no group has both fastest and"
            + " slowest ablations in "
            + Tables.ABLATION.relativePath());
  }

  private static Figure figure(
      String file, String heading, TableRef table, List<Figure.Panel> panels) {
    return new Figure(file, heading, panels, "no run has usable rows in " + table.relativePath());
  }

  private static Figure.Curves vsN(
      List<StudyRun> runs, TableRef table, String column, String title, String yTitle) {
    return curves(
        runs,
        table.analyzer() + "." + column,
        title + " against N",
        N_AXIS,
        yTitle,
        false,
        r -> toDouble(Measures.perLevel(r, table, column)));
  }

  private static Figure.Curves curves(
      List<StudyRun> runs,
      String quantity,
      String title,
      String xTitle,
      String yTitle,
      boolean logX,
      Function<StudyRun, SortedMap<Double, Double>> curveOfRun) {
    Map<String, SortedMap<Double, Double>> curves = new LinkedHashMap<>();
    runs.forEach(r -> curves.put(r.id(), curveOfRun.apply(r)));
    return new Figure.Curves(quantity, title, xTitle, yTitle, logX, curves);
  }

  private static Quantity quantity(
      List<StudyRun> runs, String name, String unit, ToDoubleFunction<StudyRun> value) {
    Map<String, Double> values = new LinkedHashMap<>();
    runs.forEach(r -> values.put(r.id(), value.applyAsDouble(r)));
    return new Quantity(name, unit, values);
  }

  private static double slope(StudyRun r, TableRef table, String column) {
    return Measures.slope(Measures.perLevel(r, table, column));
  }

  private static double last(StudyRun r, TableRef table, String column) {
    return Measures.atLargestLevel(Measures.perLevel(r, table, column));
  }

  private static SortedMap<Double, Double> toDouble(SortedMap<Integer, Double> map) {
    SortedMap<Double, Double> out = new TreeMap<>();
    map.forEach((k, v) -> out.put(k.doubleValue(), v));
    return out;
  }
}
