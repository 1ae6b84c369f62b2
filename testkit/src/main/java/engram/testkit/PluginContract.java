package engram.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Analyzer;
import engram.api.ApiVersion;
import engram.api.Curriculum;
import engram.api.Model;
import engram.api.Plugin;
import engram.api.PluginInfo;
import engram.api.Regularizer;
import engram.api.Task;
import engram.api.config.Doc;
import engram.api.study.Study;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks every plugin must pass, whatever its kind: how it is registered, constructed and
 * described, and how its configuration is documented and validated. {@link ModelContract}, {@link
 * TaskContract} and {@link RegularizerContract} run {@link #assertPlugin} themselves; a test of an
 * analyzer or a curriculum calls it directly. {@link #assertPluginJar} checks a built jar the way
 * core checks one it loads from a plugins folder.
 *
 * <p>Registration is read from where the class was loaded from (its code source: a classes
 * directory in a build, a jar otherwise), so the checks see what {@link java.util.ServiceLoader}
 * sees on the class path: the {@code META-INF/services} files, and, on the module path, the {@code
 * provides} of {@code module-info.class}.
 */
public final class PluginContract {
  /** The service types plugins implement, in the order of {@link Plugin}'s documentation. */
  public static final List<Class<?>> KINDS =
      List.of(
          Task.class,
          Model.class,
          Curriculum.class,
          Regularizer.class,
          Analyzer.class,
          Study.class);

  private static final String SERVICES = "META-INF/services/";
  private static final Pattern KEBAB = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

  /** A constructor that "does no work" takes far less than this (the fastest of a few tries). */
  private static final long CONSTRUCTOR_NANOS = 20_000_000L;

  private PluginContract() {}

  /**
   * A construction of a configuration record that must fail: its canonical constructor must throw
   * {@link IllegalArgumentException} whose message starts with {@code key} (the kebab-case name of
   * the offending component), as {@link engram.api.config.Check} does, so core can report {@code
   * model.hidden-size must be ≥ 1 (was 0)}.
   *
   * @param key the kebab-case key the message must start with
   * @param construction builds the invalid record
   */
  public record ConfigError(String key, Supplier<?> construction) {
    /**
     * Checks that both are set and the key is kebab-case.
     *
     * @param key the kebab-case key
     * @param construction builds the invalid record
     * @throws IllegalArgumentException when the key is not kebab-case
     */
    public ConfigError {
      if (key == null || !KEBAB.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "key must be kebab-case like 'hidden-size', was '" + key + "'");
      }
      java.util.Objects.requireNonNull(construction, "construction");
    }

    /**
     * Shorthand for the constructor.
     *
     * @param key the kebab-case key the message must start with
     * @param construction builds the invalid record
     * @return the error case
     */
    public static ConfigError of(String key, Supplier<?> construction) {
      return new ConfigError(key, construction);
    }

    @Override
    public String toString() {
      return key;
    }
  }

  /**
   * Everything that can be checked on a plugin object: {@link #assertRegistered}, {@link
   * #assertConfigOpenToCore}, {@link #assertCheapConstructor}, {@link #assertInfo} and {@link
   * #assertConfigDocumented}.
   *
   * @param plugin a plugin instance
   */
  public static void assertPlugin(Plugin<?> plugin) {
    assertNotNull(plugin, "plugin");
    assertRegistered(plugin.getClass());
    assertConfigOpenToCore(plugin);
    assertCheapConstructor(plugin.getClass());
    assertInfo(plugin);
    assertConfigDocumented(plugin);
  }

  /**
   * The class is named in its code source's {@code META-INF/services} file of every plugin kind it
   * implements; and when that code source holds a {@code module-info.class}, its {@code provides}
   * name exactly the classes the services files name (for every Engram kind), and the package of
   * the configuration record (and of the enums and records it uses from the same module) is opened
   * to {@code engram.core}, which binds configurations reflectively.
   *
   * @param pluginClass a plugin class
   */
  public static void assertRegistered(Class<?> pluginClass) {
    List<Class<?>> kinds = kinds(pluginClass);
    assertFalse(
        kinds.isEmpty(),
        pluginClass.getName()
            + " implements none of "
            + KINDS.stream().map(Class::getName).toList());
    Path source = codeSource(pluginClass);
    Registrations found = read(source);
    for (Class<?> kind : kinds) {
      Set<String> listed = found.services().getOrDefault(kind.getName(), Set.of());
      assertTrue(
          listed.contains(pluginClass.getName()),
          pluginClass.getName()
              + " is not listed"
              + " in "
              + SERVICES
              + kind.getName()
              + " of "
              + source
              + " (it lists "
              + listed
              + "); ServiceLoader will not find it");
    }
    if (found.module() != null) {
      ModuleDescriptor module = found.module();
      Map<String, Set<String>> provides = new TreeMap<>();
      module.provides().stream()
          .filter(p -> p.service().startsWith("engram.api."))
          .forEach(p -> provides.put(p.service(), new TreeSet<>(p.providers())));
      assertEquals(
          provides,
          found.services(),
          "module-info of "
              + module.name()
              + " and its "
              + SERVICES
              + " files disagree ("
              + source
              + "): on the class path only the services"
              + " files count, on the module path only the provides");
    }
  }

  /**
   * Whether the configuration of a plugin can be bound by core when the plugin is a named module:
   * the record's package, and that of every enum or record among its components declared in the
   * same module, is opened to {@code engram.core} (or to everyone). Passes when the plugin's code
   * source has no {@code module-info.class}.
   *
   * @param plugin a plugin instance
   */
  public static void assertConfigOpenToCore(Plugin<?> plugin) {
    ModuleDescriptor module = read(codeSource(plugin.getClass())).module();
    if (module == null || module.isOpen()) {
      return;
    }
    Set<String> packages = new TreeSet<>();
    collectPackages(plugin.configType(), module.packages(), packages);
    for (String pkg : packages) {
      boolean open =
          module.opens().stream()
              .anyMatch(
                  o ->
                      o.source().equals(pkg)
                          && (!o.isQualified() || o.targets().contains("engram.core")));
      assertTrue(
          open,
          "module "
              + module.name()
              + " must open "
              + pkg
              + " to engram.core: core"
              + " binds "
              + plugin.configType().getName()
              + " reflectively");
    }
  }

  /**
   * The class is public with a public no-argument constructor that does no work (ServiceLoader
   * instantiates every provider, used or not): constructing it takes well under 20 ms, and it keeps
   * no mutable state (every instance field is final).
   *
   * @param pluginClass a plugin class
   */
  public static void assertCheapConstructor(Class<?> pluginClass) {
    assertTrue(
        Modifier.isPublic(pluginClass.getModifiers()), pluginClass.getName() + " must be public");
    assertFalse(
        Modifier.isAbstract(pluginClass.getModifiers()),
        pluginClass.getName() + " must not be abstract");
    Constructor<?> constructor;
    try {
      constructor = pluginClass.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new AssertionError(
          pluginClass.getName()
              + " needs a public no-argument constructor"
              + " (ServiceLoader calls it)",
          e);
    }
    long fastest = Long.MAX_VALUE;
    for (int attempt = 0; attempt < 5; attempt++) {
      long start = System.nanoTime();
      try {
        constructor.newInstance();
      } catch (InvocationTargetException e) {
        throw new AssertionError(pluginClass.getName() + "'s constructor threw", e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(pluginClass.getName() + " cannot be instantiated", e);
      }
      fastest = Math.min(fastest, System.nanoTime() - start);
    }
    assertTrue(
        fastest < CONSTRUCTOR_NANOS,
        pluginClass.getName()
            + "'s constructor took "
            + fastest / 1e6
            + " ms; it must do no work (create arrays and files in the methods of"
            + " the plugin kind)");
    for (Class<?> c = pluginClass; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())) {
          assertTrue(
              Modifier.isFinal(f.getModifiers()),
              pluginClass.getName()
                  + "."
                  + f.getName()
                  + " is not final: a plugin holds no mutable state (per-run state lives in the"
                  + " objects it creates)");
        }
      }
    }
  }

  /**
   * {@link Plugin#info()} is stable (equal on every call and for every instance) and complete: a
   * kebab-case id, a title and a description.
   *
   * @param plugin a plugin instance
   */
  public static void assertInfo(Plugin<?> plugin) {
    PluginInfo info = plugin.info();
    assertNotNull(info, plugin.getClass().getName() + ".info()");
    assertTrue(KEBAB.matcher(info.id()).matches(), "id '" + info.id() + "'");
    assertEquals(info, plugin.info(), info.id() + ": info() must be the same on every call");
    assertFalse(info.title().isBlank(), info.id() + " has no title");
    assertFalse(info.description().isBlank(), info.id() + " has no description");
    try {
      Plugin<?> other = plugin.getClass().getConstructor().newInstance();
      assertEquals(info, other.info(), info.id() + ": info() must not depend on the instance");
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(plugin.getClass().getName() + " cannot be instantiated", e);
    }
  }

  /**
   * The configuration type is a public record whose every component carries a non-blank {@link
   * Doc}; {@link Plugin#defaults()} is an instance of it, the same on every call, and valid: its
   * canonical constructor (which validates) gives it back unchanged.
   *
   * @param plugin a plugin instance
   */
  public static void assertConfigDocumented(Plugin<?> plugin) {
    String id = plugin.info().id();
    Class<?> type = plugin.configType();
    assertNotNull(type, id + ".configType()");
    assertTrue(type.isRecord(), id + ": " + type.getName() + " must be a record");
    assertTrue(
        Modifier.isPublic(type.getModifiers()), id + ": " + type.getName() + " must be public");
    for (RecordComponent rc : type.getRecordComponents()) {
      Doc doc = rc.getAnnotation(Doc.class);
      assertNotNull(doc, id + ": " + type.getSimpleName() + "." + rc.getName() + " has no @Doc");
      assertFalse(doc.value().isBlank(), id + ": " + rc.getName() + " has a blank @Doc");
    }
    Record defaults = plugin.defaults();
    assertNotNull(defaults, id + ".defaults()");
    assertSame(type, defaults.getClass(), id + ": defaults() must be a " + type.getName());
    assertEquals(defaults, plugin.defaults(), id + ": defaults() must be the same on every call");
    assertEquals(
        defaults,
        rebuild(defaults),
        id + ": the canonical constructor must accept the" + " defaults unchanged");
  }

  /**
   * Every construction must throw {@link IllegalArgumentException} whose message starts with its
   * key.
   *
   * @param errors the invalid constructions
   */
  public static void assertConfigErrors(List<ConfigError> errors) {
    for (ConfigError error : errors) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> error.construction().get(),
              "an invalid '" + error.key() + "' was accepted");
      String message = String.valueOf(e.getMessage());
      assertTrue(
          message.startsWith(error.key()),
          "the message must start with the key '"
              + error.key()
              + "' (use engram.api.config.Check): "
              + message);
    }
  }

  /**
   * Checks a built plugin jar as core checks one in a plugins folder, and more: its manifest
   * declares {@value ApiVersion#MANIFEST_ATTRIBUTE} with the major.minor of the api on the class
   * path; it registers at least one plugin in {@code META-INF/services/engram.api.*}, and every
   * class named there is in the jar; it bundles no class of engram-api or ND4J (those come from
   * Engram, and a second copy breaks loading); and its {@code module-info.class}, if any, provides
   * what the services files list.
   *
   * @param jar a built jar, e.g. {@code target/my-plugin.jar} in an integration test
   */
  public static void assertPluginJar(Path jar) {
    assertTrue(Files.isRegularFile(jar), jar + " is not a file; build it first (mvn package)");
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      String declared =
          manifest == null
              ? null
              : manifest.getMainAttributes().getValue(ApiVersion.MANIFEST_ATTRIBUTE);
      ApiVersion current = ApiVersion.current();
      assertNotNull(
          declared,
          jar
              + " has no manifest attribute "
              + ApiVersion.MANIFEST_ATTRIBUTE
              + "; add '"
              + ApiVersion.MANIFEST_ATTRIBUTE
              + ": "
              + current
              + "' (maven-jar-plugin"
              + " manifestEntries)");
      ApiVersion version;
      try {
        version = ApiVersion.parse(declared);
      } catch (IllegalArgumentException e) {
        throw new AssertionError(
            jar + ": " + ApiVersion.MANIFEST_ATTRIBUTE + " " + e.getMessage(), e);
      }
      assertTrue(
          version.compatibleWith(current),
          jar
              + " declares "
              + ApiVersion.MANIFEST_ATTRIBUTE
              + " "
              + version
              + " but the api on the class path is "
              + current);
      List<String> bundled = new ArrayList<>();
      Set<String> classes = new TreeSet<>();
      for (Enumeration<JarEntry> en = file.entries(); en.hasMoreElements(); ) {
        String name = en.nextElement().getName();
        if (name.endsWith(".class")) {
          classes.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
          if (name.startsWith("engram/api/") || name.startsWith("org/nd4j/")) {
            bundled.add(name);
          }
        }
      }
      assertTrue(
          bundled.isEmpty(),
          jar
              + " bundles classes of engram-api or ND4J, which Engram"
              + " provides (give them provided scope): "
              + bundled.subList(0, Math.min(5, bundled.size())));
      Registrations found = read(file);
      assertFalse(
          found.services().isEmpty(),
          jar
              + " registers no plugin: no "
              + SERVICES
              + "engram.api.Task, .Model, .Curriculum, .Regularizer, .Analyzer or .study.Study"
              + " naming a class");
      found
          .services()
          .forEach(
              (service, providers) -> {
                for (String provider : providers) {
                  assertTrue(
                      classes.contains(provider),
                      jar
                          + ": "
                          + SERVICES
                          + service
                          + " names "
                          + provider
                          + ", which is not in the jar");
                }
              });
      if (found.module() != null) {
        Map<String, Set<String>> provides = new TreeMap<>();
        found.module().provides().stream()
            .filter(p -> p.service().startsWith("engram.api."))
            .forEach(p -> provides.put(p.service(), new TreeSet<>(p.providers())));
        assertEquals(
            provides, found.services(), jar + ": module-info and " + SERVICES + " disagree");
      }
    } catch (IOException e) {
      throw new AssertionError(jar + " is not a readable jar: " + e.getMessage(), e);
    }
  }

  /** The Engram plugin kinds a class implements. */
  static List<Class<?>> kinds(Class<?> pluginClass) {
    return KINDS.stream().filter(k -> k.isAssignableFrom(pluginClass)).toList();
  }

  /** What a code source registers: services files by service name, and its module descriptor. */
  private record Registrations(Map<String, Set<String>> services, ModuleDescriptor module) {}

  private static Path codeSource(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    assertNotNull(source, type.getName() + " has no code source to read its registration from");
    try {
      return Path.of(source.getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError("cannot read the code source of " + type.getName(), e);
    }
  }

  private static Registrations read(Path source) {
    if (!Files.isDirectory(source)) {
      try (JarFile jar = new JarFile(source.toFile())) {
        return read(jar);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Map<String, Set<String>> services = new TreeMap<>();
    Path dir = source.resolve(SERVICES);
    try {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path f : files.toList()) {
            String service = f.getFileName().toString();
            Set<String> providers = providers(Files.readString(f, StandardCharsets.UTF_8));
            if (service.startsWith("engram.api.") && !providers.isEmpty()) {
              services.put(service, providers);
            }
          }
        }
      }
      Path moduleInfo = source.resolve("module-info.class");
      ModuleDescriptor module = null;
      if (Files.isRegularFile(moduleInfo)) {
        try (InputStream in = Files.newInputStream(moduleInfo)) {
          module = ModuleDescriptor.read(in);
        }
      }
      return new Registrations(services, module);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Registrations read(JarFile jar) throws IOException {
    Map<String, Set<String>> services = new TreeMap<>();
    ModuleDescriptor module = null;
    for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
      JarEntry e = en.nextElement();
      String name = e.getName();
      if (name.startsWith(SERVICES + "engram.api.") && !e.isDirectory()) {
        try (InputStream in = jar.getInputStream(e)) {
          Set<String> providers = providers(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          if (!providers.isEmpty()) {
            services.put(name.substring(SERVICES.length()), providers);
          }
        }
      } else if (name.equals("module-info.class")) {
        try (InputStream in = jar.getInputStream(e)) {
          module = ModuleDescriptor.read(in);
        }
      }
    }
    return new Registrations(services, module);
  }

  /** The class names of a services file: blank lines and {@code #} comments do not count. */
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

  /** Packages of {@code type} and of the enums and records it uses, within one module. */
  private static void collectPackages(Class<?> type, Set<String> modulePackages, Set<String> out) {
    if (modulePackages.contains(type.getPackageName())) {
      out.add(type.getPackageName());
    }
    if (type.isRecord()) {
      for (RecordComponent rc : type.getRecordComponents()) {
        Class<?> t = rc.getType();
        if ((t.isEnum() || t.isRecord()) && t != type) {
          collectPackages(t, modulePackages, out);
        }
      }
    }
  }

  /** A record rebuilt through its canonical constructor from its own component values. */
  static Record rebuild(Record value) {
    RecordComponent[] components = value.getClass().getRecordComponents();
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    try {
      for (int i = 0; i < components.length; i++) {
        args[i] = components[i].getAccessor().invoke(value);
        types[i] = components[i].getType();
      }
      Constructor<?> canonical = value.getClass().getDeclaredConstructor(types);
      canonical.setAccessible(true);
      return (Record) canonical.newInstance(args);
    } catch (InvocationTargetException e) {
      throw new AssertionError(
          "the canonical constructor of "
              + value.getClass().getName()
              + " rejects "
              + value
              + ": "
              + e.getCause().getMessage(),
          e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot rebuild " + value, e);
    }
  }
}
