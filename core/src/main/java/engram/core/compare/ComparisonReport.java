package engram.core.compare;

import engram.api.study.Evaluation;
import engram.api.study.Finding;
import engram.api.study.Quantity;
import engram.api.study.Stats;
import engram.core.run.RunDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * Writes a comparison into a directory:
 *
 * <ul>
 *   <li>{@value #MARKDOWN}: the groups and runs; with a study, its title, citation and findings
 *       table with the rules behind the verdicts; the figures embedded by relative links, the
 *       figures left out and why, and notes on what was left out while reading;
 *   <li>{@value #CSV}: one row per (group, quantity), header {@code
 *       group,quantity,unit,n,mean,std,min,max} (std: sample standard deviation over the group's
 *       runs; rows with no value are left out): {@code n_max}, {@code epochs}, {@code
 *       epochs_per_solved_level}, then the study's quantities;
 *   <li>{@value #SERIES_CSV}: the points of every figure, header {@code
 *       figure,quantity,group,x,n,mean,std,min,max};
 *   <li>the PNG figures that have data: {@code max-N-vs-epoch.png}, then the study's.
 * </ul>
 */
public final class ComparisonReport {
  public static final String MARKDOWN = "comparison.md";
  public static final String CSV = "comparison.csv";
  public static final String SERIES_CSV = "comparison-series.csv";

  /**
   * What was written.
   *
   * @param findings the study's findings; empty without a study
   * @param figures the PNG files drawn, in report order
   */
  public record Written(List<Finding> findings, List<String> figures) {
    public Written {
      findings = List.copyOf(findings);
      figures = List.copyOf(figures);
    }
  }

  private ComparisonReport() {}

  /**
   * Creates and returns a new directory {@code <parent>/compare-<yyyyMMdd-HHmmss>} (UTC), or the
   * first free of {@code -2}, {@code -3}, ... when it exists: an existing directory is never
   * reused.
   */
  public static Path freshDirectory(Path parent, Instant now) throws IOException {
    return RunDirectory.fresh(parent, RunDirectory.stamped("compare", now));
  }

  /**
   * Evaluates the comparison's study (if any), writes the report into {@code outDir} (created when
   * missing) and returns the findings and figures.
   *
   * @throws FileAlreadyExistsException when {@code outDir} exists and is not empty: nothing is
   *     overwritten
   * @throws ComparisonException when the study fails on these runs (nothing is written then)
   */
  public static Written write(Comparison comparison, Path outDir)
      throws IOException, ComparisonException {
    if (Files.isDirectory(outDir)) {
      try (Stream<Path> children = Files.list(outDir)) {
        if (children.findAny().isPresent()) {
          throw new FileAlreadyExistsException(
              outDir.toString(), null, "exists and is not empty; nothing is overwritten");
        }
      }
    }
    SelectedStudy study = comparison.study().orElse(null);
    Evaluation evaluation =
        study == null
            ? new Evaluation(List.of(), List.of(), List.of())
            : study.evaluate(comparison.studyRuns());
    List<Figures.Figure> figures = Figures.build(comparison, evaluation.figures());
    Files.createDirectories(outDir);
    List<String> groupOrder = comparison.groups().stream().map(Comparison.Group::label).toList();
    List<String> drawn = new ArrayList<>();
    for (Figures.Figure figure : figures) {
      if (figure.drawn()) {
        Figures.save(figure, outDir, groupOrder);
        drawn.add(figure.file());
      }
    }
    writeNew(outDir.resolve(CSV), quantitiesCsv(comparison, evaluation.quantities()));
    writeNew(outDir.resolve(SERIES_CSV), seriesCsv(figures));
    writeNew(outDir.resolve(MARKDOWN), markdown(comparison, figures, study, evaluation.findings()));
    return new Written(evaluation.findings(), drawn);
  }

  // ---------------------------------------------------------------- comparison.csv

  /** Core's own per-run numbers, from the metrics, before the study's. */
  static List<Quantity> quantities(Comparison c, List<Quantity> study) {
    List<Quantity> all =
        new ArrayList<>(
            List.of(
                quantity(c, "n_max", "levels", RunSummary::maxLevelReached),
                quantity(c, "epochs", "epochs", RunSummary::epochs),
                quantity(
                    c, "epochs_per_solved_level", "epochs", RunSummary::meanEpochsPerSolvedLevel)));
    all.addAll(study);
    return all;
  }

  private static Quantity quantity(
      Comparison c, String name, String unit, ToDoubleFunction<RunSummary> value) {
    Map<String, Double> values = new LinkedHashMap<>();
    c.runs().forEach(r -> values.put(r.id(), value.applyAsDouble(r)));
    return new Quantity(name, unit, values);
  }

  private static String quantitiesCsv(Comparison c, List<Quantity> study) {
    StringBuilder csv = new StringBuilder("group,quantity,unit,n,mean,std,min,max\n");
    List<Quantity> quantities = quantities(c, study);
    for (Comparison.Group g : c.groups()) {
      for (Quantity q : quantities) {
        Stats s =
            Stats.of(
                g.runs().stream()
                    .mapToDouble(r -> q.values().getOrDefault(r.id(), Double.NaN))
                    .toArray());
        if (s.present()) {
          csv.append(field(g.label()))
              .append(',')
              .append(q.name())
              .append(',')
              .append(field(q.unit()))
              .append(',')
              .append(numbers(s))
              .append('\n');
        }
      }
    }
    return csv.toString();
  }

  private static String seriesCsv(List<Figures.Figure> figures) {
    StringBuilder csv = new StringBuilder("figure,quantity,group,x,n,mean,std,min,max\n");
    for (Figures.Figure f : figures) {
      for (Figures.Panel p : f.panels()) {
        p.curves()
            .forEach(
                (group, points) ->
                    points.forEach(
                        point ->
                            csv.append(f.file())
                                .append(',')
                                .append(p.quantity())
                                .append(',')
                                .append(field(group))
                                .append(',')
                                .append(point.x())
                                .append(',')
                                .append(numbers(point.y()))
                                .append('\n')));
      }
      if (f.bars() != null) {
        f.bars()
            .series()
            .forEach(
                (series, values) -> {
                  for (int i = 0; i < values.size(); i++) {
                    csv.append(f.file())
                        .append(',')
                        .append(field(series))
                        .append(',')
                        .append(field(f.bars().categories().get(i)))
                        .append(",,")
                        .append(numbers(values.get(i)))
                        .append('\n');
                  }
                });
      }
    }
    return csv.toString();
  }

  private static String numbers(Stats s) {
    return s.n() + "," + s.mean() + "," + s.std() + "," + s.min() + "," + s.max();
  }

  private static String field(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n")
        ? '"' + s.replace("\"", "\"\"") + '"'
        : s;
  }

  // ---------------------------------------------------------------- comparison.md

  private static String markdown(
      Comparison c, List<Figures.Figure> figures, SelectedStudy study, List<Finding> findings) {
    StringBuilder md = new StringBuilder();
    md.append("# Comparison of ")
        .append(c.runs().size())
        .append(c.runs().size() == 1 ? " run" : " runs")
        .append(" in ")
        .append(c.groups().size())
        .append(c.groups().size() == 1 ? " group" : " groups")
        .append("\n\n");
    md.append("Made by `engram compare` on ")
        .append(
            DateTimeFormatter.ISO_INSTANT.format(
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)))
        .append(". Runs are grouped by **")
        .append(c.groupBy().text())
        .append(
            "**. Figures show, per group, the mean over its runs (seeds) with error bars of ± one"
                + " sample standard deviation (std) over those runs; `"
                + CSV
                + "` also gives min and max.\n\n");

    md.append("## Groups and runs\n\n");
    md.append(
        "| group | run directory | name | seed | task | model | curriculum | epochs |"
            + " N_max reached |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Comparison.Group g : c.groups()) {
      for (RunSummary r : g.runs()) {
        md.append("| ")
            .append(cell(g.label()))
            .append(" | `")
            .append(cell(r.dir().toString()))
            .append("` | ")
            .append(cell(r.name()))
            .append(" | ")
            .append(r.seed())
            .append(" | ")
            .append(cell(r.taskId()))
            .append(" | ")
            .append(cell(r.modelId()))
            .append(" | ")
            .append(cell(r.curriculumId()))
            .append(" | ")
            .append(r.epochs())
            .append(" | ")
            .append(r.maxLevelReached())
            .append(" |\n");
      }
    }

    if (study != null) {
      md.append("\n## Findings: ")
          .append(study.title())
          .append("\n\n")
          .append(study.citation().strip())
          .append("\n\n")
          .append("| | finding | measured | verdict |\n|---|---|---|---|\n");
      for (Finding f : findings) {
        md.append("| ")
            .append(f.id())
            .append(" | ")
            .append(cell(f.claim()))
            .append(" | ")
            .append(cell(f.measured()))
            .append(" | **")
            .append(f.verdict().label())
            .append("** |\n");
      }
      md.append("\n### How verdicts are decided\n\n").append(study.rules());
    }

    md.append("\n## Figures\n\n");
    List<Figures.Figure> leftOut = new ArrayList<>();
    for (Figures.Figure f : figures) {
      if (!f.drawn()) {
        leftOut.add(f);
        continue;
      }
      md.append("### ")
          .append(f.heading())
          .append("\n\n![")
          .append(f.heading())
          .append("](")
          .append(f.file())
          .append(")\n\n");
    }
    if (!leftOut.isEmpty()) {
      md.append("### Left out\n\n");
      leftOut.forEach(
          f -> md.append("- `").append(f.file()).append("`: ").append(f.missing()).append(".\n"));
      md.append('\n');
    }
    if (!c.notes().isEmpty()) {
      md.append("## Notes\n\n");
      c.notes().forEach(n -> md.append("- ").append(n).append('\n'));
      md.append('\n');
    }
    md.append("## Files\n\n- `")
        .append(CSV)
        .append(
            "`: one row per group and quantity"
                + " (n, mean, std, min, max over the group's runs).\n- `")
        .append(SERIES_CSV)
        .append("`: the points behind every figure.\n");
    return md.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  // ---------------------------------------------------------------- helpers

  private static void writeNew(Path file, String text) throws IOException {
    Files.writeString(
        file,
        text,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
  }
}
