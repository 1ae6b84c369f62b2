package engram.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.core.config.FakePlugins.LeakyRnn;
import engram.core.config.FakePlugins.Parity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Tree → record alone: merging over defaults and Jackson's failures as one-line messages. */
class RecordBinderTest {
  private final ObjectMapper mapper = ConfigMapper.create();
  private final RecordBinder binder = new RecordBinder(mapper, Overrides.none());

  private ObjectNode tree(String yaml) throws Exception {
    return (ObjectNode) mapper.readTree(yaml);
  }

  private static String error(Executable executable) {
    return assertThrows(ConfigException.class, executable).getMessage();
  }

  @Test
  void mergesTheUsersKeysOverTheDefaultsSectionBySection() throws Exception {
    ObjectNode defaults = binder.tree(new Parity().defaults());
    ObjectNode merged =
        binder.merge(defaults, tree("{noise: 0.5, timing: {delay: 4}}"), "task", "task 'n-parity'");
    assertEquals(
        new Parity.Config(2, 0.5, Parity.Encoding.ONE_HOT, new Parity.Timing(4, 1)),
        binder.bind(merged, Parity.Config.class, "task"));
    assertEquals(0.0, defaults.get("noise").asDouble(), "the defaults stay as they were");
  }

  @Test
  void anUnknownKeyListsTheValidOnesAndTheNearest() throws Exception {
    ObjectNode defaults = binder.tree(new Parity().defaults());
    assertEquals(
        "Unknown key 'task.timing.dealy' for task 'n-parity'. Valid keys: delay,"
            + " response. Did you mean 'delay'? Fix: correct the spelling or remove the key.",
        error(
            () -> binder.merge(defaults, tree("{timing: {dealy: 1}}"), "task", "task 'n-parity'")));
    assertEquals(
        "Unknown key 'x.zzz'. Valid keys: none. Fix: correct the spelling or remove the" + " key.",
        binder.unknownKey("x.zzz", null, List.of()).getMessage());
  }

  @Test
  void aRecordsCheckNamesTheDottedKey() throws Exception {
    ObjectNode merged =
        binder.merge(
            binder.tree(new LeakyRnn().defaults()), tree("{hidden-size: 0}"), "model", null);
    assertEquals(
        "Invalid value: model.hidden-size must be ≥ 1 (was 0). Fix: change" + " model.hidden-size.",
        error(() -> binder.bind(merged, LeakyRnn.Config.class, "model")));
  }

  @Test
  void aWrongTypeSaysWhatWasExpectedAndWhatCame() throws Exception {
    assertEquals(
        "Invalid value for model.tags: expected a list, got a section.",
        error(
            () ->
                binder.bind(
                    binder.merge(
                        binder.tree(new LeakyRnn().defaults()),
                        tree("{tags: {a: 1}}"),
                        "model",
                        null),
                    LeakyRnn.Config.class,
                    "model")));
    assertEquals(
        "Invalid value for seed: expected an integer, got 'abc'.",
        error(() -> binder.bind(tree("{s: abc}").get("s"), long.class, "seed")));
    assertEquals(
        "Invalid value for precision: expected one of float32, float64, got 'f16'.",
        error(() -> binder.bind(tree("{p: f16}").get("p"), Precision.class, "precision")));
  }

  @Test
  void aCoreSectionIsMergedOverItsDefaults() throws Exception {
    assertEquals(
        new EvaluationConfig(3, EvaluationConfig.defaults().batchSize()),
        binder.section(
            tree("{evaluation: {batches: 3}}"),
            "evaluation",
            EvaluationConfig.defaults(),
            EvaluationConfig.class));
    assertEquals(
        EvaluationConfig.defaults(),
        binder.section(
            tree("{evaluation: null}"),
            "evaluation",
            EvaluationConfig.defaults(),
            EvaluationConfig.class));
    assertEquals(
        "Invalid value for evaluation: expected a section, got '5'. Fix: write it as"
            + " 'evaluation: {batches: ...}'.",
        error(
            () ->
                binder.section(
                    tree("{evaluation: 5}"),
                    "evaluation",
                    EvaluationConfig.defaults(),
                    EvaluationConfig.class)));
  }

  @Test
  void messagesNameTheOverrideThatSetTheKey() throws Exception {
    RecordBinder withOverrides =
        new RecordBinder(mapper, new Overrides(List.of("model.hidden-size=0")));
    ObjectNode merged =
        withOverrides.merge(
            withOverrides.tree(new LeakyRnn().defaults()), tree("{hidden-size: 0}"), "model", null);
    assertEquals(
        "Invalid value: model.hidden-size must be ≥ 1 (was 0) (from override"
            + " 'model.hidden-size=0'). Fix: change model.hidden-size.",
        error(() -> withOverrides.bind(merged, LeakyRnn.Config.class, "model")));
  }
}
