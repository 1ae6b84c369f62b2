package engram.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Curriculum;
import engram.api.Plugin;
import engram.api.Task;
import engram.testkit.PluginContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module descriptor, the META-INF/services files and the plugins themselves agree (the
 * testkit's {@link PluginContract}), and the module holds exactly the built-in tasks and curricula.
 */
class PluginDescriptorsTest {
  /**
   * Tasks reconstructed from Haputhanthri et al. 2025; the others come from Khajehabdollahi et al.
   * 2024.
   */
  private static final Set<String> MEMORY_GEOMETRY_TASKS =
      Set.of("flip-flop", "delayed-addition", "addition-problem", "evidence-accumulation");

  /** The tasks with the settings of Dinc et al. 2025, "A ghost mechanism". */
  private static final Set<String> GHOST_MECHANISM_TASKS = Set.of("delayed-cue", "dmts");

  private static final Path MODULE_INFO = Path.of("src/main/java/module-info.java");

  private static String moduleInfo() throws IOException {
    return Files.readString(MODULE_INFO).replaceAll("(?s)/\\*.*?\\*/", "");
  }

  @SuppressWarnings("rawtypes")
  private static List<Plugin<?>> load(Class<? extends Plugin> service) {
    return ServiceLoader.load(service).stream()
        .<Plugin<?>>map(ServiceLoader.Provider::get)
        .toList();
  }

  private static Set<String> ids(List<? extends Plugin<?>> plugins) {
    return plugins.stream().map(p -> p.info().id()).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Every task and curriculum passes the testkit's plugin checks: listed in its services file, the
   * same as module-info's provides, its configuration package opened to core, a constructor that
   * does no work, stable info, a documented configuration with valid defaults.
   */
  @Test
  void everyPluginPassesThePluginContractAndTheSetsAreComplete() throws IOException {
    List<Plugin<?>> tasks = load(Task.class);
    List<Plugin<?>> curricula = load(Curriculum.class);
    for (Plugin<?> plugin : Stream.concat(tasks.stream(), curricula.stream()).toList()) {
      PluginContract.assertPlugin(plugin);
    }
    assertEquals(
        Set.of(
            "n-parity",
            "n-dms",
            "flip-flop",
            "delayed-addition",
            "addition-problem",
            "evidence-accumulation",
            "delayed-cue",
            "dmts"),
        ids(tasks));
    assertEquals(Set.of("single-head", "multi-head", "sliding-window", "none"), ids(curricula));
    assertTrue(!moduleInfo().contains("exports"), "plugin packages are not exported");
  }

  @Test
  void everyPluginCitesItsPaper() {
    for (Plugin<?> plugin :
        Stream.concat(load(Task.class).stream(), load(Curriculum.class).stream()).toList()) {
      String paper =
          MEMORY_GEOMETRY_TASKS.contains(plugin.info().id())
              ? "arXiv:2502.07256"
              : GHOST_MECHANISM_TASKS.contains(plugin.info().id())
                  ? "arXiv:2501.02378"
                  : "arXiv:2309.12927";
      assertTrue(
          plugin.info().description().contains(paper), plugin.info().id() + " cites " + paper);
    }
  }
}
