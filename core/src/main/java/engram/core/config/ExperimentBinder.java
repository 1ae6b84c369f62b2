package engram.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.core.plugin.PluginCatalog;
import engram.core.plugin.PluginKind;
import java.util.List;
import java.util.Objects;

/**
 * Binds a whole experiment tree (parsed, overrides applied) to a {@link ResolvedExperiment}: checks
 * the top-level keys, binds name, description, seed and precision, the plugin sections (through
 * {@link PluginSections}) and core's sections ({@code training}, {@code evaluation}, {@code
 * output}) over their defaults. Each value is checked by its record; checks across sections are
 * {@link ExperimentChecks}'.
 */
final class ExperimentBinder {
  static final List<String> TOP_LEVEL_KEYS =
      List.of(
          "name",
          "description",
          "seed",
          "precision",
          "task",
          "model",
          "curriculum",
          "regularizers",
          "analyzers",
          "training",
          "evaluation",
          "output");

  private final RecordBinder records;
  private final PluginSections plugins;

  /**
   * @param catalog where plugin ids are looked up
   * @param mapper a mapper from {@link ConfigMapper#create()}
   * @param overrides the load's overrides, named in messages about the keys they set
   */
  ExperimentBinder(PluginCatalog catalog, ObjectMapper mapper, Overrides overrides) {
    this.records = new RecordBinder(mapper, overrides);
    this.plugins = new PluginSections(Objects.requireNonNull(catalog, "catalog"), records);
  }

  /**
   * Binds {@code root}.
   *
   * @param defaultName the name when {@code root} sets none
   * @throws ConfigException for the first problem, in the order of the keys above
   */
  ResolvedExperiment bind(ObjectNode root, String defaultName) throws ConfigException {
    for (String key : ConfigMessages.fieldNames(root)) {
      if (!TOP_LEVEL_KEYS.contains(key)) {
        throw records.unknownKey(key, null, TOP_LEVEL_KEYS);
      }
    }
    JsonNode nameNode = root.get("name");
    String name =
        RecordBinder.isAbsent(nameNode)
            ? defaultName
            : records.bind(nameNode, String.class, "name");
    if (name == null || name.isBlank()) {
      throw new ConfigException(
          "Invalid value: name must not be blank. Fix: set name to a short word such as"
              + " parity-multihead.");
    }
    checkName(name);
    JsonNode descriptionNode = root.get("description");
    String description =
        RecordBinder.isAbsent(descriptionNode)
            ? null
            : records.bind(descriptionNode, String.class, "description");
    JsonNode seedNode = root.get("seed");
    long seed = RecordBinder.isAbsent(seedNode) ? 1L : records.bind(seedNode, long.class, "seed");
    JsonNode precisionNode = root.get("precision");
    Precision precision =
        RecordBinder.isAbsent(precisionNode)
            ? Precision.FLOAT32
            : records.bind(precisionNode, Precision.class, "precision");

    PluginChoice task = plugins.required(root, PluginKind.TASK);
    PluginChoice model = plugins.required(root, PluginKind.MODEL);
    PluginChoice curriculum = plugins.required(root, PluginKind.CURRICULUM);
    List<PluginChoice> regularizers = plugins.list(root, PluginKind.REGULARIZER);
    List<PluginChoice> analyzers = plugins.list(root, PluginKind.ANALYZER);

    TrainingConfig training =
        records.section(root, "training", TrainingConfig.defaults(), TrainingConfig.class);
    EvaluationConfig evaluation =
        records.section(root, "evaluation", EvaluationConfig.defaults(), EvaluationConfig.class);
    OutputConfig output =
        records.section(root, "output", OutputConfig.defaults(), OutputConfig.class);
    return new ResolvedExperiment(
        name,
        description,
        seed,
        precision,
        task,
        model,
        curriculum,
        regularizers,
        analyzers,
        training,
        evaluation,
        output);
  }

  /** Longest experiment name: with its time stamp a run directory's name stays far below 255. */
  static final int MAX_NAME_LENGTH = 100;

  /**
   * The name becomes the run directory's name, so it must be one path element that every file
   * system accepts. The message quotes at most the name's first 40 characters.
   */
  static void checkName(String name) throws ConfigException {
    String shown = name.length() > 40 ? name.substring(0, 40) + "…" : name;
    if (name.length() > MAX_NAME_LENGTH) {
      throw new ConfigException(
          "Invalid value: name '"
              + shown
              + "' has "
              + name.length()
              + " characters; at most "
              + MAX_NAME_LENGTH
              + " (it names the run directory). Fix: shorten name.");
    }
    boolean control = name.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    if (name.contains("/") || name.contains("\\") || control || name.startsWith(".")) {
      throw new ConfigException(
          "Invalid value: name '"
              + shown.replaceAll("\\p{Cntrl}", "?")
              + "' must not contain '/', '\\' or control characters nor start with '.' (it"
              + " names the run directory). Fix: use letters, digits, '-' and '_', e.g."
              + " parity-multihead.");
    }
  }
}
