package engram.core.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import engram.api.config.Doc;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.DiscoveredPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The facts of a run, written to {@code provenance.json}: what ran it (Engram, Java, OS, ND4J,
 * plugin versions and jar hashes), how it was started (seed, command line, working directory, git
 * revision) and when. Configured values are deliberately not here: they live in {@code
 * config.resolved.yaml}, so that nothing in this file is ever "configured". Java, OS and
 * architecture are recorded because floating-point libraries differ between them.
 *
 * <p>JSON keys are snake_case ({@code engram_version}, {@code git_revision}, ...).
 */
public record Provenance(
    @Doc("Implementation-Version of engram-core, or DEVELOPMENT.") String engramVersion,
    @Doc("java.version") String javaVersion,
    @Doc("java.vendor") String javaVendor,
    @Doc("os.name") String osName,
    @Doc("os.version") String osVersion,
    @Doc("os.arch") String osArch,
    @Doc("ND4J version.") String nd4jVersion,
    @Doc("Class name of the ND4J backend.") String nd4jBackend,
    @Doc("Every plugin the run used.") List<PluginUse> plugins,
    @Doc("The run's seed.") long seed,
    @Doc("The command line, one argument per entry.") List<String> commandLine,
    @Doc("Absolute working directory.") String workingDirectory,
    @Doc("Git commit of the working directory's repository, or null when unknown.")
        String gitRevision,
    @Doc("Start time, ISO-8601 UTC.") String startTime,
    @Doc("Every resume of the run ('engram resume'), oldest first; empty for a run never resumed.")
        List<Resume> resumes) {

  /** The value used when no jar manifest gives a version. */
  public static final String DEVELOPMENT = "DEVELOPMENT";

  private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  public Provenance {
    plugins = List.copyOf(plugins);
    commandLine = List.copyOf(commandLine);
    resumes = resumes == null ? List.of() : List.copyOf(resumes); // absent in older files
  }

  /**
   * One resume of the run.
   *
   * @param time when it started, ISO-8601 UTC
   * @param fromCheckpoint the resume checkpoint continued from ({@code resume/<name>})
   * @param epoch its epoch
   * @param step its step
   * @param engramVersion Engram's version that resumed
   * @param javaVersion java.version of the resuming JVM
   * @param nd4jVersion ND4J's version
   * @param host the host name
   * @param commandLine the command line of the resume
   * @param forced the refusals that {@code --force} overrode (a changed configuration or plugin),
   *     one line each; empty when nothing was forced
   */
  public record Resume(
      String time,
      String fromCheckpoint,
      int epoch,
      long step,
      String engramVersion,
      String javaVersion,
      String nd4jVersion,
      String host,
      List<String> commandLine,
      List<String> forced) {
    public Resume {
      commandLine = List.copyOf(commandLine);
      forced = List.copyOf(forced);
    }
  }

  /** This provenance with {@code resume} added at the end of {@link #resumes}. */
  public Provenance withResume(Resume resume) {
    List<Resume> all = new ArrayList<>(resumes);
    all.add(resume);
    return new Provenance(
        engramVersion,
        javaVersion,
        javaVendor,
        osName,
        osVersion,
        osArch,
        nd4jVersion,
        nd4jBackend,
        plugins,
        seed,
        commandLine,
        workingDirectory,
        gitRevision,
        startTime,
        all);
  }

  /**
   * One plugin of the run.
   *
   * @param kind "task", "model", ...
   * @param source where it was loaded from: a built-in module's jar, a jar from a plugins folder,
   *     or a classes directory
   * @param sha256 hex SHA-256 of the jar the plugin came from, or null when its source is not a jar
   *     file (a classes directory during development)
   */
  public record PluginUse(String kind, String id, String version, String source, String sha256) {}

  /**
   * Collects the facts of a run that uses the plugins of {@code experiment}.
   *
   * @param nd4jVersion ND4J's version, e.g. from {@code Nd4j}'s jar manifest (not looked up here,
   *     so that this class never initialises ND4J)
   * @param nd4jBackend class name of the ND4J backend in use
   */
  public static Provenance collect(
      ResolvedExperiment experiment,
      List<String> commandLine,
      Path workingDirectory,
      String nd4jVersion,
      String nd4jBackend,
      Instant startTime) {
    return collect(
        experiment.plugins().stream().map(PluginChoice::plugin).toList(),
        experiment.seed(),
        commandLine,
        workingDirectory,
        nd4jVersion,
        nd4jBackend,
        startTime);
  }

  /** Collects the facts of a run; duplicate plugins are listed once. */
  public static Provenance collect(
      List<DiscoveredPlugin> plugins,
      long seed,
      List<String> commandLine,
      Path workingDirectory,
      String nd4jVersion,
      String nd4jBackend,
      Instant startTime) {
    Objects.requireNonNull(startTime, "startTime");
    Path cwd = workingDirectory.toAbsolutePath().normalize();
    return new Provenance(
        currentEngramVersion(),
        System.getProperty("java.version"),
        System.getProperty("java.vendor"),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("os.arch"),
        nd4jVersion,
        nd4jBackend,
        uses(plugins),
        seed,
        commandLine,
        cwd.toString(),
        gitRevision(cwd),
        startTime.toString(),
        List.of());
  }

  /**
   * The plugins as {@link #collect} records them: each (kind, id) once, with its jar's SHA-256 (a
   * resumed run compares them with the ones it started with).
   */
  public static List<PluginUse> uses(List<DiscoveredPlugin> plugins) {
    Map<String, PluginUse> used = new LinkedHashMap<>();
    Map<String, String> hashes = new LinkedHashMap<>();
    for (DiscoveredPlugin p : plugins) {
      String key = p.kind() + "/" + p.id();
      if (!used.containsKey(key)) {
        String hash = hashes.computeIfAbsent(p.source(), Provenance::jarSha256);
        used.put(key, new PluginUse(p.kind().label(), p.id(), p.version(), p.source(), hash));
      }
    }
    return new ArrayList<>(used.values());
  }

  /** Writes {@code provenance.json} into the run directory (never overwriting it). */
  public Path write(RunDirectory run) throws IOException {
    return run.writeNew(RunDirectory.PROVENANCE, toJson());
  }

  /**
   * Replaces {@code provenance.json} of {@code run} with this one in one atomic step (a hidden
   * temporary file, synced, renamed over it), through {@code files}: a resume adds its record.
   */
  public Path replace(RunDirectory run, RunFiles files) throws IOException {
    Path target = run.path().resolve(RunDirectory.PROVENANCE);
    Path temp = run.path().resolve("." + RunDirectory.PROVENANCE + ".tmp");
    files.delete(temp);
    try (var channel =
        files.open(
            temp,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer bytes =
          java.nio.ByteBuffer.wrap(toJson().getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    }
    files.force(temp);
    files.move(temp, target);
    return target;
  }

  /** Pretty JSON, snake_case keys. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this) + System.lineSeparator();
    } catch (IOException e) {
      throw new IllegalStateException("cannot write provenance as JSON", e);
    }
  }

  /** Reads a {@code provenance.json}. */
  public static Provenance read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), Provenance.class);
  }

  /** Engram's version from engram-core's jar manifest, or {@value #DEVELOPMENT}. */
  public static String currentEngramVersion() {
    Package p = Provenance.class.getPackage();
    String version = p == null ? null : p.getImplementationVersion();
    return version == null || version.isBlank() ? DEVELOPMENT : version;
  }

  /** Hex SHA-256 of {@code source} if it names a readable {@code .jar} file, else null. */
  static String jarSha256(String source) {
    if (source == null || !source.endsWith(".jar")) {
      return null;
    }
    Path jar;
    try {
      jar = Path.of(source);
    } catch (RuntimeException e) {
      return null;
    }
    if (!Files.isRegularFile(jar)) {
      return null;
    }
    try (InputStream in = Files.newInputStream(jar)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * The git commit checked out in the repository that contains {@code start}, read from {@code
   * .git/HEAD} and the ref file or {@code packed-refs} (no git process is run). Handles detached
   * heads and worktrees ({@code .git} files). Null when there is no repository or it cannot be
   * read. Whether the working tree has uncommitted changes is not known here.
   */
  public static String gitRevision(Path start) {
    Path dir = start.toAbsolutePath().normalize();
    while (dir != null) {
      Path dotGit = dir.resolve(".git");
      try {
        if (Files.isDirectory(dotGit)) {
          return revisionIn(dotGit);
        }
        if (Files.isRegularFile(dotGit)) {
          String line = firstLine(dotGit);
          if (line == null || !line.startsWith("gitdir:")) {
            return null;
          }
          return revisionIn(dir.resolve(line.substring("gitdir:".length()).trim()).normalize());
        }
      } catch (IOException | RuntimeException e) {
        return null;
      }
      dir = dir.getParent();
    }
    return null;
  }

  private static String revisionIn(Path gitDir) throws IOException {
    String head = firstLine(gitDir.resolve("HEAD"));
    if (head == null) {
      return null;
    }
    if (!head.startsWith("ref:")) {
      return SHA.matcher(head).matches() ? head : null;
    }
    String ref = head.substring("ref:".length()).trim();
    Path common = gitDir;
    String commonDir = firstLine(gitDir.resolve("commondir"));
    if (commonDir != null) {
      common = gitDir.resolve(commonDir).normalize();
    }
    for (Path base : List.of(gitDir, common)) {
      String sha = firstLine(base.resolve(ref));
      if (sha != null && SHA.matcher(sha).matches()) {
        return sha;
      }
    }
    Path packed = common.resolve("packed-refs");
    if (Files.isRegularFile(packed)) {
      try (Stream<String> lines = Files.lines(packed, StandardCharsets.UTF_8)) {
        return lines
            .filter(l -> !l.startsWith("#") && !l.startsWith("^"))
            .map(l -> l.trim().split(" ", 2))
            .filter(parts -> parts.length == 2 && parts[1].trim().equals(ref))
            .map(parts -> parts[0])
            .filter(sha -> SHA.matcher(sha).matches())
            .findFirst()
            .orElse(null);
      }
    }
    return null;
  }

  private static String firstLine(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.findFirst().map(String::trim).orElse(null);
    }
  }
}
