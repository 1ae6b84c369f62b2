package engram.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import engram.core.config.ExperimentLoader;
import engram.core.config.FakePlugins;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginKind;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {
  private static final Instant START = Instant.parse("2024-03-05T22:07:09Z");
  private static final String SHA_A = "a".repeat(40);
  private static final String SHA_B = "b".repeat(40);

  @TempDir Path dir;

  private ResolvedExperiment experiment(Path jar) throws Exception {
    List<DiscoveredPlugin> all = new ArrayList<>();
    for (PluginKind kind : PluginKind.values()) {
      for (DiscoveredPlugin p : FakePlugins.catalog().all(kind)) {
        String source = p.id().equals("leaky-rnn") ? jar.toString() : "/classes/" + p.id();
        all.add(new DiscoveredPlugin(p.kind(), p.plugin(), p.version(), source));
      }
    }
    ExperimentLoader loader =
        new ExperimentLoader(kind -> all.stream().filter(p -> p.kind() == kind).toList());
    Path yaml = dir.resolve("exp.yaml");
    Files.writeString(
        yaml,
        """
        seed: 42
        task: {id: n-parity}
        model: {id: leaky-rnn, hidden-size: 77}
        curriculum: {id: multi-head}
        regularizers: [{id: activity-l2}]
        """);
    return loader.load(yaml, List.of());
  }

  @Test
  void recordsTheFactsOfARunAndNoConfiguredValues() throws Exception {
    Path jar = dir.resolve("models.jar");
    Files.writeString(jar, "abc");
    Path work = Files.createDirectories(dir.resolve("repo/sub"));
    Files.createDirectories(dir.resolve("repo/.git/refs/heads"));
    Files.writeString(dir.resolve("repo/.git/HEAD"), "ref: refs/heads/main\n");
    Files.writeString(dir.resolve("repo/.git/refs/heads/main"), SHA_A + "\n");

    Provenance p =
        Provenance.collect(
            experiment(jar),
            List.of("run", "exp.yaml", "--set", "seed=42"),
            work,
            "1.0.0-M2.1",
            "org.nd4j.linalg.cpu.nativecpu.CpuBackend",
            START);
    RunDirectory run = RunDirectory.create(dir.resolve("runs"), "exp", START);
    Path file = p.write(run);
    assertEquals(run.path().resolve("provenance.json"), file);
    assertThrows(FileAlreadyExistsException.class, () -> p.write(run));

    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertEquals("DEVELOPMENT", json.get("engram_version").asText());
    assertEquals(System.getProperty("java.version"), json.get("java_version").asText());
    assertEquals(System.getProperty("java.vendor"), json.get("java_vendor").asText());
    assertEquals(System.getProperty("os.name"), json.get("os_name").asText());
    assertEquals(System.getProperty("os.version"), json.get("os_version").asText());
    assertEquals(System.getProperty("os.arch"), json.get("os_arch").asText());
    assertEquals("1.0.0-M2.1", json.get("nd4j_version").asText());
    assertEquals("org.nd4j.linalg.cpu.nativecpu.CpuBackend", json.get("nd4j_backend").asText());
    assertEquals(42, json.get("seed").asLong());
    assertEquals(
        "[\"run\",\"exp.yaml\",\"--set\",\"seed=42\"]", json.get("command_line").toString());
    assertEquals(work.toAbsolutePath().toString(), json.get("working_directory").asText());
    assertEquals(SHA_A, json.get("git_revision").asText());
    assertEquals("2024-03-05T22:07:09Z", json.get("start_time").asText());

    JsonNode plugins = json.get("plugins");
    assertEquals(4, plugins.size());
    assertEquals("task", plugins.get(0).get("kind").asText());
    assertEquals("n-parity", plugins.get(0).get("id").asText());
    assertEquals("1.0", plugins.get(0).get("version").asText());
    assertTrue(plugins.get(0).get("sha256").isNull(), "a classes directory has no hash");
    JsonNode model = plugins.get(1);
    assertEquals("model", model.get("kind").asText());
    assertEquals(jar.toString(), model.get("source").asText());
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // SHA-256("abc")
        model.get("sha256").asText());
    assertEquals("regularizer", plugins.get(3).get("kind").asText());

    String text = Files.readString(file);
    assertTrue(text.contains("\n  \"engram_version\""), "pretty printed");
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertEquals(
        List.of(
            "engram_version",
            "java_version",
            "java_vendor",
            "os_name",
            "os_version",
            "os_arch",
            "nd4j_version",
            "nd4j_backend",
            "plugins",
            "seed",
            "command_line",
            "working_directory",
            "git_revision",
            "start_time",
            "resumes"),
        keys,
        "configured values live in config.resolved.yaml, not here");
    assertEquals(0, json.get("resumes").size(), "a new run was never resumed");
    // a provenance.json written before runs could be resumed reads as never resumed
    Path old = file.resolveSibling("old-provenance.json");
    Files.writeString(old, text.replaceFirst(",\\s*\"resumes\" : \\[ \\]", ""));
    assertFalse(Files.readString(old).contains("resumes"), Files.readString(old));
    assertEquals(List.of(), Provenance.read(old).resumes());
    assertFalse(text.contains("hidden"), text);

    assertEquals(p, Provenance.read(file));
  }

  @Test
  void gitRevisionFromPackedRefsDetachedHeadAndWorktrees() throws Exception {
    Path repo = dir.resolve("repo");
    Files.createDirectories(repo.resolve(".git"));
    Files.writeString(repo.resolve(".git/HEAD"), "ref: refs/heads/dev\n");
    Files.writeString(
        repo.resolve(".git/packed-refs"),
        "# pack-refs with: peeled fully-peeled sorted\n"
            + SHA_A
            + " refs/heads/main\n"
            + SHA_B
            + " refs/heads/dev\n^"
            + SHA_A
            + "\n");
    assertEquals(SHA_B, Provenance.gitRevision(Files.createDirectories(repo.resolve("a/b"))));

    Files.writeString(repo.resolve(".git/HEAD"), SHA_A + "\n");
    assertEquals(SHA_A, Provenance.gitRevision(repo));

    Path worktree = Files.createDirectories(dir.resolve("wt"));
    Path gitDir = Files.createDirectories(repo.resolve(".git/worktrees/wt"));
    Files.writeString(worktree.resolve(".git"), "gitdir: " + gitDir + "\n");
    Files.writeString(gitDir.resolve("HEAD"), "ref: refs/heads/main\n");
    Files.writeString(gitDir.resolve("commondir"), "../..\n");
    assertEquals(SHA_A, Provenance.gitRevision(worktree));

    Files.writeString(gitDir.resolve("HEAD"), "ref: refs/heads/unknown\n");
    assertNull(Provenance.gitRevision(worktree));
    Files.delete(gitDir.resolve("HEAD"));
    assertNull(Provenance.gitRevision(worktree));
  }

  @Test
  void versionIsDevelopmentOutsideAJar() {
    assertEquals(Provenance.DEVELOPMENT, Provenance.currentEngramVersion());
  }
}
