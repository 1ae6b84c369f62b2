package engram.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first part of loading: an experiment file's text → the YAML tree of one experiment (a mapping
 * of keys), before overrides and binding. Knows nothing of plugins or keys; every problem
 * (unreadable file, YAML syntax, an empty file, a list instead of a mapping, a second YAML
 * document) is a one-line {@link ConfigException} that names the file and, for syntax, the line and
 * column.
 */
public final class ExperimentParser {
  // SnakeYAML's message ends with the problem and its mark (" in 'reader', line 5, column 1:").
  private static final Pattern MARK = Pattern.compile(" in '[^']*', line (\\d+), column (\\d+):");

  private final ObjectMapper mapper;

  /**
   * @param mapper a YAML mapper from {@link ConfigMapper#create()}; never null
   */
  public ExperimentParser(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /**
   * An experiment's text and how to name it.
   *
   * @param text the YAML text, without a byte order mark
   * @param source names the text in messages (the path as given)
   * @param defaultName the experiment name when the text sets none: the file name without its
   *     extension
   */
  public record Source(String text, String source, String defaultName) {
    public Source {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(defaultName, "defaultName");
    }
  }

  /**
   * Reads an experiment file as UTF-8.
   *
   * @throws ConfigException when the file is missing, unreadable, a directory or not UTF-8
   */
  public static Source read(Path yaml) throws ConfigException {
    Objects.requireNonNull(yaml, "yaml");
    String text;
    try {
      byte[] bytes = Files.readAllBytes(yaml);
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          "Experiment file not found: "
              + yaml
              + ". Fix: check the path (relative paths start at "
              + Path.of("").toAbsolutePath()
              + ").");
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          "Cannot read experiment file " + yaml + ": permission denied. Fix: make it readable.");
    } catch (CharacterCodingException e) {
      throw new ConfigException(
          "Cannot read experiment file " + yaml + ": it is not UTF-8 text. Fix: save it as UTF-8.");
    } catch (IOException e) {
      String why = Files.isDirectory(yaml) ? "it is a directory" : String.valueOf(e.getMessage());
      throw new ConfigException(
          "Cannot read experiment file " + yaml + ": " + why + ". Fix: pass a readable YAML file.");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1); // byte order mark
    }
    Path fileName = yaml.getFileName();
    String name = fileName == null ? "experiment" : fileName.toString();
    int dot = name.lastIndexOf('.');
    if (dot > 0) {
      name = name.substring(0, dot);
    }
    return new Source(text, yaml.toString(), name);
  }

  /**
   * Parses the text of one experiment.
   *
   * @param text YAML text holding one document
   * @param source names the text in messages
   * @return the document, a mapping; a fresh tree the caller may change
   * @throws ConfigException on a syntax error (with line and column), an empty text, a document
   *     that is not a mapping, or a second document after the first ({@code ---})
   */
  public ObjectNode parse(String text, String source) throws ConfigException {
    JsonNode root;
    // A parser of our own: on a string, readValues would read a top-level list as a sequence of
    // documents, one per entry.
    try (JsonParser parser = mapper.createParser(text);
        MappingIterator<JsonNode> documents = mapper.readerFor(JsonNode.class).readValues(parser)) {
      root = documents.hasNextValue() ? documents.nextValue() : null;
      while (documents.hasNextValue()) {
        // Jackson would silently read the first document only; a second one is most likely an
        // experiment pasted below another, whose keys would all be ignored. An empty one (a
        // trailing '---') is harmless.
        JsonLocation where = parser.currentTokenLocation();
        if (!documents.nextValue().isNull()) {
          throw new ConfigException(
              "Experiment file "
                  + source
                  + " holds more than one YAML document (another starts"
                  + " at line "
                  + where.getLineNr()
                  + "). Fix: keep one experiment per file:"
                  + " remove the '---' line and what follows it, or move that into a file of its"
                  + " own.");
        }
      }
    } catch (JsonProcessingException e) {
      throw syntaxError(e, source);
    } catch (IOException e) {
      throw new UncheckedIOException("reading YAML from a string", e); // no I/O on a string
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ConfigException(
          "Experiment file "
              + source
              + " is empty. Fix: give at least task, model and curriculum,"
              + " e.g. 'task: {id: ...}'.");
    }
    if (!(root instanceof ObjectNode object)) {
      throw new ConfigException(
          "Experiment file "
              + source
              + " must be a mapping of keys (name, task, model, ...),"
              + " but it is "
              + ConfigMessages.describe(root)
              + ". Fix: write one 'key: value' per line.");
    }
    return object;
  }

  private static ConfigException syntaxError(JsonProcessingException e, String source) {
    // Read the problem and its mark from SnakeYAML's message text, so that core needs no
    // compile-time dependency on SnakeYAML.
    String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    String[] lines = message.split("\\R");
    String problem = null;
    String at = null;
    for (int i = lines.length - 1; i > 0 && problem == null; i--) {
      Matcher mark = MARK.matcher(lines[i]);
      if (mark.matches() && !lines[i - 1].isBlank() && !lines[i - 1].startsWith(" ")) {
        problem = lines[i - 1].trim();
        at = " at line " + mark.group(1) + ", column " + mark.group(2);
      }
    }
    if (problem == null) {
      problem = ConfigMessages.firstLine(message).replace("Duplicate field", "Duplicate key");
      JsonLocation where = e.getLocation();
      at =
          where == null || where.getLineNr() < 1
              ? ""
              : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
    }
    return new ConfigException(
        "YAML syntax error in " + source + at + ": " + problem + ". Fix: correct the YAML there.");
  }
}
