package engram.api.study;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import org.apiguardian.api.API;

/**
 * What a study made of the runs of a comparison.
 *
 * @param findings the findings in the order of the study's table
 * @param figures the figures that show them, in report order (core adds its own figure of the
 *     metrics first)
 * @param quantities per-run numbers for {@code comparison.csv}, after core's own ({@code n_max},
 *     {@code epochs}, {@code epochs_per_solved_level})
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record Evaluation(List<Finding> findings, List<Figure> figures, List<Quantity> quantities) {

  /**
   * Copies the lists into unmodifiable ones.
   *
   * @param findings the findings; never null
   * @param figures the figures; never null
   * @param quantities the quantities; never null
   */
  public Evaluation {
    findings = List.copyOf(findings);
    figures = List.copyOf(figures);
    quantities = List.copyOf(quantities);
  }

  /**
   * Findings only, without figures or quantities.
   *
   * @param findings the findings
   * @return the evaluation
   */
  public static Evaluation of(List<Finding> findings) {
    return new Evaluation(findings, List.of(), List.of());
  }
}
