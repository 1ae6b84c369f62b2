package engram.core.plugin;

import engram.api.Plugin;

/**
 * A plugin found by discovery.
 *
 * @param kind its kind
 * @param plugin the instance
 * @param version implementation version from its jar manifest, or "DEVELOPMENT"
 * @param source where it was loaded from (a jar path or a classes directory)
 */
public record DiscoveredPlugin(PluginKind kind, Plugin<?> plugin, String version, String source) {
  public String id() {
    return plugin.info().id();
  }
}
