package engram.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.ApiVersion;
import engram.api.Regularizer;
import engram.api.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin jars in a plugins folder: loading, isolation, api versions and every kind of broken jar.
 * The jars are compiled at test time (once for the class) and copied into a folder per test.
 */
class PluginFolderTest {
  @TempDir static Path built;

  private static Path good; // task recall-bit + regularizer constant-term, this api (0.2)
  private static Path helperOne; // task helper-one, bundles org.example.helper.Helper "1"
  private static Path helperTwo; // task helper-two, bundles the same class name, "2"
  private static Path throwing; // task whose constructor throws + a working task "survivor"
  private static Path twinA; // task id "twin"
  private static Path twinB; // another class, same id "twin"
  private static Path impostor; // task id "n-parity", as a built-in
  private static Path newerApi; // like good, but declares api 0.3
  private static Path patchApi; // declares 0.2.7: compatible
  private static Path noApi; // declares no api version
  private static Path noPlugins; // classes but no META-INF/services
  private static Path overflowing; // task whose info() overflows the stack + "survivor"

  @BeforeAll
  static void buildJars() throws IOException {
    Path scratch = built.resolve("scratch");
    PluginJarBuilder goodBuilder =
        PluginJarBuilder.in(scratch)
            .source(
                "org.example.good.RecallBitTask",
                PluginJarBuilder.task("org.example.good", "RecallBitTask", "recall-bit"))
            .source(
                "org.example.good.ConstantTerm",
                PluginJarBuilder.regularizer("org.example.good", "ConstantTerm", "constant-term"))
            .service(Task.class, "org.example.good.RecallBitTask")
            .service(Regularizer.class, "org.example.good.ConstantTerm");
    good = goodBuilder.write(built.resolve("jars/good.jar"));
    newerApi = goodBuilder.apiVersion("0.3").write(built.resolve("jars/newer-api.jar"));
    patchApi = goodBuilder.apiVersion("0.2.7").write(built.resolve("jars/patch-api.jar"));
    noApi = goodBuilder.apiVersion(null).write(built.resolve("jars/no-api.jar"));
    helperOne = helperJar("one", "1");
    helperTwo = helperJar("two", "2");
    throwing =
        PluginJarBuilder.in(scratch)
            .source(
                "org.example.bad.BadTask",
                PluginJarBuilder.task(
                    "org.example.bad",
                    "BadTask",
                    "bad-task",
                    "\"bad\"",
                    "throw new IllegalStateException(\"broken on purpose\");"))
            .source(
                "org.example.bad.SurvivorTask",
                PluginJarBuilder.task("org.example.bad", "SurvivorTask", "survivor"))
            .service(Task.class, "org.example.bad.BadTask")
            .service(Task.class, "org.example.bad.SurvivorTask")
            .write(built.resolve("jars/throwing.jar"));
    overflowing =
        PluginJarBuilder.in(scratch)
            .source(
                "org.example.deep.DeepTask",
                PluginJarBuilder.task(
                    "org.example.deep",
                    "DeepTask",
                    "deep-task",
                    "String.valueOf(new Object() { int f(int n) { return f(n + 1) + 1; } }.f(0))",
                    ""))
            .source(
                "org.example.deep.SurvivorTask",
                PluginJarBuilder.task("org.example.deep", "SurvivorTask", "survivor"))
            .service(Task.class, "org.example.deep.DeepTask")
            .service(Task.class, "org.example.deep.SurvivorTask")
            .write(built.resolve("jars/overflowing.jar"));
    twinA =
        PluginJarBuilder.in(scratch)
            .source(
                "org.example.a.TwinTask",
                PluginJarBuilder.task("org.example.a", "TwinTask", "twin"))
            .service(Task.class, "org.example.a.TwinTask")
            .write(built.resolve("jars/twin-a.jar"));
    twinB =
        PluginJarBuilder.in(scratch)
            .source(
                "org.example.b.TwinTask",
                PluginJarBuilder.task("org.example.b", "TwinTask", "twin"))
            .service(Task.class, "org.example.b.TwinTask")
            .write(built.resolve("jars/twin-b.jar"));
    impostor =
        PluginJarBuilder.in(scratch)
            .source(
                "org.example.c.Parity",
                PluginJarBuilder.task("org.example.c", "Parity", "n-parity"))
            .service(Task.class, "org.example.c.Parity")
            .write(built.resolve("jars/impostor.jar"));
    noPlugins =
        PluginJarBuilder.in(scratch)
            .source("org.example.lib.Util", "package org.example.lib; public class Util {}")
            .write(built.resolve("jars/library.jar"));
  }

  /** A task whose title is the version of a helper class bundled in its jar. */
  private static Path helperJar(String name, String version) throws IOException {
    return PluginJarBuilder.in(built.resolve("scratch"))
        .source(
            "org.example.helper.Helper",
            "package org.example.helper;"
                + " public final class Helper { public static String version() { return \""
                + version
                + "\"; } }")
        .source(
            "org.example." + name + ".HelperTask",
            PluginJarBuilder.task(
                "org.example." + name,
                "HelperTask",
                "helper-" + name,
                "\"helper \" + org.example.helper.Helper.version()",
                ""))
        .service(Task.class, "org.example." + name + ".HelperTask")
        .write(built.resolve("jars/helper-" + name + ".jar"));
  }

  /** A plugins folder holding copies of the given jars. */
  private static Path folder(Path dir, Path... jars) throws IOException {
    Path plugins = dir.resolve("plugins");
    Files.createDirectories(plugins);
    for (Path jar : jars) {
      Files.copy(jar, plugins.resolve(jar.getFileName()));
    }
    return plugins;
  }

  private static PluginRegistry discover(Path folder) {
    return PluginRegistry.discover(
        PluginFolderTest.class.getClassLoader(), PluginFolders.of(folder));
  }

  private static void assertBuiltInsStillLoad(PluginRegistry registry) {
    assertTrue(
        registry
            .ids(PluginKind.TASK)
            .containsAll(
                DiscoveryTest.BUILT_IN_TASKS.stream()
                    .filter(id -> !id.equals("n-parity"))
                    .toList()),
        registry.ids(PluginKind.TASK).toString());
    assertTrue(registry.ids(PluginKind.MODEL).contains("leaky-rnn"));
  }

  private static String onlyProblem(PluginRegistry registry) {
    assertEquals(1, registry.problems().size(), registry.problems().toString());
    String problem = registry.problems().get(0);
    assertFalse(problem.contains("\n"), "one line: " + problem);
    return problem;
  }

  @Test
  void aJarsPluginsAreFoundWithTheJarAsTheirSource(@TempDir Path dir) throws IOException {
    Path plugins = folder(dir, good);
    PluginRegistry registry = discover(plugins);
    assertEquals(List.of(), registry.problems());
    Path jar = plugins.resolve("good.jar").toAbsolutePath().normalize();
    DiscoveredPlugin task =
        registry.all(PluginKind.TASK).stream()
            .filter(p -> p.id().equals("recall-bit"))
            .findFirst()
            .orElseThrow();
    assertEquals(jar.toString(), task.source());
    assertTrue(task.plugin() instanceof Task<?>, "the api is shared with core");
    assertEquals(
        jar.toString(),
        registry.all(PluginKind.REGULARIZER).stream()
            .filter(p -> p.id().equals("constant-term"))
            .findFirst()
            .orElseThrow()
            .source());
    assertEquals(List.of(jar), registry.jars().stream().map(PluginJar::path).toList());
    assertEquals(PluginJar.sha256(jar), registry.jars().get(0).sha256());
    assertEquals("0.2", registry.jars().get(0).apiVersion());
    assertBuiltInsStillLoad(registry);
    assertTrue(registry.ids(PluginKind.TASK).contains("n-parity"));
  }

  @Test
  void twoJarsMayBundleDifferentVersionsOfOneHelperClass(@TempDir Path dir) throws Exception {
    PluginRegistry registry = discover(folder(dir, helperOne, helperTwo));
    assertEquals(List.of(), registry.problems());
    var one = registry.find(PluginKind.TASK, "helper-one").orElseThrow();
    var two = registry.find(PluginKind.TASK, "helper-two").orElseThrow();
    assertEquals("helper 1", one.info().title());
    assertEquals("helper 2", two.info().title());
    ClassLoader loaderOne = one.getClass().getClassLoader();
    ClassLoader loaderTwo = two.getClass().getClassLoader();
    assertNotSame(loaderOne, loaderTwo);
    assertSame(PluginFolderTest.class.getClassLoader(), loaderOne.getParent());
    assertSame(Task.class, loaderOne.loadClass(Task.class.getName()), "api from the parent");
    // The helper is not visible to the application: it lives only inside the jars.
    assertThrows(
        ClassNotFoundException.class,
        () -> Class.forName("org.example.helper.Helper", false, getClass().getClassLoader()));
  }

  @Test
  void aFileThatIsNotAJarIsSkippedByName(@TempDir Path dir) throws IOException {
    Path plugins = folder(dir, good);
    Path broken = PluginJarBuilder.writeCorrupt(plugins.resolve("broken.jar"));
    PluginRegistry registry = discover(plugins);
    String problem = onlyProblem(registry);
    assertTrue(
        problem.startsWith(broken.toAbsolutePath() + " was skipped: it is not a readable jar"),
        problem);
    assertTrue(problem.contains("Fix:"), problem);
    assertTrue(registry.ids(PluginKind.TASK).contains("recall-bit"), "the other jar still loads");
    assertBuiltInsStillLoad(registry);
    // Its ids are unknown, so any missing id may be in it.
    assertEquals(registry.problemDetails(), registry.problemsAbout(PluginKind.TASK, "n-back"));
    assertEquals(
        List.of(),
        registry.problemsAbout(PluginKind.TASK, "recall-bit").stream()
            .filter(p -> !p.mayConcern(PluginKind.TASK, "recall-bit"))
            .toList());
  }

  @Test
  void aJarWithoutPluginsIsSkippedByName(@TempDir Path dir) throws IOException {
    PluginRegistry registry = discover(folder(dir, noPlugins, good));
    String problem = onlyProblem(registry);
    assertTrue(problem.contains("library.jar was skipped: it registers no Engram plugin"), problem);
    assertTrue(problem.contains("Fix:"), problem);
    assertTrue(registry.ids(PluginKind.TASK).contains("recall-bit"));
    assertEquals(
        List.of(),
        registry.problemsAbout(PluginKind.TASK, "n-back"),
        "a jar without plugins cannot be why an id is missing");
  }

  @Test
  void aProviderWhoseConstructorThrowsIsSkippedAndTheRestLoads(@TempDir Path dir)
      throws IOException {
    Path plugins = folder(dir, throwing, good);
    PluginRegistry registry = discover(plugins);
    String problem = onlyProblem(registry);
    assertTrue(
        problem.startsWith(
            plugins.resolve("throwing.jar").toAbsolutePath()
                + ": a task plugin failed to load and was skipped:"),
        problem);
    assertTrue(
        problem.contains("org.example.bad.BadTask") && problem.contains("broken on purpose"),
        problem);
    assertTrue(registry.ids(PluginKind.TASK).contains("survivor"), "the jar's other task loads");
    assertTrue(registry.ids(PluginKind.TASK).contains("recall-bit"), "the other jar loads");
    assertBuiltInsStillLoad(registry);
    assertEquals(1, registry.problemsAbout(PluginKind.TASK, "bad-task").size());
    assertEquals(
        List.of(),
        registry.problemsAbout(PluginKind.MODEL, "bad-model"),
        "it may only have cost a task");
  }

  @Test
  void aPluginWhoseInfoOverflowsTheStackIsSkippedByNameAndTheRestLoads(@TempDir Path dir)
      throws IOException {
    Path plugins = folder(dir, overflowing, good);
    PluginRegistry registry = discover(plugins);
    String problem = onlyProblem(registry);
    assertTrue(
        problem.startsWith(
            plugins.resolve("overflowing.jar").toAbsolutePath()
                + ": the task plugin org.example.deep.DeepTask has no valid id and was skipped:"),
        problem);
    assertTrue(problem.contains("StackOverflowError"), problem);
    assertTrue(registry.ids(PluginKind.TASK).contains("survivor"), "the jar's other task loads");
    assertTrue(registry.ids(PluginKind.TASK).contains("recall-bit"), "the other jar loads");
    assertBuiltInsStillLoad(registry);
  }

  @Test
  void twoJarsWithOneIdAreBothRefusedAndBothJarsNamed(@TempDir Path dir) throws IOException {
    Path plugins = folder(dir, twinA, twinB, good);
    PluginRegistry registry = discover(plugins);
    String problem = onlyProblem(registry);
    assertTrue(problem.startsWith("Two or more task plugins declare the id 'twin'"), problem);
    assertTrue(
        problem.contains(plugins.resolve("twin-a.jar").toAbsolutePath().toString())
            && problem.contains(plugins.resolve("twin-b.jar").toAbsolutePath().toString()),
        problem);
    assertFalse(registry.ids(PluginKind.TASK).contains("twin"));
    assertTrue(registry.ids(PluginKind.TASK).contains("recall-bit"));
    assertEquals(registry.problemDetails(), registry.problemsAbout(PluginKind.TASK, "twin"));
    assertEquals(
        List.of(),
        registry.problemsAbout(PluginKind.TASK, "other"),
        "a duplicate explains only its own id");
  }

  @Test
  void aByteIdenticalCopyInAnotherFolderIsLoadedOnce(@TempDir Path dir) throws IOException {
    Path plugins = folder(dir, good);
    Path other = folder(dir.resolve("other"), good);
    PluginRegistry registry =
        PluginRegistry.discover(getClass().getClassLoader(), PluginFolders.of(plugins, other));
    String problem = onlyProblem(registry);
    assertTrue(
        problem.startsWith(
            other.resolve("good.jar").toAbsolutePath()
                + " is the same file as "
                + plugins.resolve("good.jar").toAbsolutePath()),
        problem);
    assertTrue(registry.ids(PluginKind.TASK).contains("recall-bit"));
    assertEquals(1, registry.jars().size());
  }

  @Test
  void aJarClaimingABuiltInIdRefusesBothAndNamesBoth(@TempDir Path dir) throws IOException {
    Path plugins = folder(dir, impostor);
    PluginRegistry registry = discover(plugins);
    String problem = onlyProblem(registry);
    assertTrue(problem.startsWith("Two or more task plugins declare the id 'n-parity'"), problem);
    assertTrue(problem.contains("engram.tasks.parity.NParityTask"), problem);
    assertTrue(
        problem.contains(plugins.resolve("impostor.jar").toAbsolutePath().toString()), problem);
    assertFalse(registry.ids(PluginKind.TASK).contains("n-parity"));
    assertBuiltInsStillLoad(registry);
  }

  @Test
  void aJarBuiltAgainstAnotherApiIsRefusedNamingBothVersions(@TempDir Path dir) throws IOException {
    Path plugins = folder(dir, newerApi, patchApi);
    PluginRegistry registry = discover(plugins);
    String problem = onlyProblem(registry);
    assertTrue(
        problem.startsWith(
            plugins.resolve("newer-api.jar").toAbsolutePath()
                + " was skipped: it was built against engram-api 0.3, but this Engram has"
                + " engram-api 0.2."),
        problem);
    assertTrue(problem.contains("Fix: rebuild the plugin against engram-api 0.2"), problem);
    assertEquals(
        List.of("patch-api.jar"),
        registry.jars().stream().map(j -> j.path().getFileName().toString()).toList(),
        "0.2.7 is compatible with 0.2");
    assertTrue(registry.ids(PluginKind.TASK).contains("recall-bit"));
    assertEquals(1, registry.problemsAbout(PluginKind.REGULARIZER, "anything").size());
    assertEquals(
        List.of(),
        registry.problemsAbout(PluginKind.MODEL, "anything"),
        "the refused jar registers no model");
  }

  @Test
  void aJarWithoutApiVersionIsLoadedWithAWarning(@TempDir Path dir) throws IOException {
    Path plugins = folder(dir, noApi);
    PluginRegistry registry = discover(plugins);
    String problem = onlyProblem(registry);
    assertTrue(
        problem.startsWith(
            plugins.resolve("no-api.jar").toAbsolutePath()
                + " does not say which engram-api it was built against; loading it anyway."),
        problem);
    assertTrue(registry.ids(PluginKind.TASK).contains("recall-bit"));
    assertNull(registry.jars().get(0).apiVersion());
    assertEquals(List.of(), registry.problemsAbout(PluginKind.TASK, "n-back"));
  }

  @Test
  void aMissingFolderIsAWarning(@TempDir Path dir) {
    PluginRegistry registry = discover(dir.resolve("nope"));
    assertTrue(
        onlyProblem(registry).contains("nope does not exist"), registry.problems().toString());
    assertEquals(DiscoveryTest.BUILT_IN_TASKS, registry.ids(PluginKind.TASK));
  }

  @Test
  void foldersComeFromThePropertyTheEnvironmentAndTheCommandLineInThatOrder(@TempDir Path dir) {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Path c = dir.resolve("c");
    Path d = dir.resolve("d");
    PluginFolders folders =
        PluginFolders.resolve(
            a.toString(), Map.of(PluginFolders.ENVIRONMENT, b + ":" + c), List.of(d, a));
    assertEquals(List.of(a, b, c, d), folders.folders(), "in order, each once");
    assertEquals(List.of(), PluginFolders.resolve(null, Map.of(), List.of()).folders());
  }

  @Test
  void apiVersionsAreCompatibleWhenMajorAndMinorAgree() {
    assertTrue(ApiVersion.parse("0.1").compatibleWith(ApiVersion.parse("0.1.9")));
    assertTrue(ApiVersion.parse("0.1-SNAPSHOT").compatibleWith(ApiVersion.parse("0.1")));
    assertFalse(ApiVersion.parse("0.1").compatibleWith(ApiVersion.parse("0.2")));
    assertFalse(ApiVersion.parse("1.1").compatibleWith(ApiVersion.parse("0.1")));
    assertThrows(IllegalArgumentException.class, () -> ApiVersion.parse("one"));
    assertThrows(IllegalArgumentException.class, () -> ApiVersion.parse("1"));
  }

  /**
   * Core's idea of the api version and the api jar's manifest come from one pom property: the root
   * pom defines it, the api's jar plugin writes it into the manifest, the api's filtered resource
   * reads it. (Checked on the build files: the api on the test class path may be a classes folder
   * or a jar installed from another checkout.)
   */
  @Test
  void theApiJarsManifestAndCoreTakeTheVersionFromOnePomProperty() throws Exception {
    String root = Files.readString(Path.of("..", "pom.xml"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("<engram.api.version>([^<]+)</engram.api.version>")
            .matcher(root);
    assertTrue(m.find(), "the root pom defines engram.api.version");
    assertEquals(m.group(1), ApiVersion.current().text());
    String apiPom = Files.readString(Path.of("..", "api", "pom.xml"));
    assertTrue(
        apiPom.contains(
            "<"
                + ApiVersion.MANIFEST_ATTRIBUTE
                + ">${engram.api.version}</"
                + ApiVersion.MANIFEST_ATTRIBUTE
                + ">"),
        "api/pom.xml writes the attribute");
  }
}
