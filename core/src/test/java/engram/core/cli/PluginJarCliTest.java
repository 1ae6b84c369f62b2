package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Regularizer;
import engram.api.Task;
import engram.core.plugin.PluginJarBuilder;
import engram.core.run.Provenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin jar built at test time and dropped into a plugins folder, used through the launcher:
 * listed with its jar, trained with, recorded in provenance.json with its SHA-256; a broken jar
 * next to it is a warning, and asking for a plugin it may hold stops the run before anything is
 * created.
 */
class PluginJarCliTest {
  @TempDir static Path built;
  private static Path jar;

  static final String EXPERIMENT =
      """
      name: from-a-jar
      seed: 3
      task: {id: recall-bit, p: 0.5}
      model: {id: leaky-rnn, hidden-size: 8}
      curriculum: {id: multi-head}
      regularizers: [{id: constant-term, value: 0.5}]
      training: {batch-size: 8, steps-per-epoch: 2, max-epochs: 2}
      evaluation: {batches: 1, batch-size: 16}
      """;

  @BeforeAll
  static void buildJar() throws IOException {
    jar =
        PluginJarBuilder.in(built.resolve("scratch"))
            .source(
                "org.example.tasks.RecallBitTask",
                PluginJarBuilder.task("org.example.tasks", "RecallBitTask", "recall-bit"))
            .source(
                "org.example.tasks.ConstantTerm",
                PluginJarBuilder.regularizer("org.example.tasks", "ConstantTerm", "constant-term"))
            .service(Task.class, "org.example.tasks.RecallBitTask")
            .service(Regularizer.class, "org.example.tasks.ConstantTerm")
            .write(built.resolve("recall-bit.jar"));
  }

  private static Path plugins(Path dir) throws IOException {
    Path folder = Files.createDirectories(dir.resolve("plugins"));
    Files.copy(jar, folder.resolve("recall-bit.jar"));
    return folder;
  }

  @Test
  void pluginsListsTheJarsPluginsWithTheirJarAndWarnsAboutABrokenOne(@TempDir Path dir)
      throws IOException {
    Path folder = plugins(dir);
    Path broken = PluginJarBuilder.writeCorrupt(dir.resolve("more/broken.jar"));
    Path jarPath = folder.resolve("recall-bit.jar").toAbsolutePath();
    CliTest.Result r =
        CliTest.run("--plugins", folder + ":" + broken.getParent(), "plugins", "--brief");
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("recall-bit"), r.out());
    assertTrue(r.out().contains("constant-term"), r.out());
    assertTrue(r.out().contains("from " + jarPath), r.out());
    assertTrue(r.out().contains("n-parity"), "built-ins are still listed: " + r.out());
    assertTrue(r.out().contains("plugin jars loaded (1)"), r.out());
    List<String> warnings = r.err().lines().toList();
    assertEquals(1, warnings.size(), r.err());
    assertTrue(
        warnings.get(0).startsWith("warning: " + broken.toAbsolutePath() + " was skipped:"),
        r.err());
  }

  @Test
  void theOptionMayAlsoFollowTheSubcommandAndBeRepeated(@TempDir Path dir) throws IOException {
    Path folder = plugins(dir);
    Path empty = Files.createDirectories(dir.resolve("empty"));
    CliTest.Result r =
        CliTest.run(
            "plugins", "--brief", "--plugins", empty.toString(), "--plugins", folder.toString());
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("recall-bit"), r.out());
    assertTrue(r.out().contains("plugin folders (2)"), r.out());
  }

  @Test
  void anExperimentTrainsWithAJarsTaskAndRegularizerAndProvenanceNamesTheJar(@TempDir Path dir)
      throws IOException {
    Path folder = plugins(dir);
    Path runs = dir.resolve("runs");
    CliTest.Result r =
        CliTest.run(
            "--plugins",
            folder.toString(),
            "run",
            CliTest.write(dir, EXPERIMENT).toString(),
            "--runs-dir",
            runs.toString(),
            "--progress",
            "lines");
    assertEquals(Main.OK, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("finished: "), r.out());
    Path run;
    try (Stream<Path> list = Files.list(runs)) {
      run = list.findFirst().orElseThrow();
    }
    String jarPath = folder.resolve("recall-bit.jar").toAbsolutePath().toString();
    Provenance provenance = Provenance.read(run.resolve("provenance.json"));
    String sha = sha256(folder.resolve("recall-bit.jar"));
    for (String id : List.of("recall-bit", "constant-term")) {
      Provenance.PluginUse use =
          provenance.plugins().stream()
              .filter(p -> p.id().equals(id))
              .findFirst()
              .orElseThrow(() -> new AssertionError(id + " missing: " + provenance));
      assertEquals(jarPath, use.source(), id);
      assertEquals(sha, use.sha256(), id);
    }
    assertEquals(
        List.of("engram", "--plugins", folder.toString(), "run"),
        provenance.commandLine().subList(0, 4),
        "the folders are part of the command line");
    String header = Files.readAllLines(run.resolve("metrics.csv")).get(0);
    assertTrue(header.contains("reg_constant-term"), header);
    assertTrue(
        Files.readAllLines(run.resolve("metrics.csv")).get(1).contains("0.5"),
        "the jar's regularizer term was applied");
  }

  @Test
  void analyzeFindsTheRunsJarsFromProvenanceAndNamesAJarThatIsGone(@TempDir Path dir)
      throws IOException {
    Path folder = plugins(dir);
    Path runs = dir.resolve("runs");
    CliTest.Result trained =
        CliTest.run(
            "--plugins",
            folder.toString(),
            "run",
            CliTest.write(dir, EXPERIMENT).toString(),
            "--runs-dir",
            runs.toString(),
            "--progress",
            "lines");
    assertEquals(Main.OK, trained.code(), trained.out() + trained.err());
    Path run;
    try (Stream<Path> list = Files.list(runs)) {
      run = list.findFirst().orElseThrow();
    }
    // No --plugins: the run's provenance says where its task and regularizer came from.
    CliTest.Result analysed =
        CliTest.run("analyze", run.toString(), "--analyzers", "tau-stats", "--checkpoints", "last");
    assertEquals(Main.OK, analysed.code(), analysed.out() + analysed.err());
    assertTrue(analysed.out().contains("tau-stats: wrote"), analysed.out());

    Path jar = folder.resolve("recall-bit.jar").toAbsolutePath();
    Files.move(jar, dir.resolve("elsewhere.jar"));
    CliTest.Result missing = CliTest.run("analyze", run.toString(), "--analyzers", "tau-stats");
    assertEquals(Main.USAGE, missing.code(), missing.out() + missing.err());
    assertEquals(1, missing.err().lines().count(), missing.err());
    assertTrue(
        missing
            .err()
            .startsWith(
                "error: this run used task 'recall-bit' from the plugin"
                    + " jar "
                    + jar
                    + " (no longer there; sha256 "),
        missing.err());
    assertTrue(
        missing.err().contains("regularizer 'constant-term' from the plugin jar " + jar),
        missing.err());
    assertTrue(
        missing.err().contains("Fix: put that jar into Engram's plugins/ folder"), missing.err());
  }

  @Test
  void askingForAPluginABrokenJarMayHoldStopsBeforeAnythingIsCreated(@TempDir Path dir)
      throws IOException {
    Path folder = plugins(dir);
    Path broken = PluginJarBuilder.writeCorrupt(folder.resolve("broken.jar"));
    Path runs = dir.resolve("runs");
    CliTest.Result r =
        CliTest.run(
            "--plugins",
            folder.toString(),
            "run",
            CliTest.write(dir, EXPERIMENT).toString(),
            "task.id=n-back",
            "--runs-dir",
            runs.toString());
    assertEquals(Main.USAGE, r.code(), r.out() + r.err());
    List<String> lines = r.err().lines().toList();
    assertEquals(2, lines.size(), "the start-up warning and the error: " + r.err());
    String error = lines.get(1);
    assertTrue(
        error.startsWith(
            "error: task 'n-back' at task.id (from override 'task.id=n-back')"
                + " is not available: "
                + broken.toAbsolutePath()
                + " was skipped: it is not a readable"
                + " jar"),
        error);
    assertTrue(error.contains("Fix:") && error.contains("Available tasks:"), error);
    assertFalse(Files.exists(runs), "no run directory may be created");
  }

  private static String sha256(Path file) throws IOException {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
