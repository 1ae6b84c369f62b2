package engram.core.cli;

import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginRegistry;
import engram.core.run.Provenance;
import engram.core.run.RunDirectory;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The plugin jars a run used, read from its {@code provenance.json}, so that analysing the run
 * finds them where they were (their folders are searched too) and, when one is gone, says which jar
 * to bring back instead of "unknown task id".
 *
 * @param jarPlugins the run's plugins that came from jars outside the class path (plugins folders)
 */
record RunPlugins(List<Provenance.PluginUse> jarPlugins) {

  /** What a run directory's provenance says; nothing when it has none (an older or copied run). */
  static RunPlugins of(Path runDirectory) {
    Path file = runDirectory.resolve(RunDirectory.PROVENANCE);
    if (!Files.isRegularFile(file)) {
      return new RunPlugins(List.of());
    }
    Provenance provenance;
    try {
      provenance = Provenance.read(file);
    } catch (IOException | RuntimeException e) {
      return new RunPlugins(List.of()); // the config check that follows names what is unknown
    }
    Set<String> classPath = new LinkedHashSet<>();
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        classPath.add(Path.of(entry).toAbsolutePath().normalize().toString());
      }
    }
    List<Provenance.PluginUse> fromJars = new ArrayList<>();
    for (Provenance.PluginUse use : provenance.plugins()) {
      if (use.sha256() != null
          && use.source() != null
          && use.source().endsWith(".jar")
          && !classPath.contains(Path.of(use.source()).toAbsolutePath().normalize().toString())) {
        fromJars.add(use);
      }
    }
    return new RunPlugins(List.copyOf(fromJars));
  }

  /** The folders of the run's plugin jars that still exist. */
  List<Path> folders() {
    Set<Path> folders = new LinkedHashSet<>();
    for (Provenance.PluginUse use : jarPlugins) {
      Path jar = Path.of(use.source());
      if (Files.isRegularFile(jar) && jar.toAbsolutePath().getParent() != null) {
        folders.add(jar.toAbsolutePath().getParent());
      }
    }
    return List.copyOf(folders);
  }

  /**
   * A message naming every plugin of the run that {@code registry} lacks, with the jar it came from
   * and the fix; null when all are there.
   */
  String missing(PluginRegistry registry) {
    List<String> lacking = new ArrayList<>();
    Set<String> jars = new LinkedHashSet<>();
    for (Provenance.PluginUse use : jarPlugins) {
      PluginKind kind;
      try {
        kind = PluginKind.valueOf(use.kind().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        continue;
      }
      boolean found =
          registry.all(kind).stream().map(DiscoveredPlugin::id).anyMatch(use.id()::equals);
      if (!found) {
        boolean there = Files.isRegularFile(Path.of(use.source()));
        jars.add(use.source());
        lacking.add(
            use.kind()
                + " '"
                + use.id()
                + "' from the plugin jar "
                + use.source()
                + (there
                    ? " (the jar is there but did not load; see ./engram plugins)"
                    : " (no longer there; sha256 " + use.sha256() + ")"));
      }
    }
    if (lacking.isEmpty()) {
      return null;
    }
    return "this run used "
        + String.join(", ", lacking)
        + ". Fix: put "
        + (jars.size() == 1 ? "that jar" : "those jars")
        + " into Engram's plugins/ folder"
        + " (or pass --plugins DIR) and analyse again.";
  }
}
