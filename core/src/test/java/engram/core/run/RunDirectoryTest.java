package engram.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {
  private static final Instant NOW = Instant.parse("2024-03-05T22:07:09.5Z");

  @TempDir Path root;

  @Test
  void namedAfterTheExperimentAndTheUtcStartTime() throws Exception {
    RunDirectory run = RunDirectory.create(root.resolve("runs"), "parity", NOW);
    assertEquals(root.resolve("runs/parity-20240305-220709"), run.path());
    assertTrue(Files.isDirectory(run.path().resolve("checkpoints")));
    assertEquals(run.path().resolve("checkpoints"), run.checkpoints());
    assertEquals(run.path().resolve("run.log"), run.logFile());
    assertEquals(run.path().resolve("metrics.csv"), run.metricsFile());
  }

  @Test
  void neverReusesADirectory() throws Exception {
    RunDirectory first = RunDirectory.create(root, "parity", NOW);
    RunDirectory second = RunDirectory.create(root, "parity", NOW);
    RunDirectory third = RunDirectory.create(root, "parity", NOW);
    assertNotEquals(first.path(), second.path());
    assertEquals(root.resolve("parity-20240305-220709-2"), second.path());
    assertEquals(root.resolve("parity-20240305-220709-3"), third.path());
  }

  @Test
  void unsafeCharactersInTheNameAreReplaced() throws Exception {
    assertEquals(
        root.resolve("my-exp-1-20240305-220709"),
        RunDirectory.create(root, "my exp/1", NOW).path());
    assertEquals(
        root.resolve("-hidden-20240305-220709"), RunDirectory.create(root, ".hidden", NOW).path());
    assertThrows(IllegalArgumentException.class, () -> RunDirectory.create(root, " ", NOW));
  }

  @Test
  void writeNewRefusesToOverwrite() throws Exception {
    RunDirectory run = RunDirectory.create(root, "x", NOW);
    Path file = run.writeNew("config.resolved.yaml", "a: 1\n");
    assertEquals("a: 1\n", Files.readString(file));
    assertThrows(FileAlreadyExistsException.class, () -> run.writeNew("config.resolved.yaml", "b"));
    assertEquals("a: 1\n", Files.readString(file));
    assertEquals("ok", Files.readString(run.writeNew("analysis/t/result.txt", "ok")));
  }

  @Test
  void writeNewStaysInsideTheRun() throws Exception {
    RunDirectory run = RunDirectory.create(root, "x", NOW);
    assertThrows(IllegalArgumentException.class, () -> run.writeNew("../escape.txt", "x"));
    assertThrows(IllegalArgumentException.class, () -> run.writeNew("/tmp/abs.txt", "x"));
    assertThrows(IllegalArgumentException.class, () -> run.writeNew(".", "x"));
  }

  @Test
  void openNeedsADirectory() throws Exception {
    RunDirectory run = RunDirectory.create(root, "x", NOW);
    assertEquals(run.path(), RunDirectory.open(run.path()).path());
    assertThrows(java.io.IOException.class, () -> RunDirectory.open(root.resolve("missing")));
  }
}
