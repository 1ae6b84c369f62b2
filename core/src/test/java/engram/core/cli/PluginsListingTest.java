package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import engram.core.plugin.PluginJarBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code engram plugins} lists every plugin even when one plugin's own code throws. */
class PluginsListingTest {

  @Test
  void aPluginWhoseDefaultsThrowIsListedWithTheReasonAndTheListingGoesOn(@TempDir Path dir)
      throws Exception {
    String broken =
        PluginJarBuilder.task("org.example.nodefaults", "NoDefaultsTask", "no-defaults")
            .replace(
                "public Config defaults() { return new Config(0.5); }",
                "public Config defaults() { throw new IllegalStateException(\"defaults broken\");"
                    + " }");
    assertTrue(broken.contains("defaults broken"), "the template changed: " + broken);
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    PluginJarBuilder.in(dir.resolve("scratch"))
        .source("org.example.nodefaults.NoDefaultsTask", broken)
        .service(Task.class, "org.example.nodefaults.NoDefaultsTask")
        .write(plugins.resolve("no-defaults.jar"));
    CliTest.Result r = CliTest.run("--plugins", plugins.toString(), "plugins");
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(
        r.out().contains("(no options shown: its defaults() failed: defaults broken. Fix:"),
        r.out());
    assertTrue(r.out().contains("n-parity"), "the built-ins after it are listed: " + r.out());
    assertTrue(r.out().contains("plugin jars loaded (1)"), r.out());
    assertFalse(r.err().contains("Exception"), r.err());
  }
}
