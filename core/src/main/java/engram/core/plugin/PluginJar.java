package engram.core.plugin;

import engram.api.ApiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A plugin jar from a plugins folder that passed inspection: a readable jar that registers at least
 * one plugin and was built against a compatible api.
 *
 * @param path absolute path of the jar
 * @param sha256 hex SHA-256 of the jar's bytes when it was inspected
 * @param apiVersion its {@value ApiVersion#MANIFEST_ATTRIBUTE}, or null when it declares none
 * @param kinds the kinds it registers in {@code META-INF/services}
 * @param bindings whether it registers a Guice module ({@value #GUICE_MODULE}) for each run's
 *     injector
 */
public record PluginJar(
    Path path, String sha256, String apiVersion, Set<PluginKind> kinds, boolean bindings) {
  private static final String SERVICES = "META-INF/services/";

  /** The service interface of a jar's bindings (named here: Guice is core.inject's business). */
  public static final String GUICE_MODULE = "com.google.inject.Module";

  public PluginJar {
    kinds = Set.copyOf(kinds);
  }

  /**
   * What inspecting a jar gave.
   *
   * @param jar the jar to load, or null when it is refused
   * @param problems why it is refused, or warnings about an accepted jar; one line each
   */
  record Inspection(PluginJar jar, List<PluginProblem> problems) {}

  /**
   * Reads a jar's manifest and service files, without loading any class from it: it is refused when
   * it is not a jar, registers neither a plugin nor a Guice module, or declares an incompatible api
   * version. A jar without a version is accepted with a warning (plugins built before the attribute
   * existed).
   */
  static Inspection inspect(Path path, ApiVersion current) {
    String fixRemove = "or remove it from " + path.getParent() + ".";
    Set<PluginKind> kinds = EnumSet.noneOf(PluginKind.class);
    boolean bindings;
    String declared;
    try (JarFile jar = new JarFile(path.toFile())) {
      for (PluginKind kind : PluginKind.values()) {
        JarEntry entry = jar.getJarEntry(SERVICES + kind.type().getName());
        if (entry != null && !entry.isDirectory() && declaresProvider(jar, entry)) {
          kinds.add(kind);
        }
      }
      JarEntry modules = jar.getJarEntry(SERVICES + GUICE_MODULE);
      bindings = modules != null && !modules.isDirectory() && declaresProvider(jar, modules);
      Manifest manifest = jar.getManifest();
      declared =
          manifest == null
              ? null
              : manifest.getMainAttributes().getValue(ApiVersion.MANIFEST_ATTRIBUTE);
    } catch (IOException | RuntimeException e) {
      // ZipException for a file that is not a zip, SecurityException for a bad signature
      return refused(
          path
              + " was skipped: it is not a readable jar ("
              + e.getMessage()
              + "). Fix: rebuild it (mvn package), "
              + fixRemove,
          EnumSet.allOf(PluginKind.class));
    }
    if (kinds.isEmpty() && !bindings) {
      return refused(
          path
              + " was skipped: it registers no Engram plugin (no META-INF/services/"
              + "engram.api.Task, .Model, .Curriculum, .Regularizer, .Analyzer or .study.Study file"
              + " naming a class, and no Guice module in META-INF/services/"
              + GUICE_MODULE
              + ")."
              + " Fix: list each plugin class in META-INF/services/<its interface>, "
              + fixRemove
              + " A plugin's own libraries belong inside its jar (shaded), not next to it.",
          Set.of());
    }
    List<PluginProblem> warnings = new ArrayList<>();
    if (declared == null) {
      warnings.add(
          PluginProblem.warning(
              path
                  + " does not say which engram-api it was built"
                  + " against; loading it anyway. Fix: add '"
                  + ApiVersion.MANIFEST_ATTRIBUTE
                  + ": "
                  + current
                  + "' to its manifest (maven-jar-plugin manifestEntries)."));
    } else {
      ApiVersion version;
      try {
        version = ApiVersion.parse(declared);
      } catch (IllegalArgumentException e) {
        return refused(
            path
                + " was skipped: its manifest declares "
                + ApiVersion.MANIFEST_ATTRIBUTE
                + " "
                + e.getMessage()
                + ". Fix: rebuild it against engram-api "
                + current
                + " with '"
                + ApiVersion.MANIFEST_ATTRIBUTE
                + ": "
                + current
                + "' in its manifest.",
            kinds);
      }
      if (!version.compatibleWith(current)) {
        return refused(
            path
                + " was skipped: it was built against engram-api "
                + version
                + ", but this Engram has engram-api "
                + current
                + ". Fix: rebuild the plugin against"
                + " engram-api "
                + current
                + ", or run it with an Engram whose api is "
                + version
                + ".",
            kinds);
      }
    }
    String sha256;
    try {
      sha256 = sha256(path);
    } catch (IOException e) {
      return refused(
          path
              + " was skipped: it cannot be read ("
              + e.getMessage()
              + "). Fix: make"
              + " it readable, "
              + fixRemove,
          kinds);
    }
    return new Inspection(new PluginJar(path, sha256, declared, kinds, bindings), warnings);
  }

  private static Inspection refused(String message, Set<PluginKind> kinds) {
    return new Inspection(null, List.of(PluginProblem.skipped(message, kinds)));
  }

  /** Whether a service file names at least one class (blank lines and comments do not count). */
  private static boolean declaresProvider(JarFile jar, JarEntry entry) throws IOException {
    try (InputStream in = jar.getInputStream(entry)) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.replaceAll("#.*", "").isBlank()) {
          return true;
        }
      }
    }
    return false;
  }

  /** Hex SHA-256 of a file. */
  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
