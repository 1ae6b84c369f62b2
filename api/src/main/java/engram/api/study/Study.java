package engram.api.study;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import engram.api.Plugin;
import java.util.List;
import org.apiguardian.api.API;

/**
 * A study: the findings of a paper (or any set of predictions) checked against finished runs, with
 * written-out rules. {@code ./engram compare --study ID RUN-DIR...} and a reproduction plan's
 * {@code study: ID} name it.
 *
 * <p>Core reads each run's configuration, {@code metrics.csv} and, for every analyzer of {@link
 * #analyzers()}, the tables that analyzer declares ({@link engram.api.Analyzer#tables()}), then
 * calls {@link #evaluate} once with all runs. It writes the report: the study's {@linkplain
 * engram.api.PluginInfo#title() title} and {@link #citation()}, one row per {@link Finding}, the
 * {@link #rules} and the figures. A study reads tables only through {@link StudyRun}: it never
 * touches files, and the ids of the plugins it compares (curricula, models) are its own business,
 * not core's.
 *
 * <p>Evaluation never throws for missing data: a finding whose runs or tables are missing is {@link
 * Finding.Verdict#NOT_MEASURED}, with {@link Finding#measured()} saying what is missing. It is
 * deterministic and needs no randomness.
 *
 * @param <C> configuration record
 */
@API(status = EXPERIMENTAL, since = "0.2")
public interface Study<C extends Record> extends Plugin<C> {

  /**
   * What the study reproduces, for the report.
   *
   * @return the reference in Markdown (authors, title, venue, year; which section or list of
   *     findings), one paragraph; never null
   */
  String citation();

  /**
   * The analyzers whose tables the findings read; runs should have been analysed with them.
   *
   * @return analyzer ids, e.g. {@code tau-stats}; may be empty
   */
  List<String> analyzers();

  /**
   * How verdicts are decided, for the report: which runs each finding compares, what spread means,
   * when a prediction counts as reproduced.
   *
   * @param config the study's configuration
   * @return a Markdown list, one rule per item, ending with a line break
   */
  String rules(C config);

  /**
   * Checks the findings against the runs and computes the figures and quantities that show them.
   *
   * @param config the study's configuration
   * @param runs every run of the comparison, in the order given; ids distinct
   * @return the findings (one per row of the study's table, whatever data there is), figures and
   *     quantities
   */
  Evaluation evaluate(C config, List<StudyRun> runs);
}
