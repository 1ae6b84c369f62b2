package engram.api;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * A version of the plugin API ({@code engram-api}) as written in a jar manifest's {@value
 * #MANIFEST_ATTRIBUTE} attribute, e.g. {@code 0.2}. The api jar carries the attribute, and so must
 * every plugin jar (see {@link Plugin}): core reads it to refuse a jar built against another api,
 * the testkit to check a built plugin jar.
 *
 * <p>Compatibility follows 0.x semantics: two versions are compatible when major and minor are
 * equal; anything after them (a patch number, a qualifier) is ignored. Every incompatible change of
 * the api raises the minor, so a plugin built against 0.1 is refused by an Engram with api 0.2 —
 * with a message — instead of failing later with a {@link LinkageError} in the middle of a run.
 *
 * @param major the first number
 * @param minor the second number
 * @param text the version as written
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record ApiVersion(int major, int minor, String text) {
  /** The manifest attribute of the api jar and of every plugin jar. */
  public static final String MANIFEST_ATTRIBUTE = "Engram-Api-Version";

  private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})([.-].*)?");
  private static final ApiVersion CURRENT = readCurrent();

  /**
   * Parses {@code 0.1}, {@code 0.1.2} or {@code 0.1-SNAPSHOT}.
   *
   * @param text the version as written in a manifest
   * @return the version; {@link #text()} is {@code text} without surrounding blanks
   * @throws IllegalArgumentException when the text does not start with major.minor
   */
  public static ApiVersion parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a version such as 0.1");
    }
    return new ApiVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), text.trim());
  }

  /**
   * The version of the api on the class path. It comes from a resource of the api filled in by
   * Maven from the same property as the api jar's manifest, and not from that manifest itself,
   * because in a reactor build the api is a classes directory without a manifest.
   *
   * @return the version of this api
   */
  public static ApiVersion current() {
    return CURRENT;
  }

  /**
   * Whether a plugin built against {@code this} version can run with {@code other}.
   *
   * @param other another version
   * @return true when major and minor are equal
   */
  public boolean compatibleWith(ApiVersion other) {
    return major == other.major && minor == other.minor;
  }

  /**
   * The version as written.
   *
   * @return {@link #text()}
   */
  @Override
  public String toString() {
    return text;
  }

  private static ApiVersion readCurrent() {
    Properties properties = new Properties();
    try (InputStream in = ApiVersion.class.getResourceAsStream("api-version.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "engram/api/api-version.properties is missing from"
                + " engram-api; rebuild it with Maven");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return parse(properties.getProperty("version"));
  }
}
