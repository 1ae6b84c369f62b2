package engram.core.cli;

import engram.api.Plugin;
import engram.api.config.Doc;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginJar;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginRegistry;
import java.io.PrintWriter;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code engram plugins}: every discovered plugin with kind, id, version, source (its jar) and
 * options; then the plugins folders and their jars; problems go to stderr as warnings.
 */
@Command(
    name = "plugins",
    mixinStandardHelpOptions = true,
    description =
        "List every discovered plugin: kind, id, version, where it came from (its jar), and its"
            + " configuration keys with defaults; then the plugins folders and the jars loaded from"
            + " them. Jars that were skipped are reported as warnings.")
final class PluginsCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.ParentCommand Main main;

  @Option(names = "--brief", description = "Only one line per plugin, without its options.")
  boolean brief;

  @Override
  public Integer call() {
    PluginRegistry registry = main.plugins();
    print(registry, spec.commandLine().getOut(), !brief);
    spec.commandLine().getOut().flush();
    registry.problems().forEach(p -> spec.commandLine().getErr().println("warning: " + p));
    return Main.OK;
  }

  static void print(PluginRegistry registry, PrintWriter out, boolean options) {
    for (PluginKind kind : PluginKind.values()) {
      List<DiscoveredPlugin> plugins = registry.all(kind);
      out.printf("%s (%d)%n", kind.plural(), plugins.size());
      if (plugins.isEmpty()) {
        out.println("  (none found)");
      }
      for (DiscoveredPlugin p : plugins) {
        out.printf("  %-22s %-12s %s%n", p.id(), p.version(), title(p));
        out.printf("  %-22s from %s%n", "", p.source());
        if (options) {
          printOptions(p.plugin(), out);
        }
      }
      out.println();
    }
    if (!registry.folders().folders().isEmpty()) {
      out.printf("plugin folders (%d)%n", registry.folders().folders().size());
      registry.folders().folders().forEach(f -> out.println("  " + f));
      out.println();
      out.printf("plugin jars loaded (%d)%n", registry.jars().size());
      if (registry.jars().isEmpty()) {
        out.println("  (none)");
      }
      for (PluginJar jar : registry.jars()) {
        out.printf(
            "  %s%n  %-22s engram-api %s, sha256 %s%n",
            jar.path(),
            "",
            jar.apiVersion() == null ? "undeclared" : jar.apiVersion(),
            jar.sha256());
      }
      out.println();
    }
  }

  /** The plugin's title, or why there is none: a plugin's own code must not end the listing. */
  private static String title(DiscoveredPlugin p) {
    try {
      return p.plugin().info().title();
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      return "(info() failed: " + oneLine(e) + ")";
    }
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getName() : m.strip().split("\\R", 2)[0];
  }

  private static void printOptions(Plugin<?> plugin, PrintWriter out) {
    Record defaults;
    try {
      defaults = plugin.defaults();
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      out.printf(
          "      (no options shown: its defaults() failed: %s. Fix: correct the plugin.)%n",
          oneLine(e));
      return;
    }
    for (RecordComponent c : plugin.configType().getRecordComponents()) {
      Object value;
      try {
        value = c.getAccessor().invoke(defaults);
      } catch (ReflectiveOperationException | RuntimeException e) {
        value = "?";
      }
      Doc doc = c.getAnnotation(Doc.class);
      out.printf(
          "      %-20s %-14s %s%n",
          kebab(c.getName()), format(value), doc == null ? "" : doc.value());
    }
  }

  private static String format(Object value) {
    if (value instanceof Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    return String.valueOf(value);
  }

  /** hiddenSize → hidden-size, as the experiment files spell keys. */
  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
