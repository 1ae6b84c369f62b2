package engram.core.plugin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The folders whose {@code *.jar} files are loaded as plugins, in the order they are searched.
 *
 * <p>Three places add folders, all of them ':'-separated lists: the system property {@value
 * #PROPERTY} (the launcher sets it to the repository's {@code plugins/} folder), the environment
 * variable {@value #ENVIRONMENT}, and the top-level command-line option {@code --plugins DIR}
 * (repeatable). A folder named twice is searched once.
 *
 * @param folders absolute, normalised, without duplicates
 */
public record PluginFolders(List<Path> folders) {
  /** System property with the default folder(s); the launcher passes {@code <repo>/plugins}. */
  public static final String PROPERTY = "engram.plugins";

  /** Environment variable with more folders. */
  public static final String ENVIRONMENT = "ENGRAM_PLUGINS";

  /** No folders: only the plugins on the class path (the built-ins). */
  public static final PluginFolders NONE = new PluginFolders(List.of());

  public PluginFolders {
    Set<Path> unique = new LinkedHashSet<>();
    for (Path folder : folders) {
      unique.add(folder.toAbsolutePath().normalize());
    }
    folders = List.copyOf(unique);
  }

  /** Exactly these folders (for tests and embedding); no property or environment is read. */
  public static PluginFolders of(Path... folders) {
    return new PluginFolders(List.of(folders));
  }

  /**
   * The folders of this process: the property, then the environment variable, then {@code
   * fromCommandLine}.
   */
  public static PluginFolders resolve(List<Path> fromCommandLine) {
    return resolve(System.getProperty(PROPERTY), System.getenv(), fromCommandLine);
  }

  static PluginFolders resolve(
      String property, Map<String, String> environment, List<Path> fromCommandLine) {
    List<Path> folders = new ArrayList<>(split(property));
    folders.addAll(split(environment.get(ENVIRONMENT)));
    for (Path p : fromCommandLine) {
      folders.addAll(split(p.toString())); // picocli splits on ':' already; this is harmless
    }
    return new PluginFolders(folders);
  }

  private static List<Path> split(String list) {
    List<Path> paths = new ArrayList<>();
    if (list != null) {
      for (String part : list.split(":")) {
        if (!part.isBlank()) {
          paths.add(Path.of(part.trim()));
        }
      }
    }
    return paths;
  }
}
