package engram.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.core.plugin.PluginCatalog;
import org.junit.jupiter.api.Test;

/** Serialising a resolved experiment: every default written, and it binds back to itself. */
class ExperimentYamlTest {
  private final ObjectMapper mapper = ConfigMapper.create();
  private final ExperimentYaml yaml = new ExperimentYaml(mapper);
  private final PluginCatalog catalog = FakePlugins.catalog(); // one instance per plugin

  private ResolvedExperiment bind(String text) throws Exception {
    return new ExperimentBinder(catalog, mapper, Overrides.none())
        .bind((ObjectNode) mapper.readTree(text), "e");
  }

  @Test
  void writesIdsFirstAndEveryDefault() throws Exception {
    String text =
        yaml.write(
            bind(
                "{task: {id: n-parity}, model: {id: gru, hidden-size: 8},"
                    + " curriculum: {id: fixed}, regularizers: [{id: weight-l2}]}"));
    assertTrue(text.startsWith("name: e\nseed: 1\nprecision: float32\n"), text);
    assertTrue(text.contains("model:\n  id: gru\n  hidden-size: 8\n"), text);
    assertTrue(text.contains("curriculum:\n  id: fixed\n"), text);
    assertTrue(text.contains("regularizers:\n  - id: weight-l2\n    lambda: 0.01\n"), text);
    assertTrue(text.contains("analyzers: []\n"), text);
    assertTrue(text.contains("batches: 50\n"), text);
  }

  @Test
  void whatItWritesBindsToAnEqualExperiment() throws Exception {
    ResolvedExperiment e =
        bind(
            "{name: x, description: 'a: b', seed: 9, precision: float64,"
                + " task: {id: n-parity, encoding: signed-bits}, model: {id: leaky-rnn},"
                + " curriculum: {id: multi-head, threshold: 0.5}, analyzers: [{id: timescales}]}");
    String text = yaml.write(e);
    assertEquals(e, bind(text), text);
    assertEquals(text, yaml.write(bind(text)));
  }
}
