package engram.api.study;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One number per run, which core summarises per group (n, mean, std, min, max) in {@code
 * comparison.csv}.
 *
 * @param name the quantity's name, a CSV field such as {@code tau_mean_slope}
 * @param unit its unit ({@code time steps per level}, {@code no unit}, ...)
 * @param values run id ({@link StudyRun#id()}) → value; NaN or a missing run means no value,
 *     unmodifiable
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record Quantity(String name, String unit, Map<String, Double> values) {

  /**
   * Copies the values and checks that nothing is null.
   *
   * @param name the name
   * @param unit the unit
   * @param values run id → value
   * @throws NullPointerException when any is null
   */
  public Quantity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(unit, "unit");
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }
}
