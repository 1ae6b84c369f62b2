package engram.core.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import engram.api.study.LevelProgress;
import engram.api.study.StudyRun;
import engram.api.table.ColumnSpec;
import engram.api.table.ColumnType;
import engram.api.table.Table;
import engram.api.table.TableSpec;
import engram.core.run.RunDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a run directory (made by {@code ./engram run}) into a {@link RunSummary}: {@code
 * config.resolved.yaml}, {@code metrics.csv} and the analyzer tables asked for, each by its
 * declaration ({@link engram.api.Analyzer#tables()}). A missing analyzer table is left out; one
 * that does not read as declared is left out with a note. A directory without {@code
 * config.resolved.yaml} or {@code metrics.csv} is not a run and is rejected.
 */
public final class RunReader {
  /** The solved-level threshold when {@code curriculum.threshold} is absent. */
  public static final double DEFAULT_THRESHOLD = StudyRun.DEFAULT_THRESHOLD;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The columns of metrics.csv a comparison relies on; the others are read as numbers. */
  private static final List<ColumnSpec> METRICS_COLUMNS =
      List.of(
          ColumnSpec.integer("epoch", "epochs", "epochs completed"),
          ColumnSpec.integer("N", "levels", "the head's level"),
          ColumnSpec.number("accuracy", "fraction correct", "evaluation accuracy"));

  private RunReader() {}

  /**
   * Reads one run directory without analyzer tables.
   *
   * @throws ComparisonException as {@link #read(Path, Map)}
   */
  public static RunSummary read(Path dir) throws ComparisonException {
    return read(dir, Map.of());
  }

  /**
   * Reads one run directory and the declared tables of the given analyzers.
   *
   * @param tables analyzer id → the tables it declares
   * @throws ComparisonException when {@code dir} is not a run directory or its config or metrics
   *     cannot be read (the message names the directory and the fix)
   */
  public static RunSummary read(Path dir, Map<String, List<TableSpec>> tables)
      throws ComparisonException {
    String fix = " Fix: pass directories made by ./engram run (runs/<name>-<timestamp>).";
    if (!Files.isDirectory(dir)) {
      throw new ComparisonException(dir + " is not a run directory (no such directory)." + fix);
    }
    Path configFile = dir.resolve(RunDirectory.CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new ComparisonException(
          dir + " is not a run directory (no " + RunDirectory.CONFIG + ")." + fix);
    }
    JsonNode config;
    try {
      config = YAML.readTree(configFile.toFile());
    } catch (IOException e) {
      throw new ComparisonException(
          configFile + " cannot be read (" + firstLine(e.getMessage()) + ")." + fix);
    }
    if (config == null || !config.isObject()) {
      throw new ComparisonException(configFile + " is not a YAML mapping." + fix);
    }
    String taskId = id(config, "task", configFile, fix);
    String modelId = id(config, "model", configFile, fix);
    String curriculumId = id(config, "curriculum", configFile, fix);
    double threshold = config.path("curriculum").path("threshold").asDouble(DEFAULT_THRESHOLD);

    Path metricsFile = dir.resolve(RunDirectory.METRICS);
    if (!Files.isRegularFile(metricsFile)) {
      throw new ComparisonException(
          dir
              + " is not a run directory (no "
              + RunDirectory.METRICS
              + ": the run never started training)."
              + fix);
    }
    List<String> notes = new ArrayList<>();
    Table metrics;
    try {
      String text = Files.readString(metricsFile, StandardCharsets.UTF_8);
      int lastNewline = text.lastIndexOf('\n');
      if (!text.isEmpty() && lastNewline < text.length() - 1 && lastNewline >= 0) {
        // Rows are written whole, each ending with a newline; a last line without one was cut off
        // (a full disk, a killed process) and is left out rather than failing the run.
        text = text.substring(0, lastNewline + 1);
        notes.add(
            dir.getFileName()
                + "/"
                + RunDirectory.METRICS
                + ": the last line is incomplete (no line end) and was left out");
      }
      metrics = Table.parse(metricsFile.toString(), text, METRICS_COLUMNS, ColumnType.NUMBER);
    } catch (IOException | IllegalArgumentException e) {
      throw new ComparisonException(
          metricsFile + " cannot be read (" + firstLine(e.getMessage()) + ")." + fix);
    }

    Map<String, Map<String, Table>> analyses = new LinkedHashMap<>();
    tables.forEach(
        (analyzer, specs) -> {
          for (TableSpec spec : specs) {
            readTable(dir, analyzer, spec, notes)
                .ifPresent(
                    t ->
                        analyses
                            .computeIfAbsent(analyzer, k -> new LinkedHashMap<>())
                            .put(spec.file(), t));
          }
        });
    return new RunSummary(
        dir,
        config.path("name").asText(dir.getFileName().toString()),
        config.path("seed").asLong(0),
        taskId,
        modelId,
        curriculumId,
        flatten(config),
        metrics,
        LevelProgress.of(metrics, threshold),
        analyses,
        notes);
  }

  private static String id(JsonNode config, String section, Path file, String fix)
      throws ComparisonException {
    JsonNode id = config.path(section).path("id");
    if (!id.isTextual() || id.asText().isBlank()) {
      throw new ComparisonException(file + " has no " + section + ".id." + fix);
    }
    return id.asText();
  }

  /** The configuration as dotted keys, in document order; nulls are left out. */
  static Map<String, String> flatten(JsonNode config) {
    Map<String, String> out = new LinkedHashMap<>();
    flatten("", config, out);
    return out;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(prefix + "." + i, node.get(i), out);
      }
    } else if (!node.isNull() && !node.isMissingNode()) {
      out.put(prefix, node.asText());
    }
  }

  /**
   * The newest copy of a declared table: {@code analysis/<id>-k/<file>} with the largest k ({@code
   * <id>} itself is k = 1) that has the file. When that copy does not read as declared, the table
   * is left out with a note (an older copy is not used instead: it would silently mix analyses).
   */
  static Optional<Table> readTable(Path run, String analyzer, TableSpec spec, List<String> notes) {
    Path analysis = run.resolve("analysis");
    if (!Files.isDirectory(analysis)) {
      return Optional.empty();
    }
    Pattern name = Pattern.compile(Pattern.quote(analyzer) + "(?:-(\\d+))?");
    List<Map.Entry<Integer, Path>> candidates = new ArrayList<>();
    try (Stream<Path> children = Files.list(analysis)) {
      children
          .filter(Files::isDirectory)
          .forEach(
              child -> {
                Matcher m = name.matcher(child.getFileName().toString());
                if (m.matches()) {
                  int k = m.group(1) == null ? 1 : Integer.parseInt(m.group(1));
                  candidates.add(Map.entry(k, child));
                }
              });
    } catch (IOException | NumberFormatException e) {
      notes.add(run.getFileName() + ": cannot list analysis/ (" + firstLine(e.getMessage()) + ")");
      return Optional.empty();
    }
    candidates.sort(Comparator.comparing((Map.Entry<Integer, Path> e) -> e.getKey()).reversed());
    for (Map.Entry<Integer, Path> candidate : candidates) {
      Path file = candidate.getValue().resolve(spec.file());
      if (!Files.isRegularFile(file)) {
        continue;
      }
      String where = run.getFileName() + "/" + run.relativize(file);
      try {
        return Optional.of(
            Table.parse(where, Files.readString(file, StandardCharsets.UTF_8), spec));
      } catch (IOException | IllegalArgumentException e) {
        notes.add(where + " left out: " + firstLine(e.getMessage()));
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * The newest copy of a file an analyzer wrote: {@code analysis/<id>-k/<file>} with the largest k
   * ({@code <id>} itself is k = 1) that has it, as {@link #readTable} chooses.
   *
   * @return the file, or empty when no copy exists or analysis/ cannot be listed
   */
  static Optional<Path> newestFile(Path run, String analyzer, String file) {
    Path analysis = run.resolve("analysis");
    if (!Files.isDirectory(analysis)) {
      return Optional.empty();
    }
    Pattern name = Pattern.compile(Pattern.quote(analyzer) + "(?:-(\\d{1,9}))?");
    Path best = null;
    int bestK = 0;
    try (Stream<Path> children = Files.list(analysis)) {
      for (Path child : children.toList()) {
        Matcher m = name.matcher(child.getFileName().toString());
        if (m.matches() && Files.isRegularFile(child.resolve(file))) {
          int k = m.group(1) == null ? 1 : Integer.parseInt(m.group(1));
          if (k > bestK) {
            best = child.resolve(file);
            bestK = k;
          }
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.ofNullable(best);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    String line = message.strip().split("\\R", 2)[0];
    return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
  }
}
