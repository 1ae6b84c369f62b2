package engram.analysis.perturbation;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.common.Outputs;
import engram.analysis.common.StreamAccuracy;
import engram.api.Analyzer;
import engram.api.Network;
import engram.api.Parameter;
import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.table.ColumnSpec;
import engram.api.table.TableSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Robustness to random perturbations (spec §5 item 5) of the recurrent weights and of the
 * timescales.
 *
 * <p>For each analysed checkpoint, trained up to N = {@link Checkpoint#maxLevel()}, with D a fresh
 * draw of i.i.d. N(0, 1) entries shaped like the perturbed parameter:
 *
 * <ul>
 *   <li>{@code recurrent}: W^R ← W^R + ε·(‖W^R‖_F/‖D‖_F)·D, so ‖ΔW^R‖_F = ε·‖W^R‖_F — ε is the size
 *       of the perturbation relative to the weights. Every entry is perturbed, the diagonal too (a
 *       leaky-rnn masks its diagonal in the forward pass, so there it has no effect);
 *   <li>{@code tau}: τ ← τ + ε·(‖τ‖₂/‖D‖₂)·|D|, one-sided (every τ grows or stays), ‖Δτ‖₂ = ε·‖τ‖₂;
 *       the raw τ is perturbed, the model still uses τ̃ = max(τ, 1).
 * </ul>
 *
 * <p>For each ε of the target's grid, {@code draws} perturbations are scored on level N with
 * continuous-stream accuracy (see {@link StreamAccuracy}): the same stream ({@code warmup} + {@code
 * scored} steps, {@code streams} sequences, no resets) and the same initial states as the
 * unperturbed baseline (ε = 0, evaluated once), so differences come from the perturbation. Relative
 * accuracy = (acc − chance)/(baseline − chance), chance = 1/classes (0.5 for N-parity) or {@code
 * chance} for regression tasks; NaN when the baseline is at chance. One copy of the network is
 * restored per checkpoint; each perturbation is written into its live parameter and the original
 * values are copied back before the next one. D comes from {@code run.random
 * ("perturbation-recurrent")} / {@code ("perturbation-tau")}, one generator per checkpoint and
 * target, drawn in CSV order: a repeated analysis gives the same numbers.
 *
 * <p>Outputs, in the analyzer's output directory:
 *
 * <ul>
 *   <li>{@code perturbation.csv}, header {@code
 *       checkpoint,epoch,max_level,level,target,epsilon,draw,accuracy,relative_accuracy}: per
 *       checkpoint (oldest first) one {@code baseline} row (ε = 0, draw 0, relative accuracy 1),
 *       then for each target ({@code recurrent}, {@code tau}, in the order of {@code targets}),
 *       each ε of its grid in the given order and each draw 0 … draws−1 one row; {@code level} is
 *       the level scored (= {@code max_level}), {@code epsilon} the relative size ε (no unit),
 *       {@code accuracy} in [0, 1];
 *   <li>{@code perturbation.png}: per target one chart of the mean relative accuracy ± std
 *       (population, over draws) against ε on a logarithmic axis, at the last analysed checkpoint
 *       (ε = 0 and NaN means are left out).
 * </ul>
 *
 * <p>Needs a run behind the checkpoints ({@link Context#run()}), a task with a continuous stream,
 * and networks with the named parameters ({@code w_rec} and {@code taus} of a leaky-rnn by default;
 * for a gru/lstm set {@code recurrent-parameter: w_hh} and use {@code tau-leak: true} or {@code
 * targets: [recurrent]}). A requested parameter that the network lacks is an {@link
 * IllegalStateException} listing the network's parameters; nothing is written then.
 */
public final class PerturbationAnalyzer implements Analyzer<PerturbationAnalyzer.Config> {

  static final String ID = "perturbation";

  /** {@code perturbation.csv}: per checkpoint a baseline row, then one row per draw. */
  static final TableSpec TABLE =
      TableSpec.of(
          "perturbation.csv",
          "per checkpoint (oldest first) one baseline row (target baseline, ε = 0, draw 0, relative"
              + " accuracy 1), then for each target, each ε of its grid and each draw one row",
          Outputs.CHECKPOINT,
          Outputs.EPOCH,
          Outputs.MAX_LEVEL,
          ColumnSpec.integer("level", "levels", "the level scored (= max_level)"),
          ColumnSpec.text("target", "baseline, recurrent (W^R) or tau (τ)"),
          ColumnSpec.number(
              "epsilon", "", "ε, the size of the perturbation relative to the parameter's norm"),
          ColumnSpec.integer("draw", "", "the draw of the perturbation, 0 … draws−1"),
          ColumnSpec.number("accuracy", "fraction correct", "continuous-stream accuracy"),
          ColumnSpec.number(
              "relative_accuracy",
              "relative accuracy",
              "(accuracy − chance)/(baseline − chance); NaN when the baseline is at chance"));

  static final String PNG = "perturbation.png";
  static final String BASELINE = "baseline";

  /** What is perturbed. */
  public enum PerturbationTarget {
    /** The recurrent weight matrix W^R, two-sided Gaussian. */
    RECURRENT,
    /** The per-neuron time constants τ, one-sided (|D|). */
    TAU;

    /** The spelling in YAML and in the CSV. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param targets what to perturb
   * @param recurrentParameter network parameter perturbed as W^R
   * @param tauParameter network parameter perturbed as τ
   * @param recurrentEpsilons relative sizes ε for W^R
   * @param tauEpsilons relative sizes ε for τ
   * @param draws perturbations per ε
   * @param checkpoints which checkpoints to analyse
   * @param warmup unscored steps at the start of the stream
   * @param scored scored steps after the warm-up
   * @param streams independent sequences of the stream
   * @param chance chance accuracy of a regression task
   */
  public record Config(
      @Doc(
              "what to perturb: recurrent (W^R, two-sided) and/or tau (τ, one-sided); each must be"
                  + " a parameter of the network")
          List<PerturbationTarget> targets,
      @Doc(
              "name of the network parameter perturbed as W^R (w_rec for a leaky-rnn, w_hh for a"
                  + " gru/lstm)")
          String recurrentParameter,
      @Doc("name of the network parameter perturbed as τ (taus)") String tauParameter,
      @Doc(
              "relative sizes ε ≥ 0 of the W^R perturbation, ‖ΔW‖_F = ε·‖W‖_F; default 13 points"
                  + " log-spaced from 0.01 to 10, 4 per decade")
          List<Double> recurrentEpsilons,
      @Doc(
              "relative sizes ε ≥ 0 of the τ perturbation, ‖Δτ‖₂ = ε·‖τ‖₂; default 17 points"
                  + " log-spaced from 0.001 to 10, 4 per decade")
          List<Double> tauEpsilons,
      @Doc("random perturbations per ε, ≥ 1") int draws,
      @Doc("checkpoints to analyse: last or all") CheckpointSelection checkpoints,
      @Doc(
              "when > 0, analyse only the last checkpoint trained up to this N instead (so networks"
                  + " of different runs are compared at the same N); 0 = use checkpoints")
          int atLevel,
      @Doc("warm-up steps of the continuous stream, not scored, ≥ 0") int warmup,
      @Doc("steps scored after the warm-up (at every step, no resets), ≥ 1") int scored,
      @Doc(
              "independent stream sequences averaged into one accuracy, ≥ 1; the paper used 1, more"
                  + " give a less noisy number")
          int streams,
      @Doc(
              "chance accuracy for regression tasks, in [0, 1); classification tasks use 1/classes"
                  + " (0.5 for N-parity) and ignore this")
          double chance) {
    public Config {
      Check.notNull("targets", targets);
      if (targets.isEmpty()
          || targets.stream().anyMatch(Objects::isNull)
          || new HashSet<>(targets).size() != targets.size()) {
        throw new IllegalArgumentException(
            "targets must list recurrent and/or tau, each once" + " (was " + targets + ")");
      }
      targets = List.copyOf(targets);
      requireName("recurrent-parameter", recurrentParameter);
      requireName("tau-parameter", tauParameter);
      recurrentEpsilons =
          epsilons(
              "recurrent-epsilons",
              recurrentEpsilons,
              targets.contains(PerturbationTarget.RECURRENT));
      tauEpsilons = epsilons("tau-epsilons", tauEpsilons, targets.contains(PerturbationTarget.TAU));
      Check.atLeast("draws", draws, 1);
      Check.notNull("checkpoints", checkpoints);
      Check.atLeast("at-level", atLevel, 0);
      Check.atLeast("warmup", warmup, 0);
      Check.atLeast("scored", scored, 1);
      Check.atLeast("streams", streams, 1);
      if (!(chance >= 0 && chance < 1)) {
        throw new IllegalArgumentException("chance must be in [0, 1) (was " + chance + ")");
      }
    }

    private static void requireName(String key, String name) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(
            key + " must name a network parameter (was '" + name + "')");
      }
    }

    private static List<Double> epsilons(String key, List<Double> values, boolean used) {
      Check.notNull(key, values);
      if (used && values.isEmpty()) {
        throw new IllegalArgumentException(key + " must list at least one ε (was [])");
      }
      for (Double value : values) {
        if (value == null || !(value >= 0) || value.isInfinite()) {
          throw new IllegalArgumentException(
              key + " must hold finite numbers ≥ 0 (was " + values + ")");
        }
      }
      return List.copyOf(values);
    }

    /** The ε grid of {@code target}. */
    List<Double> epsilons(PerturbationTarget target) {
      return target == PerturbationTarget.RECURRENT ? recurrentEpsilons : tauEpsilons;
    }

    /** The parameter name of {@code target}. */
    String parameter(PerturbationTarget target) {
      return target == PerturbationTarget.RECURRENT ? recurrentParameter : tauParameter;
    }
  }

  /** One evaluated network: the baseline or one perturbation. */
  record Row(
      Checkpoint checkpoint,
      int level,
      String target,
      double epsilon,
      int draw,
      double accuracy,
      double relativeAccuracy) {}

  public PerturbationAnalyzer() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        ID,
        "Robustness to perturbations of W^R and τ",
        "Adds random perturbations of relative size ε to the recurrent weights (W +"
            + " ε·‖W‖_F·D/‖D‖_F, D ~ N(0, 1)) and, one-sided, to the timescales (τ +"
            + " ε·‖τ‖₂·|D|/‖D‖₂), several draws per ε, and scores each on a continuous stream of"
            + " the checkpoint's largest level N; relative accuracy (acc − chance)/(baseline −"
            + " chance). Writes perturbation.csv and perturbation.png.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return new Config(
        List.of(PerturbationTarget.RECURRENT, PerturbationTarget.TAU),
        "w_rec",
        "taus",
        logGrid(-2, 1, 4),
        logGrid(-3, 1, 4),
        10,
        CheckpointSelection.LAST,
        0,
        100,
        1000,
        16,
        0.5);
  }

  /**
   * 10^(from + k/perDecade) for k = 0 … (to − from)·perDecade, rounded to 3 significant digits
   * (0.01, 0.0178, 0.0316, 0.0562, 0.1, …).
   */
  static List<Double> logGrid(int fromExponent, int toExponent, int perDecade) {
    List<Double> grid = new ArrayList<>();
    for (int k = 0; k <= (toExponent - fromExponent) * perDecade; k++) {
      double value = Math.pow(10, fromExponent + (double) k / perDecade);
      grid.add(new BigDecimal(value).round(new MathContext(3)).doubleValue());
    }
    return List.copyOf(grid);
  }

  @Override
  public List<TableSpec> tables() {
    return List.of(TABLE);
  }

  @Override
  public void analyze(Config config, Context context) throws IOException {
    Run run = context.run();
    List<Checkpoint> chosen =
        config.checkpoints().select(context.checkpoints(), ID, config.atLevel());
    List<Row> rows = new ArrayList<>();
    for (Checkpoint checkpoint : chosen) {
      rows.addAll(perturb(config, run, checkpoint));
    }
    Path out = context.outputDirectory();
    writeCsv(out, rows);
    draw(out.resolve(PNG), config, rows, chosen.get(chosen.size() - 1));
  }

  /** Baseline and every perturbation of one checkpoint, in CSV order. */
  private static List<Row> perturb(Config config, Run run, Checkpoint checkpoint) {
    Restored restored = run.restore(checkpoint);
    Map<PerturbationTarget, INDArray> live = new EnumMap<>(PerturbationTarget.class);
    for (PerturbationTarget target : config.targets()) {
      live.put(
          target, parameter(restored.network(), config.parameter(target), target, run, checkpoint));
    }
    int level = checkpoint.maxLevel();
    StreamAccuracy stream =
        StreamAccuracy.draw(
            run, level, config.warmup(), config.scored(), config.streams(), config.chance());
    double baseline = stream.baseline(restored, ID, checkpoint.name());
    List<Row> rows = new ArrayList<>();
    rows.add(
        new Row(
            checkpoint,
            level,
            BASELINE,
            0.0,
            0,
            baseline,
            StreamAccuracy.relative(baseline, baseline, stream.chance())));
    for (PerturbationTarget target : config.targets()) {
      INDArray value = live.get(target);
      INDArray original = value.dup();
      double[] values = original.ravel().toDoubleVector();
      RandomGenerator rng = run.random("perturbation-" + target.label());
      for (double epsilon : config.epsilons(target)) {
        for (int draw = 0; draw < config.draws(); draw++) {
          double[] perturbed =
              target == PerturbationTarget.RECURRENT
                  ? perturbRecurrent(values, epsilon, rng)
                  : perturbTau(values, epsilon, rng);
          value.assign(
              Nd4j.createFromArray(perturbed).reshape(value.shape()).castTo(value.dataType()));
          double accuracy = stream.of(restored);
          value.assign(original);
          rows.add(
              new Row(
                  checkpoint,
                  level,
                  target.label(),
                  epsilon,
                  draw,
                  accuracy,
                  StreamAccuracy.relative(accuracy, baseline, stream.chance())));
        }
      }
    }
    return rows;
  }

  /**
   * The live array of the parameter named {@code name}.
   *
   * @throws IllegalStateException listing the network's parameters when there is none
   */
  static INDArray parameter(
      Network network, String name, PerturbationTarget target, Run run, Checkpoint checkpoint) {
    for (Parameter parameter : network.parameters()) {
      if (parameter.name().equals(name)) {
        return parameter.value();
      }
    }
    List<String> names = network.parameters().stream().map(Parameter::name).toList();
    String key = target == PerturbationTarget.RECURRENT ? "recurrent-parameter" : "tau-parameter";
    throw new IllegalStateException(
        ID
            + ": the network of checkpoint '"
            + checkpoint.name()
            + "' (model "
            + run.modelId()
            + ") has no parameter '"
            + name
            + "' to perturb as "
            + target.label()
            + "; its parameters are "
            + names
            + ". Fix: set "
            + key
            + " to one of them, or leave "
            + target.label()
            + " out of targets");
  }

  /**
   * W + ε·(‖W‖_F/‖D‖_F)·D with D ~ N(0, 1) i.i.d., drawn from {@code rng} (one Gaussian per entry,
   * in order): ‖result − W‖_F = ε·‖W‖_F. Any shape, flattened.
   */
  static double[] perturbRecurrent(double[] w, double epsilon, RandomGenerator rng) {
    return perturb(w, epsilon, rng, false);
  }

  /**
   * τ + ε·(‖τ‖₂/‖D‖₂)·|D| with D ~ N(0, 1) i.i.d. from {@code rng}: every entry grows or stays,
   * ‖result − τ‖₂ = ε·‖τ‖₂.
   */
  static double[] perturbTau(double[] tau, double epsilon, RandomGenerator rng) {
    return perturb(tau, epsilon, rng, true);
  }

  private static double[] perturb(
      double[] x, double epsilon, RandomGenerator rng, boolean oneSided) {
    double[] d = new double[x.length];
    for (int i = 0; i < d.length; i++) {
      double g = rng.nextGaussian();
      d[i] = oneSided ? Math.abs(g) : g;
    }
    double dNorm = norm(d);
    double scale = dNorm == 0 ? 0 : epsilon * norm(x) / dNorm;
    double[] result = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      result[i] = x[i] + scale * d[i];
    }
    return result;
  }

  /** Euclidean (Frobenius, for a flattened matrix) norm. */
  static double norm(double[] x) {
    double squares = 0;
    for (double v : x) {
      squares += v * v;
    }
    return Math.sqrt(squares);
  }

  private static void writeCsv(Path dir, List<Row> rows) throws IOException {
    List<List<Object>> table = new ArrayList<>();
    for (Row r : rows) {
      table.add(
          List.of(
              r.checkpoint().name(),
              r.checkpoint().epoch(),
              r.checkpoint().maxLevel(),
              r.level(),
              r.target(),
              r.epsilon(),
              r.draw(),
              r.accuracy(),
              r.relativeAccuracy()));
    }
    Outputs.writeCsv(dir, TABLE, table);
  }

  private static void draw(Path file, Config config, List<Row> rows, Checkpoint last)
      throws IOException {
    List<XYChart> charts = new ArrayList<>();
    for (PerturbationTarget target : config.targets()) {
      boolean recurrent = target == PerturbationTarget.RECURRENT;
      XYChart chart =
          Outputs.chart(
              (recurrent ? "Perturbing W^R" : "Perturbing τ (one-sided)")
                  + " at "
                  + last.name()
                  + " (N = "
                  + last.maxLevel()
                  + ")",
              recurrent
                  ? "ε = ‖ΔW^R‖_F / ‖W^R‖_F (relative size, log scale)"
                  : "ε = ‖Δτ‖₂ / ‖τ‖₂ (relative size, log scale)",
              "relative accuracy (acc − chance)/(baseline − chance)",
              450);
      chart.getStyler().setXAxisLogarithmic(true);
      // Accuracy falls with ε: the upper right corner is usually free for the legend.
      chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
      List<Double> xs = new ArrayList<>();
      List<Double> means = new ArrayList<>();
      List<Double> stds = new ArrayList<>();
      for (double epsilon : config.epsilons(target).stream().distinct().toList()) {
        double[] relative =
            rows.stream()
                .filter(
                    r ->
                        r.checkpoint() == last
                            && r.target().equals(target.label())
                            && r.epsilon() == epsilon)
                .mapToDouble(Row::relativeAccuracy)
                .toArray();
        double mean = mean(relative);
        if (epsilon > 0 && Double.isFinite(mean)) {
          xs.add(epsilon);
          means.add(mean);
          stds.add(std(relative, mean));
        }
      }
      if (!xs.isEmpty()) {
        chart
            .addSeries("mean ± std over " + config.draws() + " draws", xs, means, stds)
            .setMarker(SeriesMarkers.CIRCLE);
      }
      charts.add(chart);
    }
    Outputs.save(file, charts);
  }

  static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  /** Population standard deviation (ddof 0). */
  static double std(double[] values, double mean) {
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    return Math.sqrt(squares / values.length);
  }
}
