package engram.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import engram.api.Curriculum;
import engram.api.Plugin;
import engram.api.Task;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginCatalog;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginProblem;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an experiment YAML file into a {@link ResolvedExperiment}: looks up every plugin id in the
 * catalog, merges the user's keys over each plugin's defaults (an unknown key is an error), applies
 * {@code key=value} overrides, binds and validates the configuration records and checks that the
 * curriculum's first stage suits the task. Every problem becomes a one-line {@link
 * ConfigException} that names the key and the fix.
 *
 * <p>Experiment file:
 *
 * <pre>
 * name: parity-multihead        # default: the file name without extension
 * description: free text        # optional
 * seed: 1                       # default 1
 * precision: float32            # float32 | float64
 * task:       {id: n-parity, ...}
 * model:      {id: leaky-rnn, hidden-size: 128, ...}
 * curriculum: {id: multi-head, ...}
 * regularizers: [{id: activity-l2, lambda: 0.1}]   # default []
 * analyzers: []                                     # default []
 * training:   {batch-size: 64, ..., optimizer: {type: sgd, lr: 0.05, ...}}
 * evaluation: {batches: 50, batch-size: 256}
 * output:     {runs-dir: runs}
 * </pre>
 */
public final class ExperimentLoader {
  static final String FIX_UNKNOWN_KEY = "Fix: correct the spelling or remove the key.";

  private static final List<String> TOP_LEVEL_KEYS =
      List.of(
          "name", "description", "seed", "precision", "task", "model", "curriculum",
          "regularizers", "analyzers", "training", "evaluation", "output");
  private static final Pattern KEY_TOKEN = Pattern.compile("[A-Za-z0-9_.\\[\\]-]+");
  private static final Pattern INDEX = Pattern.compile("0|[1-9][0-9]{0,8}");
  private static final Pattern MARK = Pattern.compile(" in '[^']*', line (\\d+), column (\\d+):");

  private final PluginCatalog catalog;
  private final YAMLMapper mapper = ConfigMapper.create();

  /**
   * @param catalog where plugin ids are looked up; never null
   */
  public ExperimentLoader(PluginCatalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  /**
   * Loads, binds and validates an experiment.
   *
   * @param yaml the experiment file; its name without extension is the default experiment name
   * @param overrides {@code key=value} with a dotted key ({@code training.optimizer.lr=0.01},
   *     {@code regularizers.0.lambda=0.2}); the value is parsed as YAML. Applied in order, after
   *     the file and before binding. Never null.
   * @throws ConfigException with one line naming the key and the fix
   */
  public ResolvedExperiment load(Path yaml, List<String> overrides) throws ConfigException {
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(overrides, "overrides");
    String text;
    try {
      byte[] bytes = Files.readAllBytes(yaml);
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          "Experiment file not found: " + yaml + ". Fix: check the path (relative paths start at "
              + Path.of("").toAbsolutePath() + ").");
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          "Cannot read experiment file " + yaml + ": permission denied. Fix: make it readable.");
    } catch (CharacterCodingException e) {
      throw new ConfigException(
          "Cannot read experiment file " + yaml + ": it is not UTF-8 text. Fix: save it as UTF-8.");
    } catch (IOException e) {
      String why = Files.isDirectory(yaml) ? "it is a directory" : String.valueOf(e.getMessage());
      throw new ConfigException(
          "Cannot read experiment file " + yaml + ": " + why + ". Fix: pass a readable YAML file.");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1); // byte order mark
    }
    Path fileName = yaml.getFileName();
    String name = fileName == null ? "experiment" : fileName.toString();
    int dot = name.lastIndexOf('.');
    if (dot > 0) {
      name = name.substring(0, dot);
    }
    return load(text, yaml.toString(), name, overrides);
  }

  /** Loads an experiment from YAML text; {@code source} names it in messages. */
  public ResolvedExperiment load(String text, String source, String defaultName,
      List<String> overrides)
      throws ConfigException {
    ObjectNode root = parse(text, source);
    Session session = new Session(overrides);
    for (String override : overrides) {
      session.apply(root, override);
    }
    return session.resolve(root, defaultName);
  }

  /**
   * The resolved configuration as YAML, every default filled in and plugin sections with their
   * {@code id} first; loading it again gives an equal {@link ResolvedExperiment}.
   */
  public String toYaml(ResolvedExperiment experiment) {
    ObjectNode root = mapper.createObjectNode();
    root.put("name", experiment.name());
    if (experiment.description() != null) {
      root.put("description", experiment.description());
    }
    root.put("seed", experiment.seed());
    root.set("precision", mapper.valueToTree(experiment.precision()));
    root.set("task", section(experiment.task()));
    root.set("model", section(experiment.model()));
    root.set("curriculum", section(experiment.curriculum()));
    ArrayNode regularizers = root.putArray("regularizers");
    experiment.regularizers().forEach(r -> regularizers.add(section(r)));
    ArrayNode analyzers = root.putArray("analyzers");
    experiment.analyzers().forEach(a -> analyzers.add(section(a)));
    root.set("training", mapper.valueToTree(experiment.training()));
    root.set("evaluation", mapper.valueToTree(experiment.evaluation()));
    root.set("output", mapper.valueToTree(experiment.output()));
    try {
      return mapper.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the resolved experiment as YAML", e);
    }
  }

  /**
   * A copy of {@code experiment} that trains one level on one head: curriculum {@code
   * single-head} with start and max level {@code level} (keeping the run's threshold when its
   * curriculum has one), at most {@code epochs} epochs, seed {@code seed}, no analyzers and no
   * checkpoints. The transfer analysis retrains checkpoints with it.
   *
   * @throws ConfigException when the copy is not valid (e.g. {@code level} below the task's minimum)
   */
  public ResolvedExperiment singleHeadCopy(ResolvedExperiment experiment, int level, int epochs,
      long seed) throws ConfigException {
    ObjectNode root = parse(toYaml(experiment), "the resolved experiment");
    ObjectNode curriculum = mapper.createObjectNode();
    curriculum.put("id", "single-head");
    curriculum.put("start-level", level);
    curriculum.put("max-level", level);
    JsonNode threshold = root.path("curriculum").get("threshold");
    if (threshold != null && threshold.isNumber()) {
      curriculum.set("threshold", threshold);
    }
    root.set("curriculum", curriculum);
    root.put("seed", seed);
    root.putArray("analyzers");
    ((ObjectNode) root.path("training")).put("max-epochs", epochs);
    ((ObjectNode) root.path("output")).put("checkpoint-every", 0);
    return new Session(List.of()).resolve(root, experiment.name());
  }

  private ObjectNode section(PluginChoice choice) {
    ObjectNode node = mapper.createObjectNode();
    node.put("id", choice.id());
    JsonNode config = mapper.valueToTree(choice.config());
    if (config instanceof ObjectNode object) {
      node.setAll(object);
    }
    return node;
  }

  private ObjectNode parse(String text, String source) throws ConfigException {
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (JsonProcessingException e) {
      // SnakeYAML's message ends with the problem and its mark (" in 'reader', line 5, column 1:");
      // read them from the text, so that core needs no compile-time dependency on SnakeYAML.
      String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
      String[] lines = message.split("\\R");
      String problem = null;
      String at = null;
      for (int i = lines.length - 1; i > 0 && problem == null; i--) {
        Matcher mark = MARK.matcher(lines[i]);
        if (mark.matches() && !lines[i - 1].isBlank() && !lines[i - 1].startsWith(" ")) {
          problem = lines[i - 1].trim();
          at = " at line " + mark.group(1) + ", column " + mark.group(2);
        }
      }
      if (problem == null) {
        problem = firstLine(message).replace("Duplicate field", "Duplicate key");
        JsonLocation where = e.getLocation();
        at = where == null || where.getLineNr() < 1
            ? ""
            : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
      }
      return fail(
          "YAML syntax error in " + source + at + ": " + problem + ". Fix: correct the YAML there.");
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return fail(
          "Experiment file " + source + " is empty. Fix: give at least task, model and curriculum,"
              + " e.g. 'task: {id: ...}'.");
    }
    if (!(root instanceof ObjectNode object)) {
      return fail(
          "Experiment file " + source + " must be a mapping of keys (name, task, model, ...), but it"
              + " is " + describe(root) + ". Fix: write one 'key: value' per line.");
    }
    return object;
  }

  private static <T> T fail(String message) throws ConfigException {
    throw new ConfigException(message);
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "unknown problem";
    }
    int newline = text.indexOf('\n');
    return (newline < 0 ? text : text.substring(0, newline)).trim();
  }

  /** "a section", "a list", "nothing" or the quoted scalar. */
  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return "nothing";
    }
    if (node.isObject()) {
      return "a section";
    }
    if (node.isArray()) {
      return "a list";
    }
    return "'" + node.asText() + "'";
  }

  private static String plural(PluginKind kind) {
    return kind == PluginKind.CURRICULUM ? "curricula" : kind.label() + "s";
  }

  private static String nearest(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(word, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    int limit = Math.max(2, word.length() / 3);
    return best != null && bestDistance <= limit ? best : null;
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** Expected type in words, for "expected an integer". */
  private static String expected(Class<?> type) {
    if (type == null) {
      return null;
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class
        || type == short.class || type == Short.class || type == byte.class || type == Byte.class
        || type == BigInteger.class) {
      return "an integer";
    }
    if (type == double.class || type == Double.class || type == float.class || type == Float.class
        || type == BigDecimal.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class || type == CharSequence.class || type == char.class
        || type == Character.class) {
      return "text";
    }
    if (type.isEnum()) {
      return "one of " + String.join(", ", ConfigMapper.kebabNames(type));
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "a section";
  }

  /** The state of one load: the overrides, for pointing a message at the one that caused it. */
  private final class Session {
    private final List<String[]> overrides = new ArrayList<>(); // {dotted key, "key=value"}

    Session(List<String> overrides) {
      for (String override : overrides) {
        int eq = override == null ? -1 : override.indexOf('=');
        if (eq > 0) {
          this.overrides.add(new String[] {override.substring(0, eq).trim(), override});
        }
      }
    }

    /** " (from override 'k=v')" when an override set {@code path} or a key below it. */
    private String origin(String path) {
      for (int i = overrides.size() - 1; i >= 0; i--) {
        String key = overrides.get(i)[0];
        if (key.equals(path) || key.startsWith(path + ".")) {
          return " (from override '" + overrides.get(i)[1] + "')";
        }
      }
      return "";
    }

    private ConfigException unknownKey(String path, String owner, Collection<String> valid) {
      String key = path.substring(path.lastIndexOf('.') + 1);
      String suggestion = nearest(key, valid);
      return new ConfigException(
          "Unknown key '" + path + "'" + (owner == null ? "" : " for " + owner) + origin(path)
              + ". Valid keys: " + (valid.isEmpty() ? "none" : String.join(", ", valid)) + "."
              + (suggestion == null ? "" : " Did you mean '" + suggestion + "'?") + " "
              + FIX_UNKNOWN_KEY);
    }

    // ---------------------------------------------------------------- overrides

    void apply(ObjectNode root, String override) throws ConfigException {
      String fix = " Fix: write it as key=value with a dotted key, e.g. training.optimizer.lr=0.01.";
      if (override == null) {
        throw new ConfigException("Invalid override: null." + fix);
      }
      int eq = override.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("Invalid override '" + override + "': no key=value." + fix);
      }
      String key = override.substring(0, eq).trim();
      String[] parts = key.split("\\.", -1);
      for (String part : parts) {
        if (part.isBlank()) {
          throw new ConfigException("Invalid override '" + override + "': empty key part." + fix);
        }
      }
      JsonNode value = parseValue(override.substring(eq + 1));
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
              next = INDEX.matcher(parts[i + 1]).matches() ? object.putArray(part) : object.putObject(part);
            }
            node = next;
          }
        } else if (node instanceof ArrayNode array) {
          if (!INDEX.matcher(part).matches()) {
            throw new ConfigException(
                "Unknown key '" + path + "' in override '" + override + "': " + parent
                    + " is a list, so the next part must be an index such as " + parent + ".0."
                    + " Fix: use an index from 0 to " + (array.size() - 1) + ".");
          }
          int index = Integer.parseInt(part);
          if (index > array.size()) {
            throw new ConfigException(
                "Unknown key '" + path + "' in override '" + override + "': " + parent + " has "
                    + array.size() + (array.size() == 1 ? " entry" : " entries") + ". Fix: use an"
                    + " index from 0 to " + array.size() + " (" + array.size() + " adds an entry).");
          }
          if (last) {
            if (index == array.size()) {
              array.add(value);
            } else {
              array.set(index, value);
            }
          } else {
            if (index == array.size()) {
              node = INDEX.matcher(parts[i + 1]).matches() ? array.addArray() : array.addObject();
            } else {
              node = array.get(index);
            }
          }
        } else {
          throw new ConfigException(
              "Unknown key '" + path + "' in override '" + override + "': " + parent + " is a"
                  + " single value (" + describe(node) + "), not a section. Fix: set " + parent
                  + "=<value> instead.");
        }
      }
    }

    private JsonNode parseValue(String raw) {
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

    // ---------------------------------------------------------------- binding

    ResolvedExperiment resolve(ObjectNode root, String defaultName) throws ConfigException {
      for (String key : fieldNames(root)) {
        if (!TOP_LEVEL_KEYS.contains(key)) {
          throw unknownKey(key, null, TOP_LEVEL_KEYS);
        }
      }
      JsonNode nameNode = root.get("name");
      String name =
          isAbsent(nameNode) ? defaultName : bind(nameNode, String.class, "name");
      if (name == null || name.isBlank()) {
        throw new ConfigException(
            "Invalid value: name must not be blank. Fix: set name to a short word such as"
                + " parity-multihead.");
      }
      JsonNode descriptionNode = root.get("description");
      String description =
          isAbsent(descriptionNode) ? null : bind(descriptionNode, String.class, "description");
      JsonNode seedNode = root.get("seed");
      long seed = isAbsent(seedNode) ? 1L : bind(seedNode, long.class, "seed");
      JsonNode precisionNode = root.get("precision");
      Precision precision =
          isAbsent(precisionNode) ? Precision.FLOAT32 : bind(precisionNode, Precision.class, "precision");

      PluginChoice task = required(root, PluginKind.TASK);
      PluginChoice model = required(root, PluginKind.MODEL);
      PluginChoice curriculum = required(root, PluginKind.CURRICULUM);
      List<PluginChoice> regularizers = list(root, PluginKind.REGULARIZER);
      List<PluginChoice> analyzers = list(root, PluginKind.ANALYZER);

      TrainingConfig training = core(root, "training", TrainingConfig.defaults(), TrainingConfig.class);
      EvaluationConfig evaluation =
          core(root, "evaluation", EvaluationConfig.defaults(), EvaluationConfig.class);
      OutputConfig output = core(root, "output", OutputConfig.defaults(), OutputConfig.class);

      checkCurriculumFitsTask(task, curriculum);
      return new ResolvedExperiment(
          name, description, seed, precision, task, model, curriculum, regularizers, analyzers,
          training, evaluation, output);
    }

    private boolean isAbsent(JsonNode node) {
      return node == null || node.isNull() || node.isMissingNode();
    }

    private <R extends Record> R core(ObjectNode root, String key, R defaults, Class<R> type)
        throws ConfigException {
      JsonNode user = root.get(key);
      ObjectNode tree = mapper.valueToTree(defaults);
      if (!isAbsent(user)) {
        if (!user.isObject()) {
          throw new ConfigException(
              "Invalid value for " + key + ": expected a section, got " + describe(user) + "."
                  + " Fix: write it as '" + key + ": {" + fieldNames(tree).get(0) + ": ...}'.");
        }
        tree = merge(tree, (ObjectNode) user, key, null);
      }
      return bind(tree, type, key);
    }

    private PluginChoice required(ObjectNode root, PluginKind kind) throws ConfigException {
      String key = kind.configKey();
      JsonNode section = root.get(key);
      if (isAbsent(section)) {
        List<String> ids = catalog.ids(kind);
        throw new ConfigException(
            "Missing section '" + key + "'. " + available(kind) + " Fix: add '" + key + ": {id: "
                + (ids.isEmpty() ? "<id>" : ids.get(0)) + "}' (./engram plugins lists all).");
      }
      return plugin(kind, section, key);
    }

    private List<PluginChoice> list(ObjectNode root, PluginKind kind) throws ConfigException {
      String key = kind.configKey();
      JsonNode node = root.get(key);
      if (isAbsent(node)) {
        return List.of();
      }
      if (!node.isArray()) {
        throw new ConfigException(
            "Invalid value for " + key + ": expected a list of sections such as [{id: ...}], got "
                + describe(node) + ". Fix: write '" + key + ": [{id: ...}]' or '" + key + ": []'.");
      }
      List<PluginChoice> choices = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < node.size(); i++) {
        PluginChoice choice = plugin(kind, node.get(i), key + "." + i);
        if (!seen.add(choice.id())) {
          throw new ConfigException(
              "Duplicate " + kind.label() + " '" + choice.id() + "' at " + key + "." + i + "."
                  + " Fix: list each " + kind.label() + " once.");
        }
        choices.add(choice);
      }
      return choices;
    }

    private String available(PluginKind kind) {
      List<String> ids = catalog.ids(kind);
      return "Available " + plural(kind) + ": "
          + (ids.isEmpty() ? "none installed" : String.join(", ", ids)) + ".";
    }

    private PluginChoice plugin(PluginKind kind, JsonNode section, String path)
        throws ConfigException {
      if (!(section instanceof ObjectNode object)) {
        throw new ConfigException(
            "Invalid value for " + path + ": expected a section with an id, got " + describe(section)
                + ". Fix: write it as '{id: <" + kind.label() + " id>, ...}'. " + available(kind));
      }
      JsonNode idNode = object.get("id");
      if (isAbsent(idNode) || idNode.isContainerNode() || idNode.asText().isBlank()) {
        throw new ConfigException(
            "Missing key '" + path + ".id'" + origin(path + ".id") + ". " + available(kind)
                + " Fix: set " + path + ".id to one of them (./engram plugins lists all).");
      }
      String id = idNode.asText();
      DiscoveredPlugin found =
          catalog.all(kind).stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
      if (found == null) {
        List<PluginProblem> problems = catalog.problemsAbout(kind, id);
        if (!problems.isEmpty()) {
          // Skipped at start-up (a broken jar, a duplicate id): say so rather than "unknown id",
          // before anything of the run is created.
          throw new ConfigException(
              kind.label() + " '" + id + "' at " + path + ".id" + origin(path + ".id")
                  + " is not available: "
                  + String.join(" Also: ", problems.stream().map(PluginProblem::message).toList())
                  + " " + available(kind));
        }
        String suggestion = nearest(id, catalog.ids(kind));
        throw new ConfigException(
            "Unknown " + kind.label() + " id '" + id + "'" + origin(path + ".id") + ". "
                + available(kind)
                + (suggestion == null ? "" : " Did you mean '" + suggestion + "'?")
                + " Fix: set " + path + ".id to one of them (./engram plugins lists all).");
      }
      Plugin<?> plugin = found.plugin();
      ObjectNode defaults = mapper.valueToTree(plugin.defaults());
      ObjectNode user = object.deepCopy();
      user.remove("id");
      ObjectNode merged = merge(defaults, user, path, kind.label() + " '" + id + "'");
      Record config = bind(merged, plugin.configType(), path);
      return new PluginChoice(found, config);
    }

    /**
     * The defaults with the user's values on top; every user key must exist in the defaults
     * (nested sections are merged key by key, lists and values replace the default).
     */
    private ObjectNode merge(ObjectNode defaults, ObjectNode user, String path, String owner)
        throws ConfigException {
      ObjectNode result = defaults.deepCopy();
      Iterator<Map.Entry<String, JsonNode>> fields = user.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String key = field.getKey();
        String keyPath = path + "." + key;
        JsonNode defaultValue = defaults.get(key);
        if (defaultValue == null) {
          throw unknownKey(keyPath, owner, fieldNames(defaults));
        }
        JsonNode value = field.getValue();
        if (defaultValue instanceof ObjectNode defaultSection && value instanceof ObjectNode section) {
          result.set(key, merge(defaultSection, section, keyPath, owner));
        } else {
          result.set(key, value);
        }
      }
      return result;
    }

    private <T> T bind(JsonNode tree, Class<T> type, String path) throws ConfigException {
      try {
        return mapper.readerFor(type).readValue(tree);
      } catch (ValueInstantiationException e) {
        String at = join(path, e);
        Throwable cause = e.getCause() == null ? e : e.getCause();
        String message = cause.getMessage() == null ? cause.toString() : firstLine(cause.getMessage());
        String token = message.split(" ", 2)[0];
        if (cause instanceof IllegalArgumentException && KEY_TOKEN.matcher(token).matches()
            && message.contains(" ")) {
          String key = at + "." + token;
          throw new ConfigException(
              "Invalid value: " + at + "." + message + origin(key) + ". Fix: change " + key + ".", e);
        }
        throw new ConfigException(
            "Invalid value in " + at + ": " + message + origin(at) + ". Fix: change the values in "
                + at + ".", e);
      } catch (UnrecognizedPropertyException e) {
        String at = join(path, e);
        List<String> valid = new ArrayList<>();
        if (e.getKnownPropertyIds() != null) {
          e.getKnownPropertyIds().forEach(k -> valid.add(String.valueOf(k)));
        }
        throw unknownKey(at + "." + e.getPropertyName(), null, valid);
      } catch (MismatchedInputException e) {
        String at = join(path, e);
        String expected = expected(e.getTargetType());
        if (expected == null) {
          throw new ConfigException(
              "Invalid value for " + at + origin(at) + ": " + firstLine(e.getOriginalMessage()) + ".",
              e);
        }
        JsonNode actual = locate(tree, e);
        throw new ConfigException(
            "Invalid value for " + at + origin(at) + ": expected " + expected + ", got "
                + describe(actual) + ".",
            e);
      } catch (InvalidDefinitionException e) {
        throw new ConfigException(
            "Cannot bind " + path + " to " + type.getName() + " (a bug in the plugin, not in the"
                + " experiment): " + firstLine(e.getOriginalMessage()) + ".",
            e);
      } catch (IOException e) {
        String at = e instanceof JsonMappingException m ? join(path, m) : path;
        String message =
            e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
        throw new ConfigException("Invalid value for " + at + ": " + firstLine(message) + ".", e);
      }
    }

    private String join(String path, JsonMappingException e) {
      StringBuilder at = new StringBuilder(path);
      for (JsonMappingException.Reference ref : e.getPath()) {
        at.append('.');
        at.append(ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()));
      }
      return at.toString();
    }

    private JsonNode locate(JsonNode tree, JsonMappingException e) {
      JsonNode node = tree;
      for (JsonMappingException.Reference ref : e.getPath()) {
        if (node == null) {
          return null;
        }
        node = ref.getFieldName() != null ? node.get(ref.getFieldName()) : node.get(ref.getIndex());
      }
      return node;
    }

    // ---------------------------------------------------------------- cross-checks

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void checkCurriculumFitsTask(PluginChoice task, PluginChoice curriculum)
        throws ConfigException {
      Stage start;
      int minLevel;
      try {
        start = ((Curriculum) curriculum.plugin().plugin()).start(curriculum.config());
      } catch (RuntimeException e) {
        throw new ConfigException(
            "Invalid value in curriculum: curriculum '" + curriculum.id() + "' cannot start: "
                + firstLine(e.getMessage()) + ". Fix: change the curriculum section.", e);
      }
      try {
        minLevel = ((Task) task.plugin().plugin()).minLevel(task.config());
      } catch (RuntimeException e) {
        throw new ConfigException(
            "Invalid value in task: task '" + task.id() + "' rejects its configuration: "
                + firstLine(e.getMessage()) + ". Fix: change the task section.", e);
      }
      String levelName;
      try {
        levelName = LevelName.of(task);
      } catch (IllegalStateException e) {
        throw new ConfigException(e.getMessage() + ".", e); // names the task, the rule, the fix
      }
      // a task that names its level gets the name next to the number (the default N would only
      // repeat "level")
      String named = levelName.equals(LevelName.DEFAULT) ? "" : " (" + levelName + "=%d)";
      for (Assignment assignment : start.assignments()) {
        if (assignment.level() < minLevel) {
          boolean hasStartLevel = mapper.valueToTree(curriculum.config()).has("start-level");
          String key = hasStartLevel ? "curriculum.start-level" : "curriculum";
          throw new ConfigException(
              "Invalid value: " + key + " starts curriculum '" + curriculum.id() + "' at level "
                  + assignment.level() + named.formatted(assignment.level()) + ", but task '"
                  + task.id() + "' starts at level " + minLevel + named.formatted(minLevel)
                  + origin(key) + ". Fix: set " + key
                  + (hasStartLevel ? "" : "'s first level") + " to at least " + minLevel + ".");
        }
      }
    }
  }
}
