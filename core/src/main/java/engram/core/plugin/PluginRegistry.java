package engram.core.plugin;

import engram.api.Plugin;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The plugins found by {@link ServiceLoader}, by kind, plus the problems met on the way.
 *
 * <p>This is the one place that calls ServiceLoader. One broken provider (a constructor that
 * throws, a class that does not implement the interface) is reported and skipped; the others still
 * load. Two providers with the same id are both refused, with both sources named, because "first
 * on the class path wins" would make results depend on jar order.
 */
public final class PluginRegistry implements PluginCatalog {
  private final Map<PluginKind, List<DiscoveredPlugin>> byKind;
  private final List<String> problems;

  private PluginRegistry(Map<PluginKind, List<DiscoveredPlugin>> byKind, List<String> problems) {
    this.byKind = byKind;
    this.problems = List.copyOf(problems);
  }

  /** Discovers every plugin visible to the given class loader. */
  public static PluginRegistry discover(ClassLoader loader) {
    Map<PluginKind, List<DiscoveredPlugin>> byKind = new EnumMap<>(PluginKind.class);
    List<String> problems = new ArrayList<>();
    for (PluginKind kind : PluginKind.values()) {
      Map<String, List<DiscoveredPlugin>> byId = new LinkedHashMap<>();
      var iterator = ServiceLoader.load(kind.type(), loader).iterator();
      while (true) {
        Plugin<?> plugin;
        try {
          if (!iterator.hasNext()) {
            break;
          }
          plugin = (Plugin<?>) iterator.next();
        } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
          problems.add("A " + kind.label() + " plugin failed to load and was skipped: "
              + rootMessage(e));
          continue;
        }
        String id;
        try {
          id = plugin.info().id();
        } catch (RuntimeException e) {
          problems.add("The " + kind.label() + " plugin " + plugin.getClass().getName()
              + " has no valid id and was skipped: " + rootMessage(e));
          continue;
        }
        byId.computeIfAbsent(id, k -> new ArrayList<>()).add(
            new DiscoveredPlugin(kind, plugin, versionOf(plugin.getClass()), sourceOf(plugin.getClass())));
      }
      List<DiscoveredPlugin> found = new ArrayList<>();
      byId.forEach((id, candidates) -> {
        if (candidates.size() == 1) {
          found.add(candidates.get(0));
        } else {
          problems.add("Two or more " + kind.label() + " plugins declare the id '" + id + "': "
              + String.join(", ", candidates.stream().map(c -> c.plugin().getClass().getName()
                  + " (" + c.source() + ")").toList())
              + ". None of them is used. Fix: remove one of the jars or rename an id.");
        }
      });
      found.sort(Comparator.comparing(DiscoveredPlugin::id));
      byKind.put(kind, List.copyOf(found));
    }
    return new PluginRegistry(byKind, problems);
  }

  @Override
  public List<DiscoveredPlugin> all(PluginKind kind) {
    return byKind.getOrDefault(kind, List.of());
  }

  /** Every plugin of every kind, kinds in declaration order. */
  public List<DiscoveredPlugin> all() {
    List<DiscoveredPlugin> all = new ArrayList<>();
    for (PluginKind kind : PluginKind.values()) {
      all.addAll(all(kind));
    }
    return all;
  }

  /** One line per problem met during discovery; empty when all went well. */
  public List<String> problems() {
    return problems;
  }

  static String versionOf(Class<?> type) {
    Package pkg = type.getPackage();
    String version = pkg == null ? null : pkg.getImplementationVersion();
    return version == null ? "DEVELOPMENT" : version;
  }

  static String sourceOf(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return "unknown";
    }
    try {
      return Path.of(source.getLocation().toURI()).toString();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return source.getLocation().toString();
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      message.append(" — caused by ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
    }
    return message.toString();
  }
}
