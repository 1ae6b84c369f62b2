package engram.core.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Synthetic run directories with known numbers: what {@code ./engram run} and the analyzers would
 * leave behind, written by hand. Two curricula × two seeds of a leaky RNN; the expected group
 * statistics are worked out in {@link ComparisonTest}.
 */
public final class RunFixtures {
  private RunFixtures() {}

  /** A run directory under construction. */
  public static final class Run {
    final Path dir;

    Run(Path dir) {
      this.dir = dir;
    }

    public Path dir() {
      return dir;
    }

    /** Writes {@code analysis/<dirName>/<file>} with a header and rows. */
    public Run analysis(String dirName, String file, String header, String... rows) {
      write(
          dir.resolve("analysis").resolve(dirName).resolve(file),
          header + "\n" + String.join("\n", rows) + "\n");
      return this;
    }
  }

  /** A run directory with {@code config.resolved.yaml} and the given {@code metrics.csv} rows. */
  public static Run run(
      Path parent,
      String dirName,
      String name,
      long seed,
      String curriculum,
      String model,
      int maxEpochs,
      List<String> metricsRows) {
    Path dir = parent.resolve(dirName);
    write(
        dir.resolve("config.resolved.yaml"),
        """
        name: %s
        seed: %d
        precision: float32
        task: {id: n-parity}
        model: {id: %s, hidden-size: 16}
        curriculum: {id: %s, start-level: 2, threshold: 0.98}
        regularizers: []
        analyzers: []
        training: {batch-size: 8, max-epochs: %d}
        """
            .formatted(name, seed, model, curriculum, maxEpochs));
    write(
        dir.resolve("metrics.csv"),
        "epoch,step,N,head,loss,accuracy,wall_seconds\n"
            + String.join("\n", metricsRows)
            + (metricsRows.isEmpty() ? "" : "\n"));
    try {
      Files.createDirectories(dir.resolve("checkpoints"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Run(dir);
  }

  /**
   * Metrics of a single-head run: stage k trains only N = 2 + k for {@code stages[k]} epochs at
   * accuracy 0.6, except the last epoch of a stage that was solved (every stage but the last, and
   * the last when {@code lastSolved}) at 0.99.
   */
  public static List<String> singleHead(int[] stages, boolean lastSolved) {
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
  public static List<String> multiHead(int[] stages, boolean lastSolved) {
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
   * The two-by-two comparison of {@link ComparisonTest}: single-head seeds 1, 2 and multi-head
   * seeds 1, 2 with tau-stats, network-timescales (multi-head only), connectivity, ablation,
   * perturbation and forgetting; no dimensionality or transfer. With {@code swapped}, the
   * single-head data are labelled multi-head and the other way round.
   */
  public static List<Path> twoByTwo(Path parent, boolean swapped) {
    String single = swapped ? "multi-head" : "single-head";
    String multi = swapped ? "single-head" : "multi-head";
    List<Path> dirs = new ArrayList<>();

    // single-head seed 1: N = 2 (3 epochs), 3 (4), 4 (5, unsolved): N_max 3, 3.5 epochs per level
    Run s1 =
        run(
            parent,
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
        "checkpoint,epoch,max_level,mean,std,min,median,max,fraction_clamped",
        "epoch-0001,1,2,9.9,9.9,1,1,1,0", // an earlier checkpoint at N = 2: not the one read
        "advance-0003,3,2,1.5,0.3,1,1,1,0",
        "advance-0007,7,3,2.5,0.6,1,1,1,0",
        "final,12,4,3.5,0.9,1,1,1,0");
    // single-head seed 2: N = 2 (4 epochs), 3 (6, unsolved): N_max 2, 4 epochs per level
    Run s2 =
        run(
            parent,
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
        "checkpoint,epoch,max_level,mean,std,min,median,max,fraction_clamped",
        "advance-0004,4,2,1.5,0.3,1,1,1,0",
        "final,10,3,2.7,0.5,1,1,1,0");
    // multi-head seed 1: levels 2..6, last solved: N_max 6, 12/5 = 2.4 epochs per level
    Run m1 =
        run(
            parent,
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
        "checkpoint,epoch,max_level,mean,std,min,median,max,fraction_clamped",
        "a2,2,2,1.5,0.3,1,1,1,0",
        "a3,4,3,1.45,0.3,1,1,1,0",
        "a4,6,4,1.4,0.3,1,1,1,0",
        "a5,8,5,1.35,0.3,1,1,1,0",
        "final,12,6,1.3,0.3,1,1,1,0");
    m1.analysis(
        "network-timescales",
        "network-timescales.csv",
        "checkpoint,epoch,max_level,neurons,kept,tau_net_mean,tau_net_std,tau_net_median,"
            + "population_tau_net,population_model",
        "a2,2,2,16,10,2,1,2,3,single",
        "a3,4,3,16,10,3,1,3,4,single",
        "a4,6,4,16,10,4,1,4,5,single",
        "a5,8,5,16,10,5,1,5,6,double",
        "final,12,6,16,10,6,1,6,7,double");
    // multi-head seed 2: levels 2..6, last unsolved: N_max 5, 9/4 = 2.25 epochs per level
    Run m2 =
        run(
            parent,
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
        "checkpoint,epoch,max_level,mean,std,min,median,max,fraction_clamped",
        "a2,2,2,1.5,0.3,1,1,1,0",
        "a3,4,3,1.5,0.3,1,1,1,0",
        "a4,6,4,1.5,0.3,1,1,1,0",
        "a5,9,5,1.5,0.3,1,1,1,0",
        "final,12,6,1.5,0.3,1,1,1,0");
    m2.analysis(
        "network-timescales",
        "network-timescales.csv",
        "checkpoint,epoch,max_level,neurons,kept,tau_net_mean,tau_net_std,tau_net_median,"
            + "population_tau_net,population_model",
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
          "checkpoint,epoch,max_level,mean_weight,std_weight,spectral_radius",
          "a2,2,2,0.01,0.1," + (isMulti ? 1.1 : 0.9),
          "a3,4,3,0.02,0.1," + (isMulti ? 1.3 : 0.8));
      // ablation at N = 3 (the largest N every run has), plus traps at other N and levels
      double slowest = isMulti ? (seed == 1 ? 0.9 : 0.85) : (seed == 1 ? 0.2 : 0.3);
      double fastest = isMulti ? (seed == 1 ? 0.95 : 0.9) : (seed == 1 ? 0.9 : 0.95);
      String header = "checkpoint,epoch,max_level,level,group,unit,tau,accuracy,relative_accuracy";
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
      r.analysis("ablation", "ablation.csv", header, ablation.toArray(String[]::new));

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
      r.analysis(
          "perturbation",
          "perturbation.csv",
          "checkpoint,epoch,max_level,level,target,epsilon,draw,accuracy,relative_accuracy",
          perturbation.toArray(String[]::new));
    }

    // forgetting at each run's last checkpoint; single-head seed 1 also has an earlier one
    s1.analysis(
        "forgetting",
        "forgetting.csv",
        "checkpoint,epoch,max_level,level,head,accuracy",
        "advance-0007,7,3,2,0,0.99",
        "advance-0007,7,3,3,0,0.99",
        "final,12,4,2,0,0.55",
        "final,12,4,3,0,0.6",
        "final,12,4,4,0,0.9");
    s2.analysis(
        "forgetting",
        "forgetting.csv",
        "checkpoint,epoch,max_level,level,head,accuracy",
        "final,10,3,2,0,0.5",
        "final,10,3,3,0,0.95");
    m1.analysis(
        "forgetting",
        "forgetting.csv",
        "checkpoint,epoch,max_level,level,head,accuracy",
        "final,12,6,2,0,0.99",
        "final,12,6,3,1,0.98",
        "final,12,6,4,2,0.97",
        "final,12,6,5,3,0.96",
        "final,12,6,6,4,0.9");
    m2.analysis(
        "forgetting",
        "forgetting.csv",
        "checkpoint,epoch,max_level,level,head,accuracy",
        "final,12,6,2,0,0.95",
        "final,12,6,3,1,0.95",
        "final,12,6,4,2,0.95",
        "final,12,6,5,3,0.95",
        "final,12,6,6,4,0.6");
    dirs.add(s1.dir());
    dirs.add(s2.dir());
    dirs.add(m1.dir());
    dirs.add(m2.dir());
    return dirs;
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
