package engram.core.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Enumeration;

/**
 * The class loader of one plugin jar. Its parent is the application class loader, which holds the
 * api, ND4J and core; classes are looked up there first (so every plugin shares one {@code
 * engram.api.Task}), then in the jar. Each jar has its own loader, so two jars may bundle different
 * versions of the same library: each sees its own copy.
 *
 * <p>Plugin jars are loaded on the class path in this way and not as module layers: Engram runs on
 * the class path because ND4J's module descriptors are broken (README, "Modules"), so there is no
 * boot layer of named modules to resolve a plugin module against.
 */
final class PluginClassLoader extends URLClassLoader {
  static {
    registerAsParallelCapable();
  }

  private static final String SERVICES = "META-INF/services/";

  PluginClassLoader(PluginJar jar, ClassLoader parent) {
    super("engram-plugin:" + jar.path().getFileName(), new URL[] {url(jar)}, parent);
  }

  /**
   * Service files come from this jar only. ServiceLoader reads them with getResources, which
   * normally asks the parent too: every jar would then re-register the built-in plugins.
   */
  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    if (name.startsWith(SERVICES)) {
      return findResources(name);
    }
    return super.getResources(name);
  }

  private static URL url(PluginJar jar) {
    try {
      return jar.path().toUri().toURL();
    } catch (MalformedURLException e) {
      throw new UncheckedIOException(e);
    }
  }
}
