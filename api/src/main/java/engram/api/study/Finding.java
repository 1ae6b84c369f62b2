package engram.api.study;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One finding of a study checked against the runs of a comparison: one row of the findings table.
 *
 * @param id a short label, unique within the study ({@code a}, {@code b}, {@code g1}, ...)
 * @param claim what the study predicts, in one sentence
 * @param measured what these runs measured: numbers as mean ± std over runs with n, the checkpoints
 *     read, or why nothing could be measured
 * @param verdict the outcome under the study's rules
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record Finding(String id, String claim, String measured, Verdict verdict) {

  /**
   * Checks that nothing is null.
   *
   * @param id a short label
   * @param claim the prediction
   * @param measured what was measured
   * @param verdict the outcome
   * @throws NullPointerException when any is null
   */
  public Finding {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(claim, "claim");
    Objects.requireNonNull(measured, "measured");
    Objects.requireNonNull(verdict, "verdict");
  }

  /** The outcome of checking a finding. */
  public enum Verdict {
    /** The runs show the predicted effect, beyond their spread. */
    REPRODUCED("reproduced"),
    /** The runs show the opposite effect, or none, beyond their spread. */
    NOT_REPRODUCED("not reproduced"),
    /** The spreads overlap, or there are too few runs to tell. */
    INCONCLUSIVE("inconclusive"),
    /** The runs or analyzer tables the finding needs are missing. */
    NOT_MEASURED("not measured");

    private final String label;

    Verdict(String label) {
      this.label = label;
    }

    /**
     * How the verdict is written in reports.
     *
     * @return lower case words, e.g. {@code not reproduced}
     */
    public String label() {
      return label;
    }
  }
}
