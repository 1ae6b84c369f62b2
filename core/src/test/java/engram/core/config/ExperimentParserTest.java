package engram.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing alone: file → one YAML mapping, with no plugin or key known. */
class ExperimentParserTest {
  @TempDir Path dir;
  private final ExperimentParser parser = new ExperimentParser(ConfigMapper.create());

  private String error(String text) {
    return assertThrows(ConfigException.class, () -> parser.parse(text, "exp.yaml")).getMessage();
  }

  @Test
  void readsUtf8WithoutTheByteOrderMarkAndNamesTheExperimentAfterTheFile() throws Exception {
    Path file = dir.resolve("parity.multihead.yaml");
    Files.write(file, ("\uFEFFname: é\n").getBytes(StandardCharsets.UTF_8));
    ExperimentParser.Source source = ExperimentParser.read(file);
    assertEquals("name: é\n", source.text());
    assertEquals(file.toString(), source.source());
    assertEquals("parity.multihead", source.defaultName(), "only the last extension goes");
    assertEquals(
        "noext", ExperimentParser.read(Files.writeString(dir.resolve("noext"), "")).defaultName());
  }

  @Test
  void unreadableFilesSayWhy() throws Exception {
    Path missing = dir.resolve("nope.yaml");
    assertTrue(
        assertThrows(ConfigException.class, () -> ExperimentParser.read(missing))
            .getMessage()
            .startsWith("Experiment file not found: " + missing + ". Fix: check the" + " path"));
    assertEquals(
        "Cannot read experiment file "
            + dir
            + ": it is a directory. Fix: pass a readable"
            + " YAML file.",
        assertThrows(ConfigException.class, () -> ExperimentParser.read(dir)).getMessage());
    Path latin1 = Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xe9});
    assertEquals(
        "Cannot read experiment file "
            + latin1
            + ": it is not UTF-8 text. Fix: save it"
            + " as UTF-8.",
        assertThrows(ConfigException.class, () -> ExperimentParser.read(latin1)).getMessage());
  }

  @Test
  void parsesOneMappingIntoAFreshTree() throws Exception {
    String text = "seed: 3\nmodel: {id: gru, hidden-size: 8}\n";
    ObjectNode first = parser.parse(text, "exp.yaml");
    assertEquals(3, first.get("seed").asInt());
    assertEquals("gru", first.path("model").path("id").asText());
    first.put("seed", 4);
    assertNotSame(first, parser.parse(text, "exp.yaml"));
    assertEquals(3, parser.parse(text, "exp.yaml").get("seed").asInt(), "a change stays local");
  }

  @Test
  void syntaxErrorsGiveLineAndColumn() {
    assertEquals(
        "YAML syntax error in exp.yaml at line 2, column 8: mapping values are not"
            + " allowed here. Fix: correct the YAML there.",
        error("seed: 1\nname: b: c\n"));
    assertEquals(
        "YAML syntax error in exp.yaml at line 2, column 5: Duplicate key 'seed'."
            + " Fix: correct the YAML there.",
        error("seed: 1\nseed: 2\n"));
  }

  @Test
  void emptyTextAndOtherShapesAreRefused() {
    for (String empty : new String[] {"", "# only a comment\n", "---\n"}) {
      assertEquals(
          "Experiment file exp.yaml is empty. Fix: give at least task, model and"
              + " curriculum, e.g. 'task: {id: ...}'.",
          error(empty),
          empty);
    }
    assertEquals(
        "Experiment file exp.yaml must be a mapping of keys (name, task, model, ...), but"
            + " it is a list. Fix: write one 'key: value' per line.",
        error("- a\n- b\n"));
    assertTrue(error("just text\n").contains("but it is 'just text'."));
  }

  @Test
  void aSecondDocumentIsRefusedWithItsLine() {
    assertEquals(
        "Experiment file exp.yaml holds more than one YAML document (another starts at"
            + " line 3). Fix: keep one experiment per file: remove the '---' line and what follows"
            + " it, or move that into a file of its own.",
        error("seed: 1\n---\nseed: 2\n"));
    assertTrue(error("seed: 1\n---\n- x\n").contains("more than one YAML document"));
  }

  @Test
  void markersWithoutASecondExperimentAreFine() throws Exception {
    assertEquals(1, parser.parse("---\nseed: 1\n", "exp.yaml").get("seed").asInt());
    assertEquals(1, parser.parse("seed: 1\n...\n", "exp.yaml").get("seed").asInt());
    assertEquals(
        1,
        parser.parse("seed: 1\n---\n", "exp.yaml").get("seed").asInt(),
        "an empty document after the experiment holds no keys to lose");
  }
}
