package engram.studies.timescales;

import engram.api.Analyzer;
import engram.api.study.StudyRun;
import engram.api.table.ColumnSpec;
import engram.api.table.ColumnType;
import engram.api.table.Table;
import engram.api.table.TableSpec;
import engram.testkit.AnalyzerTables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Runs with known numbers, as core would hand them to the study: two curricula × two seeds of a
 * leaky RNN ({@link #twoByTwo}), curriculum-none and GRU runs. The analyzer tables get their
 * headers from the built-in analyzers' own declarations, so a renamed column fails here. The
 * expected statistics are worked out in {@link TimescalesCurriculumStudyTest}.
 */
final class StudyFixtures {
  private StudyFixtures() {}

  /** The built-in analyzers' declared tables, by analyzer id and file. */
  private static final Map<String, Map<String, TableSpec>> DECLARED = declared();

  @SuppressWarnings("rawtypes") // Analyzer.class: the SPI is generic in its config record
  private static Map<String, Map<String, TableSpec>> declared() {
    Map<String, Map<String, TableSpec>> out = new LinkedHashMap<>();
    for (Analyzer analyzer : ServiceLoader.load(Analyzer.class)) {
      Map<String, TableSpec> tables = new LinkedHashMap<>();
      for (Object t : analyzer.tables()) {
        tables.put(((TableSpec) t).file(), (TableSpec) t);
      }
      out.put(analyzer.info().id(), tables);
    }
    return out;
  }

  /** The declaration of an analyzer's table; fails when the analyzer does not declare it. */
  static TableSpec declared(String analyzer, String file) {
    TableSpec spec = DECLARED.getOrDefault(analyzer, Map.of()).get(file);
    if (spec == null) {
      throw new AssertionError(
          "analyzer " + analyzer + " declares no " + file + " (declared: " + DECLARED + ")");
    }
    return spec;
  }

  /** A run under construction. */
  static final class Run {
    private final String id;
    private final String name;
    private final long seed;
    private final String curriculum;
    private final String model;
    private final int maxEpochs;
    private final List<String> metrics;
    private final Map<String, Map<String, Table>> analyses = new LinkedHashMap<>();

    Run(
        String id,
        String name,
        long seed,
        String curriculum,
        String model,
        int maxEpochs,
        List<String> metrics) {
      this.id = id;
      this.name = name;
      this.seed = seed;
      this.curriculum = curriculum;
      this.model = model;
      this.maxEpochs = maxEpochs;
      this.metrics = metrics;
    }

    /** Adds an analyzer table; rows in the declared column order. */
    Run analysis(String analyzer, String file, String... rows) {
      analyses
          .computeIfAbsent(analyzer, k -> new LinkedHashMap<>())
          .put(
              file,
              AnalyzerTables.table(
                  id + "/analysis/" + analyzer + "/" + file, declared(analyzer, file), rows));
      return this;
    }

    StudyRun build() {
      Map<String, String> config = new LinkedHashMap<>();
      config.put("name", name);
      config.put("seed", String.valueOf(seed));
      config.put("task.id", "n-parity");
      config.put("model.id", model);
      config.put("model.hidden-size", "16");
      config.put("curriculum.id", curriculum);
      config.put("curriculum.threshold", "0.98");
      config.put("training.max-epochs", String.valueOf(maxEpochs));
      Table table =
          Table.parse(
              id + "/metrics.csv",
              "epoch,step,N,head,loss,accuracy,wall_seconds\n" + String.join("\n", metrics) + "\n",
              List.of(
                  ColumnSpec.integer("epoch", "", ""),
                  ColumnSpec.integer("N", "", ""),
                  ColumnSpec.number("accuracy", "", "")),
              ColumnType.NUMBER);
      return new StudyRun(
          id, name, curriculum, seed, "n-parity", model, curriculum, config, table, analyses);
    }
  }

  static Run run(
      String id,
      String name,
      long seed,
      String curriculum,
      String model,
      int maxEpochs,
      List<String> metricsRows) {
    return new Run(id, name, seed, curriculum, model, maxEpochs, metricsRows);
  }

  /**
   * Metrics of a single-head run: stage k trains only N = 2 + k for {@code stages[k]} epochs at
   * accuracy 0.6, except the last epoch of a stage that was solved (every stage but the last, and
   * the last when {@code lastSolved}) at 0.99.
   */
  static List<String> singleHead(int[] stages, boolean lastSolved) {
    List<String> rows = new ArrayList<>();
    int epoch = 0;
    for (int k = 0; k < stages.length; k++) {
      for (int e = 0; e < stages[k]; e++) {
        epoch++;
        boolean solved = e == stages[k] - 1 && (k < stages.length - 1 || lastSolved);
        rows.add(
            epoch + "," + epoch * 10 + "," + (2 + k) + ",0,0.5," + (solved ? 0.99 : 0.6) + ",1.0");
      }
    }
    return rows;
  }

  /**
   * Metrics of a multi-head run: stage k trains N = 2 .. 2 + k on heads 0 .. k; earlier levels at
   * 0.99, the newest as in {@link #singleHead}.
   */
  static List<String> multiHead(int[] stages, boolean lastSolved) {
    List<String> rows = new ArrayList<>();
    int epoch = 0;
    for (int k = 0; k < stages.length; k++) {
      for (int e = 0; e < stages[k]; e++) {
        epoch++;
        boolean solved = e == stages[k] - 1 && (k < stages.length - 1 || lastSolved);
        for (int level = 2; level <= 2 + k; level++) {
          double accuracy = level < 2 + k ? 0.99 : solved ? 0.99 : 0.6;
          rows.add(
              epoch
                  + ","
                  + epoch * 10
                  + ","
                  + level
                  + ","
                  + (level - 2)
                  + ",0.5,"
                  + accuracy
                  + ",1.0");
        }
      }
    }
    return rows;
  }

  /**
   * Single-head seeds 1, 2 and multi-head seeds 1, 2 with tau-stats, network-timescales (multi-head
   * only), connectivity, ablation, perturbation and forgetting; no dimensionality or transfer. With
   * {@code swapped}, the single-head data are labelled multi-head and the other way round. The same
   * numbers as core's {@code RunFixtures.twoByTwo}.
   */
  static List<StudyRun> twoByTwo(boolean swapped) {
    String single = swapped ? "multi-head" : "single-head";
    String multi = swapped ? "single-head" : "multi-head";

    // single-head seed 1: N = 2 (3 epochs), 3 (4), 4 (5, unsolved): N_max 3, 3.5 epochs per level
    Run s1 =
        run(
            "single-1",
            "parity-singlehead",
            1,
            single,
            "leaky-rnn",
            20,
            singleHead(new int[] {3, 4, 5}, false));
    s1.analysis(
        "tau-stats",
        "tau-stats.csv",
        "epoch-0001,1,2,9.9,9.9,1,1,1,0", // an earlier checkpoint at N = 2: not the one read
        "advance-0003,3,2,1.5,0.3,1,1,1,0",
        "advance-0007,7,3,2.5,0.6,1,1,1,0",
        "final,12,4,3.5,0.9,1,1,1,0");
    // single-head seed 2: N = 2 (4 epochs), 3 (6, unsolved): N_max 2, 4 epochs per level
    Run s2 =
        run(
            "single-2",
            "parity-singlehead",
            2,
            single,
            "leaky-rnn",
            20,
            singleHead(new int[] {4, 6}, false));
    s2.analysis(
        "tau-stats",
        "tau-stats.csv",
        "advance-0004,4,2,1.5,0.3,1,1,1,0",
        "final,10,3,2.7,0.5,1,1,1,0");
    // multi-head seed 1: levels 2..6, last solved: N_max 6, 12/5 = 2.4 epochs per level
    Run m1 =
        run(
            "multi-1",
            "parity-multihead",
            1,
            multi,
            "leaky-rnn",
            20,
            multiHead(new int[] {2, 2, 2, 2, 4}, true));
    m1.analysis(
        "tau-stats",
        "tau-stats.csv",
        "a2,2,2,1.5,0.3,1,1,1,0",
        "a3,4,3,1.45,0.3,1,1,1,0",
        "a4,6,4,1.4,0.3,1,1,1,0",
        "a5,8,5,1.35,0.3,1,1,1,0",
        "final,12,6,1.3,0.3,1,1,1,0");
    m1.analysis(
        "network-timescales",
        "network-timescales.csv",
        "a2,2,2,16,10,2,1,2,3,single",
        "a3,4,3,16,10,3,1,3,4,single",
        "a4,6,4,16,10,4,1,4,5,single",
        "a5,8,5,16,10,5,1,5,6,double",
        "final,12,6,16,10,6,1,6,7,double");
    // multi-head seed 2: levels 2..6, last unsolved: N_max 5, 9/4 = 2.25 epochs per level
    Run m2 =
        run(
            "multi-2",
            "parity-multihead",
            2,
            multi,
            "leaky-rnn",
            20,
            multiHead(new int[] {2, 2, 2, 3, 3}, false));
    m2.analysis(
        "tau-stats",
        "tau-stats.csv",
        "a2,2,2,1.5,0.3,1,1,1,0",
        "a3,4,3,1.5,0.3,1,1,1,0",
        "a4,6,4,1.5,0.3,1,1,1,0",
        "a5,9,5,1.5,0.3,1,1,1,0",
        "final,12,6,1.5,0.3,1,1,1,0");
    m2.analysis(
        "network-timescales",
        "network-timescales.csv",
        "a2,2,2,16,10,2,1,2,nan,none",
        "a3,4,3,16,10,4,1,4,nan,none",
        "a4,6,4,16,10,6,1,6,nan,none",
        "a5,9,5,16,10,8,1,8,nan,none",
        "final,12,6,16,10,10,1,10,nan,none");

    for (Run r : List.of(s1, s2, m1, m2)) {
      boolean isMulti = r == m1 || r == m2;
      int seed = r == s1 || r == m1 ? 1 : 2;
      r.analysis(
          "connectivity",
          "connectivity.csv",
          "a2,2,2,0.01,0.1," + (isMulti ? 1.1 : 0.9),
          "a3,4,3,0.02,0.1," + (isMulti ? 1.3 : 0.8));
      // ablation at N = 3 (the largest N every run has), plus traps at other N and levels
      double slowest = isMulti ? (seed == 1 ? 0.9 : 0.85) : (seed == 1 ? 0.2 : 0.3);
      double fastest = isMulti ? (seed == 1 ? 0.95 : 0.9) : (seed == 1 ? 0.9 : 0.95);
      List<String> ablation =
          new ArrayList<>(
              List.of(
                  "a3,4,3,3,baseline,-1,nan,0.99,1.0",
                  "a3,4,3,3,slowest,7,4.0,0.7," + (slowest - 0.1),
                  "a3,4,3,3,slowest,8,3.0,0.7," + (slowest + 0.1),
                  "a3,4,3,3,fastest,1,1.0,0.9," + fastest,
                  "a3,4,3,3,fastest,2,1.0,0.9," + fastest));
      if (isMulti) {
        ablation.add("a3,4,3,2,slowest,7,4.0,0.5,0.0"); // an easier level of the same checkpoint
        ablation.add("final,12,6,6,slowest,7,4.0,0.55,0.1"); // a later checkpoint, larger N
      } else {
        ablation.add(0, "a2,2,2,2,slowest,7,2.0,0.99,0.99"); // an earlier checkpoint
      }
      r.analysis("ablation", "ablation.csv", ablation.toArray(String[]::new));

      // perturbation at N = 3: recurrent 1, 1, 0.5, 0 (multi) or 1, 0.5, 0, 0 (single) over
      // ε = 0.01 .. 10; τ the same for both; seed offsets; two draws ± 0.1 around the value
      double[] recurrent = isMulti ? new double[] {1, 1, 0.5, 0} : new double[] {1, 0.5, 0, 0};
      double[] tau = {1, 0.8, 0.4, 0.1};
      double recurrentOffset = seed == 1 ? 0 : 0.03;
      double tauOffset = isMulti ? (seed == 1 ? 0 : 0.03) : (seed == 1 ? 0.01 : 0.02);
      List<String> perturbation = new ArrayList<>();
      perturbation.add("a3,4,3,3,baseline,0,0,0.99,1.0");
      double[] epsilons = {0.01, 0.1, 1, 10};
      for (int i = 0; i < epsilons.length; i++) {
        for (int draw = 0; draw < 2; draw++) {
          double jitter = draw == 0 ? 0.1 : -0.1;
          perturbation.add(
              "a3,4,3,3,recurrent,"
                  + epsilons[i]
                  + ","
                  + draw
                  + ",0.7,"
                  + (recurrent[i] + recurrentOffset + jitter));
          perturbation.add(
              "a3,4,3,3,tau," + epsilons[i] + "," + draw + ",0.7," + (tau[i] + tauOffset + jitter));
        }
      }
      r.analysis("perturbation", "perturbation.csv", perturbation.toArray(String[]::new));
    }

    // forgetting at each run's last checkpoint; single-head seed 1 also has an earlier one
    s1.analysis(
        "forgetting",
        "forgetting.csv",
        "advance-0007,7,3,2,0,0.99",
        "advance-0007,7,3,3,0,0.99",
        "final,12,4,2,0,0.55",
        "final,12,4,3,0,0.6",
        "final,12,4,4,0,0.9");
    s2.analysis("forgetting", "forgetting.csv", "final,10,3,2,0,0.5", "final,10,3,3,0,0.95");
    m1.analysis(
        "forgetting",
        "forgetting.csv",
        "final,12,6,2,0,0.99",
        "final,12,6,3,1,0.98",
        "final,12,6,4,2,0.97",
        "final,12,6,5,3,0.96",
        "final,12,6,6,4,0.9");
    m2.analysis(
        "forgetting",
        "forgetting.csv",
        "final,12,6,2,0,0.95",
        "final,12,6,3,1,0.95",
        "final,12,6,4,2,0.95",
        "final,12,6,5,3,0.95",
        "final,12,6,6,4,0.6");
    return List.of(s1.build(), s2.build(), m1.build(), m2.build());
  }
}
