package engram.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Binds YAML trees to configuration records with {@link ConfigMapper}: the user's keys are merged
 * over the record's defaults (an unknown key is an error that lists the valid ones and suggests the
 * nearest), and Jackson's failures become one-line messages that name the dotted key, what was
 * expected and what was found, and the override that set it. Knows nothing of plugins: {@link
 * PluginSections} uses it for plugin sections, {@link ExperimentBinder} for core's.
 */
final class RecordBinder {
  static final String FIX_UNKNOWN_KEY = "Fix: correct the spelling or remove the key.";

  // The first word of a record check's message is the key ("hidden-size must be ≥ 1 (was 0)").
  private static final Pattern KEY_TOKEN = Pattern.compile("[A-Za-z0-9_.\\[\\]-]+");

  private final ObjectMapper mapper;
  private final Overrides overrides;

  /**
   * @param mapper a mapper from {@link ConfigMapper#create()}
   * @param overrides the load's overrides, named in messages about the keys they set
   */
  RecordBinder(ObjectMapper mapper, Overrides overrides) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.overrides = Objects.requireNonNull(overrides, "overrides");
  }

  /** " (from override 'k=v')" or "": see {@link Overrides#origin}. */
  String origin(String path) {
    return overrides.origin(path);
  }

  /** A record (or any value) as a tree, every component a key. */
  ObjectNode tree(Object value) {
    return mapper.valueToTree(value);
  }

  /**
   * A core section ({@code training}, ...): the defaults with the user's section merged on top,
   * bound to {@code type}.
   *
   * @param root the experiment tree
   * @param key the section's key in {@code root}; absent or null means the defaults
   */
  <R extends Record> R section(ObjectNode root, String key, R defaults, Class<R> type)
      throws ConfigException {
    JsonNode user = root.get(key);
    ObjectNode tree = tree(defaults);
    if (!isAbsent(user)) {
      if (!user.isObject()) {
        throw new ConfigException(
            "Invalid value for "
                + key
                + ": expected a section, got "
                + ConfigMessages.describe(user)
                + ". Fix: write it as '"
                + key
                + ": {"
                + ConfigMessages.fieldNames(tree).get(0)
                + ": ...}'.");
      }
      tree = merge(tree, (ObjectNode) user, key, null);
    }
    return bind(tree, type, key);
  }

  /**
   * The defaults with the user's values on top; every user key must exist in the defaults (nested
   * sections are merged key by key, lists and values replace the default).
   *
   * @param path the dotted key of {@code user}, for messages
   * @param owner "model 'leaky-rnn'" when the keys belong to a plugin, else null
   * @throws ConfigException for the first unknown key
   */
  ObjectNode merge(ObjectNode defaults, ObjectNode user, String path, String owner)
      throws ConfigException {
    ObjectNode result = defaults.deepCopy();
    Iterator<Map.Entry<String, JsonNode>> fields = user.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = field.getKey();
      String keyPath = path + "." + key;
      JsonNode defaultValue = defaults.get(key);
      if (defaultValue == null) {
        throw unknownKey(keyPath, owner, ConfigMessages.fieldNames(defaults));
      }
      JsonNode value = field.getValue();
      if (defaultValue instanceof ObjectNode defaultSection
          && value instanceof ObjectNode section) {
        result.set(key, merge(defaultSection, section, keyPath, owner));
      } else {
        result.set(key, value);
      }
    }
    return result;
  }

  /**
   * The message for an unknown key: the valid keys, the nearest one when it is a likely typo, and
   * the override that set it.
   *
   * @param path the unknown key, dotted
   * @param owner "model 'leaky-rnn'" when the keys belong to a plugin, else null
   */
  ConfigException unknownKey(String path, String owner, Collection<String> valid) {
    String key = path.substring(path.lastIndexOf('.') + 1);
    String suggestion = ConfigMessages.nearest(key, valid);
    return new ConfigException(
        "Unknown key '"
            + path
            + "'"
            + (owner == null ? "" : " for " + owner)
            + origin(path)
            + ". Valid keys: "
            + (valid.isEmpty() ? "none" : String.join(", ", valid))
            + "."
            + (suggestion == null ? "" : " Did you mean '" + suggestion + "'?")
            + " "
            + FIX_UNKNOWN_KEY);
  }

  /**
   * Binds {@code tree} to {@code type} (a record's checks run in its constructor).
   *
   * @param path the dotted key of {@code tree}, for messages
   * @throws ConfigException naming the key below {@code path} that failed
   */
  <T> T bind(JsonNode tree, Class<T> type, String path) throws ConfigException {
    try {
      return mapper.readerFor(type).readValue(tree);
    } catch (ValueInstantiationException e) {
      String at = join(path, e);
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String message =
          cause.getMessage() == null
              ? cause.toString()
              : ConfigMessages.firstLine(cause.getMessage());
      String token = message.split(" ", 2)[0];
      if (cause instanceof IllegalArgumentException
          && KEY_TOKEN.matcher(token).matches()
          && message.contains(" ")) {
        String key = at + "." + token;
        throw new ConfigException(
            "Invalid value: " + at + "." + message + origin(key) + ". Fix: change " + key + ".", e);
      }
      throw new ConfigException(
          "Invalid value in "
              + at
              + ": "
              + message
              + origin(at)
              + ". Fix: change the values in "
              + at
              + ".",
          e);
    } catch (UnrecognizedPropertyException e) {
      String at = join(path, e);
      List<String> valid = new ArrayList<>();
      if (e.getKnownPropertyIds() != null) {
        e.getKnownPropertyIds().forEach(k -> valid.add(String.valueOf(k)));
      }
      throw unknownKey(at + "." + e.getPropertyName(), null, valid);
    } catch (MismatchedInputException e) {
      String at = join(path, e);
      String expected = ConfigMessages.expected(e.getTargetType());
      if (expected == null) {
        throw new ConfigException(
            "Invalid value for "
                + at
                + origin(at)
                + ": "
                + ConfigMessages.firstLine(e.getOriginalMessage())
                + ".",
            e);
      }
      JsonNode actual = locate(tree, e);
      throw new ConfigException(
          "Invalid value for "
              + at
              + origin(at)
              + ": expected "
              + expected
              + ", got "
              + ConfigMessages.describe(actual)
              + ".",
          e);
    } catch (InvalidDefinitionException e) {
      throw new ConfigException(
          "Cannot bind "
              + path
              + " to "
              + type.getName()
              + " (a bug in the plugin, not in the"
              + " experiment): "
              + ConfigMessages.firstLine(e.getOriginalMessage())
              + ".",
          e);
    } catch (IOException e) {
      String at = e instanceof JsonMappingException m ? join(path, m) : path;
      String message =
          e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
      throw new ConfigException(
          "Invalid value for " + at + ": " + ConfigMessages.firstLine(message) + ".", e);
    }
  }

  static boolean isAbsent(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode();
  }

  private static String join(String path, JsonMappingException e) {
    StringBuilder at = new StringBuilder(path);
    for (JsonMappingException.Reference ref : e.getPath()) {
      at.append('.');
      at.append(ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()));
    }
    return at.toString();
  }

  private static JsonNode locate(JsonNode tree, JsonMappingException e) {
    JsonNode node = tree;
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (node == null) {
        return null;
      }
      node = ref.getFieldName() != null ? node.get(ref.getFieldName()) : node.get(ref.getIndex());
    }
    return node;
  }
}
