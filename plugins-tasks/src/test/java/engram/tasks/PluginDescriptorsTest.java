package engram.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Curriculum;
import engram.api.Plugin;
import engram.api.Task;
import engram.api.config.Doc;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The module descriptor, the META-INF/services files and the plugins themselves agree. */
class PluginDescriptorsTest {
  /** Tasks reconstructed from Haputhanthri et al. 2025; the others come from Khajehabdollahi et al. 2024. */
  private static final Set<String> MEMORY_GEOMETRY_TASKS =
      Set.of("flip-flop", "delayed-addition", "addition-problem", "evidence-accumulation");
  private static final Path MODULE_INFO = Path.of("src/main/java/module-info.java");

  private static String moduleInfo() throws IOException {
    return Files.readString(MODULE_INFO).replaceAll("(?s)/\\*.*?\\*/", "");
  }

  private static Set<String> provided(String moduleInfo, Class<?> service) {
    Matcher m = Pattern.compile("provides\\s+" + Pattern.quote(service.getName()) + "\\s+with\\s+([^;]+);")
        .matcher(moduleInfo);
    assertTrue(m.find(), "module-info provides " + service.getName());
    return Stream.of(m.group(1).split(",")).map(String::strip).collect(Collectors.toCollection(TreeSet::new));
  }

  @SuppressWarnings("rawtypes")
  private static List<Plugin<?>> load(Class<? extends Plugin> service) {
    return ServiceLoader.load(service).stream().<Plugin<?>>map(ServiceLoader.Provider::get).toList();
  }

  private static Set<String> classNames(List<? extends Plugin<?>> plugins) {
    return plugins.stream().map(p -> p.getClass().getName()).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> ids(List<? extends Plugin<?>> plugins) {
    return plugins.stream().map(p -> p.info().id()).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void servicesFilesAndModuleInfoNameTheSameProviders() throws IOException {
    String moduleInfo = moduleInfo();
    List<Plugin<?>> tasks = load(Task.class);
    List<Plugin<?>> curricula = load(Curriculum.class);
    assertEquals(provided(moduleInfo, Task.class), classNames(tasks));
    assertEquals(provided(moduleInfo, Curriculum.class), classNames(curricula));
    assertEquals(Set.of("n-parity", "n-dms", "flip-flop", "delayed-addition", "addition-problem",
        "evidence-accumulation"), ids(tasks));
    assertEquals(Set.of("single-head", "multi-head", "sliding-window", "none"), ids(curricula));
    assertTrue(!moduleInfo.contains("exports"), "plugin packages are not exported");
    for (Plugin<?> plugin : Stream.concat(tasks.stream(), curricula.stream()).toList()) {
      String pkg = plugin.getClass().getPackageName();
      assertTrue(Pattern.compile("opens\\s+" + Pattern.quote(pkg) + "\\s+to\\s+engram\\.core\\b").matcher(moduleInfo).find(),
          "module-info opens " + pkg + " to engram.core");
    }
  }

  @Test
  void everyPluginHasValidDefaultsAndDocumentsEveryKey() {
    for (Plugin<?> plugin : Stream.concat(load(Task.class).stream(), load(Curriculum.class).stream()).toList()) {
      Record defaults = plugin.defaults();
      assertNotNull(defaults, plugin.info().id());
      assertEquals(plugin.configType(), defaults.getClass(), plugin.info().id());
      String paper = MEMORY_GEOMETRY_TASKS.contains(plugin.info().id()) ? "arXiv:2502.07256" : "arXiv:2309.12927";
      assertTrue(plugin.info().description().contains(paper), plugin.info().id() + " cites " + paper);
      for (RecordComponent component : plugin.configType().getRecordComponents()) {
        Doc doc = component.getAnnotation(Doc.class);
        assertNotNull(doc, plugin.info().id() + "." + component.getName() + " has @Doc");
        assertTrue(!doc.value().isBlank(), plugin.info().id() + "." + component.getName());
      }
    }
  }
}
