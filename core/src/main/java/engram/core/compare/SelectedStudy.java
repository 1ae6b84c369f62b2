package engram.core.compare;

import engram.api.Analyzer;
import engram.api.Plugin;
import engram.api.study.Evaluation;
import engram.api.study.Study;
import engram.api.study.StudyRun;
import engram.api.table.TableSpec;
import engram.core.plugin.PluginCatalog;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A study chosen by id ({@code --study}, a plan's {@code study:}), with the declared tables of the
 * analyzers it reads, looked up among the installed analyzers. Core knows the study only through
 * the {@link Study} SPI: its id, title, citation, rules and what it makes of the runs.
 */
public final class SelectedStudy {
  private final Study<?> study;
  private final Map<String, List<TableSpec>> tables;
  private final List<String> notes;

  private SelectedStudy(Study<?> study, Map<String, List<TableSpec>> tables, List<String> notes) {
    this.study = study;
    this.tables = tables;
    this.notes = List.copyOf(notes);
  }

  /**
   * Finds a study and the tables of its analyzers.
   *
   * @param catalog the discovered plugins
   * @param id the study id
   * @param fix what the user should do about an unknown id (ends the message)
   * @throws ComparisonException for an unknown id, naming the studies there are (and the discovery
   *     problems that may have cost this one)
   */
  public static SelectedStudy resolve(PluginCatalog catalog, String id, String fix)
      throws ComparisonException {
    Plugin<?> found = catalog.find(PluginKind.STUDY, id).orElse(null);
    if (!(found instanceof Study<?> study)) {
      List<String> ids = catalog.ids(PluginKind.STUDY);
      List<PluginProblem> problems = catalog.problemsAbout(PluginKind.STUDY, id);
      throw new ComparisonException(
          "Unknown study id '"
              + id
              + "'"
              + (problems.isEmpty()
                  ? ""
                  : " (it may be in a plugin jar that was skipped: "
                      + String.join(
                          " Also: ", problems.stream().map(PluginProblem::message).toList())
                      + ")")
              + ". Available studies: "
              + (ids.isEmpty() ? "none installed" : String.join(", ", ids))
              + ". Fix: "
              + fix);
    }
    Map<String, List<TableSpec>> tables = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    for (String analyzer : study.analyzers()) {
      Plugin<?> plugin = catalog.find(PluginKind.ANALYZER, analyzer).orElse(null);
      if (plugin instanceof Analyzer<?> a) {
        tables.put(analyzer, List.copyOf(a.tables()));
      } else {
        notes.add(
            "the study "
                + id
                + " reads the tables of analyzer '"
                + analyzer
                + "', which is not installed (./engram plugins lists the analyzers): findings that"
                + " need them are not measured");
      }
    }
    return new SelectedStudy(study, tables, notes);
  }

  /** The study's id. */
  public String id() {
    return study.info().id();
  }

  /** One line: the study's title. */
  public String title() {
    return study.info().title();
  }

  /** The reference, Markdown. */
  public String citation() {
    return study.citation();
  }

  /** The rules behind the verdicts, a Markdown list. */
  public String rules() {
    return rules(study);
  }

  /** Analyzer id → its declared tables, for the installed analyzers the study reads. */
  public Map<String, List<TableSpec>> tables() {
    return tables;
  }

  /** Why some of the study's tables cannot be read (analyzers not installed). */
  public List<String> notes() {
    return notes;
  }

  /**
   * The study's findings, figures and quantities for these runs.
   *
   * @throws ComparisonException when the study fails (a bug of the study): one line naming it
   */
  public Evaluation evaluate(List<StudyRun> runs) throws ComparisonException {
    try {
      return evaluate(study, runs);
    } catch (RuntimeException e) {
      throw new ComparisonException(
          "the study "
              + id()
              + " failed on these runs ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "). Fix: compare without"
              + " --study, and report the failure to the study's author with the run directories.");
    }
  }

  private static <C extends Record> Evaluation evaluate(Study<C> study, List<StudyRun> runs) {
    return study.evaluate(study.defaults(), runs);
  }

  private static <C extends Record> String rules(Study<C> study) {
    return study.rules(study.defaults());
  }
}
