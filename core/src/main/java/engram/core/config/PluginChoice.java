package engram.core.config;

import engram.api.config.Doc;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginKind;
import java.util.Objects;

/**
 * A plugin chosen by an experiment and its bound, validated configuration.
 *
 * @param plugin the plugin, as discovery found it; never null
 * @param config an instance of {@code plugin.plugin().configType()}; never null
 */
public record PluginChoice(
    @Doc("The chosen plugin.") DiscoveredPlugin plugin,
    @Doc("Its configuration, every default filled in.") Record config) {

  public PluginChoice {
    Objects.requireNonNull(plugin, "plugin");
    Objects.requireNonNull(config, "config");
    Class<?> type = plugin.plugin().configType();
    if (!type.isInstance(config)) {
      throw new IllegalArgumentException(
          "config of "
              + plugin.kind().label()
              + " '"
              + plugin.id()
              + "' must be a "
              + type.getName()
              + ", was "
              + config.getClass().getName());
    }
  }

  /** The plugin's id. */
  public String id() {
    return plugin.id();
  }

  /** The plugin's kind. */
  public PluginKind kind() {
    return plugin.kind();
  }
}
