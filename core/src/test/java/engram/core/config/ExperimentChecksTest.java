package engram.core.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks across sections, on experiments that bind. */
class ExperimentChecksTest {
  private final ObjectMapper mapper = ConfigMapper.create();

  private ResolvedExperiment bound(String yaml) throws Exception {
    return new ExperimentBinder(FakePlugins.catalog(), mapper, Overrides.none())
        .bind((ObjectNode) mapper.readTree(yaml), "e");
  }

  private String error(String yaml, Overrides overrides) {
    return assertThrows(
            ConfigException.class, () -> new ExperimentChecks(mapper, overrides).check(bound(yaml)))
        .getMessage();
  }

  @Test
  void aCurriculumThatStartsWhereTheTaskDoesPasses() throws Exception {
    ResolvedExperiment e =
        bound(
            "{task: {id: n-parity}, model: {id: gru},"
                + " curriculum: {id: multi-head, start-level: 2}}");
    assertDoesNotThrow(() -> new ExperimentChecks(mapper, Overrides.none()).check(e));
  }

  @Test
  void aStartBelowTheTasksFirstLevelNamesTheKeyAndTheOverride() {
    String yaml =
        "{task: {id: n-parity}, model: {id: gru},"
            + " curriculum: {id: multi-head, start-level: 1}}";
    assertEquals(
        "Invalid value: curriculum.start-level starts curriculum 'multi-head' at level 1, but task"
            + " 'n-parity' starts at level 2. Fix: set curriculum.start-level to at least 2.",
        error(yaml, Overrides.none()));
    assertTrue(
        error(yaml, new Overrides(List.of("curriculum.start-level=1")))
            .contains("starts at level 2 (from override 'curriculum.start-level=1'). Fix:"));
  }

  @Test
  void aCurriculumWithoutAStartLevelIsNamedAsAWhole() {
    assertEquals(
        "Invalid value: curriculum starts curriculum 'fixed' at level 3, but task"
            + " 'n-parity' starts at level 4. Fix: set curriculum's first level to at least 4.",
        error(
            "{task: {id: n-parity, min-level: 4}, model: {id: gru}, curriculum: {id: fixed}}",
            Overrides.none()));
  }
}
