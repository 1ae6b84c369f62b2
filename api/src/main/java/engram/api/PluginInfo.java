package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * A plugin's identity as shown to users.
 *
 * @param id stable, lower-case kebab-case id used in experiment files (e.g. {@code n-parity});
 *     renaming a class never changes it
 * @param title one line for listings
 * @param description a few sentences: the protocol or equations, and the source paper if any
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record PluginInfo(String id, String title, String description) {
  private static final Pattern ID = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

  /**
   * Checks the id and turns a null title or description into an empty string.
   *
   * @param id the plugin id
   * @param title one line, or null for none
   * @param description a few sentences, or null for none
   * @throws IllegalArgumentException when {@code id} is null or not lower-case kebab-case ({@code
   *     [a-z][a-z0-9]*(-[a-z0-9]+)*})
   */
  public PluginInfo {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "plugin id must be lower-case kebab-case like 'n-parity', was '" + id + "'");
    }
    title = title == null ? "" : title;
    description = description == null ? "" : description;
  }
}
