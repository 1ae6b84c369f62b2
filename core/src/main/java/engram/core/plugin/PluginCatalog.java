package engram.core.plugin;

import engram.api.Plugin;
import java.util.List;
import java.util.Optional;

/** The plugins that discovery found, by kind and id. */
public interface PluginCatalog {

  /** All plugins of a kind, sorted by id; never null. */
  List<DiscoveredPlugin> all(PluginKind kind);

  /** The plugin of that kind and id, if any. */
  default Optional<Plugin<?>> find(PluginKind kind, String id) {
    return all(kind).stream()
        .filter(p -> p.id().equals(id))
        .<Plugin<?>>map(DiscoveredPlugin::plugin)
        .findFirst();
  }

  /**
   * The discovery problems that may explain why no plugin {@code kind}/{@code id} was found: those
   * known to have cost exactly that id if there are any, else those that may have (a skipped jar
   * whose ids are unknown). Empty when nothing was skipped.
   */
  default List<PluginProblem> problemsAbout(PluginKind kind, String id) {
    return List.of();
  }

  /** The ids of a kind, sorted; for "unknown id" messages. */
  default List<String> ids(PluginKind kind) {
    return all(kind).stream().map(DiscoveredPlugin::id).toList();
  }
}
