package engram.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.api.Plugin;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginCatalog;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Binds plugin sections ({@code model: {id: leaky-rnn, hidden-size: 64}}) to {@link PluginChoice}s:
 * looks the id up in the catalog, merges the section's keys over the plugin's {@link
 * Plugin#defaults()} and binds them to the plugin's own configuration record, whose checks then
 * run. An unknown id lists the installed ones (and the nearest); an id skipped at start-up says
 * why.
 */
final class PluginSections {
  private final PluginCatalog catalog;
  private final RecordBinder records;

  /**
   * @param catalog where ids are looked up
   * @param records binds the merged sections (and knows the load's overrides)
   */
  PluginSections(PluginCatalog catalog, RecordBinder records) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.records = Objects.requireNonNull(records, "records");
  }

  /**
   * The section {@code kind.configKey()} of {@code root}, which must be there.
   *
   * @throws ConfigException when it is missing or does not bind
   */
  PluginChoice required(ObjectNode root, PluginKind kind) throws ConfigException {
    String key = kind.configKey();
    JsonNode section = root.get(key);
    if (RecordBinder.isAbsent(section)) {
      List<String> ids = catalog.ids(kind);
      throw new ConfigException(
          "Missing section '"
              + key
              + "'. "
              + available(kind)
              + " Fix: add '"
              + key
              + ": {id: "
              + (ids.isEmpty() ? "<id>" : ids.get(0))
              + "}' (./engram plugins lists all).");
    }
    return choice(kind, section, key);
  }

  /**
   * The list {@code kind.configKey()} of {@code root} ({@code regularizers: [{id: ...}]}); absent
   * or null is empty.
   *
   * @throws ConfigException when it is not a list, an entry does not bind, or an id repeats
   */
  List<PluginChoice> list(ObjectNode root, PluginKind kind) throws ConfigException {
    String key = kind.configKey();
    JsonNode node = root.get(key);
    if (RecordBinder.isAbsent(node)) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new ConfigException(
          "Invalid value for "
              + key
              + ": expected a list of sections such as [{id: ...}], got "
              + ConfigMessages.describe(node)
              + ". Fix: write '"
              + key
              + ": [{id: ...}]' or '"
              + key
              + ": []'.");
    }
    List<PluginChoice> choices = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      PluginChoice choice = choice(kind, node.get(i), key + "." + i);
      if (!seen.add(choice.id())) {
        throw new ConfigException(
            "Duplicate "
                + kind.label()
                + " '"
                + choice.id()
                + "' at "
                + key
                + "."
                + i
                + "."
                + " Fix: list each "
                + kind.label()
                + " once.");
      }
      choices.add(choice);
    }
    return choices;
  }

  /** "Available models: gru, leaky-rnn." */
  String available(PluginKind kind) {
    List<String> ids = catalog.ids(kind);
    return "Available "
        + kind.plural()
        + ": "
        + (ids.isEmpty() ? "none installed" : String.join(", ", ids))
        + ".";
  }

  /**
   * One plugin section.
   *
   * @param path its dotted key ({@code model}, {@code regularizers.1})
   * @throws ConfigException when it is not a section, has no or an unknown id, or does not bind
   */
  PluginChoice choice(PluginKind kind, JsonNode section, String path) throws ConfigException {
    if (!(section instanceof ObjectNode object)) {
      throw new ConfigException(
          "Invalid value for "
              + path
              + ": expected a section with an id, got "
              + ConfigMessages.describe(section)
              + ". Fix: write it as '{id: <"
              + kind.label()
              + " id>, ...}'. "
              + available(kind));
    }
    JsonNode idNode = object.get("id");
    if (RecordBinder.isAbsent(idNode) || idNode.isContainerNode() || idNode.asText().isBlank()) {
      throw new ConfigException(
          "Missing key '"
              + path
              + ".id'"
              + records.origin(path + ".id")
              + ". "
              + available(kind)
              + " Fix: set "
              + path
              + ".id to one of them (./engram plugins lists all).");
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
            kind.label()
                + " '"
                + id
                + "' at "
                + path
                + ".id"
                + records.origin(path + ".id")
                + " is not available: "
                + String.join(" Also: ", problems.stream().map(PluginProblem::message).toList())
                + " "
                + available(kind));
      }
      String suggestion = ConfigMessages.nearest(id, catalog.ids(kind));
      throw new ConfigException(
          "Unknown "
              + kind.label()
              + " id '"
              + id
              + "'"
              + records.origin(path + ".id")
              + ". "
              + available(kind)
              + (suggestion == null ? "" : " Did you mean '" + suggestion + "'?")
              + " Fix: set "
              + path
              + ".id to one of them (./engram plugins lists all).");
    }
    Plugin<?> plugin = found.plugin();
    ObjectNode defaults = records.tree(plugin.defaults());
    ObjectNode user = object.deepCopy();
    user.remove("id");
    ObjectNode merged = records.merge(defaults, user, path, kind.label() + " '" + id + "'");
    Record config = records.bind(merged, plugin.configType(), path);
    return new PluginChoice(found, config);
  }
}
