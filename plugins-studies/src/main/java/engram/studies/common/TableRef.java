package engram.studies.common;

import engram.api.study.StudyRun;
import engram.api.table.Table;
import java.util.Optional;

/**
 * An analyzer table a study reads: the analyzer's id and the file it declares.
 *
 * @param analyzer the analyzer id, e.g. {@code tau-stats}
 * @param file the declared file, e.g. {@code tau-stats.csv}
 */
public record TableRef(String analyzer, String file) {

  /** The table of one run, when it has it. */
  public Optional<Table> of(StudyRun run) {
    return run.table(analyzer, file);
  }

  /** {@code analysis/<analyzer>/<file>}, for messages. */
  public String relativePath() {
    return "analysis/" + analyzer + "/" + file;
  }
}
