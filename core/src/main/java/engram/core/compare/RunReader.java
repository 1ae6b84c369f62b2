package engram.core.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import engram.core.run.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a run directory (made by {@code ./engram run}) into a {@link RunSummary}: {@code
 * config.resolved.yaml}, {@code metrics.csv} and the analyzer tables under {@code analysis/}. A
 * missing or unreadable analyzer table is left out with a note; a directory without {@code
 * config.resolved.yaml} or {@code metrics.csv} is not a run and is rejected.
 */
public final class RunReader {
  /** The solved-level threshold when {@code curriculum.threshold} is absent. */
  public static final double DEFAULT_THRESHOLD = 0.9;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final List<String> METRICS_COLUMNS = List.of("epoch", "N", "accuracy");

  private RunReader() {}

  /**
   * Reads one run directory.
   *
   * @throws ComparisonException when {@code dir} is not a run directory or its config or metrics
   *     cannot be read (the message names the directory and the fix)
   */
  public static RunSummary read(Path dir) throws ComparisonException {
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
      throw new ComparisonException(configFile + " cannot be read (" + firstLine(e.getMessage())
          + ")." + fix);
    }
    if (config == null || !config.isObject()) {
      throw new ComparisonException(configFile + " is not a YAML mapping." + fix);
    }
    String taskId = id(config, "task", configFile, fix);
    String modelId = id(config, "model", configFile, fix);
    String curriculumId = id(config, "curriculum", configFile, fix);
    double threshold = config.path("curriculum").path("threshold").asDouble(DEFAULT_THRESHOLD);
    int maxEpochs = config.path("training").path("max-epochs").asInt(0);

    Path metricsFile = dir.resolve(RunDirectory.METRICS);
    if (!Files.isRegularFile(metricsFile)) {
      throw new ComparisonException(dir + " is not a run directory (no " + RunDirectory.METRICS
          + ": the run never started training)." + fix);
    }
    SortedMap<Integer, Integer> maxLevelByEpoch = new TreeMap<>();
    int reached = 0;
    try {
      CsvTable metrics = CsvTable.read(metricsFile);
      String missing = metrics.missing(METRICS_COLUMNS);
      if (missing != null) {
        throw new ComparisonException(metricsFile + " has no column '" + missing + "' (header: "
            + String.join(",", metrics.header()) + ")." + fix);
      }
      for (String[] row : metrics.rows()) {
        int epoch = metrics.integer(row, "epoch");
        int level = metrics.integer(row, "N");
        maxLevelByEpoch.merge(epoch, level, Math::max);
        if (metrics.number(row, "accuracy") >= threshold) {
          reached = Math.max(reached, level);
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new ComparisonException(metricsFile + " cannot be read (" + firstLine(e.getMessage())
          + ")." + fix);
    }
    SortedMap<Integer, Integer> epochsPerLevel = new TreeMap<>();
    maxLevelByEpoch.values().forEach(level -> epochsPerLevel.merge(level, 1, Integer::sum));

    List<String> notes = new ArrayList<>();
    Map<AnalysisTable, CsvTable> analyses = new EnumMap<>(AnalysisTable.class);
    for (AnalysisTable table : AnalysisTable.values()) {
      readTable(dir, table, notes).ifPresent(t -> analyses.put(table, t));
    }
    return new RunSummary(dir, config.path("name").asText(dir.getFileName().toString()),
        config.path("seed").asLong(0), taskId, modelId, curriculumId, threshold, maxEpochs,
        maxLevelByEpoch, reached, epochsPerLevel, analyses, notes);
  }

  private static String id(JsonNode config, String section, Path file, String fix)
      throws ComparisonException {
    JsonNode id = config.path(section).path("id");
    if (!id.isTextual() || id.asText().isBlank()) {
      throw new ComparisonException(file + " has no " + section + ".id." + fix);
    }
    return id.asText();
  }

  /**
   * The newest readable copy of an analyzer table: {@code analysis/<id>-k/<file>} with the
   * largest k ({@code <id>} itself is k = 1) that has the file.
   */
  static java.util.Optional<CsvTable> readTable(Path run, AnalysisTable table, List<String> notes) {
    Path analysis = run.resolve("analysis");
    if (!Files.isDirectory(analysis)) {
      return java.util.Optional.empty();
    }
    Pattern name = Pattern.compile(Pattern.quote(table.id()) + "(?:-(\\d+))?");
    List<Map.Entry<Integer, Path>> candidates = new ArrayList<>();
    try (Stream<Path> children = Files.list(analysis)) {
      children.filter(Files::isDirectory).forEach(child -> {
        Matcher m = name.matcher(child.getFileName().toString());
        if (m.matches()) {
          int k = m.group(1) == null ? 1 : Integer.parseInt(m.group(1));
          candidates.add(Map.entry(k, child));
        }
      });
    } catch (IOException | NumberFormatException e) {
      notes.add(run.getFileName() + ": cannot list analysis/ (" + firstLine(e.getMessage()) + ")");
      return java.util.Optional.empty();
    }
    candidates.sort(Comparator.comparing((Map.Entry<Integer, Path> e) -> e.getKey()).reversed());
    for (Map.Entry<Integer, Path> candidate : candidates) {
      Path file = candidate.getValue().resolve(table.file());
      if (!Files.isRegularFile(file)) {
        continue;
      }
      String where = run.getFileName() + "/" + run.relativize(file);
      try {
        CsvTable csv = CsvTable.read(file);
        String missing = csv.missing(table.columns());
        if (missing != null) {
          notes.add(where + " left out: it has no column '" + missing + "'");
          return java.util.Optional.empty();
        }
        String bad = badInteger(csv, table);
        if (bad != null) {
          notes.add(where + " left out: " + bad);
          return java.util.Optional.empty();
        }
        return java.util.Optional.of(csv);
      } catch (IOException e) {
        notes.add(where + " left out: " + firstLine(e.getMessage()));
        return java.util.Optional.empty();
      }
    }
    return java.util.Optional.empty();
  }

  /** The first row whose epoch or level is not an integer, described; null when all are. */
  private static String badInteger(CsvTable csv, AnalysisTable table) {
    List<String> integers = table.columns().stream()
        .filter(c -> List.of("epoch", "max_level", "source_level", "level").contains(c)).toList();
    for (int i = 0; i < csv.rows().size(); i++) {
      for (String column : integers) {
        if (!Double.isFinite(csv.number(csv.rows().get(i), column))) {
          return "row " + (i + 1) + " has '" + csv.text(csv.rows().get(i), column) + "' in column '"
              + column + "' (an integer is expected)";
        }
      }
    }
    return null;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    String line = message.strip().split("\\R", 2)[0];
    return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
  }
}
