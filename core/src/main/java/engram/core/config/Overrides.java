package engram.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Command-line overrides of an experiment: {@code key=value} with a dotted key ({@code
 * training.optimizer.lr=0.01}, {@code regularizers.0.lambda=0.2}), applied in order to the parsed
 * tree, after the file and before binding. The value is read as a YAML scalar or flow collection
 * ({@code 3}, {@code true}, {@code [a, b]}); anything else is text.
 *
 * <p>The overrides also answer, for a key named in a later message, which override set it: {@link
 * #origin} gives " (from override 'k=v')", so a bad value typed on the command line is not looked
 * for in the file. Immutable; one instance serves one load.
 */
public final class Overrides {
  private static final Pattern INDEX = Pattern.compile("0|[1-9][0-9]{0,8}");
  private static final String FIX =
      " Fix: write it as key=value with a dotted key, e.g. training.optimizer.lr=0.01.";

  private final List<String> texts;
  private final List<String[]> keyed = new ArrayList<>(); // {dotted key, "key=value"}

  /**
   * @param overrides as typed, in order; entries may be malformed (even null), which {@link
   *     #applyTo} reports. Never null.
   */
  public Overrides(List<String> overrides) {
    Objects.requireNonNull(overrides, "overrides");
    this.texts = Collections.unmodifiableList(new ArrayList<>(overrides)); // may hold null
    for (String override : texts) {
      int eq = override == null ? -1 : override.indexOf('=');
      if (eq > 0) {
        keyed.add(new String[] {override.substring(0, eq).trim(), override});
      }
    }
  }

  /** No overrides: nothing to apply, no key has an origin. */
  public static Overrides none() {
    return new Overrides(List.of());
  }

  /**
   * " (from override 'k=v')" when the latest override that set {@code path} or a key below it is
   * {@code k=v}; "" when no override did.
   */
  public String origin(String path) {
    for (int i = keyed.size() - 1; i >= 0; i--) {
      String key = keyed.get(i)[0];
      if (key.equals(path) || key.startsWith(path + ".")) {
        return " (from override '" + keyed.get(i)[1] + "')";
      }
    }
    return "";
  }

  /**
   * Applies every override to {@code root}, in order: sets the value, creating sections and list
   * entries on the way ({@code regularizers.0.id=x} on a file without regularizers creates the
   * list; index {@code size} appends an entry). Keys are not checked here: binding does that, and
   * names the override when the key is unknown.
   *
   * @param root the parsed experiment; changed in place
   * @param mapper reads the values; a mapper from {@link ConfigMapper#create()}
   * @throws ConfigException for an override without {@code key=}, with an empty key part, with an
   *     index out of range, or that descends into a single value or a list by name
   */
  public void applyTo(ObjectNode root, ObjectMapper mapper) throws ConfigException {
    for (String override : texts) {
      apply(root, override, mapper);
    }
  }

  private static void apply(ObjectNode root, String override, ObjectMapper mapper)
      throws ConfigException {
    if (override == null) {
      throw new ConfigException("Invalid override: null." + FIX);
    }
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("Invalid override '" + override + "': no key=value." + FIX);
    }
    String key = override.substring(0, eq).trim();
    String[] parts = key.split("\\.", -1);
    for (String part : parts) {
      if (part.isBlank()) {
        throw new ConfigException("Invalid override '" + override + "': empty key part." + FIX);
      }
    }
    JsonNode value = parseValue(override.substring(eq + 1), mapper);
    JsonNode node = root;
    StringBuilder path = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      String parent = path.toString();
      if (path.length() > 0) {
        path.append('.');
      }
      path.append(part);
      boolean last = i == parts.length - 1;
      if (node instanceof ObjectNode object) {
        if (last) {
          object.set(part, value);
        } else {
          JsonNode next = object.get(part);
          if (next == null || next.isNull()) {
            next =
                INDEX.matcher(parts[i + 1]).matches()
                    ? object.putArray(part)
                    : object.putObject(part);
          }
          node = next;
        }
      } else if (node instanceof ArrayNode array) {
        if (!INDEX.matcher(part).matches()) {
          throw new ConfigException(
              "Unknown key '"
                  + path
                  + "' in override '"
                  + override
                  + "': "
                  + parent
                  + " is a list, so the next part must be an index such as "
                  + parent
                  + ".0."
                  + " Fix: use an index from 0 to "
                  + (array.size() - 1)
                  + ".");
        }
        int index = Integer.parseInt(part);
        if (index > array.size()) {
          throw new ConfigException(
              "Unknown key '"
                  + path
                  + "' in override '"
                  + override
                  + "': "
                  + parent
                  + " has "
                  + array.size()
                  + (array.size() == 1 ? " entry" : " entries")
                  + ". Fix: use an"
                  + " index from 0 to "
                  + array.size()
                  + " ("
                  + array.size()
                  + " adds an entry).");
        }
        if (last) {
          if (index == array.size()) {
            array.add(value);
          } else {
            array.set(index, value);
          }
        } else if (index == array.size()) {
          node = INDEX.matcher(parts[i + 1]).matches() ? array.addArray() : array.addObject();
        } else {
          node = array.get(index);
        }
      } else {
        throw new ConfigException(
            "Unknown key '"
                + path
                + "' in override '"
                + override
                + "': "
                + parent
                + " is a"
                + " single value ("
                + ConfigMessages.describe(node)
                + "), not a section. Fix: set "
                + parent
                + "=<value> instead.");
      }
    }
  }

  private static JsonNode parseValue(String raw, ObjectMapper mapper) {
    if (raw.isBlank()) {
      return TextNode.valueOf(raw);
    }
    try {
      JsonNode parsed = mapper.readTree(raw);
      if (parsed == null || parsed.isMissingNode()) {
        return TextNode.valueOf(raw);
      }
      String trimmed = raw.trim();
      if (parsed.isObject() && !trimmed.startsWith("{")
          || parsed.isArray() && !trimmed.startsWith("[")) {
        return TextNode.valueOf(raw); // "a: b" or "- x" are meant as text
      }
      return parsed;
    } catch (JsonProcessingException e) {
      return TextNode.valueOf(raw);
    }
  }
}
