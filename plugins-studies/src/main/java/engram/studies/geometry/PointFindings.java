package engram.studies.geometry;

import engram.api.study.Finding;
import engram.api.study.Finding.Verdict;
import engram.api.study.Stats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The findings on fixed points, ghosts and slow points around the drop ({@code fixed-points} with
 * {@code checkpoints: around-drop}): whether ghosts precede the drop, and the census of stable
 * fixed points with and without TCR. Rules in {@link GeometryRules#points}.
 */
final class PointFindings {
  /** Stable fixed points a run needs at its end to count as holding attractors: a binary memory. */
  static final int MIN_STABLE = 2;

  static final String GHOSTS =
      "(G) Ghost points (slow regions of non-zero speed) appear before the abrupt drop (Dinc et al."
          + " 2025, the ghost mechanism)";
  static final String CENSUS =
      "(4a, fixed points) TCR helps attractors form: stable fixed points of the input-free map";

  private final double alpha;

  /** gain → λ → runs with the census. */
  private final TreeMap<Double, Map<Double, List<GeometryRun>>> cells = new TreeMap<>();

  private final double lowGain;

  PointFindings(List<GeometryRun> runs, double alpha) {
    this.alpha = alpha;
    for (GeometryRun r : runs) {
      if (r.points().measured()) {
        cells
            .computeIfAbsent(r.gain(), g -> new TreeMap<>())
            .computeIfAbsent(r.lambda(), l -> new ArrayList<>())
            .add(r);
      }
    }
    lowGain = cells.isEmpty() ? Double.NaN : cells.firstKey();
  }

  List<Finding> evaluate() {
    return List.of(ghostsBeforeDrop(), census());
  }

  private static Finding notMeasured(String id, String claim) {
    return new Finding(
        id,
        claim,
        "no run has "
            + GeometryTables.FP_CHECKPOINTS.relativePath()
            + " (add fixed-points with checkpoints: around-drop after abrupt-learning)",
        Verdict.NOT_MEASURED);
  }

  /** Runs that dropped with an analysed checkpoint before t_drop. */
  private static List<GeometryRun> judged(List<GeometryRun> runs) {
    return runs.stream()
        .filter(r -> r.learned() && Double.isFinite(r.points().ghostBefore()))
        .toList();
  }

  private static long count(List<GeometryRun> runs, ToDoubleFunction<GeometryRun> flag) {
    return runs.stream().filter(r -> flag.applyAsDouble(r) == 1).count();
  }

  Finding ghostsBeforeDrop() {
    if (cells.isEmpty()) {
      return notMeasured("ghosts-before-drop", GHOSTS);
    }
    List<String> parts = new ArrayList<>();
    cells.forEach(
        (g, byLambda) ->
            byLambda.forEach(
                (l, runs) -> {
                  List<GeometryRun> j = judged(runs);
                  String condition = "g = " + Stats.number(g) + ", λ = " + Stats.number(l) + ": ";
                  if (j.isEmpty()) {
                    parts.add(condition + "no run dropped after an analysed checkpoint");
                    return;
                  }
                  double[] first =
                      j.stream()
                          .mapToDouble(r -> r.points().firstGhost())
                          .filter(Double::isFinite)
                          .toArray();
                  parts.add(
                      String.format(
                          Locale.ROOT,
                          "%sa ghost before t_drop in %d/%d runs (ghost or slow point: %d/%d); %s;"
                              + " a ghost became a fixed point in %d",
                          condition,
                          count(j, r -> r.points().ghostBefore()),
                          j.size(),
                          count(j, r -> r.points().slowBefore()),
                          j.size(),
                          first.length == 0
                              ? "no ghost at any analysed checkpoint"
                              : "first ghost at t_drop "
                                  + signed(Censored.median(first))
                                  + " steps (median of "
                                  + first.length
                                  + ")",
                          count(j, r -> r.points().ghostBecomesFixed())));
                }));
    List<GeometryRun> base =
        judged(cells.getOrDefault(lowGain, Map.of()).getOrDefault(0.0, List.of()));
    String measured = String.join("; ", parts);
    if (base.isEmpty()) {
      return new Finding(
          "ghosts-before-drop",
          GHOSTS,
          measured + " (no run without TCR at g = " + Stats.number(lowGain) + " to judge)",
          Verdict.NOT_MEASURED);
    }
    int n = base.size();
    long k = count(base, r -> r.points().ghostBefore());
    Verdict v;
    if (n < GeometryFindings.MIN_RUNS) {
      v = Verdict.INCONCLUSIVE;
    } else if (2 * k >= n) {
      v = Verdict.REPRODUCED;
    } else if (4 * k < n) {
      v = Verdict.NOT_REPRODUCED;
    } else {
      v = Verdict.INCONCLUSIVE;
    }
    return new Finding("ghosts-before-drop", GHOSTS, measured, v);
  }

  Finding census() {
    if (cells.isEmpty()) {
      return notMeasured("fp-attractors", CENSUS);
    }
    List<String> parts = new ArrayList<>();
    cells.forEach(
        (g, byLambda) ->
            byLambda.forEach(
                (l, runs) ->
                    parts.add(
                        String.format(
                            Locale.ROOT,
                            "g = %s, λ = %s (%d runs): before the drop / after it / at the end,"
                                + " stable %s, saddles %s, ghosts %s (medians)",
                            Stats.number(g),
                            Stats.number(l),
                            runs.size(),
                            moments(runs, PointCensus.Counts::stable),
                            moments(runs, PointCensus.Counts::saddle),
                            moments(runs, PointCensus.Counts::ghost)))));
    List<double[]> tests = new ArrayList<>(); // {larger?, p, enough runs?}
    for (Map.Entry<Double, Map<Double, List<GeometryRun>>> g : cells.entrySet()) {
      List<GeometryRun> base = g.getValue().getOrDefault(0.0, List.of());
      for (Map.Entry<Double, List<GeometryRun>> l : g.getValue().entrySet()) {
        if (l.getKey() == 0.0 || base.isEmpty()) {
          continue;
        }
        int a = holding(l.getValue());
        int b = holding(base);
        int na = l.getValue().size();
        int nb = base.size();
        double p = Censored.moreSuccessesP(a, na, b, nb);
        parts.add(
            String.format(
                Locale.ROOT,
                "g = %s: ≥ %d stable fixed points at the end in %d/%d runs with λ = %s vs %d/%d"
                    + " with λ = 0 (p = %s)",
                Stats.number(g.getKey()),
                MIN_STABLE,
                a,
                na,
                Stats.number(l.getKey()),
                b,
                nb,
                Stats.number(p)));
        tests.add(
            new double[] {
              a * (double) nb > b * (double) na ? 1 : 0,
              p,
              na >= GeometryFindings.MIN_RUNS && nb >= GeometryFindings.MIN_RUNS ? 1 : 0
            });
      }
    }
    String measured = String.join("; ", parts);
    int m = tests.size();
    boolean larger = tests.stream().anyMatch(t -> t[0] == 1);
    boolean significant = tests.stream().anyMatch(t -> t[0] == 1 && t[1] < alpha / m);
    boolean enough = tests.stream().allMatch(t -> t[2] == 1);
    if (m == 0) {
      return new Finding(
          "fp-attractors",
          CENSUS,
          measured + " (no pair of conditions with and without TCR at one gain)",
          Verdict.NOT_MEASURED);
    }
    Verdict v =
        !enough
            ? Verdict.INCONCLUSIVE
            : significant
                ? Verdict.REPRODUCED
                : !larger ? Verdict.NOT_REPRODUCED : Verdict.INCONCLUSIVE;
    return new Finding("fp-attractors", CENSUS, measured, v);
  }

  /** Runs whose last analysed checkpoint has at least {@link #MIN_STABLE} stable fixed points. */
  private static int holding(List<GeometryRun> runs) {
    return (int)
        runs.stream()
            .filter(r -> r.points().count("end", PointCensus.Counts::stable) >= MIN_STABLE)
            .count();
  }

  /** "b/a/e" medians over the runs that have each moment ("–" where none has it). */
  private static String moments(
      List<GeometryRun> runs, java.util.function.ToIntFunction<PointCensus.Counts> what) {
    List<String> out = new ArrayList<>();
    for (String role : List.of("before-drop", "after-drop", "end")) {
      double[] v =
          runs.stream()
              .mapToDouble(r -> r.points().count(role, what))
              .filter(Double::isFinite)
              .toArray();
      out.add(v.length == 0 ? "–" : Stats.number(Censored.median(v)));
    }
    return String.join("/", out);
  }

  private static String signed(double v) {
    return (v > 0 ? "+" : v < 0 ? "−" : "") + Stats.number(Math.abs(v));
  }
}
