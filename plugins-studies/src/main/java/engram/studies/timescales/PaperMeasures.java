package engram.studies.timescales;

import engram.api.study.StudyRun;
import engram.api.table.Table;
import engram.studies.common.Measures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The paper's robustness, forgetting and transfer numbers of one run, read off the ablation,
 * perturbation, forgetting and transfer tables. NaN (or an empty curve) when the run lacks the
 * table or the rows needed.
 */
final class PaperMeasures {
  private PaperMeasures() {}

  /**
   * Mean relative accuracy, (acc − 0.5)/(baseline − 0.5), over the ablations of one group ({@code
   * fastest} or {@code slowest}) at the checkpoint at {@code level}, on its hardest level.
   */
  static double ablation(StudyRun run, String group, Integer level) {
    return Measures.checkpointRows(run, Tables.ABLATION, level, true).stream()
        .filter(r -> r.text("group").equals(group))
        .mapToDouble(r -> r.number("relative_accuracy"))
        .filter(Double::isFinite)
        .average()
        .orElse(Double.NaN);
  }

  /**
   * Relative accuracy against ε for one perturbation target ({@code recurrent} or {@code tau}) at
   * the checkpoint at {@code level}, on its hardest level: ε → mean over draws.
   */
  static SortedMap<Double, Double> perturbationCurve(StudyRun run, String target, Integer level) {
    Map<Double, List<Double>> byEpsilon = new HashMap<>();
    for (Table.Row r : Measures.checkpointRows(run, Tables.PERTURBATION, level, true)) {
      double epsilon = r.number("epsilon");
      double relative = r.number("relative_accuracy");
      if (r.text("target").equals(target)
          && epsilon > 0
          && Double.isFinite(epsilon)
          && Double.isFinite(relative)) {
        byEpsilon.computeIfAbsent(epsilon, e -> new ArrayList<>()).add(relative);
      }
    }
    SortedMap<Double, Double> curve = new TreeMap<>();
    byEpsilon.forEach(
        (e, values) ->
            curve.put(e, values.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
    return curve;
  }

  /**
   * Robustness to a perturbation: the area under relative accuracy against log₁₀ ε (trapezoids),
   * divided by the width of the log₁₀ ε range, i.e. the mean relative accuracy over the ε grid on a
   * log scale (1 = unaffected at every ε, 0 = at chance). With one ε, its value; NaN with none.
   */
  static double perturbationArea(SortedMap<Double, Double> curve) {
    if (curve.isEmpty()) {
      return Double.NaN;
    }
    if (curve.size() == 1) {
      return curve.get(curve.firstKey());
    }
    double area = 0;
    Double previousX = null;
    double previousY = 0;
    for (Map.Entry<Double, Double> p : curve.entrySet()) {
      double x = Math.log10(p.getKey());
      if (previousX != null) {
        area += (x - previousX) * (p.getValue() + previousY) / 2;
      }
      previousX = x;
      previousY = p.getValue();
    }
    return area / (Math.log10(curve.lastKey()) - Math.log10(curve.firstKey()));
  }

  /** Accuracy against N′ at the last checkpoint of {@code forgetting.csv} (mean over heads). */
  static SortedMap<Integer, Double> forgettingCurve(StudyRun run) {
    return Measures.meanByKey(
        Measures.checkpointRows(run, Tables.FORGETTING, null, false), "level", "accuracy");
  }

  /**
   * Mean accuracy over the earlier levels N′ &lt; N at the last checkpoint (trained up to N); NaN
   * when that checkpoint has no earlier level.
   */
  static double forgettingEarlier(StudyRun run) {
    List<Table.Row> rows = Measures.checkpointRows(run, Tables.FORGETTING, null, false);
    if (rows.isEmpty()) {
      return Double.NaN;
    }
    int top = rows.get(0).integer("max_level");
    return forgettingCurve(run).entrySet().stream()
        .filter(e -> e.getKey() < top)
        .mapToDouble(Map.Entry::getValue)
        .average()
        .orElse(Double.NaN);
  }

  /**
   * Final accuracy of retraining against the new level N′, from the source checkpoint at {@code
   * sourceLevel} (the largest source level when null or absent).
   */
  static SortedMap<Integer, Double> transferCurve(StudyRun run, Integer sourceLevel) {
    return Measures.meanByKey(
        Measures.checkpointRows(run, Tables.TRANSFER, sourceLevel, false),
        "level",
        "final_accuracy");
  }
}
