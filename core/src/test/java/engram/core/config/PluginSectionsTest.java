package engram.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.core.config.FakePlugins.LeakyRnn;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginCatalog;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginProblem;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Plugin sections alone: id lookup, defaults, the plugin's own record. */
class PluginSectionsTest {
  private final ObjectMapper mapper = ConfigMapper.create();
  private final PluginSections sections = sections(FakePlugins.catalog());

  private PluginSections sections(PluginCatalog catalog) {
    return new PluginSections(catalog, new RecordBinder(mapper, Overrides.none()));
  }

  private ObjectNode tree(String yaml) throws Exception {
    return (ObjectNode) mapper.readTree(yaml);
  }

  private static String error(Executable executable) {
    return assertThrows(ConfigException.class, executable).getMessage();
  }

  @Test
  void bindsTheSectionToThePluginsRecordOverItsDefaults() throws Exception {
    PluginChoice choice =
        sections.required(tree("{model: {id: leaky-rnn, hidden-size: 8}}"), PluginKind.MODEL);
    assertEquals("leaky-rnn", choice.id());
    assertEquals(
        new LeakyRnn.Config(8, LeakyRnn.Nonlinearity.TANH, 1.0, true, List.of()), choice.config());
    assertSame(
        FakePlugins.catalog().all(PluginKind.MODEL).get(1).plugin().getClass(),
        choice.plugin().plugin().getClass());
  }

  @Test
  void unknownAndMissingIdsListTheInstalledOnes() {
    assertEquals(
        "Unknown model id 'lstmm'. Available models: gru, leaky-rnn. Fix: set model.id"
            + " to one of them (./engram plugins lists all).",
        error(() -> sections.required(tree("{model: {id: lstmm}}"), PluginKind.MODEL)));
    assertEquals(
        "Missing key 'model.id'. Available models: gru, leaky-rnn. Fix: set model.id to"
            + " one of them (./engram plugins lists all).",
        error(() -> sections.required(tree("{model: {hidden-size: 3}}"), PluginKind.MODEL)));
    assertEquals(
        "Missing section 'curriculum'. Available curricula: fixed, multi-head. Fix: add"
            + " 'curriculum: {id: fixed}' (./engram plugins lists all).",
        error(() -> sections.required(tree("{}"), PluginKind.CURRICULUM)));
  }

  @Test
  void anIdSkippedAtStartUpSaysWhy() {
    PluginCatalog withProblem =
        new PluginCatalog() {
          @Override
          public List<DiscoveredPlugin> all(PluginKind kind) {
            return FakePlugins.catalog().all(kind);
          }

          @Override
          public List<PluginProblem> problemsAbout(PluginKind kind, String id) {
            return List.of(
                new PluginProblem(
                    "plugins/lstm.jar was built against api 0.1.",
                    Set.of(PluginKind.MODEL),
                    Set.of("lstm")));
          }
        };
    assertEquals(
        "model 'lstm' at model.id is not available: plugins/lstm.jar was built against"
            + " api 0.1. Available models: gru, leaky-rnn.",
        error(() -> sections(withProblem).required(tree("{model: {id: lstm}}"), PluginKind.MODEL)));
  }

  @Test
  void listsAreOptionalAndHoldEachPluginOnce() throws Exception {
    assertEquals(List.of(), sections.list(tree("{}"), PluginKind.REGULARIZER));
    List<PluginChoice> two =
        sections.list(
            tree("{regularizers: [{id: weight-l2}, {id: activity-l2, lambda: 2}]}"),
            PluginKind.REGULARIZER);
    assertEquals(List.of("weight-l2", "activity-l2"), two.stream().map(PluginChoice::id).toList());
    assertEquals(new FakePlugins.L2.Config(2), two.get(1).config());
    assertEquals(
        "Duplicate regularizer 'weight-l2' at regularizers.1. Fix: list each regularizer"
            + " once.",
        error(
            () ->
                sections.list(
                    tree("{regularizers: [{id: weight-l2}, {id: weight-l2}]}"),
                    PluginKind.REGULARIZER)));
    assertEquals(
        "Unknown key 'regularizers.0.lamda' for regularizer 'weight-l2'. Valid keys:"
            + " lambda. Did you mean 'lambda'? Fix: correct the spelling or remove the key.",
        error(
            () ->
                sections.list(
                    tree("{regularizers: [{id: weight-l2, lamda: 1}]}"), PluginKind.REGULARIZER)));
  }
}
