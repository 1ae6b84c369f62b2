package engram.core.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Plugin;
import engram.api.Regularizer;
import engram.api.Task;
import engram.api.task.Batch;
import engram.api.task.LossKind;
import engram.api.task.Target;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Keeps {@code examples/plugin-template} (a standalone Maven project that the reactor does not
 * build) honest without running Maven: compiles its main sources against the api as they are,
 * checks its service registrations and the pom settings a plugin jar needs (the api coordinates,
 * provided scope, the {@code Engram-Api-Version} manifest entry, plugin versions that an offline
 * build finds), runs its n-back task through the SPI against brute force, and validates its example
 * experiment with the plugins discovered as core discovers them.
 */
class PluginTemplateTest {
  private static final Path ROOT = Path.of("..");
  private static final Path TEMPLATE = ROOT.resolve("examples/plugin-template");
  private static final List<String> KINDS =
      List.of(
          "engram.api.Task",
          "engram.api.Model",
          "engram.api.Curriculum",
          "engram.api.Regularizer",
          "engram.api.Analyzer");

  private static Path classes;
  private static URLClassLoader loader;
  private static PluginRegistry registry;

  @BeforeAll
  static void compileTheTemplate() throws IOException {
    classes = Files.createTempDirectory("plugin-template-classes");
    List<String> sources;
    try (Stream<Path> files = Files.walk(TEMPLATE.resolve("src/main/java"))) {
      sources =
          files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().toList();
    }
    assertFalse(sources.isEmpty(), "no template sources under " + TEMPLATE.toAbsolutePath());
    List<String> args =
        new ArrayList<>(
            List.of(
                "-proc:none",
                "-encoding",
                "UTF-8",
                "--release",
                "17",
                "-d",
                classes.toString(),
                "-cp",
                System.getProperty("java.class.path")));
    args.addAll(sources);
    StringWriter diagnostics = new StringWriter();
    PrintWriter writer = new PrintWriter(diagnostics, true);
    int code =
        java.util.spi.ToolProvider.findFirst("javac")
            .orElseThrow()
            .run(writer, writer, args.toArray(String[]::new));
    assertEquals(0, code, "the plugin template does not compile against the api:\n" + diagnostics);
    Path resources = TEMPLATE.resolve("src/main/resources");
    try (Stream<Path> files = Files.walk(resources)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path target = classes.resolve(resources.relativize(file).toString());
        Files.createDirectories(target.getParent());
        Files.copy(file, target);
      }
    }
    // Like a jar in plugins/: a class loader of its own on top of Engram's.
    loader =
        new URLClassLoader(
            new URL[] {classes.toUri().toURL()}, PluginTemplateTest.class.getClassLoader());
    registry = PluginRegistry.discover(loader);
  }

  @AfterAll
  static void close() throws IOException {
    loader.close();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void servicesFilesNameExistingPluginClassesAndEveryPluginIsRegistered() throws Exception {
    Path services = TEMPLATE.resolve("src/main/resources/META-INF/services");
    List<String> registered = new ArrayList<>();
    try (Stream<Path> files = Files.list(services)) {
      for (Path file : files.sorted().toList()) {
        String kindName = file.getFileName().toString();
        assertTrue(KINDS.contains(kindName), file + " is not named after a plugin kind " + KINDS);
        Class<?> kind = Class.forName(kindName);
        for (String line : Files.readAllLines(file)) {
          String name = line.replaceAll("#.*", "").strip();
          if (name.isEmpty()) {
            continue;
          }
          Class<?> type;
          try {
            type = Class.forName(name, false, loader);
          } catch (ClassNotFoundException e) {
            throw new AssertionError(
                file + " names " + name + ", which is not a class of the template");
          }
          assertTrue(kind.isAssignableFrom(type), name + " does not implement " + kindName);
          assertTrue(Modifier.isPublic(type.getModifiers()), name + " must be public");
          assertTrue(
              Modifier.isPublic(type.getConstructor().getModifiers()),
              name + " needs a public no-argument constructor");
          registered.add(name);
        }
      }
    }
    // every plugin class of the template is registered (a forgotten services line is silent)
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String name =
            classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
        Class<?> type = Class.forName(name, false, loader);
        if (Plugin.class.isAssignableFrom(type)
            && !type.isInterface()
            && !Modifier.isAbstract(type.getModifiers())) {
          assertTrue(
              registered.contains(name), name + " is a plugin but no services file names it");
        }
      }
    }
    assertEquals(List.of(), registry.problems());
    assertTrue(
        registry.ids(PluginKind.TASK).contains("n-back"), registry.ids(PluginKind.TASK).toString());
    assertTrue(
        registry.ids(PluginKind.REGULARIZER).contains("l1-activity"),
        registry.ids(PluginKind.REGULARIZER).toString());
  }

  @Test
  void pomBuildsAPluginJarForThisApi() throws Exception {
    Document template = parse(TEMPLATE.resolve("pom.xml"));
    Document root = parse(ROOT.resolve("pom.xml"));
    Document api = parse(ROOT.resolve("api/pom.xml"));
    Map<String, String> templateProps = properties(template);
    Map<String, String> engramProps = properties(root);
    engramProps.putAll(properties(api));
    engramProps.put("project.version", text(root.getDocumentElement(), "version"));

    // not part of the reactor
    for (Element module : children(root.getDocumentElement(), "modules", "module")) {
      assertFalse(
          module.getTextContent().contains("examples"), "the reactor must not build the template");
    }
    assertFalse(Files.exists(ROOT.resolve("examples/pom.xml")));

    // the manifest entry names the api version that the api jar carries
    String apiVersion = resolve(manifestEntry(api), engramProps);
    assertNotNull(apiVersion, "api/pom.xml declares no Engram-Api-Version manifest entry");
    assertEquals(
        apiVersion,
        resolve(manifestEntry(template), templateProps),
        "examples/plugin-template/pom.xml: Engram-Api-Version must be the api's");

    // the api at the coordinates api/pom.xml publishes, provided; ND4J provided at Engram's version
    Element apiDependency = dependency(template, "engram-api");
    assertEquals(text(api.getDocumentElement(), "artifactId"), "engram-api");
    assertEquals(
        text(child(api.getDocumentElement(), "parent"), "groupId"), text(apiDependency, "groupId"));
    assertEquals(
        engramProps.get("project.version"), resolve(text(apiDependency, "version"), templateProps));
    assertEquals("provided", text(apiDependency, "scope"));
    Element nd4j = dependency(template, "nd4j-api");
    assertEquals("provided", text(nd4j, "scope"));
    assertEquals(engramProps.get("nd4j.version"), resolve(text(nd4j, "version"), templateProps));
    // every other version (JUnit, ND4J's transitive libraries) from Engram's own build: the
    // template imports engram-parent's dependencyManagement, so an offline build finds them
    List<Element> managed =
        children(
            template.getDocumentElement(), "dependencyManagement", "dependencies", "dependency");
    assertTrue(
        managed.stream()
            .anyMatch(
                d ->
                    "engram-parent".equals(text(d, "artifactId"))
                        && "import".equals(text(d, "scope"))
                        && "pom".equals(text(d, "type"))
                        && engramProps
                            .get("project.version")
                            .equals(resolve(text(d, "version"), templateProps))),
        "the template must import org.engram:engram-parent as a BOM");
    Element testkit = dependency(template, "engram-testkit");
    assertEquals("test", text(testkit, "scope"));

    // build plugins at the versions Engram's own build uses, so an offline build finds them
    Map<String, String> engramPlugins = new HashMap<>();
    for (Element plugin :
        children(root.getDocumentElement(), "build", "pluginManagement", "plugins", "plugin")) {
      engramPlugins.put(text(plugin, "artifactId"), text(plugin, "version"));
    }
    List<Element> plugins = children(template.getDocumentElement(), "build", "plugins", "plugin");
    assertFalse(plugins.isEmpty());
    for (Element plugin : plugins) {
      String id = text(plugin, "artifactId");
      assertTrue(engramPlugins.containsKey(id), id + " is not a plugin Engram's build uses");
      assertEquals(engramPlugins.get(id), text(plugin, "version"), id + " version");
    }
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void nBackTargetsMatchBruteForceInSamplesAndStreams() {
    Task task = (Task) registry.find(PluginKind.TASK, "n-back").orElseThrow();
    Record config = task.defaults();
    int alphabet = task.inputSize(config);
    assertTrue(alphabet >= 2);
    assertEquals(2, task.outputSize(config));
    assertEquals(LossKind.CLASSIFICATION, task.lossKind(config));
    assertEquals(1, task.minLevel(config));
    int[] levels = {1, 2, 4};
    Batch sample = task.sample(config, levels, 16, new SplittableRandom(2));
    assertTrue(sample.steps() >= 4 + 2 && sample.steps() <= 4 * 4 + 1, "T=" + sample.steps());
    assertMatchesBruteForce(sample, levels, alphabet);
    Batch stream = task.stream(config, levels, 50, 4, new SplittableRandom(3));
    assertEquals(50, stream.steps());
    assertMatchesBruteForce(stream, levels, alphabet);
  }

  private static void assertMatchesBruteForce(Batch batch, int[] levels, int alphabet) {
    int steps = batch.steps();
    int size = batch.batch();
    int[][] symbols = new int[steps][size];
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < size; b++) {
        int hot = 0;
        for (int i = 0; i < alphabet; i++) {
          if (batch.input(t, b, i) == 1f) {
            symbols[t][b] = i;
            hot++;
          }
        }
        assertEquals(1, hot, "one-hot input at t=" + t + " b=" + b);
      }
    }
    for (int k = 0; k < levels.length; k++) {
      Target target = batch.targets().get(k);
      assertEquals(levels[k], target.level());
      for (int t = 0; t < steps; t++) {
        for (int b = 0; b < size; b++) {
          assertEquals(t >= levels[k], target.scored(t, b, size), "N=" + levels[k] + " t=" + t);
          if (t >= levels[k]) {
            assertEquals(
                symbols[t][b] == symbols[t - levels[k]][b] ? 1 : 0,
                target.label(t, b, size),
                "N=" + levels[k] + " t=" + t + " b=" + b);
          }
        }
      }
    }
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void l1ActivityAddsLambdaSignOverNToTheGradient() {
    Regularizer reg =
        (Regularizer) registry.find(PluginKind.REGULARIZER, "l1-activity").orElseThrow();
    Record config = reg.defaults();
    INDArray h = Nd4j.create(new double[] {0.5, -2, 0, 1}, new long[] {2, 1, 2}, DataType.DOUBLE);
    INDArray dLdh = Nd4j.ones(DataType.DOUBLE, 2, 1, 2);
    double value = reg.onHidden(config, new Regularizer.HiddenInput(h, dLdh, null, 0));
    double lambda = value / (3.5 / 4); // value = λ·mean|h|
    assertTrue(lambda > 0, "default λ should be > 0, value " + value);
    double[] expected = {1 + lambda / 4, 1 - lambda / 4, 1, 1 + lambda / 4};
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[i], dLdh.getDouble(i), 1e-12, "element " + i);
    }
  }

  @Test
  void itsExampleExperimentIsValidWithThePluginLoaded() throws Exception {
    ResolvedExperiment experiment =
        new ExperimentLoader(registry).load(TEMPLATE.resolve("n-back-multihead.yaml"), List.of());
    assertEquals("n-back", experiment.task().plugin().id());
    assertEquals("multi-head", experiment.curriculum().plugin().id());
    assertEquals(
        List.of("l1-activity"),
        experiment.regularizers().stream().map(r -> r.plugin().id()).toList());
  }

  @Test
  void itsModelTrainsUnderMultiHeadFromADroppedJar(@TempDir Path dir) throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Path jar = plugins.resolve("engram-plugin-example.jar");
    java.util.jar.Manifest manifest = new java.util.jar.Manifest();
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest
        .getMainAttributes()
        .putValue("Engram-Api-Version", engram.api.ApiVersion.current().text());
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest);
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(
            new java.util.jar.JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
    Path experiment = dir.resolve("indrnn.yaml");
    Files.writeString(
        experiment,
        """
        name: indrnn-n-back
        seed: 2
        task: {id: n-back, alphabet: 3}
        model: {id: indrnn, hidden-size: 24}
        curriculum: {id: multi-head, start-level: 1, threshold: 0.95}
        training:
          batch-size: 32
          steps-per-epoch: 40
          max-epochs: 6
          clip: 1.0
          optimizer: {type: adam, lr: 0.01}
        evaluation: {batches: 2, batch-size: 64}
        """);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        engram.core.cli.Main.execute(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "--plugins",
            plugins.toString(),
            "run",
            experiment.toString(),
            "--runs-dir",
            dir.resolve("runs").toString(),
            "--progress",
            "lines");
    assertEquals(0, code, out + "\n" + err);
    assertTrue(
        out.toString().contains("advancing to N=1..2"),
        "the IndRNN from the jar solved 1-back and the multi-head curriculum advanced:\n" + out);
    Path run;
    try (Stream<Path> runs = Files.list(dir.resolve("runs"))) {
      run = runs.findFirst().orElseThrow();
    }
    String provenance = Files.readString(run.resolve("provenance.json"));
    assertTrue(
        provenance.contains("\"id\" : \"indrnn\"")
            && provenance.contains(jar.toAbsolutePath().toString()),
        provenance);
  }

  @Test
  void tutorialCommandsNameTheRealFiles() throws IOException {
    String tutorial = Files.readString(TEMPLATE.resolve("README.md"));
    for (String needle :
        List.of(
            "mvn -q install -DskipTests",
            "mvn -q package",
            "plugins/",
            "./engram plugins",
            "n-back-multihead.yaml",
            "Engram-Api-Version")) {
      assertTrue(tutorial.contains(needle), "the tutorial no longer mentions " + needle);
    }
    Matcher m = Pattern.compile("target/(engram-plugin-example[^ `]*\\.jar)").matcher(tutorial);
    assertTrue(m.find(), "the tutorial names the jar it builds");
    Document template = parse(TEMPLATE.resolve("pom.xml"));
    String jar =
        text(template.getDocumentElement(), "artifactId")
            + "-"
            + text(template.getDocumentElement(), "version")
            + ".jar";
    assertEquals(jar, m.group(1));
    String readme = Files.readString(ROOT.resolve("README.md"));
    assertTrue(
        readme.contains("examples/plugin-template/README.md"),
        "the README points to the plugin tutorial");
  }

  // ---------------------------------------------------------------- pom reading

  private static Document parse(Path pom) {
    try {
      return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    } catch (Exception e) {
      throw new AssertionError("cannot read " + pom + ": " + e, e);
    }
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  /** The elements at a path of direct children, e.g. build / plugins / plugin. */
  private static List<Element> children(Element parent, String... path) {
    List<Element> level = List.of(parent);
    for (String name : path) {
      List<Element> next = new ArrayList<>();
      for (Element e : level) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
          if (n instanceof Element c && c.getTagName().equals(name)) {
            next.add(c);
          }
        }
      }
      level = next;
    }
    return level;
  }

  private static String text(Element parent, String name) {
    Element e = parent == null ? null : child(parent, name);
    return e == null ? null : e.getTextContent().strip();
  }

  private static Map<String, String> properties(Document pom) {
    Map<String, String> props = new HashMap<>();
    for (Element list : children(pom.getDocumentElement(), "properties")) {
      for (Node n = list.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element e) {
          props.put(e.getTagName(), e.getTextContent().strip());
        }
      }
    }
    return props;
  }

  private static String resolve(String value, Map<String, String> props) {
    if (value == null) {
      return null;
    }
    Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = props.get(m.group(1));
      assertNotNull(replacement, "undefined property ${" + m.group(1) + "}");
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The Engram-Api-Version manifest entry of the jar plugin's configuration, if any. */
  private static String manifestEntry(Document pom) {
    NodeList entries = pom.getElementsByTagName("Engram-Api-Version");
    assertTrue(entries.getLength() <= 1, "one Engram-Api-Version entry at most");
    if (entries.getLength() == 0) {
      return null;
    }
    Node parent = entries.item(0).getParentNode();
    assertEquals("manifestEntries", parent.getNodeName());
    return entries.item(0).getTextContent().strip();
  }

  private static Element dependency(Document pom, String artifactId) {
    for (Element d : children(pom.getDocumentElement(), "dependencies", "dependency")) {
      if (artifactId.equals(text(d, "artifactId"))) {
        return d;
      }
    }
    throw new AssertionError("no dependency on " + artifactId);
  }
}
