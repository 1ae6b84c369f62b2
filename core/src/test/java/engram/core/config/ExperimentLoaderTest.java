package engram.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.config.FakePlugins.LeakyRnn;
import engram.core.config.FakePlugins.Parity;
import engram.core.plugin.PluginKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentLoaderTest {
  private static final String MINIMAL =
      """
      task: {id: n-parity}
      model: {id: leaky-rnn}
      curriculum: {id: multi-head}
      """;

  @TempDir Path dir;
  private final ExperimentLoader loader = new ExperimentLoader(FakePlugins.catalog());

  private ResolvedExperiment load(String yaml, String... overrides) throws Exception {
    Path file = dir.resolve("my-exp.yaml");
    Files.writeString(file, yaml);
    return loader.load(file, List.of(overrides));
  }

  private String error(String yaml, String... overrides) {
    return assertThrows(ConfigException.class, () -> load(yaml, overrides)).getMessage();
  }

  // ------------------------------------------------------------------ defaults and values

  @Test
  void fillsEveryDefault() throws Exception {
    ResolvedExperiment e = load(MINIMAL);
    assertEquals("my-exp", e.name());
    assertNull(e.description());
    assertEquals(1L, e.seed());
    assertEquals(Precision.FLOAT32, e.precision());
    assertEquals(new Parity().defaults(), e.task().config());
    assertEquals(new LeakyRnn().defaults(), e.model().config());
    assertEquals("multi-head", e.curriculum().id());
    assertEquals(List.of(), e.regularizers());
    assertEquals(List.of(), e.analyzers());
    assertEquals(TrainingConfig.defaults(), e.training());
    assertEquals(EvaluationConfig.defaults(), e.evaluation());
    assertEquals(OutputConfig.defaults(), e.output());
  }

  @Test
  void bindsAFullFile() throws Exception {
    ResolvedExperiment e =
        load(
            """
            name: parity-multihead
            description: free text
            seed: 7
            precision: float64
            task: {id: n-parity, noise: 0.1, timing: {delay: 3}}
            model: {id: leaky-rnn, hidden-size: 32, nonlinearity: leaky-relu, tags: [a, b]}
            curriculum: {id: multi-head, threshold: 0.9}
            regularizers: [{id: activity-l2, lambda: 0.1}, {id: weight-l2}]
            analyzers: [{id: timescales, max-lag: 5}]
            training:
              batch-size: 16
              steps-per-epoch: 10
              max-epochs: 3
              clip: 0
              optimizer: {type: adam, lr: 1.0e-3, beta2: 0.99, epsilon: 1e-6}
            evaluation: {batches: 2, batch-size: 8}
            output: {runs-dir: /tmp/runs}
            """);
    assertEquals("parity-multihead", e.name());
    assertEquals("free text", e.description());
    assertEquals(7L, e.seed());
    assertEquals(Precision.FLOAT64, e.precision());
    assertEquals(
        new Parity.Config(2, 0.1, Parity.Encoding.ONE_HOT, new Parity.Timing(3, 1)),
        e.task().config());
    assertEquals(
        new LeakyRnn.Config(32, LeakyRnn.Nonlinearity.LEAKY_RELU, 1.0, true, List.of("a", "b")),
        e.model().config());
    assertEquals(new FakePlugins.MultiHead.Config(2, 0.9), e.curriculum().config());
    assertEquals(
        List.of("activity-l2", "weight-l2"),
        e.regularizers().stream().map(PluginChoice::id).toList());
    assertEquals(new FakePlugins.L2.Config(0.1), e.regularizers().get(0).config());
    assertEquals(new FakePlugins.L2.Config(0.01), e.regularizers().get(1).config());
    assertEquals(new FakePlugins.Timescales.Config(5), e.analyzers().get(0).config());
    assertEquals(PluginKind.ANALYZER, e.analyzers().get(0).kind());
    assertEquals(
        new TrainingConfig(
            16,
            10,
            3,
            0.0,
            new OptimizerConfig(OptimizerType.ADAM, 1e-3, 0.1, true, 0.9, 0.99, 1e-6)),
        e.training());
    assertEquals(new EvaluationConfig(2, 8), e.evaluation());
    assertEquals(new OutputConfig("/tmp/runs", 0, false), e.output());
  }

  @Test
  void emptyConfigRecordAndNullSectionsWork() throws Exception {
    ResolvedExperiment e =
        load(
            """
            task: {id: n-parity}
            model: {id: gru}
            curriculum: {id: fixed}
            regularizers:
            training:
            """);
    assertEquals(new FakePlugins.Fixed.Config(), e.curriculum().config());
    assertEquals(List.of(), e.regularizers());
    assertEquals(TrainingConfig.defaults(), e.training());
    assertTrue(loader.toYaml(e).contains("curriculum:\n  id: fixed\n"), loader.toYaml(e));
  }

  // ------------------------------------------------------------------ enums

  @Test
  void enumsAreKebabCaseAndAcceptTheConstantName() throws Exception {
    assertEquals(
        LeakyRnn.Nonlinearity.LEAKY_RELU,
        ((LeakyRnn.Config) load(MINIMAL, "model.nonlinearity=leaky-relu").model().config())
            .nonlinearity());
    assertEquals(
        LeakyRnn.Nonlinearity.LEAKY_RELU,
        ((LeakyRnn.Config) load(MINIMAL, "model.nonlinearity=LEAKY_RELU").model().config())
            .nonlinearity());
    assertEquals(
        Parity.Encoding.SIGNED_BITS,
        ((Parity.Config) load(MINIMAL, "task.encoding=signed-bits").task().config()).encoding());
    ResolvedExperiment e = load(MINIMAL, "model.nonlinearity=LEAKY_RELU", "precision=FLOAT64");
    String yaml = loader.toYaml(e);
    assertTrue(yaml.contains("nonlinearity: leaky-relu"), yaml);
    assertTrue(yaml.contains("encoding: one-hot"), yaml);
    assertTrue(yaml.contains("precision: float64"), yaml);
    assertTrue(yaml.contains("type: sgd"), yaml);
    assertEquals(
        "\"leaky-relu\"\n",
        new com.fasterxml.jackson.databind.ObjectMapper()
                .registerModule(ConfigMapper.module())
                .writeValueAsString(LeakyRnn.Nonlinearity.LEAKY_RELU)
            + "\n");
    assertEquals(
        LeakyRnn.Nonlinearity.LEAKY_RELU,
        ConfigMapper.create().readValue("leaky-relu", LeakyRnn.Nonlinearity.class));
  }

  @Test
  void enumMapKeysAreKebabCaseToo() throws Exception {
    var mapper = ConfigMapper.create();
    var map = new java.util.EnumMap<LeakyRnn.Nonlinearity, Integer>(LeakyRnn.Nonlinearity.class);
    map.put(LeakyRnn.Nonlinearity.LEAKY_RELU, 1);
    String yaml = mapper.writeValueAsString(map);
    assertEquals("leaky-relu: 1\n", yaml);
    var type =
        mapper
            .getTypeFactory()
            .constructMapType(java.util.EnumMap.class, LeakyRnn.Nonlinearity.class, Integer.class);
    assertEquals(map, mapper.readValue(yaml, type));
  }

  @Test
  void unknownEnumValueListsTheChoices() {
    assertEquals(
        "Invalid value for model.nonlinearity: expected one of tanh, relu, leaky-relu, got"
            + " 'sigmoid'.",
        error(MINIMAL.replace("leaky-rnn}", "leaky-rnn, nonlinearity: sigmoid}")));
    assertEquals(
        "Invalid value for precision: expected one of float32, float64, got 'float16'.",
        error("precision: float16\n" + MINIMAL));
  }

  // ------------------------------------------------------------------ round trip

  @Test
  void toYamlRoundTripsToAnEqualExperiment() throws Exception {
    ResolvedExperiment e =
        load(
            """
            name: "true"
            description: "multi\\nline: text #1"
            seed: 12345678901
            task: {id: n-parity, encoding: signed-bits}
            model: {id: leaky-rnn, nonlinearity: leaky-relu, tags: ["1", "yes", "null"]}
            curriculum: {id: multi-head}
            regularizers: [{id: activity-l2, lambda: 1.0e-7}]
            analyzers: [{id: timescales}]
            training: {optimizer: {type: adam, epsilon: 1.0e-8}}
            """);
    String yaml = loader.toYaml(e);
    Path again = dir.resolve("again.yaml");
    Files.writeString(again, yaml);
    ResolvedExperiment reloaded = loader.load(again, List.of());
    assertEquals(e, reloaded, yaml);
    assertEquals(yaml, loader.toYaml(reloaded));
    // id first in every plugin section; every default written; derived isLarge() is not a key
    assertTrue(yaml.contains("model:\n  id: leaky-rnn\n  hidden-size: 128\n"), yaml);
    assertTrue(yaml.contains("regularizers:\n  - id: activity-l2\n"), yaml);
    assertTrue(yaml.contains("steps-per-epoch: 100"), yaml);
    assertTrue(yaml.contains("runs-dir: runs"), yaml);
    assertTrue(yaml.contains("delay: 0"), yaml);
    assertFalse(yaml.contains("large"), yaml);
  }

  @Test
  void toYamlOfDefaultsRoundTrips() throws Exception {
    ResolvedExperiment e = load(MINIMAL);
    Path again = dir.resolve("other-name.yaml");
    Files.writeString(again, loader.toYaml(e));
    assertEquals(e, loader.load(again, List.of()));
  }

  // ------------------------------------------------------------------ overrides

  @Test
  void overridesReachNestedKeysAndListEntries() throws Exception {
    ResolvedExperiment e =
        load(
            MINIMAL + "regularizers: [{id: activity-l2, lambda: 0.1}]\n",
            "model.hidden-size=64",
            "training.optimizer.lr=0.01",
            "training.optimizer.nesterov=false",
            "regularizers.0.lambda=0.2",
            "regularizers.1.id=weight-l2",
            "task.timing.delay=4",
            "model.tags=[x, y]",
            "name=from-cli",
            "seed=42",
            "description=a b: c");
    assertEquals(64, ((LeakyRnn.Config) e.model().config()).hiddenSize());
    assertEquals(List.of("x", "y"), ((LeakyRnn.Config) e.model().config()).tags());
    assertEquals(0.01, e.training().optimizer().lr());
    assertFalse(e.training().optimizer().nesterov());
    assertEquals(new FakePlugins.L2.Config(0.2), e.regularizers().get(0).config());
    assertEquals("weight-l2", e.regularizers().get(1).id());
    assertEquals(4, ((Parity.Config) e.task().config()).timing().delay());
    assertEquals("from-cli", e.name());
    assertEquals(42L, e.seed());
    assertEquals("a b: c", e.description());
  }

  @Test
  void overrideCanAddAListThatTheFileLacks() throws Exception {
    ResolvedExperiment e = load(MINIMAL, "regularizers.0.id=weight-l2", "regularizers.0.lambda=3");
    assertEquals(1, e.regularizers().size());
    assertEquals(new FakePlugins.L2.Config(3.0), e.regularizers().get(0).config());
  }

  @Test
  void overrideCanSwitchThePlugin() throws Exception {
    ResolvedExperiment e = load(MINIMAL, "model.id=gru", "model.hidden-size=8");
    assertEquals(new FakePlugins.Gru.Config(8), e.model().config());
  }

  @Test
  void overrideOfAnUnknownKeyGivesTheUnknownKeyMessage() {
    assertEquals(
        "Unknown key 'model.hiden-size' for model 'leaky-rnn' (from override"
            + " 'model.hiden-size=64'). Valid keys: hidden-size, nonlinearity, tau, trainable-tau,"
            + " tags. Did you mean 'hidden-size'? Fix: correct the spelling or remove the key.",
        error(MINIMAL, "model.hiden-size=64"));
    String top = error(MINIMAL, "trainng.batch-size=3");
    assertTrue(
        top.startsWith(
            "Unknown key 'trainng' (from override 'trainng.batch-size=3'). Valid keys: name,"),
        top);
    assertTrue(
        error(MINIMAL, "training.optimizer.rate=1")
            .startsWith(
                "Unknown key 'training.optimizer.rate' (from override 'training.optimizer.rate=1')."
                    + " Valid keys: type, lr,"));
  }

  @Test
  void badOverrideSyntaxIsExplained() {
    assertEquals(
        "Invalid override 'model.hidden-size': no key=value. Fix: write it as key=value with a"
            + " dotted key, e.g. training.optimizer.lr=0.01.",
        error(MINIMAL, "model.hidden-size"));
    assertTrue(error(MINIMAL, "=3").startsWith("Invalid override '=3': no key=value."));
    assertTrue(
        error(MINIMAL, "model..x=3").startsWith("Invalid override 'model..x=3': empty key part."));
    assertEquals(
        "Unknown key 'regularizers.5' in override 'regularizers.5.lambda=1': regularizers has 0"
            + " entries. Fix: use an index from 0 to 0 (0 adds an entry).",
        error(MINIMAL + "regularizers: []\n", "regularizers.5.lambda=1"));
    assertEquals(
        "Unknown key 'seed.x' in override 'seed.x=1': seed is a single value ('3'), not a section."
            + " Fix: set seed=<value> instead.",
        error("seed: 3\n" + MINIMAL, "seed.x=1"));
    assertEquals(
        "Invalid value for seed (from override 'seed.x=1'): expected an integer, got a section.",
        error(MINIMAL, "seed.x=1"));
    assertTrue(
        error(MINIMAL + "regularizers: []\n", "regularizers.lambda=1")
            .startsWith(
                "Unknown key 'regularizers.lambda' in override 'regularizers.lambda=1':"
                    + " regularizers is a list"));
  }

  @Test
  void overrideValuesAreYamlScalars() throws Exception {
    assertEquals(
        "Invalid value for training.batch-size (from override 'training.batch-size=abc'): expected"
            + " an integer, got 'abc'.",
        error(MINIMAL, "training.batch-size=abc"));
    assertEquals(1.0e-4, load(MINIMAL, "training.optimizer.lr=1e-4").training().optimizer().lr());
    assertEquals(
        OptimizerType.ADAM,
        load(MINIMAL, "training.optimizer.type=adam").training().optimizer().type());
  }

  // ------------------------------------------------------------------ unknown keys and ids

  @Test
  void unknownPluginKey() {
    assertEquals(
        "Unknown key 'model.hiden-size' for model 'leaky-rnn'. Valid keys: hidden-size,"
            + " nonlinearity, tau, trainable-tau, tags. Did you mean 'hidden-size'?"
            + " Fix: correct the spelling or remove the key.",
        error(MINIMAL.replace("leaky-rnn}", "leaky-rnn, hiden-size: 3}")));
  }

  @Test
  void unknownNestedPluginKey() {
    assertEquals(
        "Unknown key 'task.timing.dealy' for task 'n-parity'. Valid keys: delay, response."
            + " Did you mean 'delay'? Fix: correct the spelling or remove the key.",
        error(MINIMAL.replace("n-parity}", "n-parity, timing: {dealy: 3}}")));
  }

  @Test
  void unknownKeyInAListEntry() {
    assertEquals(
        "Unknown key 'regularizers.1.lamda' for regularizer 'weight-l2'. Valid keys: lambda."
            + " Did you mean 'lambda'? Fix: correct the spelling or remove the key.",
        error(MINIMAL + "regularizers: [{id: activity-l2}, {id: weight-l2, lamda: 1}]\n"));
  }

  @Test
  void unknownTopLevelAndCoreKeys() {
    assertEquals(
        "Unknown key 'trainng'. Valid keys: name, description, seed, precision, task, model,"
            + " curriculum, regularizers, analyzers, training, evaluation, output."
            + " Did you mean 'training'? Fix: correct the spelling or remove the key.",
        error(MINIMAL + "trainng: {batch-size: 3}\n"));
    assertEquals(
        "Unknown key 'training.lr'. Valid keys: batch-size, steps-per-epoch, max-epochs, clip,"
            + " optimizer, full-batch-copies. Fix: correct the spelling or remove the key.",
        error(MINIMAL + "training: {lr: 3}\n"));
    assertEquals(
        "Unknown key 'curriculum.level' for curriculum 'fixed'. Valid keys: none."
            + " Fix: correct the spelling or remove the key.",
        error(MINIMAL.replace("multi-head}", "fixed, level: 3}")));
  }

  @Test
  void unknownPluginId() {
    assertEquals(
        "Unknown model id 'lstmm'. Available models: gru, leaky-rnn. Fix: set model.id to one of"
            + " them (./engram plugins lists all).",
        error(MINIMAL.replace("leaky-rnn", "lstmm")));
    assertEquals(
        "Unknown curriculum id 'multihead'. Available curricula: fixed, multi-head."
            + " Did you mean 'multi-head'? Fix: set curriculum.id to one of them (./engram plugins"
            + " lists all).",
        error(MINIMAL.replace("multi-head", "multihead")));
    assertEquals(
        "Unknown regularizer id 'l1'. Available regularizers: activity-l2, weight-l2. Fix: set"
            + " regularizers.0.id to one of them (./engram plugins lists all).",
        error(MINIMAL + "regularizers: [{id: l1}]\n"));
  }

  @Test
  void missingIdOrSection() {
    assertEquals(
        "Missing key 'model.id'. Available models: gru, leaky-rnn. Fix: set model.id to one of"
            + " them (./engram plugins lists all).",
        error(MINIMAL.replace("{id: leaky-rnn}", "{hidden-size: 3}")));
    assertEquals(
        "Missing section 'model'. Available models: gru, leaky-rnn. Fix: add 'model: {id: gru}'"
            + " (./engram plugins lists all).",
        error("task: {id: n-parity}\ncurriculum: {id: multi-head}\n"));
    assertEquals(
        "Missing section 'task'. Available tasks: n-parity. Fix: add 'task: {id: n-parity}'"
            + " (./engram plugins lists all).",
        error("model: {id: gru}\ncurriculum: {id: multi-head}\n"));
    assertTrue(
        error("task: {id: n-parity}\nmodel: {id: gru}\n")
            .startsWith("Missing section 'curriculum'. Available curricula: fixed, multi-head."));
    assertTrue(
        error(MINIMAL.replace("{id: leaky-rnn}", "leaky-rnn"))
            .startsWith(
                "Invalid value for model: expected a section with an id, got 'leaky-rnn'."));
    assertTrue(
        error(MINIMAL + "regularizers: {id: weight-l2}\n")
            .startsWith(
                "Invalid value for regularizers: expected a list of sections such as [{id: ...}],"
                    + " got a section."));
  }

  @Test
  void duplicateListEntriesAreRefused() {
    assertEquals(
        "Duplicate regularizer 'weight-l2' at regularizers.1. Fix: list each regularizer once.",
        error(MINIMAL + "regularizers: [{id: weight-l2}, {id: weight-l2, lambda: 2}]\n"));
  }

  // ------------------------------------------------------------------ values

  @Test
  void outOfRangeValuesNameTheKey() {
    assertEquals(
        "Invalid value: training.batch-size must be ≥ 1 (was 0). Fix: change training.batch-size.",
        error(MINIMAL + "training: {batch-size: 0}\n"));
    assertEquals(
        "Invalid value: training.optimizer.lr must be a finite number > 0 (was 0.0)."
            + " Fix: change training.optimizer.lr.",
        error(MINIMAL + "training: {optimizer: {lr: 0}}\n"));
    assertEquals(
        "Invalid value: training.optimizer.momentum must be in [0, 1) (was 1.0)."
            + " Fix: change training.optimizer.momentum.",
        error(MINIMAL + "training: {optimizer: {momentum: 1}}\n"));
    assertEquals(
        "Invalid value: model.hidden-size must be ≥ 1 (was 0). Fix: change model.hidden-size.",
        error(MINIMAL.replace("leaky-rnn}", "leaky-rnn, hidden-size: 0}")));
    assertEquals(
        "Invalid value: task.timing.delay must be ≥ 0 (was -1). Fix: change task.timing.delay.",
        error(MINIMAL.replace("n-parity}", "n-parity, timing: {delay: -1}}")));
    assertEquals(
        "Invalid value: regularizers.0.lambda must be a finite number ≥ 0 (was -1.0)."
            + " Fix: change regularizers.0.lambda.",
        error(MINIMAL + "regularizers: [{id: activity-l2, lambda: -1}]\n"));
    assertEquals(
        "Invalid value: evaluation.batches must be ≥ 1 (was 0) (from override"
            + " 'evaluation.batches=0'). Fix: change evaluation.batches.",
        error(MINIMAL, "evaluation.batches=0"));
    assertEquals(
        "Invalid value: output.runs-dir must be a non-empty path (was ''). Fix: change"
            + " output.runs-dir.",
        error(MINIMAL + "output: {runs-dir: ''}\n"));
    assertTrue(error("name: ' '\n" + MINIMAL).startsWith("Invalid value: name must not be blank."));
  }

  @Test
  void wrongTypesSayWhatWasExpected() {
    assertEquals(
        "Invalid value for training.batch-size: expected an integer, got 'abc'.",
        error(MINIMAL + "training: {batch-size: abc}\n"));
    assertEquals(
        "Invalid value for model.hidden-size: expected an integer, got '2.5'.",
        error(MINIMAL.replace("leaky-rnn}", "leaky-rnn, hidden-size: 2.5}")));
    assertEquals(
        "Invalid value for model.trainable-tau: expected true or false, got 'maybe'.",
        error(MINIMAL.replace("leaky-rnn}", "leaky-rnn, trainable-tau: maybe}")));
    assertEquals(
        "Invalid value for model.hidden-size: expected an integer, got nothing.",
        error(MINIMAL.replace("leaky-rnn}", "leaky-rnn, hidden-size: null}")));
    assertEquals(
        "Invalid value for task.timing: expected a section, got '5'.",
        error(MINIMAL.replace("n-parity}", "n-parity, timing: 5}")));
    assertEquals(
        "Invalid value for model.tags: expected a list, got a section.",
        error(MINIMAL.replace("leaky-rnn}", "leaky-rnn, tags: {a: 1}}")));
    assertEquals(
        "Invalid value for seed: expected an integer, got 'abc'.", error("seed: abc\n" + MINIMAL));
    assertTrue(
        error(MINIMAL + "training: 5\n")
            .startsWith("Invalid value for training: expected a section, got '5'."));
  }

  /** A task whose configuration says what its level is called; it starts at level 3. */
  public static final class NamedLevelTask implements engram.api.Task<NamedLevelTask.Config> {
    public record Config(@engram.api.config.Doc("What the level is called.") String levelName) {}

    @Override
    public engram.api.PluginInfo info() {
      return new engram.api.PluginInfo("copy", "A copy task", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config("length");
    }

    @Override
    public int inputSize(Config c) {
      return 1;
    }

    @Override
    public int outputSize(Config c) {
      return 1;
    }

    @Override
    public engram.api.task.LossKind lossKind(Config c) {
      return engram.api.task.LossKind.MULTI_LABEL;
    }

    @Override
    public int minLevel(Config c) {
      return 3;
    }

    @Override
    public String levelName(Config c) {
      if (c.levelName().equals("throw")) {
        throw new IllegalArgumentException("no name today");
      }
      return c.levelName().equals("null") ? null : c.levelName();
    }

    @Override
    public engram.api.task.Batch sample(
        Config c, int[] levels, int batchSize, java.util.random.RandomGenerator rng) {
      throw new UnsupportedOperationException("test fake");
    }
  }

  private static final String COPY =
      MINIMAL.replace("n-parity}", "copy}").replace("multi-head}", "multi-head, start-level: 3}");

  private ResolvedExperiment loadCopy(String... overrides) throws Exception {
    Path file = dir.resolve("copy.yaml");
    Files.writeString(file, COPY);
    return new ExperimentLoader(withCopyTask()).load(file, List.of(overrides));
  }

  private static engram.core.plugin.PluginCatalog withCopyTask() {
    engram.core.plugin.PluginCatalog fakes = FakePlugins.catalog();
    return kind -> {
      List<engram.core.plugin.DiscoveredPlugin> all = new java.util.ArrayList<>(fakes.all(kind));
      if (kind == PluginKind.TASK) {
        all.add(
            0,
            new engram.core.plugin.DiscoveredPlugin(
                PluginKind.TASK, new NamedLevelTask(), "1.0", "fake.jar")); // "copy" sorts first
      }
      return all;
    };
  }

  @Test
  void aTaskNamesItsLevelAndTheDefaultIsN() throws Exception {
    assertEquals("length", LevelName.of(loadCopy()));
    assertEquals("N", LevelName.of(load(MINIMAL)), "a task that says nothing");
    for (String name : List.of("delay", "τ", "bits_2", "flipping-bits", "N", "a".repeat(32))) {
      assertEquals(name, LevelName.of(loadCopy("task.level-name=" + name)), name);
    }
  }

  @Test
  void aLevelNameThatCannotBeReadAsOneWordStopsTheExperimentNamingTheTask() {
    for (String bad :
        List.of("two words", "x=1", "1st", "-x", "a".repeat(33), "line\nbreak", "null", "throw")) {
      String message =
          assertThrows(ConfigException.class, () -> loadCopy("task.level-name=" + bad))
              .getMessage();
      assertTrue(message.startsWith("Task 'copy' "), bad + ": " + message);
      assertTrue(message.contains("Fix:") && message.contains("levelName"), bad + ": " + message);
      assertTrue(message.endsWith(")."), bad + ": " + message);
    }
    String message =
        assertThrows(ConfigException.class, () -> loadCopy("task.level-name=two words"))
            .getMessage();
    assertEquals(
        "Task 'copy' names its level 'two words', but a level name is a letter followed by letters,"
            + " digits, '_' or '-', at most 32 characters (e.g. N, length, delay). Fix: return such"
            + " a name from the task's levelName (in the plugin's code).",
        message);
    assertTrue(
        assertThrows(ConfigException.class, () -> loadCopy("task.level-name=throw"))
            .getMessage()
            .contains(
                "cannot name its level: java.lang.IllegalArgumentException: no" + " name today"));
  }

  @Test
  void aStartBelowTheTasksFirstLevelShowsTheLevelsName() {
    String message =
        assertThrows(ConfigException.class, () -> loadCopy("curriculum.start-level=2"))
            .getMessage();
    assertTrue(
        message.startsWith(
            "Invalid value: curriculum.start-level starts curriculum 'multi-head' at level 2"
                + " (length=2), but task 'copy' starts at level 3 (length=3)"),
        message);
    assertTrue(message.endsWith("Fix: set curriculum.start-level to at least 3."), message);
  }

  @Test
  void levelRangesAreWrittenWithTheName() {
    assertEquals("length=2..5", LevelName.range("length", new int[] {2, 5, 3}));
    assertEquals("N=4", LevelName.range("N", new int[] {4}));
    assertEquals("delay=1..2", LevelName.range("delay", new int[] {2, 1}));
  }

  @Test
  void curriculumMustStartAtALevelTheTaskAccepts() throws Exception {
    assertEquals(
        "Invalid value: curriculum.start-level starts curriculum 'multi-head' at level 1, but task"
            + " 'n-parity' starts at level 2. Fix: set curriculum.start-level to at least 2.",
        error(MINIMAL.replace("multi-head}", "multi-head, start-level: 1}")));
    assertTrue(
        error(MINIMAL.replace("multi-head}", "fixed}"), "task.min-level=4")
            .startsWith(
                "Invalid value: curriculum starts curriculum 'fixed' at level 3, but task"
                    + " 'n-parity' starts at level 4."));
    assertEquals(
        new FakePlugins.MultiHead.Config(3, 0.98),
        load(MINIMAL, "curriculum.start-level=3").curriculum().config());
  }

  // ------------------------------------------------------------------ files

  @Test
  void fileProblems() throws IOException {
    Path missing = dir.resolve("nope.yaml");
    String m =
        assertThrows(ConfigException.class, () -> loader.load(missing, List.of())).getMessage();
    assertTrue(m.startsWith("Experiment file not found: " + missing + ". Fix: check the path"), m);
    String d = assertThrows(ConfigException.class, () -> loader.load(dir, List.of())).getMessage();
    assertTrue(d.startsWith("Cannot read experiment file " + dir + ": it is a directory."), d);
    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(latin1, new byte[] {'n', 'a', 'm', 'e', ':', ' ', (byte) 0xe9});
    String l =
        assertThrows(ConfigException.class, () -> loader.load(latin1, List.of())).getMessage();
    assertTrue(l.contains("it is not UTF-8 text"), l);
  }

  @Test
  void yamlSyntaxErrorsGiveLineAndColumn() {
    assertEquals(
        "YAML syntax error in "
            + dir.resolve("my-exp.yaml")
            + " at line 5, column 1: expected ','"
            + " or '}', but got <stream end>. Fix: correct the YAML there.",
        error(MINIMAL + "training: {batch-size: 3\n"));
    assertEquals(
        "YAML syntax error in "
            + dir.resolve("my-exp.yaml")
            + " at line 4, column 8: mapping"
            + " values are not allowed here. Fix: correct the YAML there.",
        error(MINIMAL + "seed: b: c\n"));
    String tab = error(MINIMAL + "training:\n\tbatch-size: 3\n");
    assertTrue(tab.contains(" at line 5, column 1: "), tab);
    String dup = error(MINIMAL + "seed: 1\nseed: 2\n");
    assertTrue(dup.contains("Duplicate key 'seed'") && dup.contains("at line 5"), dup);
    assertTrue(error("").contains("is empty"));
    assertTrue(
        error("- a\n- b\n")
            .contains("must be a mapping of keys (name, task, model, ...), but it is a list."));
  }

  // ------------------------------------------------------------------ records

  @Test
  void coreRecordsValidate() {
    assertEquals(
        "beta2 must be in [0, 1) (was 1.0)",
        assertThrows(
                IllegalArgumentException.class,
                () -> new OptimizerConfig(OptimizerType.ADAM, 0.1, 0, false, 0.9, 1.0, 1e-8))
            .getMessage());
    assertEquals(
        "epsilon must be a finite number > 0 (was 0.0)",
        assertThrows(
                IllegalArgumentException.class,
                () -> new OptimizerConfig(OptimizerType.ADAM, 0.1, 0, false, 0.9, 0.9, 0))
            .getMessage());
    assertEquals(
        "clip must be a finite number ≥ 0 (was -1.0)",
        assertThrows(
                IllegalArgumentException.class,
                () -> new TrainingConfig(1, 1, 1, -1, OptimizerConfig.defaults()))
            .getMessage());
    assertEquals(
        "optimizer must be set",
        assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(1, 1, 1, 0, null))
            .getMessage());
    assertEquals(org.nd4j.linalg.api.buffer.DataType.DOUBLE, Precision.FLOAT64.dataType());
  }
}
