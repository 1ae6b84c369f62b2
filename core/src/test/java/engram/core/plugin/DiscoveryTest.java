package engram.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.PluginInfo;
import engram.api.Task;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryTest {
  /** The built-in tasks, sorted: one place to update when a task is added. */
  static final List<String> BUILT_IN_TASKS =
      List.of(
          "addition-problem",
          "delayed-addition",
          "delayed-cue",
          "dmts",
          "evidence-accumulation",
          "flip-flop",
          "n-dms",
          "n-parity");

  private final PluginRegistry registry = PluginRegistry.discover(getClass().getClassLoader());

  @Test
  void everyBuiltInPluginIsFoundUnderItsKind() {
    assertEquals(BUILT_IN_TASKS, registry.ids(PluginKind.TASK));
    assertEquals(
        List.of("gru", "leaky-rnn", "low-rank-rnn", "lstm", "plrnn", "rank-one-rnn", "vanilla-rnn"),
        registry.ids(PluginKind.MODEL));
    assertEquals(
        List.of("multi-head", "none", "single-head", "sliding-window"),
        registry.ids(PluginKind.CURRICULUM));
    assertEquals(
        List.of("activity-l2", "noise-injection", "temporal-consistency", "weight-l2"),
        registry.ids(PluginKind.REGULARIZER));
    assertEquals(
        List.of(
            "ablation",
            "abrupt-learning",
            "connectivity",
            "dimensionality",
            "fixed-points",
            "forgetting",
            "geometry",
            "low-rank-flow",
            "network-timescales",
            "perturbation",
            "plrnn-fixed-points",
            "tau-stats",
            "transfer"),
        registry.ids(PluginKind.ANALYZER));
    assertEquals(
        List.of("memory-geometry", "timescales-curriculum"), registry.ids(PluginKind.STUDY));
    assertEquals(List.of(), registry.problems());
    for (DiscoveredPlugin p : registry.all()) {
      assertTrue(p.kind().type().isInstance(p.plugin()), p.id());
      assertFalse(p.source().equals("unknown"), p.id() + " has no source");
    }
  }

  /**
   * On the class path ServiceLoader reads META-INF/services only; on the module path only
   * module-info's provides. Every built-in plugin module must say the same in both.
   */
  @Test
  void moduleDescriptorsAndServiceFilesAgree() throws IOException {
    Set<String> sources = new TreeSet<>();
    registry.all().forEach(p -> sources.add(p.source()));
    assertTrue(
        sources.size() >= 3, "expected the tasks, models and regularizers modules: " + sources);
    for (String source : sources) {
      Path path = Path.of(source);
      ModuleDescriptor descriptor;
      Map<String, Set<String>> services = new TreeMap<>();
      if (Files.isDirectory(path)) {
        try (InputStream in = Files.newInputStream(path.resolve("module-info.class"))) {
          descriptor = ModuleDescriptor.read(in);
        }
        Path dir = path.resolve("META-INF/services");
        if (Files.isDirectory(dir)) {
          try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
              services.put(f.getFileName().toString(), providers(Files.readString(f)));
            }
          }
        }
      } else {
        try (JarFile jar = new JarFile(path.toFile())) {
          try (InputStream in = jar.getInputStream(jar.getEntry("module-info.class"))) {
            descriptor = ModuleDescriptor.read(in);
          }
          for (var entries = jar.entries(); entries.hasMoreElements(); ) {
            var e = entries.nextElement();
            if (e.getName().startsWith("META-INF/services/") && !e.isDirectory()) {
              try (InputStream in = jar.getInputStream(e)) {
                services.put(
                    e.getName().substring("META-INF/services/".length()),
                    providers(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
              }
            }
          }
        }
      }
      Map<String, Set<String>> provides = new TreeMap<>();
      descriptor.provides().forEach(p -> provides.put(p.service(), new TreeSet<>(p.providers())));
      assertFalse(provides.isEmpty(), descriptor.name() + " provides nothing");
      assertEquals(
          provides,
          services,
          "module-info of "
              + descriptor.name()
              + " and its META-INF/services disagree ("
              + source
              + ")");
    }
  }

  private static Set<String> providers(String file) {
    Set<String> names = new TreeSet<>();
    for (String line : file.split("\n")) {
      String name = line.replaceAll("#.*", "").trim();
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  @Test
  void twoPluginsWithOneIdAreBothRefusedAndNamed(@TempDir Path dir) throws IOException {
    Registry r = withExtraServices(dir, Task.class, ImpostorParityTask.class.getName());
    assertFalse(r.registry.ids(PluginKind.TASK).contains("n-parity"));
    assertTrue(r.registry.ids(PluginKind.TASK).contains("n-dms"), "the other plugins still load");
    assertEquals(1, r.registry.problems().size(), r.registry.problems().toString());
    String problem = r.registry.problems().get(0);
    assertTrue(problem.startsWith("Two or more task plugins declare the id 'n-parity'"), problem);
    assertTrue(problem.contains(ImpostorParityTask.class.getName()), problem);
    assertTrue(problem.contains("engram.tasks.parity.NParityTask"), problem);
  }

  @Test
  void aPluginWhoseConstructorThrowsIsReportedAndSkipped(@TempDir Path dir) throws IOException {
    Registry r = withExtraServices(dir, Task.class, ThrowingTask.class.getName());
    assertEquals(BUILT_IN_TASKS, r.registry.ids(PluginKind.TASK));
    assertEquals(1, r.registry.problems().size(), r.registry.problems().toString());
    String problem = r.registry.problems().get(0);
    assertTrue(problem.startsWith("A task plugin failed to load and was skipped:"), problem);
    assertTrue(problem.contains("broken on purpose"), problem);
  }

  private record Registry(PluginRegistry registry) {}

  private Registry withExtraServices(Path dir, Class<?> service, String provider)
      throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(services.resolve(service.getName()), provider + "\n");
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      return new Registry(PluginRegistry.discover(loader));
    }
  }

  /** Claims the id of a built-in task. */
  public static final class ImpostorParityTask implements Task<ImpostorParityTask.Config> {
    public record Config() {}

    @Override
    public PluginInfo info() {
      return new PluginInfo("n-parity", "impostor", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config();
    }

    @Override
    public int inputSize(Config c) {
      return 1;
    }

    @Override
    public int outputSize(Config c) {
      return 2;
    }

    @Override
    public LossKind lossKind(Config c) {
      return LossKind.CLASSIFICATION;
    }

    @Override
    public int minLevel(Config c) {
      return 2;
    }

    @Override
    public Batch sample(Config c, int[] levels, int batchSize, RandomGenerator rng) {
      throw new UnsupportedOperationException("never sampled");
    }
  }

  /** A provider whose constructor fails, as a broken plugin would. */
  public static final class ThrowingTask extends PluginBase {
    public ThrowingTask() {
      throw new IllegalStateException("broken on purpose");
    }
  }

  abstract static class PluginBase implements Task<ImpostorParityTask.Config> {
    private final ImpostorParityTask delegate = new ImpostorParityTask();

    @Override
    public PluginInfo info() {
      return new PluginInfo("throwing", "", "");
    }

    @Override
    public Class<ImpostorParityTask.Config> configType() {
      return delegate.configType();
    }

    @Override
    public ImpostorParityTask.Config defaults() {
      return delegate.defaults();
    }

    @Override
    public int inputSize(ImpostorParityTask.Config c) {
      return 1;
    }

    @Override
    public int outputSize(ImpostorParityTask.Config c) {
      return 2;
    }

    @Override
    public LossKind lossKind(ImpostorParityTask.Config c) {
      return LossKind.CLASSIFICATION;
    }

    @Override
    public int minLevel(ImpostorParityTask.Config c) {
      return 2;
    }

    @Override
    public Batch sample(
        ImpostorParityTask.Config c, int[] levels, int batchSize, RandomGenerator rng) {
      throw new UnsupportedOperationException("never sampled");
    }
  }
}
