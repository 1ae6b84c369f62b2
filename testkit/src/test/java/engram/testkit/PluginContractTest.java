package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.ApiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** The plugin checks pass on a good plugin and jar and fail, naming the problem, on bad ones. */
class PluginContractTest {

  private static byte[] classBytes(Class<?> type) throws IOException {
    try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
      return in.readAllBytes();
    }
  }

  /** A jar with the given manifest version (null for none) and entries. */
  private static Path jar(Path dir, String version, Map<String, byte[]> entries)
      throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (version != null) {
      manifest.getMainAttributes().putValue(ApiVersion.MANIFEST_ATTRIBUTE, version);
    }
    Files.createDirectories(dir);
    Path jar = Files.createTempFile(dir, "plugin", ".jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out, manifest)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        j.putNextEntry(new JarEntry(e.getKey()));
        j.write(e.getValue());
        j.closeEntry();
      }
    }
    return jar;
  }

  private static Map<String, byte[]> goodEntries() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("engram/testkit/EchoTask.class", classBytes(EchoTask.class));
    entries.put(
        "META-INF/services/engram.api.Task",
        "# the task\nengram.testkit.EchoTask\n".getBytes(StandardCharsets.UTF_8));
    return entries;
  }

  private static String failure(Runnable check) {
    return assertThrows(AssertionFailedError.class, check::run).getMessage();
  }

  @Test
  void aGoodPluginAndAGoodJarPass(@TempDir Path dir) throws IOException {
    PluginContract.assertPlugin(new EchoTask());
    PluginContract.assertPluginJar(jar(dir, ApiVersion.current().text(), goodEntries()));
    PluginContract.assertPluginJar(jar(dir, ApiVersion.current().text() + ".7", goodEntries()));
  }

  @Test
  void aJarWithoutOrWithAnotherApiVersionFails(@TempDir Path dir) throws IOException {
    assertTrue(
        failure(() -> PluginContract.assertPluginJar(uncheck(() -> jar(dir, null, goodEntries()))))
            .contains("has no manifest attribute Engram-Api-Version"));
    ApiVersion now = ApiVersion.current();
    String other = now.major() + "." + (now.minor() + 1);
    assertTrue(
        failure(() -> PluginContract.assertPluginJar(uncheck(() -> jar(dir, other, goodEntries()))))
            .contains("declares Engram-Api-Version " + other));
  }

  @Test
  void aJarThatBundlesTheApiOrNd4jFails(@TempDir Path dir) throws IOException {
    for (String bundled :
        List.of("engram/api/Plugin.class", "org/nd4j/linalg/factory/Nd4j.class")) {
      Map<String, byte[]> entries = goodEntries();
      entries.put(bundled, new byte[] {1});
      Path jar = jar(dir.resolve(bundled.substring(0, 3)), ApiVersion.current().text(), entries);
      assertTrue(failure(() -> PluginContract.assertPluginJar(jar)).contains(bundled));
    }
  }

  @Test
  void aJarThatRegistersNothingOrAMissingClassFails(@TempDir Path dir) throws IOException {
    Map<String, byte[]> none = goodEntries();
    none.put("META-INF/services/engram.api.Task", "# nothing\n".getBytes(StandardCharsets.UTF_8));
    assertTrue(
        failure(
                () ->
                    PluginContract.assertPluginJar(
                        uncheck(() -> jar(dir, ApiVersion.current().text(), none))))
            .contains("registers no plugin"));
    Map<String, byte[]> missing = goodEntries();
    missing.remove("engram/testkit/EchoTask.class");
    missing.put("x/Other.class", new byte[] {1});
    assertTrue(
        failure(
                () ->
                    PluginContract.assertPluginJar(
                        uncheck(() -> jar(dir.resolve("m"), ApiVersion.current().text(), missing))))
            .contains("names engram.testkit.EchoTask"));
  }

  @Test
  void anUnregisteredPluginFails() {
    assertTrue(
        failure(() -> PluginContract.assertRegistered(Unregistered.class))
            .contains("is not listed in META-INF/services/engram.api.Task"));
  }

  @Test
  void aConfigErrorWhoseMessageDoesNotStartWithTheKeyFails() {
    PluginContract.assertConfigErrors(
        List.of(PluginContract.ConfigError.of("extra", () -> new EchoTask.Config(-1))));
    assertTrue(
        failure(
                () ->
                    PluginContract.assertConfigErrors(
                        List.of(
                            PluginContract.ConfigError.of("steps", () -> new EchoTask.Config(-1)))))
            .contains("must start with the key 'steps'"));
    assertTrue(
        failure(
                () ->
                    PluginContract.assertConfigErrors(
                        List.of(
                            PluginContract.ConfigError.of("extra", () -> new EchoTask.Config(1)))))
            .contains("an invalid 'extra' was accepted"));
  }

  /** A task that is not in any services file. */
  public static final class Unregistered extends EchoTaskDelegate {}

  /** Delegates to EchoTask, so that a second class exists for the registration check. */
  public static class EchoTaskDelegate implements engram.api.Task<EchoTask.Config> {
    private final EchoTask echo = new EchoTask();

    @Override
    public engram.api.PluginInfo info() {
      return echo.info();
    }

    @Override
    public Class<EchoTask.Config> configType() {
      return echo.configType();
    }

    @Override
    public EchoTask.Config defaults() {
      return echo.defaults();
    }

    @Override
    public int inputSize(EchoTask.Config config) {
      return 1;
    }

    @Override
    public int outputSize(EchoTask.Config config) {
      return 2;
    }

    @Override
    public engram.api.task.LossKind lossKind(EchoTask.Config config) {
      return engram.api.task.LossKind.CLASSIFICATION;
    }

    @Override
    public int minLevel(EchoTask.Config config) {
      return 1;
    }

    @Override
    public engram.api.task.Batch sample(
        EchoTask.Config config, int[] levels, int batchSize, java.util.random.RandomGenerator rng) {
      return echo.sample(config, levels, batchSize, rng);
    }
  }

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T uncheck(IoSupplier<T> supplier) {
    try {
      return supplier.get();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
