package engram.studies.timescales;

import engram.api.PluginInfo;
import engram.api.study.Evaluation;
import engram.api.study.Study;
import engram.api.study.StudyRun;
import engram.studies.common.TableRef;
import java.util.List;

/**
 * Khajehabdollahi, Zeraati et al., <i>Emergent mechanisms for long timescales depend on training
 * curriculum and affect performance in memory tasks</i> (ICLR 2024): its qualitative findings
 * (a)–(k) checked against runs of N-parity under the single-head, multi-head and no curriculum.
 *
 * <ul>
 *   <li>(a) multi-head networks reach a larger N_max in the same budget; (e) they train faster;
 *   <li>(b) single-head networks grow their trained τ̃ with N; (c) multi-head networks keep it near
 *       1; (d) multi-head networks grow τ_net (network timescales) instead;
 *   <li>(f) multi-head networks are more robust to ablating their slowest neurons and (g) to
 *       perturbing W^R and τ; (h) single-head networks forget earlier N; (i) multi-head networks
 *       transfer better to larger N;
 *   <li>(j) without a curriculum, networks fail beyond N ≈ 10; (k) GRUs and LSTMs also profit from
 *       the multi-head curriculum.
 * </ul>
 *
 * <p>The runs compared are recognised by the ids of Engram's built-in plugins: curricula {@code
 * single-head}, {@code multi-head}, {@code none}; models {@code leaky-rnn}, {@code gru}, {@code
 * lstm}. The rules behind each verdict are in {@link TimescalesFindings} and in the report.
 */
public final class TimescalesCurriculumStudy implements Study<TimescalesCurriculumStudy.Config> {

  /** No options: the study's thresholds are part of its written rules. */
  public record Config() {}

  private static final Config DEFAULTS = new Config();

  public TimescalesCurriculumStudy() {}

  @Override
  public PluginInfo info() {
    return new PluginInfo(
        "timescales-curriculum",
        "Curriculum and timescales (Khajehabdollahi, Zeraati et al., ICLR 2024)",
        "Checks the paper's findings (a)-(k) on single-head vs multi-head curricula: N reached,"
            + " training speed, trained τ and network timescales against N, robustness to"
            + " ablation and perturbation, forgetting, transfer, no curriculum, GRU/LSTM. Reads"
            + " the tables of tau-stats, connectivity, network-timescales, dimensionality,"
            + " ablation, perturbation, forgetting and transfer.");
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
    return "Khajehabdollahi, Zeraati et al., *Emergent mechanisms for long timescales depend on"
        + " training curriculum and affect performance in memory tasks*, ICLR 2024; findings"
        + " (a)–(k) as listed in section 6 of the spec.";
  }

  @Override
  public List<String> analyzers() {
    return Tables.ALL.stream().map(TableRef::analyzer).distinct().toList();
  }

  @Override
  public String rules(Config config) {
    return TimescalesFindings.rules();
  }

  @Override
  public Evaluation evaluate(Config config, List<StudyRun> runs) {
    return new Evaluation(
        TimescalesFindings.evaluate(runs),
        TimescalesFigures.figures(runs),
        TimescalesFigures.quantities(runs));
  }
}
