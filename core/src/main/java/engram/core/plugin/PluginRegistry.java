package engram.core.plugin;

import engram.api.ApiVersion;
import engram.api.Plugin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The plugins found by {@link ServiceLoader}, by kind, plus the problems met on the way.
 *
 * <p>This is the one place that calls ServiceLoader. Plugins come from two kinds of source: the
 * class path (the built-in plugin modules, and anything the launcher adds to it), and every {@code
 * *.jar} in the plugins folders ({@link PluginFolders}), each jar with its own class loader ({@link
 * PluginClassLoader}) after {@link PluginJar#inspect} has checked it.
 *
 * <p>Nothing broken stops the others from loading: a jar that is not a jar, registers no plugin or
 * was built against another api is skipped; a provider that fails (a constructor that throws, a
 * class that does not implement the interface) is skipped; each is reported in one line naming the
 * jar. Two providers with the same id are both refused, with both sources named, because "first on
 * the class path wins" would make results depend on jar order.
 */
public final class PluginRegistry implements PluginCatalog {
  private final Map<PluginKind, List<DiscoveredPlugin>> byKind;
  private final List<PluginProblem> problems;
  private final PluginFolders folders;
  private final List<PluginJar> jars;
  private final List<Source> jarSources;

  private PluginRegistry(
      Map<PluginKind, List<DiscoveredPlugin>> byKind,
      List<PluginProblem> problems,
      PluginFolders folders,
      List<PluginJar> jars,
      List<Source> jarSources) {
    this.byKind = byKind;
    this.problems = List.copyOf(problems);
    this.folders = folders;
    this.jars = List.copyOf(jars);
    this.jarSources = List.copyOf(jarSources);
  }

  /**
   * A service of a plugin jar other than a plugin.
   *
   * @param service a new instance of the provider
   * @param jar the jar that registers and defines it
   */
  public record JarService<T>(T service, PluginJar jar) {}

  /**
   * New instances of every provider of {@code type} that a plugin jar registers in its own {@code
   * META-INF/services} and defines itself (the class path's providers are not included), jars in
   * discovery order. Used for the Guice modules jars contribute to each run ({@link
   * PluginJar#bindings}).
   *
   * @throws IllegalStateException when a provider cannot be instantiated, naming the jar and the
   *     fix
   */
  public <T> List<JarService<T>> jarServices(Class<T> type) {
    List<JarService<T>> found = new ArrayList<>();
    for (Source source : jarSources) {
      try {
        for (T service : ServiceLoader.load(type, source.loader())) {
          if (service.getClass().getClassLoader() == source.loader()) {
            found.add(new JarService<>(service, source.jar()));
          }
        }
      } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
        throw new IllegalStateException(
            source.jar().path()
                + ": its "
                + type.getName()
                + " failed to load: "
                + sentence(rootMessage(e))
                + " Fix: correct the jar's META-INF/services/"
                + type.getName()
                + " or the class it names, and rebuild the jar.",
            e);
      }
    }
    return found;
  }

  /** Where providers are looked up: a class loader, and the jar it reads (null: the class path). */
  private record Source(ClassLoader loader, PluginJar jar) {}

  /** Discovers every plugin visible to the given class loader (no plugins folder). */
  public static PluginRegistry discover(ClassLoader loader) {
    return discover(loader, PluginFolders.NONE);
  }

  /**
   * Discovers the plugins visible to {@code loader} and those of every jar in {@code folders}.
   *
   * @param loader the application class loader (the built-ins); also every plugin jar's parent
   */
  public static PluginRegistry discover(ClassLoader loader, PluginFolders folders) {
    List<PluginProblem> problems = new ArrayList<>();
    List<PluginJar> jars = new ArrayList<>();
    ApiVersion api = ApiVersion.current();
    Map<String, PluginJar> bySha = new LinkedHashMap<>();
    for (Path file : jarFiles(folders, problems)) {
      PluginJar.Inspection inspection = PluginJar.inspect(file, api);
      problems.addAll(inspection.problems());
      PluginJar jar = inspection.jar();
      if (jar == null) {
        continue;
      }
      PluginJar first = bySha.putIfAbsent(jar.sha256(), jar);
      if (first != null) {
        // A byte-identical copy (the jar in plugins/ and in its build folder, both searched):
        // loading it twice would only make every id a duplicate.
        problems.add(
            PluginProblem.warning(
                file
                    + " is the same file as "
                    + first.path()
                    + " (same SHA-256); only the latter is loaded. Fix: keep one copy."));
        continue;
      }
      jars.add(jar);
    }
    List<Source> sources = new ArrayList<>();
    sources.add(new Source(loader, null));
    // The loaders stay open for the life of the process: the plugins they define are used until
    // it ends.
    jars.forEach(jar -> sources.add(new Source(new PluginClassLoader(jar, loader), jar)));

    Map<PluginKind, List<DiscoveredPlugin>> byKind = new EnumMap<>(PluginKind.class);
    for (PluginKind kind : PluginKind.values()) {
      Map<String, List<DiscoveredPlugin>> byId = new LinkedHashMap<>();
      for (Source source : sources) {
        if (source.jar() == null || source.jar().kinds().contains(kind)) {
          load(kind, source, byId, problems);
        }
      }
      List<DiscoveredPlugin> found = new ArrayList<>();
      byId.forEach(
          (id, candidates) -> {
            if (candidates.size() == 1) {
              found.add(candidates.get(0));
            } else {
              problems.add(
                  new PluginProblem(
                      "Two or more "
                          + kind.label()
                          + " plugins declare the id '"
                          + id
                          + "': "
                          + String.join(
                              ", ",
                              candidates.stream()
                                  .map(
                                      c ->
                                          c.plugin().getClass().getName() + " (" + c.source() + ")")
                                  .toList())
                          + ". None of them is used. Fix: remove one of the jars or rename an id.",
                      Set.of(kind),
                      Set.of(id)));
            }
          });
      found.sort(Comparator.comparing(DiscoveredPlugin::id));
      byKind.put(kind, List.copyOf(found));
    }
    return new PluginRegistry(byKind, problems, folders, jars, sources.subList(1, sources.size()));
  }

  /** Adds the providers of {@code kind} in {@code source} to {@code byId}. */
  private static void load(
      PluginKind kind,
      Source source,
      Map<String, List<DiscoveredPlugin>> byId,
      List<PluginProblem> problems) {
    PluginJar jar = source.jar();
    String where = jar == null ? "" : jar.path() + ": ";
    String fix =
        jar == null
            ? ""
            : " Fix: correct the plugin and rebuild the jar, or remove it from "
                + jar.path().getParent()
                + ".";
    var iterator = ServiceLoader.load(kind.type(), source.loader()).iterator();
    while (true) {
      Plugin<?> plugin;
      try {
        if (!iterator.hasNext()) {
          break;
        }
        plugin = (Plugin<?>) iterator.next();
      } catch (ServiceConfigurationError | RuntimeException | LinkageError | StackOverflowError e) {
        problems.add(
            PluginProblem.skipped(
                capitalize(
                    where
                        + "a "
                        + kind.label()
                        + " plugin failed to load and was skipped: "
                        + sentence(rootMessage(e))
                        + fix),
                Set.of(kind)));
        continue;
      }
      Class<?> type = plugin.getClass();
      if (jar != null && type.getClassLoader() != source.loader()) {
        // Found by the parent first: the jar bundles a class that is already on the class path
        // (a built-in plugin, typically). It is registered from there already.
        problems.add(
            PluginProblem.warning(
                where
                    + "the "
                    + kind.label()
                    + " plugin "
                    + type.getName()
                    + " it registers is also on Engram's class path ("
                    + sourceOf(type)
                    + "), which wins; the jar's entry was ignored. Fix: do not bundle Engram's own"
                    + " plugins in a plugin jar."));
        continue;
      }
      String id;
      try {
        id = plugin.info().id();
      } catch (RuntimeException | LinkageError | StackOverflowError e) {
        problems.add(
            PluginProblem.skipped(
                capitalize(
                    where
                        + "the "
                        + kind.label()
                        + " plugin "
                        + type.getName()
                        + " has no valid id and was skipped: "
                        + sentence(rootMessage(e))
                        + fix),
                Set.of(kind)));
        continue;
      }
      String from = jar == null ? sourceOf(type) : jar.path().toString();
      byId.computeIfAbsent(id, k -> new ArrayList<>())
          .add(new DiscoveredPlugin(kind, plugin, versionOf(type), from));
    }
  }

  /** The {@code *.jar} files of the folders, each folder's sorted by name. */
  private static List<Path> jarFiles(PluginFolders folders, List<PluginProblem> problems) {
    List<Path> files = new ArrayList<>();
    for (Path folder : folders.folders()) {
      if (!Files.isDirectory(folder)) {
        problems.add(
            PluginProblem.warning(
                "The plugins folder "
                    + folder
                    + (Files.exists(folder) ? " is not a directory" : " does not exist")
                    + "; no plugins were loaded from it. Fix:"
                    + " create it, or correct --plugins / "
                    + PluginFolders.ENVIRONMENT
                    + "."));
        continue;
      }
      try (Stream<Path> list = Files.list(folder)) {
        list.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar"))
            .filter(Files::isRegularFile)
            .sorted()
            .forEach(files::add);
      } catch (IOException | UncheckedIOException e) {
        problems.add(
            PluginProblem.skipped(
                "The plugins folder "
                    + folder
                    + " cannot be read ("
                    + e.getMessage()
                    + "); no plugins were loaded from it. Fix: make it readable.",
                EnumSet.allOf(PluginKind.class)));
      }
    }
    return files;
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
    return problems.stream().map(PluginProblem::message).toList();
  }

  /** The problems met during discovery, with the plugins each may have cost. */
  public List<PluginProblem> problemDetails() {
    return problems;
  }

  @Override
  public List<PluginProblem> problemsAbout(PluginKind kind, String id) {
    List<PluginProblem> exact = problems.stream().filter(p -> p.names(kind, id)).toList();
    return exact.isEmpty() ? problems.stream().filter(p -> p.mayConcern(kind, id)).toList() : exact;
  }

  /** The folders searched for plugin jars. */
  public PluginFolders folders() {
    return folders;
  }

  /** The jars loaded from the plugins folders (those skipped are in {@link #problems()}). */
  public List<PluginJar> jars() {
    return jars;
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

  private static String sentence(String s) {
    return s.endsWith(".") ? s : s + ".";
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    // an Error such as StackOverflowError often has no message: its class is the message then
    StringBuilder message =
        new StringBuilder(e.getMessage() == null ? e.getClass().getName() : e.getMessage());
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      message
          .append(" — caused by ")
          .append(t.getClass().getSimpleName())
          .append(": ")
          .append(t.getMessage());
    }
    return message.toString();
  }
}
