package engram.studies.geometry;

import engram.api.study.Finding;
import engram.api.study.Finding.Verdict;
import engram.api.study.Stats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Checks the four claims of the geometry paper against the runs of a comparison, one {@link
 * Finding} per claim. The rules are written out once, in {@link GeometryRules#text}, which the
 * report prints; each method below names the rule it applies.
 */
final class GeometryFindings {
  /** Runs a condition needs before a verdict other than inconclusive. */
  static final int MIN_RUNS = 3;

  /** Coverage of the interval of a median. */
  static final double LEVEL = 0.95;

  private final List<GeometryRun> runs;
  private final double alpha;
  private final double maxSse;
  private final double lowGain;
  private final double highGain;

  /** gain → λ → runs (analysed with abrupt-learning). */
  private final Map<Double, Map<Double, List<GeometryRun>>> cells = new TreeMap<>();

  private final String grMetric;
  private final boolean dropWindow;

  GeometryFindings(List<GeometryRun> runs, MemoryGeometryStudy.Config config) {
    this.grMetric = config.grMetric();
    this.dropWindow = config.dropWindow();
    this.runs = List.copyOf(runs);
    this.alpha = config.significance();
    this.maxSse = config.maxSseRatio();
    for (GeometryRun r : runs) {
      if (r.measured()) {
        cells
            .computeIfAbsent(r.gain(), g -> new TreeMap<>())
            .computeIfAbsent(r.lambda(), l -> new ArrayList<>())
            .add(r);
      }
    }
    TreeSet<Double> gains = new TreeSet<>(cells.keySet());
    this.lowGain = gains.isEmpty() ? Double.NaN : gains.first();
    this.highGain = gains.isEmpty() ? Double.NaN : gains.last();
  }

  List<Finding> evaluate() {
    return List.of(
        plateauThenDrop(), grPrecedesDrop(), tcrShortensTime(), attractors(), highGain());
  }

  private static final String PLATEAU =
      "(1) Training sits on a loss plateau, then the loss drops abruptly";
  private static final String GR =
      "(2) Geometric restructuring (GR) of the phase space precedes the drop of the loss";
  private static final String FASTER = "(3) TCR shortens the time to the drop";
  private static final String ATTRACTORS = "(4a) TCR helps attractors form";
  private static final String HIGH_GAIN =
      "(4b) TCR lets strongly connected (high-gain) networks learn";

  Finding plateauThenDrop() {
    if (cells.isEmpty()) {
      return notMeasured("plateau-drop", PLATEAU);
    }
    List<GeometryRun> base = cell(lowGain, 0.0);
    if (base.isEmpty()) {
      return new Finding(
          "plateau-drop",
          PLATEAU,
          "no run without TCR (λ = 0) at g = " + Stats.number(lowGain),
          Verdict.NOT_MEASURED);
    }
    int n = base.size();
    List<GeometryRun> dropped = base.stream().filter(GeometryRun::learned).toList();
    long abrupt = base.stream().filter(GeometryRun::abrupt).count();
    StringBuilder m = new StringBuilder();
    m.append(
        String.format(
            Locale.ROOT,
            "λ = 0, g = %s: %d of %d runs dropped, %d abruptly",
            Stats.number(lowGain),
            dropped.size(),
            n,
            abrupt));
    if (!dropped.isEmpty()) {
      m.append(
          String.format(
              Locale.ROOT,
              "; plateau at loss %s from step %s to %s, then t_drop %s (range %s–%s) and a"
                  + " 10→90 %% fall over %s steps (medians)",
              Stats.number(median(dropped, GeometryRun::plateauLoss)),
              Stats.number(median(dropped, GeometryRun::plateauStart)),
              Stats.number(median(dropped, GeometryRun::plateauEnd)),
              Stats.number(median(dropped, GeometryRun::tDrop)),
              Stats.number(dropped.stream().mapToDouble(GeometryRun::tDrop).min().orElse(0)),
              Stats.number(dropped.stream().mapToDouble(GeometryRun::tDrop).max().orElse(0)),
              Stats.number(median(dropped, GeometryRun::dropWidth))));
    }
    long noPlateau = base.stream().filter(r -> r.verdict().equals("no-plateau")).count();
    if (noPlateau > 0) {
      m.append("; ").append(noPlateau).append(" without a plateau");
    }
    Verdict v;
    if (n < MIN_RUNS) {
      v = Verdict.INCONCLUSIVE;
      m.append(" (fewer than ").append(MIN_RUNS).append(" runs)");
    } else if (2 * abrupt >= n) {
      v = Verdict.REPRODUCED;
    } else if (dropped.isEmpty()) {
      v = Verdict.NOT_REPRODUCED;
    } else {
      v = Verdict.INCONCLUSIVE;
    }
    return new Finding("plateau-drop", PLATEAU, m.toString(), v);
  }

  Finding grPrecedesDrop() {
    List<GeometryRun> learned = runs.stream().filter(GeometryRun::learned).toList();
    if (learned.isEmpty()) {
      return new Finding(
          "gr-precedes", GR, "no run dropped, so there is no drop to lead", Verdict.NOT_MEASURED);
    }
    boolean anyOnsets =
        learned.stream().anyMatch(r -> GeometryTables.ONSETS.of(r.run()).isPresent());
    if (!anyOnsets) {
      return new Finding(
          "gr-precedes",
          GR,
          "no run has "
              + GeometryTables.ONSETS.relativePath()
              + " (run the geometry analyzer before abrupt-learning)",
          Verdict.NOT_MEASURED);
    }
    double[] leads =
        learned.stream().mapToDouble(GeometryRun::lead).filter(Double::isFinite).toArray();
    int n = leads.length;
    long positive = java.util.Arrays.stream(leads).filter(l -> l > 0).count();
    long seen = learned.stream().filter(r -> r.leadSeen(grMetric)).count();
    double med = Censored.median(leads);
    Map<String, List<Double>> byMetric = new TreeMap<>();
    Map<String, Integer> seenByMetric = new TreeMap<>();
    learned.forEach(
        r ->
            r.leads()
                .forEach(
                    (k, l) -> {
                      byMetric.computeIfAbsent(k, x -> new ArrayList<>()).add(l);
                      if (l > 0 && r.seenBeforeDrop().contains(k)) {
                        seenByMetric.merge(k, 1, Integer::sum);
                      }
                    }));
    StringBuilder others = new StringBuilder();
    byMetric.forEach(
        (k, l) -> {
          double[] v = l.stream().mapToDouble(Double::doubleValue).toArray();
          others
              .append(others.length() == 0 ? "" : ", ")
              .append(k)
              .append(' ')
              .append(Stats.number(Censored.median(v)))
              .append(" (")
              .append(java.util.Arrays.stream(v).filter(x -> x > 0).count())
              .append('/')
              .append(v.length)
              .append(" > 0, ")
              .append(seenByMetric.getOrDefault(k, 0))
              .append(" seen before t_drop)");
        });
    String m =
        String.format(
            Locale.ROOT,
            "%d of %d runs that dropped have a %s onset %s (fit residual ≤ %s): lead median %s"
                + " steps (range %s to %s), %d of %d leads > 0, %d of them seen before t_drop (the"
                + " checkpoint after the onset precedes t_drop); median lead by metric: %s",
            n,
            learned.size(),
            grMetric,
            dropWindow ? "in the drop window" : "over the whole run",
            Stats.number(maxSse),
            Stats.number(med),
            n == 0 ? "–" : Stats.number(java.util.Arrays.stream(leads).min().orElseThrow()),
            n == 0 ? "–" : Stats.number(java.util.Arrays.stream(leads).max().orElseThrow()),
            positive,
            n,
            seen,
            others.length() == 0 ? "none" : others.toString());
    if (dropWindow) {
      double[] whole =
          learned.stream()
              .mapToDouble(GeometryRun::leadWholeRun)
              .filter(Double::isFinite)
              .toArray();
      m +=
          String.format(
              Locale.ROOT,
              "; the fit over the whole run puts the %s onset %s steps before t_drop (median of"
                  + " %d, %d > 0)",
              grMetric,
              whole.length == 0 ? "–" : Stats.number(Censored.median(whole)),
              whole.length,
              java.util.Arrays.stream(whole).filter(l -> l > 0).count());
    }
    double[] lastLeads =
        learned.stream()
            .filter(r -> r.tLastDrop() > r.tDrop())
            .mapToDouble(GeometryRun::leadLast)
            .filter(Double::isFinite)
            .toArray();
    if (lastLeads.length > 0) {
      m +=
          String.format(
              Locale.ROOT,
              "; in the %d runs with a later drop, lead over the last drop median %s, %d > 0",
              lastLeads.length,
              Stats.number(Censored.median(lastLeads)),
              java.util.Arrays.stream(lastLeads).filter(l -> l > 0).count());
    }
    Verdict v;
    if (n < MIN_RUNS) {
      v = Verdict.INCONCLUSIVE;
    } else if (med > 0 && 3 * seen >= 2L * n) {
      v = Verdict.REPRODUCED;
    } else if (med <= 0) {
      v = Verdict.NOT_REPRODUCED;
    } else {
      v = Verdict.INCONCLUSIVE;
    }
    return new Finding("gr-precedes", GR, m, v);
  }

  Finding tcrShortensTime() {
    if (cells.isEmpty()) {
      return notMeasured("tcr-faster", FASTER);
    }
    List<String> parts = new ArrayList<>();
    int comparisons = 0;
    boolean faster = false;
    boolean significant = false;
    boolean enough = true;
    for (Map.Entry<Double, Map<Double, List<GeometryRun>>> g : cells.entrySet()) {
      List<GeometryRun> base = g.getValue().getOrDefault(0.0, List.of());
      for (Map.Entry<Double, List<GeometryRun>> l : g.getValue().entrySet()) {
        if (l.getKey() == 0.0 || base.isEmpty()) {
          continue;
        }
        double[] tcr = times(l.getValue());
        double[] without = times(base);
        double medTcr = Censored.median(tcr);
        double medBase = Censored.median(without);
        double p = Censored.lessP(tcr, without);
        parts.add(
            String.format(
                Locale.ROOT,
                "g = %s, λ = %s: t_drop %s %s (%d/%d learned) vs λ = 0: %s %s (%d/%d), p = %s",
                Stats.number(g.getKey()),
                Stats.number(l.getKey()),
                Stats.number(medTcr),
                interval(tcr),
                learnedCount(l.getValue()),
                l.getValue().size(),
                Stats.number(medBase),
                interval(without),
                learnedCount(base),
                base.size(),
                Stats.number(p)));
        if (g.getKey().equals(lowGain)) {
          comparisons++;
          enough &= l.getValue().size() >= MIN_RUNS && base.size() >= MIN_RUNS;
          boolean smaller = medTcr < medBase;
          faster |= smaller;
          significant |= smaller && p < alpha / countLambdas(g.getValue());
        }
      }
    }
    if (comparisons == 0) {
      return new Finding(
          "tcr-faster",
          FASTER,
          "no pair of runs with and without TCR at the same gain",
          Verdict.NOT_MEASURED);
    }
    Verdict v =
        !enough
            ? Verdict.INCONCLUSIVE
            : significant
                ? Verdict.REPRODUCED
                : !faster ? Verdict.NOT_REPRODUCED : Verdict.INCONCLUSIVE;
    return new Finding("tcr-faster", FASTER, String.join("; ", parts), v);
  }

  Finding attractors() {
    boolean census = runs.stream().anyMatch(r -> Double.isFinite(r.captured()));
    if (!census) {
      return new Finding(
          "tcr-attractors",
          ATTRACTORS,
          "no run has the attractor census ("
              + GeometryTables.CAPTURED
              + " in "
              + GeometryTables.GEOMETRY.relativePath()
              + ")",
          Verdict.NOT_MEASURED);
    }
    return fractions(
        "tcr-attractors",
        ATTRACTORS,
        "all conditions held by stable attractors",
        r -> r.captured() >= 1.0,
        cells.keySet().stream().toList());
  }

  Finding highGain() {
    if (cells.isEmpty() || !(highGain > lowGain)) {
      return new Finding(
          "tcr-high-gain",
          HIGH_GAIN,
          "the runs have one gain only (g = " + Stats.number(lowGain) + ")",
          Verdict.NOT_MEASURED);
    }
    return fractions(
        "tcr-high-gain",
        HIGH_GAIN,
        "solved the task",
        r -> r.measured() && r.solved(),
        List.of(highGain));
  }

  /** Fractions of runs with a property, λ &gt; 0 against λ = 0 at each of the given gains. */
  private Finding fractions(
      String id, String claim, String what, Predicate<GeometryRun> success, List<Double> gains) {
    List<String> parts = new ArrayList<>();
    List<double[]> tests = new ArrayList<>(); // {smaller?, p, enough}
    for (double g : gains) {
      Map<Double, List<GeometryRun>> byLambda = cells.getOrDefault(g, Map.of());
      List<GeometryRun> base = byLambda.getOrDefault(0.0, List.of());
      for (Map.Entry<Double, List<GeometryRun>> l : byLambda.entrySet()) {
        if (l.getKey() == 0.0 || base.isEmpty()) {
          continue;
        }
        int a = (int) l.getValue().stream().filter(success).count();
        int b = (int) base.stream().filter(success).count();
        int na = l.getValue().size();
        int nb = base.size();
        double p = Censored.moreSuccessesP(a, na, b, nb);
        parts.add(
            String.format(
                Locale.ROOT,
                "g = %s: %s in %d/%d runs with λ = %s vs %d/%d with λ = 0 (p = %s)",
                Stats.number(g),
                what,
                a,
                na,
                Stats.number(l.getKey()),
                b,
                nb,
                Stats.number(p)));
        tests.add(
            new double[] {
              a * (double) nb > b * (double) na ? 1 : 0, p, na >= MIN_RUNS && nb >= MIN_RUNS ? 1 : 0
            });
      }
    }
    if (tests.isEmpty()) {
      return new Finding(
          id, claim, "no pair of runs with and without TCR at the same gain", Verdict.NOT_MEASURED);
    }
    int m = tests.size();
    boolean larger = tests.stream().anyMatch(t -> t[0] == 1);
    boolean significant = tests.stream().anyMatch(t -> t[0] == 1 && t[1] < alpha / m);
    boolean enough = tests.stream().allMatch(t -> t[2] == 1);
    Verdict v =
        !enough
            ? Verdict.INCONCLUSIVE
            : significant
                ? Verdict.REPRODUCED
                : !larger ? Verdict.NOT_REPRODUCED : Verdict.INCONCLUSIVE;
    return new Finding(id, claim, String.join("; ", parts), v);
  }

  private static int countLambdas(Map<Double, List<GeometryRun>> byLambda) {
    return (int) byLambda.keySet().stream().filter(l -> l != 0.0).count();
  }

  private List<GeometryRun> cell(double gain, double lambda) {
    return cells.getOrDefault(gain, Map.of()).getOrDefault(lambda, List.of());
  }

  static double[] times(List<GeometryRun> runs) {
    return runs.stream().mapToDouble(GeometryRun::timeToDrop).toArray();
  }

  static int learnedCount(List<GeometryRun> runs) {
    return (int) runs.stream().filter(GeometryRun::learned).count();
  }

  /** "[lo–hi]" of the median's interval, or "(n too small for an interval)". */
  static String interval(double[] times) {
    double[] ci = Censored.medianInterval(times, LEVEL);
    if (ci == null) {
      return "(too few runs for a " + Math.round(LEVEL * 100) + " % interval)";
    }
    return "[" + Stats.number(ci[0]) + "–" + Stats.number(ci[1]) + "]";
  }

  private static double median(
      List<GeometryRun> runs, java.util.function.ToDoubleFunction<GeometryRun> f) {
    return Censored.median(runs.stream().mapToDouble(f).toArray());
  }

  private static Finding notMeasured(String id, String claim) {
    return new Finding(
        id,
        claim,
        "no run has "
            + GeometryTables.ABRUPT.relativePath()
            + " (add the abrupt-learning analyzer)",
        Verdict.NOT_MEASURED);
  }
}
