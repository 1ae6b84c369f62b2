package engram.studies.geometry;

import engram.api.PluginInfo;
import engram.api.config.Check;
import engram.api.config.Doc;
import engram.api.study.Evaluation;
import engram.api.study.Study;
import engram.api.study.StudyRun;
import engram.studies.common.TableRef;
import java.util.List;

/**
 * Haputhanthri, Storan, Jiang et al. 2025, <i>Understanding and controlling the geometry of memory
 * organization in RNNs</i> (arXiv 2502.07256): its four claims checked against runs of a memory
 * task with and without temporal consistency regularization (TCR), at one or more gains g of the
 * initial recurrent weights.
 *
 * <ol>
 *   <li>training sits on a loss plateau, then the loss drops abruptly;
 *   <li>geometric restructuring (GR) of the phase space precedes the drop;
 *   <li>TCR shortens the time to the drop;
 *   <li>TCR helps attractors form (a) and lets strongly connected, high-gain networks learn (b).
 * </ol>
 *
 * <p>With {@code fixed-points} analysed around the drop, also (G) the ghost mechanism's finding
 * that ghost points appear before the drop (Dinc et al. 2025), and (4a) judged by the stable fixed
 * points of the input-free map ({@link PointFindings}).
 *
 * <p>Reads the tables of {@code abrupt-learning} (plateau, t_drop, loss curve, GR onsets), {@code
 * geometry} (attractor census) and {@code fixed-points} (points around the drop). The condition of
 * a run is read from its configuration (λ of its {@code temporal-consistency} regularizer and
 * {@code model.gain}), never from its name. The rules behind each verdict are in {@link
 * GeometryRules} and in the report. Deterministic.
 */
public final class MemoryGeometryStudy implements Study<MemoryGeometryStudy.Config> {

  /**
   * Options of the verdicts.
   *
   * @param significance family-wise α of the one-sided tests of claims (3) and (4)
   * @param maxSseRatio a GR onset counts when its two-segment fit leaves at most this fraction of
   *     the one-line residual
   * @param grMetric the column of the geometry table whose onset is judged in claim (2)
   * @param grWindow which change point of {@code abrupt-learning}'s {@code gr-onsets.csv} claim (2)
   *     judges: {@code drop} (the fit over the drop window, from the plateau's start to the end of
   *     the first fall: did the metric start to change before the drop?) or {@code run} (the fit
   *     over every checkpoint: the metric's largest bend, the rule of the first reproduction)
   */
  public record Config(
      @Doc("family-wise significance level α of the tests of claims (3) and (4), in (0, 1)")
          double significance,
      @Doc(
              "a GR onset counts when its two-segment fit leaves at most this fraction of the"
                  + " one-line residual, in (0, 1]")
          double maxSseRatio,
      @Doc(
              "the GR metric (a geometry.csv column) whose onset claim (2) judges; the others are"
                  + " reported")
          String grMetric,
      @Doc(
              "which GR onset claim (2) judges: drop (fit from the plateau's start to the end of"
                  + " the first fall) or run (fit over all checkpoints); both are reported")
          String grWindow) {
    /** {@code gr-window} values. */
    static final java.util.Set<String> WINDOWS = java.util.Set.of("drop", "run");

    public Config {
      if (!(significance > 0 && significance < 1)) {
        throw new IllegalArgumentException(
            "significance must be in (0, 1) (was " + significance + ")");
      }
      Check.positive("max-sse-ratio", maxSseRatio);
      Check.inRange("max-sse-ratio", maxSseRatio, 0, 1);
      if (grMetric == null || grMetric.isBlank()) {
        throw new IllegalArgumentException(
            "gr-metric must name a column of geometry.csv, e.g. separation");
      }
      if (!WINDOWS.contains(grWindow)) {
        throw new IllegalArgumentException("gr-window must be drop or run (was " + grWindow + ")");
      }
    }

    /** Whether claim (2) judges the onset over the drop window. */
    boolean dropWindow() {
      return "drop".equals(grWindow);
    }
  }

  private static final Config DEFAULTS = new Config(0.05, 0.5, "separation", "drop");

  public MemoryGeometryStudy() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        "memory-geometry",
        "Geometry of memory (Haputhanthri, Storan, Jiang et al. 2025)",
        "Checks the paper's claims on runs with and without temporal consistency regularization"
            + " (TCR) at one or more gains: (1) a loss plateau then an abrupt drop; (2) geometric"
            + " restructuring precedes the drop; (3) TCR shortens the time to the drop; (4) TCR"
            + " helps attractors form and high-gain networks learn; with fixed points around the"
            + " drop, whether ghost points precede it. Reads the tables of abrupt-learning,"
            + " geometry and fixed-points.");
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Config defaults() {
    return DEFAULTS;
  }

  @Override
  public String citation() {
    return "Haputhanthri, Storan, Jiang et al., *Understanding and controlling the geometry of"
        + " memory organization in RNNs*, arXiv 2502.07256 (2025); claims (1)–(4) of its"
        + " abstract as listed in the spec memory-geometry.md §1, tested on the settings of its"
        + " group's public code (§7).";
  }

  @Override
  public List<String> analyzers() {
    return GeometryTables.ALL.stream().map(TableRef::analyzer).distinct().toList();
  }

  @Override
  public String rules(Config config) {
    return GeometryRules.text(config);
  }

  @Override
  public Evaluation evaluate(Config config, List<StudyRun> runs) {
    List<GeometryRun> read = runs.stream().map(r -> GeometryRun.of(r, config)).toList();
    List<engram.api.study.Finding> findings =
        new java.util.ArrayList<>(new GeometryFindings(read, config).evaluate());
    findings.addAll(new PointFindings(read, config.significance()).evaluate());
    List<engram.api.study.Figure> figures =
        new java.util.ArrayList<>(GeometryFigures.figures(read));
    figures.addAll(PointFigures.figures(read));
    List<engram.api.study.Quantity> quantities =
        new java.util.ArrayList<>(GeometryFigures.quantities(read));
    quantities.addAll(PointFigures.quantities(read));
    return new Evaluation(findings, figures, quantities);
  }
}
