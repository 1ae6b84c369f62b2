package engram.core.plugin;

import engram.api.ApiVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Builds plugin jars at test time, outside the reactor's class path, as a plugin author would: Java
 * sources compiled against the api (the test class path), {@code META-INF/services} entries and an
 * {@code Engram-Api-Version} manifest attribute. The one place tests make plugin jars; it also has
 * the sources of a small task and a small regularizer.
 *
 * <p>Sources are compiled once per builder; {@link #write} can then package them several times,
 * e.g. with different manifest versions.
 */
public final class PluginJarBuilder {
  private final Path work;
  private final Map<String, String> sources = new LinkedHashMap<>();
  private final Map<String, List<String>> services = new LinkedHashMap<>();
  private String apiVersion = ApiVersion.current().text();
  private Path classes;

  private PluginJarBuilder(Path work) {
    this.work = work;
  }

  /** A builder that compiles in a fresh directory under {@code scratch}. */
  public static PluginJarBuilder in(Path scratch) throws IOException {
    Files.createDirectories(scratch);
    return new PluginJarBuilder(Files.createTempDirectory(scratch, "plugin-build-"));
  }

  /** Adds a Java source for a class with this fully qualified name. */
  public PluginJarBuilder source(String className, String code) {
    sources.put(className, code);
    classes = null;
    return this;
  }

  /** Registers {@code provider} for the service {@code type} in {@code META-INF/services}. */
  public PluginJarBuilder service(Class<?> type, String provider) {
    services.computeIfAbsent(type.getName(), k -> new ArrayList<>()).add(provider);
    return this;
  }

  /** The manifest's {@code Engram-Api-Version}; null leaves the attribute out. */
  public PluginJarBuilder apiVersion(String version) {
    apiVersion = version;
    return this;
  }

  /** Compiles (once) and writes the jar; returns it. */
  public Path write(Path jar) throws IOException {
    if (classes == null) {
      classes = compile();
    }
    Manifest manifest = new Manifest();
    Attributes main = manifest.getMainAttributes();
    main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (apiVersion != null) {
      main.putValue(ApiVersion.MANIFEST_ATTRIBUTE, apiVersion);
    }
    Files.createDirectories(jar.toAbsolutePath().getParent());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
      for (Map.Entry<String, List<String>> e : services.entrySet()) {
        out.putNextEntry(new JarEntry("META-INF/services/" + e.getKey()));
        out.write((String.join("\n", e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return jar;
  }

  /** Writes a file named like a jar that is not a zip. */
  public static Path writeCorrupt(Path jar) throws IOException {
    Files.createDirectories(jar.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(jar)) {
      out.write("this is not a zip file\n".getBytes(StandardCharsets.UTF_8));
    }
    return jar;
  }

  private Path compile() throws IOException {
    Path src = work.resolve("src");
    Path out = Files.createTempDirectory(work, "classes-");
    List<String> args =
        new ArrayList<>(
            List.of(
                "-d",
                out.toString(),
                "-proc:none",
                "-implicit:none",
                "-nowarn",
                "-cp",
                System.getProperty("java.class.path")));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, e.getValue());
      args.add(file.toString());
    }
    // javac through java.util.spi.ToolProvider (java.base): javax.tools lives in java.compiler,
    // which the test classes, compiled into module engram.core, do not read.
    var javac =
        java.util.spi.ToolProvider.findFirst("javac")
            .orElseThrow(() -> new IllegalStateException("no javac: run the tests on a JDK"));
    var errors = new java.io.StringWriter();
    var writer = new java.io.PrintWriter(errors, true);
    if (javac.run(writer, writer, args.toArray(String[]::new)) != 0) {
      throw new IllegalStateException("plugin sources do not compile:\n" + errors);
    }
    return out;
  }

  /**
   * A task {@code pkg.cls} with id {@code id}: recall the bit seen N steps before the last step.
   *
   * @param title a Java expression for its title (e.g. a helper's version)
   * @param constructorBody statements of its public no-argument constructor
   */
  public static String task(
      String pkg, String cls, String id, String title, String constructorBody) {
    return """
    package %1$s;

    import engram.api.PluginInfo;
    import engram.api.Task;
    import engram.api.task.Batch;
    import engram.api.task.LossKind;
    import engram.api.task.Target;
    import java.util.ArrayList;
    import java.util.Arrays;
    import java.util.List;
    import java.util.random.RandomGenerator;

    public final class %2$s implements Task<%2$s.Config> {
      public record Config(double p) {}

      public %2$s() { %5$s }

      public PluginInfo info() { return new PluginInfo("%3$s", %4$s, "built at test time"); }
      public Class<Config> configType() { return Config.class; }
      public Config defaults() { return new Config(0.5); }
      public int inputSize(Config c) { return 1; }
      public int outputSize(Config c) { return 2; }
      public LossKind lossKind(Config c) { return LossKind.CLASSIFICATION; }
      public int minLevel(Config c) { return 1; }

      public Batch sample(Config c, int[] levels, int batch, RandomGenerator rng) {
        int steps = Arrays.stream(levels).max().orElseThrow() + 1;
        float[] x = new float[steps * batch];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextDouble() < c.p() ? 1f : 0f;
        List<Target> targets = new ArrayList<>();
        for (int n : levels) {
          float[] label = new float[steps * batch];
          float[] mask = new float[steps * batch];
          for (int b = 0; b < batch; b++) {
            label[(steps - 1) * batch + b] = x[(steps - 1 - n) * batch + b];
            mask[(steps - 1) * batch + b] = 1;
          }
          targets.add(new Target(n, LossKind.CLASSIFICATION, 2, label, mask));
        }
        return new Batch(steps, batch, 1, x, targets);
      }
    }
    """
        .formatted(pkg, cls, id, title, constructorBody);
  }

  /** A task with a plain title and constructor. */
  public static String task(String pkg, String cls, String id) {
    return task(pkg, cls, id, "\"recall a bit\"", "");
  }

  /** A regularizer {@code pkg.cls} with id {@code id} whose term is the constant {@code value}. */
  public static String regularizer(String pkg, String cls, String id) {
    return """
    package %1$s;

    import engram.api.PluginInfo;
    import engram.api.Regularizer;

    public final class %2$s implements Regularizer<%2$s.Config> {
      public record Config(double value) {}

      public PluginInfo info() { return new PluginInfo("%3$s", "a constant term", ""); }
      public Class<Config> configType() { return Config.class; }
      public Config defaults() { return new Config(0.25); }

      @Override
      public double onHidden(Config c, HiddenInput input) { return c.value(); }
    }
    """
        .formatted(pkg, cls, id);
  }
}
