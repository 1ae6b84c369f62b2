package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The memory options the launcher {@code ./engram} chooses, checked by {@code
 * build/test-launcher-memory.sh} (a bash script: the launcher is one), so that {@code ./mvnw
 * verify} — the README's test command — covers them.
 */
class LauncherMemoryOptionsTest {

  @Test
  void theLauncherChoosesHeapAndOffHeapLimitsFromTheBudgetAndWorkers()
      throws IOException, InterruptedException {
    Path root = Path.of("").toAbsolutePath().getParent(); // tests run in core/
    Path script = root.resolve("build/test-launcher-memory.sh");
    assertTrue(Files.isRegularFile(script), script + " is missing");
    Process p =
        new ProcessBuilder("bash", script.toString())
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the script did not finish in 2 min");
    assertEquals(0, p.exitValue(), output);
  }
}
