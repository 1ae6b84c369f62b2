package engram.core.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Task;
import engram.api.task.Batch;
import engram.api.task.Target;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README promises that a task plugin is one Java file against the api: compile the README's
 * example as it is printed, register it, discover it, and check its labels by brute force.
 */
class ReadmeTaskExampleTest {

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void theReadmesTaskCompilesIsDiscoveredAndLabelsCorrectly(@TempDir Path dir) throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int section = readme.indexOf("## Write a task plugin");
    assertTrue(section >= 0, "README section missing");
    Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertTrue(m.find(section), "no Java block in the README's plugin section");
    String source = m.group(1);
    Path file = dir.resolve("src/org/example/tasks/AnyOneTask.java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, source);
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes.resolve("META-INF/services"));
    java.util.spi.ToolProvider javac = java.util.spi.ToolProvider.findFirst("javac").orElseThrow();
    StringWriter diagnostics = new StringWriter();
    PrintWriter writer = new PrintWriter(diagnostics, true);
    int code =
        javac.run(
            writer,
            writer,
            "-d",
            classes.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            file.toString());
    assertEquals(0, code, "the README's task does not compile:\n" + diagnostics);
    Files.writeString(
        classes.resolve("META-INF/services/engram.api.Task"), "org.example.tasks.AnyOneTask\n");

    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      PluginRegistry registry = PluginRegistry.discover(loader);
      assertTrue(
          registry.ids(PluginKind.TASK).contains("any-one"),
          registry.ids(PluginKind.TASK).toString());
      Task task = (Task) registry.find(PluginKind.TASK, "any-one").orElseThrow();
      Record config = task.defaults();
      Batch batch = task.sample(config, new int[] {2, 5}, 64, new SplittableRandom(3));
      int steps = batch.steps();
      for (int k = 0; k < 2; k++) {
        Target target = batch.targets().get(k);
        int n = target.level();
        for (int b = 0; b < 64; b++) {
          boolean any = false;
          for (int t = steps - n; t < steps; t++) {
            any |= batch.input(t, b, 0) == 1f;
          }
          assertEquals(any ? 1 : 0, target.label(steps - 1, b, 64), "N=" + n + " sequence " + b);
          assertTrue(target.scored(steps - 1, b, 64));
          assertTrue(steps == 1 || !target.scored(0, b, 64));
        }
      }
    }
  }
}
