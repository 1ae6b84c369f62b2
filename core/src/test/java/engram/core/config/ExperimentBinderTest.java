package engram.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole tree → ResolvedExperiment, without parsing, overrides or cross-checks. */
class ExperimentBinderTest {
  private final ObjectMapper mapper = ConfigMapper.create();
  private final ExperimentBinder binder =
      new ExperimentBinder(FakePlugins.catalog(), mapper, Overrides.none());

  private ResolvedExperiment bind(String yaml) throws Exception {
    return binder.bind((ObjectNode) mapper.readTree(yaml), "default-name");
  }

  @Test
  void fillsCoreDefaultsAndTheDefaultName() throws Exception {
    ResolvedExperiment e =
        bind("{task: {id: n-parity}, model: {id: gru}, curriculum: {id: fixed}}");
    assertEquals("default-name", e.name());
    assertNull(e.description());
    assertEquals(1L, e.seed());
    assertEquals(Precision.FLOAT32, e.precision());
    assertEquals(List.of(), e.regularizers());
    assertEquals(TrainingConfig.defaults(), e.training());
    assertEquals(OutputConfig.defaults(), e.output());
  }

  @Test
  void doesNotCrossCheck() throws Exception {
    // fixed starts at level 3, below this task's first level 4: ExperimentChecks' job, not this
    ResolvedExperiment e =
        bind(
            "{task: {id: n-parity, min-level: 4}, model: {id: gru}," + " curriculum: {id: fixed}}");
    assertEquals("fixed", e.curriculum().id());
  }

  @Test
  void topLevelKeysAreChecked() {
    assertEquals(
        "Unknown key 'sed'. Valid keys: name, description, seed, precision, task, model,"
            + " curriculum, regularizers, analyzers, training, evaluation, output. Did you mean"
            + " 'seed'? Fix: correct the spelling or remove the key.",
        assertThrows(ConfigException.class, () -> bind("{sed: 1}")).getMessage());
    assertEquals(
        ExperimentBinder.TOP_LEVEL_KEYS.size(),
        ResolvedExperiment.class.getRecordComponents().length,
        "one top-level key per component of the resolved experiment");
  }

  @Test
  void aNameThatCannotNameADirectoryIsRefusedWithAShortLine() throws Exception {
    String base = "{task: {id: n-parity}, model: {id: gru}, curriculum: {id: fixed}, name: ";
    String longName = "a".repeat(5000);
    String message =
        assertThrows(ConfigException.class, () -> bind(base + longName + "}")).getMessage();
    assertEquals(
        "Invalid value: name '"
            + "a".repeat(40)
            + "…' has 5000 characters; at most 100 (it names the run directory). Fix: shorten"
            + " name.",
        message);
    assertTrue(message.length() < 200, "no 5 KB line");
    for (String bad : List.of("'a/b'", "'..'", "'.hidden'", "\"tab\\there\"")) {
      String m = assertThrows(ConfigException.class, () -> bind(base + bad + "}")).getMessage();
      assertTrue(m.contains("names the run directory") && m.contains("Fix:"), bad + ": " + m);
    }
    assertEquals("λ-0.1_g=2 seed 3", bind(base + "'λ-0.1_g=2 seed 3'}").name());
    assertEquals("b".repeat(100), bind(base + "b".repeat(100) + "}").name());
  }

  @Test
  void aBlankNameIsRefused() {
    assertEquals(
        "Invalid value: name must not be blank. Fix: set name to a short word such as"
            + " parity-multihead.",
        assertThrows(ConfigException.class, () -> bind("{name: ' ', task: {id: n-parity}}"))
            .getMessage());
  }
}
