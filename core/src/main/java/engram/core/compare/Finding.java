package engram.core.compare;

/**
 * One qualitative finding of the paper (spec §6) checked against a comparison.
 *
 * @param id short label, {@code a} … {@code k} (the finding's letter in the spec's order)
 * @param finding what the paper found, in one sentence
 * @param measured what this comparison measured: numbers as mean ± std over runs with n, or why
 *     nothing could be measured
 * @param verdict the outcome under the rules of {@link Findings}
 */
public record Finding(String id, String finding, String measured, Verdict verdict) {

  /** The outcome of checking a finding. */
  public enum Verdict {
    /** The groups differ in the predicted direction by more than their spread. */
    REPRODUCED("reproduced"),
    /** The groups differ against the prediction by more than their spread (or show no effect). */
    NOT_REPRODUCED("not reproduced"),
    /** Spreads overlap, or too few runs to tell. */
    INCONCLUSIVE("inconclusive"),
    /** The runs or analyzer tables needed are missing. */
    NOT_MEASURED("not measured");

    private final String label;

    Verdict(String label) {
      this.label = label;
    }

    /** How the verdict is written in the table. */
    public String label() {
      return label;
    }
  }
}
