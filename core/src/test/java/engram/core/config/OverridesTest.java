package engram.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Overrides alone, on plain trees: no key is checked here, binding does that. */
class OverridesTest {
  private final ObjectMapper mapper = ConfigMapper.create();

  private ObjectNode tree(String yaml) throws Exception {
    return (ObjectNode) mapper.readTree(yaml);
  }

  private ObjectNode apply(String yaml, String... overrides) throws Exception {
    ObjectNode root = tree(yaml);
    new Overrides(List.of(overrides)).applyTo(root, mapper);
    return root;
  }

  private String error(String yaml, String... overrides) {
    return assertThrows(ConfigException.class, () -> apply(yaml, overrides)).getMessage();
  }

  @Test
  void setsNestedKeysAndListEntriesInOrder() throws Exception {
    ObjectNode root =
        apply(
            "model: {id: gru}\nregularizers: [{id: a, lambda: 1}]\n",
            "model.hidden-size=64",
            "regularizers.0.lambda=0.5",
            "regularizers.1.id=b",
            "training.optimizer.lr=0.01",
            "seed=1",
            "seed=2");
    assertEquals(
        tree(
            "model: {id: gru, hidden-size: 64}\n"
                + "regularizers: [{id: a, lambda: 0.5}, {id: b}]\n"
                + "training: {optimizer: {lr: 0.01}}\nseed: 2\n"),
        root);
  }

  @Test
  void anIndexCreatesAListThatIsMissing() throws Exception {
    assertEquals(tree("regularizers: [{id: w}]\n"), apply("{}", "regularizers.0.id=w"));
    assertEquals(tree("grid: [[7]]\n"), apply("{}", "grid.0.0=7"));
  }

  @Test
  void valuesAreYamlAndTextOtherwise() throws Exception {
    ObjectNode root =
        apply(
            "{}",
            "a=3",
            "b=true",
            "c=[x, y]",
            "d={k: 1}",
            "e=a b: c",
            "f=- x",
            "g=",
            "h=1e-4",
            "i=[unclosed");
    assertEquals(
        tree(
            "{a: 3, b: true, c: [x, y], d: {k: 1}, e: 'a b: c', f: '- x', g: '',"
                + " h: 1e-4, i: '[unclosed'}"),
        root);
  }

  @Test
  void malformedOverridesAreExplained() {
    String fix = " Fix: write it as key=value with a dotted key, e.g. training.optimizer.lr=0.01.";
    assertEquals("Invalid override 'seed': no key=value." + fix, error("{}", "seed"));
    assertEquals("Invalid override '=3': no key=value." + fix, error("{}", "=3"));
    assertEquals("Invalid override 'a..b=1': empty key part." + fix, error("{}", "a..b=1"));
    assertEquals(
        "Invalid override: null." + fix,
        assertThrows(
                ConfigException.class,
                () -> new Overrides(Arrays.asList("seed=1", null)).applyTo(tree("{}"), mapper))
            .getMessage());
  }

  @Test
  void pathsThatCannotBeFollowedAreExplained() {
    assertEquals(
        "Unknown key 'seed.x' in override 'seed.x=1': seed is a single value ('3'), not"
            + " a section. Fix: set seed=<value> instead.",
        error("seed: 3\n", "seed.x=1"));
    assertEquals(
        "Unknown key 'r.lambda' in override 'r.lambda=1': r is a list, so the next part"
            + " must be an index such as r.0. Fix: use an index from 0 to 0.",
        error("r: [{}]\n", "r.lambda=1"));
    assertEquals(
        "Unknown key 'r.3' in override 'r.3=1': r has 1 entry. Fix: use an index from 0"
            + " to 1 (1 adds an entry).",
        error("r: [{}]\n", "r.3=1"));
  }

  @Test
  void originNamesTheLatestOverrideOfAKeyOrOfAKeyBelowIt() {
    Overrides overrides =
        new Overrides(List.of("model.hidden-size=64", "seed=2", "seed=3", "broken"));
    assertEquals(" (from override 'model.hidden-size=64')", overrides.origin("model.hidden-size"));
    assertEquals(" (from override 'model.hidden-size=64')", overrides.origin("model"));
    assertEquals(" (from override 'seed=3')", overrides.origin("seed"));
    assertEquals("", overrides.origin("model.hidden"), "a prefix of a key part is another key");
    assertEquals("", overrides.origin("training"));
    assertEquals("", Overrides.none().origin("seed"));
  }
}
