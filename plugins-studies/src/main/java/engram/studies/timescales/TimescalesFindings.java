package engram.studies.timescales;

import engram.api.study.Finding;
import engram.api.study.Finding.Verdict;
import engram.api.study.LevelProgress;
import engram.api.study.Stats;
import engram.api.study.StudyRun;
import engram.studies.common.Measures;
import engram.studies.common.TableRef;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Checks the paper's qualitative findings (a)–(k) against the runs of a comparison, one {@link
 * Finding} per row. The rules, also written into the report by {@link #rules()}:
 *
 * <ul>
 *   <li>Which runs: findings (a)–(j) compare runs of one model — {@code leaky-rnn} when any run has
 *       it, else the model most runs have — split by {@code curriculum.id} ({@code single-head},
 *       {@code multi-head}, {@code none}), whatever grouping the figures use. Finding (k) reads the
 *       {@code gru} and {@code lstm} runs.
 *   <li>Spread: ± is the sample standard deviation over runs (seeds); n counts the runs with a
 *       value. Fewer than {@link #MIN_RUNS} runs in a group needed: inconclusive.
 *   <li>"A larger than B": d = mean(A) − mean(B), s = pooled standard deviation; reproduced when d
 *       &gt; s, not reproduced when d ≤ −s, inconclusive in between.
 *   <li>"x grows" (a slope): reproduced when mean − std &gt; 0, not reproduced when mean + std ≤ 0,
 *       inconclusive in between.
 *   <li>"τ̃ does not grow" (c): reproduced when mean + std ≤ {@link #FLAT_TAU_SLOPE}, not
 *       reproduced when mean − std &gt; {@link #FLAT_TAU_SLOPE}, inconclusive in between.
 *   <li>Not measured: the runs (e.g. no multi-head group) or analyzer tables needed are missing.
 * </ul>
 */
final class TimescalesFindings {
  /** Runs per group needed for a verdict other than inconclusive. */
  static final int MIN_RUNS = 2;

  /**
   * Slope of mean τ̃ against N (time steps per level) below which τ̃ counts as not growing: 0.02 is
   * one time step over 50 levels, far below the single-head growth the paper reports.
   */
  static final double FLAT_TAU_SLOPE = 0.02;

  /** "Small N" of finding (j): without a curriculum, networks fail on N above this. */
  static final int SMALL_N = 10;

  // The paper's conditions, by the ids of Engram's built-in plugins that implement them.
  static final String SINGLE = "single-head";
  static final String MULTI = "multi-head";
  static final String NONE = "none";
  static final String MAIN_MODEL = "leaky-rnn";
  static final List<String> GATED_MODELS = List.of("gru", "lstm");

  private final List<StudyRun> all;
  private final Map<String, LevelProgress> progress = new HashMap<>();
  private final String model;
  private final List<StudyRun> single;
  private final List<StudyRun> multi;
  private final List<StudyRun> none;

  private TimescalesFindings(List<StudyRun> runs) {
    this.all = List.copyOf(runs);
    runs.forEach(r -> progress.put(r.id(), r.progress()));
    this.model = mainModel(all);
    this.single = select(SINGLE, model);
    this.multi = select(MULTI, model);
    this.none = select(NONE, model);
  }

  /** Checks every finding; never throws for missing data (those rows are "not measured"). */
  static List<Finding> evaluate(List<StudyRun> runs) {
    TimescalesFindings f = new TimescalesFindings(runs);
    List<Finding> out = new ArrayList<>();
    out.add(f.nMax());
    out.add(f.singleHeadTauGrows());
    out.add(f.multiHeadTauFlat());
    out.add(f.multiHeadTauNetGrows());
    out.add(f.fasterTraining());
    out.add(f.ablation());
    out.add(f.perturbation("g1", "recurrent", "W^R"));
    out.add(f.perturbation("g2", "tau", "τ"));
    out.add(f.forgetting());
    out.add(f.transfer());
    out.add(f.noCurriculum());
    out.add(f.gatedModels());
    return out;
  }

  /** The rules above as Markdown, for the report. */
  static String rules() {
    return """
    - **Which runs.** Findings (a)–(j) compare runs of one model (`leaky-rnn` when any run has \
    it, else the model most runs have), split by `curriculum.id` (`single-head`, \
    `multi-head`, `none`), whatever `--group-by` the figures use; (k) reads the `gru` and \
    `lstm` runs.
    - **Spread.** ± is the sample standard deviation over runs (seeds); n counts the runs \
    with a value. When a group the finding needs has fewer than %d runs with a value, the \
    verdict is *inconclusive*.
    - **"A larger than B"** (a, e–i, k): d = mean(A) − mean(B), s = pooled standard \
    deviation of the two groups. *reproduced* when d > s, *not reproduced* when d ≤ −s, \
    *inconclusive* in between.
    - **"x grows with N"** (b, d): x is a least-squares slope against N per run. \
    *reproduced* when mean − std > 0, *not reproduced* when mean + std ≤ 0, *inconclusive* \
    in between. (d) also needs the τ_net slope to exceed the τ̃ slope by more than their \
    pooled std.
    - **"τ̃ does not grow"** (c): *reproduced* when mean + std ≤ %s time steps per level, \
    *not reproduced* when mean − std > %s, *inconclusive* in between.
    - **N_max** is the largest N with a row of `metrics.csv` whose accuracy is ≥ the \
    curriculum's threshold; (a) is *inconclusive* when the groups' budgets \
    (`training.max-epochs`) differ. **Epochs per N** (e) is the mean number of epochs spent \
    at each solved stage (the unfinished last stage is left out).
    - **Slopes** (b–d) use, per level N, the latest checkpoint trained up to N; runs with \
    fewer than two levels are left out.
    - **Checkpoints.** Ablation (f) and perturbation (g) are read at the largest N analysed \
    in every compared run (else each run's last checkpoint), on that checkpoint's largest \
    level; forgetting (h) at each run's last checkpoint, as the mean accuracy over N′ < N; \
    transfer (i) from the largest source level common to the runs, as the mean final \
    accuracy over the N′ every run was retrained on.
    - **Perturbation** (g): the area under relative accuracy against log₁₀ ε divided by the \
    width of the log₁₀ ε range (the mean relative accuracy over the ε grid on a log scale; \
    1 = unaffected, 0 = chance), draws averaged first.
    - **No curriculum** (j): *reproduced* when at least %d `none` runs target N > %d and \
    none reaches the threshold, *not reproduced* when any run targeting N > %d reaches it, \
    *inconclusive* otherwise.
    - **Not measured**: the runs or analyzer tables needed are missing.
    """
        .formatted(
            MIN_RUNS,
            Stats.number(FLAT_TAU_SLOPE),
            Stats.number(FLAT_TAU_SLOPE),
            MIN_RUNS,
            SMALL_N,
            SMALL_N);
  }

  // ---------------------------------------------------------------- the findings

  private Finding nMax() {
    String text =
        "Multi-head networks reach a larger N_max than single-head networks in the"
            + " same budget.";
    Finding f = twoGroups("a", text, "N_max", "levels", null, this::maxLevelReached, true, "");
    if (f.verdict() == Verdict.NOT_MEASURED) {
      return f;
    }
    Set<Integer> budgets = new TreeSet<>();
    single.forEach(r -> budgets.add(r.maxEpochs()));
    multi.forEach(r -> budgets.add(r.maxEpochs()));
    if (budgets.size() > 1) {
      return new Finding(
          "a",
          text,
          f.measured()
              + "; budgets differ (training.max-epochs "
              + budgets.stream().map(String::valueOf).collect(Collectors.joining(", "))
              + ")",
          Verdict.INCONCLUSIVE);
    }
    return new Finding(
        "a", text, f.measured() + "; budget " + budgets.iterator().next() + " epochs", f.verdict());
  }

  private Finding singleHeadTauGrows() {
    String text =
        "Single-head networks solve larger N by increasing τ: mean and spread of τ̃"
            + " grow with N.";
    String missing = missing(SINGLE, single, Tables.TAU_STATS);
    if (missing != null) {
      return new Finding("b", text, missing, Verdict.NOT_MEASURED);
    }
    Stats meanSlope = over(single, r -> slope(r, Tables.TAU_STATS, "mean"));
    Stats stdSlope = over(single, r -> slope(r, Tables.TAU_STATS, "std"));
    if (!meanSlope.present()) {
      return new Finding(
          "b",
          text,
          "single-head runs have tau-stats at fewer than two levels N" + where(),
          Verdict.NOT_MEASURED);
    }
    String measured =
        "single-head: slope of mean τ̃ against N "
            + fmt(meanSlope, "steps/level")
            + "; slope of std τ̃ "
            + fmt(stdSlope, "steps/level")
            + where();
    return new Finding("b", text, measured, both(positive(meanSlope), positive(stdSlope)));
  }

  private Finding multiHeadTauFlat() {
    String text =
        "Multi-head networks keep τ̃ near 1: it does not grow with N (it even" + " decreases).";
    String missing = missing(MULTI, multi, Tables.TAU_STATS);
    if (missing != null) {
      return new Finding("c", text, missing, Verdict.NOT_MEASURED);
    }
    Stats slope = over(multi, r -> slope(r, Tables.TAU_STATS, "mean"));
    Stats last =
        over(multi, r -> Measures.atLargestLevel(Measures.perLevel(r, Tables.TAU_STATS, "mean")));
    if (!slope.present()) {
      return new Finding(
          "c",
          text,
          "multi-head runs have tau-stats at fewer than two levels N" + where(),
          Verdict.NOT_MEASURED);
    }
    String measured =
        "multi-head: slope of mean τ̃ against N "
            + fmt(slope, "steps/level")
            + "; mean τ̃ at the largest N "
            + fmt(last, "steps")
            + where();
    return new Finding("c", text, measured, flat(slope));
  }

  private Finding multiHeadTauNetGrows() {
    String text =
        "Multi-head networks build long timescales through recurrent connectivity:"
            + " τ_net grows with N while τ̃ does not.";
    String missing = missing(MULTI, multi, Tables.NETWORK_TIMESCALES);
    if (missing != null) {
      return new Finding("d", text, missing, Verdict.NOT_MEASURED);
    }
    Stats net = over(multi, r -> slope(r, Tables.NETWORK_TIMESCALES, "tau_net_mean"));
    if (!net.present()) {
      return new Finding(
          "d",
          text,
          "multi-head runs have network-timescales at fewer than two" + " levels N" + where(),
          Verdict.NOT_MEASURED);
    }
    Stats tau = over(multi, r -> slope(r, Tables.TAU_STATS, "mean"));
    String measured =
        "multi-head: slope of τ_net (mean over kept neurons) against N " + fmt(net, "steps/level");
    Verdict grows = positive(net);
    if (!tau.present()) {
      return new Finding(
          "d",
          text,
          measured
              + "; τ̃ slope not measured (no tau-stats at two"
              + " levels or more), verdict from τ_net alone"
              + where(),
          grows);
    }
    measured += "; slope of mean τ̃ " + fmt(tau, "steps/level") + where();
    Verdict steeper = greater(net, tau);
    Verdict verdict;
    if (grows == Verdict.NOT_REPRODUCED || steeper == Verdict.NOT_REPRODUCED) {
      verdict = Verdict.NOT_REPRODUCED;
    } else if (grows == Verdict.REPRODUCED && steeper == Verdict.REPRODUCED) {
      verdict = Verdict.REPRODUCED;
    } else {
      verdict = Verdict.INCONCLUSIVE;
    }
    return new Finding("d", text, measured, verdict);
  }

  private Finding fasterTraining() {
    return twoGroups(
        "e",
        "Multi-head training is faster: fewer epochs per N.",
        "epochs per solved level",
        "epochs",
        null,
        r -> progress(r).meanEpochsPerSolvedLevel(),
        false,
        "");
  }

  private Finding ablation() {
    Integer level = Measures.commonLevel(both(), Tables.ABLATION);
    String at = checkpointText(level);
    Finding f =
        twoGroups(
            "f",
            "Multi-head networks are more robust to ablation of their slowest" + " neurons.",
            "relative accuracy with one of the slowest neurons ablated",
            "",
            Tables.ABLATION,
            r -> PaperMeasures.ablation(r, "slowest", level),
            true,
            at);
    if (f.verdict() == Verdict.NOT_MEASURED) {
      return f;
    }
    Stats s = over(single, r -> PaperMeasures.ablation(r, "fastest", level));
    Stats m = over(multi, r -> PaperMeasures.ablation(r, "fastest", level));
    return new Finding(
        f.id(),
        f.claim(),
        f.measured()
            + "; fastest neurons ablated: multi-head "
            + fmt(m, "")
            + " vs single-head "
            + fmt(s, ""),
        f.verdict());
  }

  private Finding perturbation(String id, String target, String symbol) {
    Integer level = Measures.commonLevel(both(), Tables.PERTURBATION);
    return twoGroups(
        id,
        "Multi-head networks are more robust to perturbation of " + symbol + ".",
        "area under relative accuracy against log₁₀ ε (" + target + ")",
        "",
        Tables.PERTURBATION,
        r -> PaperMeasures.perturbationArea(PaperMeasures.perturbationCurve(r, target, level)),
        true,
        checkpointText(level));
  }

  private Finding forgetting() {
    return twoGroups(
        "h",
        "Single-head networks forget earlier N; multi-head networks keep them.",
        "accuracy on earlier levels N′ < N at the last checkpoint",
        "",
        Tables.FORGETTING,
        PaperMeasures::forgettingEarlier,
        true,
        "");
  }

  private Finding transfer() {
    Integer source = Measures.commonLevel(both(), Tables.TRANSFER);
    Set<Integer> levels =
        Measures.commonKeys(
            both().stream().map(r -> PaperMeasures.transferCurve(r, source)).toList());
    String at =
        (source == null ? "; each run's largest source level" : "; from N = " + source)
            + (levels == null
                ? ", over each run's N′"
                : ", over N′ in " + Collections.min(levels) + ".." + Collections.max(levels));
    return twoGroups(
        "i",
        "Multi-head networks transfer better to larger N (retrained single-head" + " on new N′).",
        "final accuracy after retraining",
        "",
        Tables.TRANSFER,
        r -> Measures.meanOver(PaperMeasures.transferCurve(r, source), levels),
        true,
        at);
  }

  private Finding noCurriculum() {
    String text = "Without a curriculum, networks fail beyond small N (about " + SMALL_N + ").";
    if (none.isEmpty()) {
      return new Finding("j", text, "no runs with curriculum none" + where(), Verdict.NOT_MEASURED);
    }
    Map<Integer, int[]> byTarget = new TreeMap<>(); // target N → {solved, runs}
    for (StudyRun r : none) {
      int target = progress(r).largestLevelTrained();
      int[] counts = byTarget.computeIfAbsent(target, k -> new int[2]);
      counts[1]++;
      if (target > 0 && progress(r).maxLevelReached() >= target) {
        counts[0]++;
      }
    }
    String measured =
        "curriculum none: "
            + byTarget.entrySet().stream()
                .map(
                    e ->
                        "N = "
                            + e.getKey()
                            + " solved by "
                            + e.getValue()[0]
                            + "/"
                            + e.getValue()[1])
                .collect(Collectors.joining(", "))
            + where();
    int large = 0;
    int largeSolved = 0;
    for (Map.Entry<Integer, int[]> e : byTarget.entrySet()) {
      if (e.getKey() > SMALL_N) {
        large += e.getValue()[1];
        largeSolved += e.getValue()[0];
      }
    }
    Verdict verdict =
        largeSolved > 0
            ? Verdict.NOT_REPRODUCED
            : large >= MIN_RUNS ? Verdict.REPRODUCED : Verdict.INCONCLUSIVE;
    if (large == 0) {
      measured += "; no run targets N > " + SMALL_N;
    }
    return new Finding("j", text, measured, verdict);
  }

  private Finding gatedModels() {
    String text = "The multi-head curriculum also helps GRUs and LSTMs reach large N.";
    List<String> parts = new ArrayList<>();
    List<Verdict> verdicts = new ArrayList<>();
    for (String gated : GATED_MODELS) {
      List<StudyRun> runs = all.stream().filter(r -> r.modelId().equals(gated)).toList();
      if (runs.isEmpty()) {
        continue;
      }
      Map<String, List<StudyRun>> byCurriculum = new TreeMap<>();
      runs.forEach(
          r -> byCurriculum.computeIfAbsent(r.curriculumId(), k -> new ArrayList<>()).add(r));
      parts.add(
          gated
              + " N_max: "
              + byCurriculum.entrySet().stream()
                  .map(e -> e.getKey() + " " + fmt(over(e.getValue(), this::maxLevelReached), ""))
                  .collect(Collectors.joining(", ")));
      List<StudyRun> s = byCurriculum.getOrDefault(SINGLE, List.of());
      List<StudyRun> m = byCurriculum.getOrDefault(MULTI, List.of());
      if (!s.isEmpty() && !m.isEmpty()) {
        verdicts.add(greater(over(m, this::maxLevelReached), over(s, this::maxLevelReached)));
      }
    }
    if (parts.isEmpty()) {
      return new Finding(
          "k", text, "no " + String.join(" or ", GATED_MODELS) + " runs", Verdict.NOT_MEASURED);
    }
    String measured = String.join("; ", parts);
    if (verdicts.isEmpty()) {
      return new Finding(
          "k",
          text,
          measured + " (needs single-head and multi-head runs of the" + " same model)",
          Verdict.NOT_MEASURED);
    }
    Verdict verdict =
        verdicts.contains(Verdict.NOT_REPRODUCED)
            ? Verdict.NOT_REPRODUCED
            : verdicts.stream().allMatch(v -> v == Verdict.REPRODUCED)
                ? Verdict.REPRODUCED
                : Verdict.INCONCLUSIVE;
    return new Finding("k", text, measured, verdict);
  }

  // ---------------------------------------------------------------- rules

  /** Prediction "a larger than b" (see the class comment). */
  static Verdict greater(Stats a, Stats b) {
    if (a.n() < MIN_RUNS || b.n() < MIN_RUNS) {
      return Verdict.INCONCLUSIVE;
    }
    double d = a.mean() - b.mean();
    double s = Stats.pooledStd(a, b);
    return d > s ? Verdict.REPRODUCED : d <= -s ? Verdict.NOT_REPRODUCED : Verdict.INCONCLUSIVE;
  }

  /** Prediction "x &gt; 0". */
  static Verdict positive(Stats x) {
    if (x.n() < MIN_RUNS) {
      return Verdict.INCONCLUSIVE;
    }
    return x.mean() - x.std() > 0
        ? Verdict.REPRODUCED
        : x.mean() + x.std() <= 0 ? Verdict.NOT_REPRODUCED : Verdict.INCONCLUSIVE;
  }

  /** Prediction "slope ≤ {@link #FLAT_TAU_SLOPE}". */
  static Verdict flat(Stats slope) {
    if (slope.n() < MIN_RUNS) {
      return Verdict.INCONCLUSIVE;
    }
    return slope.mean() + slope.std() <= FLAT_TAU_SLOPE
        ? Verdict.REPRODUCED
        : slope.mean() - slope.std() > FLAT_TAU_SLOPE
            ? Verdict.NOT_REPRODUCED
            : Verdict.INCONCLUSIVE;
  }

  private static Verdict both(Verdict a, Verdict b) {
    if (a == Verdict.NOT_REPRODUCED || b == Verdict.NOT_REPRODUCED) {
      return Verdict.NOT_REPRODUCED;
    }
    return a == Verdict.REPRODUCED && b == Verdict.REPRODUCED
        ? Verdict.REPRODUCED
        : Verdict.INCONCLUSIVE;
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A finding comparing one number per run between the multi-head and single-head runs; {@code
   * multiHigher} says which is predicted larger.
   */
  private Finding twoGroups(
      String id,
      String text,
      String quantity,
      String unit,
      TableRef table,
      ToDoubleFunction<StudyRun> value,
      boolean multiHigher,
      String context) {
    if (single.isEmpty() || multi.isEmpty()) {
      return new Finding(
          id,
          text,
          "needs single-head and multi-head runs; have "
              + single.size()
              + " single-head and "
              + multi.size()
              + " multi-head"
              + where(),
          Verdict.NOT_MEASURED);
    }
    if (table != null) {
      String missing = missing(SINGLE, single, table);
      if (missing == null) {
        missing = missing(MULTI, multi, table);
      }
      if (missing != null) {
        return new Finding(id, text, missing, Verdict.NOT_MEASURED);
      }
    }
    Stats s = over(single, value);
    Stats m = over(multi, value);
    if (!s.present() || !m.present()) {
      return new Finding(
          id,
          text,
          quantity
              + ": no value for the "
              + (s.present() ? MULTI : SINGLE)
              + " runs"
              + context
              + where(),
          Verdict.NOT_MEASURED);
    }
    double d = m.mean() - s.mean();
    String measured =
        quantity
            + ": multi-head "
            + fmt(m, unit)
            + " vs single-head "
            + fmt(s, unit)
            + "; difference (multi − single) "
            + Stats.number(d)
            + ", pooled std "
            + Stats.number(Stats.pooledStd(m, s))
            + context
            + where();
    return new Finding(id, text, measured, multiHigher ? greater(m, s) : greater(s, m));
  }

  /** Why a finding cannot be measured on these runs, or null when they have the table. */
  private String missing(String curriculum, List<StudyRun> runs, TableRef table) {
    if (runs.isEmpty()) {
      return "no " + curriculum + " runs" + where();
    }
    if (runs.stream().noneMatch(r -> table.of(r).isPresent())) {
      return "no " + curriculum + " run has " + table.relativePath() + where();
    }
    return null;
  }

  private String where() {
    return " (" + model + " runs)";
  }

  private static String checkpointText(Integer level) {
    return level == null
        ? "; at each run's last analysed checkpoint (no N common to all runs)"
        : "; at N = " + level + " (largest N analysed in every run)";
  }

  private static String fmt(Stats s, String unit) {
    if (!s.present()) {
      return "no data";
    }
    return Stats.number(s.mean())
        + " ± "
        + Stats.number(s.std())
        + (unit.isEmpty() ? "" : " " + unit)
        + " (n = "
        + s.n()
        + ")";
  }

  private static Stats over(Collection<StudyRun> runs, ToDoubleFunction<StudyRun> value) {
    return Stats.of(runs.stream().mapToDouble(value).toArray());
  }

  private static double slope(StudyRun run, TableRef table, String column) {
    return Measures.slope(Measures.perLevel(run, table, column));
  }

  private LevelProgress progress(StudyRun run) {
    return progress.get(run.id());
  }

  private double maxLevelReached(StudyRun run) {
    return progress(run).maxLevelReached();
  }

  private List<StudyRun> both() {
    List<StudyRun> runs = new ArrayList<>(single);
    runs.addAll(multi);
    return runs;
  }

  private List<StudyRun> select(String curriculum, String modelId) {
    return all.stream()
        .filter(r -> r.curriculumId().equals(curriculum) && r.modelId().equals(modelId))
        .toList();
  }

  /** {@code leaky-rnn} when any run has it, else the model most runs have (ties: by name). */
  static String mainModel(List<StudyRun> runs) {
    Set<String> models = new HashSet<>();
    runs.forEach(r -> models.add(r.modelId()));
    if (models.contains(MAIN_MODEL)) {
      return MAIN_MODEL;
    }
    Map<String, Long> counts =
        runs.stream()
            .collect(Collectors.groupingBy(StudyRun::modelId, TreeMap::new, Collectors.counting()));
    return counts.entrySet().stream()
        .max(
            Map.Entry.<String, Long>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
        .map(Map.Entry::getKey)
        .orElse(MAIN_MODEL);
  }
}
