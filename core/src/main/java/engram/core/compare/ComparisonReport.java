package engram.core.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import engram.core.run.RunDirectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * Writes a comparison into a directory:
 *
 * <ul>
 *   <li>{@value #MARKDOWN}: the groups and runs, the findings table (spec §6, see {@link
 *       Findings}) with the rules behind the verdicts, the figures embedded by relative links, the
 *       figures left out and why, and notes on what was left out while reading;
 *   <li>{@value #CSV}: one row per (group, quantity), header {@code
 *       group,quantity,unit,n,mean,std,min,max} (std: sample standard deviation over the group's
 *       runs; rows with no value are left out);
 *   <li>{@value #SERIES_CSV}: the points of every figure, header {@code
 *       figure,quantity,group,x,n,mean,std,min,max};
 *   <li>the PNG figures of {@link #FIGURES} that have data: {@code max-N-vs-epoch.png}, {@code
 *       tau-vs-N.png}, {@code tau-net-vs-N.png}, {@code connectivity-vs-N.png}, {@code
 *       dimensionality-vs-N.png}, {@code ablation.png}, {@code perturbation.png}, {@code
 *       forgetting.png}, {@code transfer.png}.
 * </ul>
 */
public final class ComparisonReport {
  public static final String MARKDOWN = "comparison.md";
  public static final String CSV = "comparison.csv";
  public static final String SERIES_CSV = "comparison-series.csv";

  /** Every figure file a report can hold, in report order. */
  public static final List<String> FIGURES = List.of(Figures.MAX_N, Figures.TAU, Figures.TAU_NET,
      Figures.CONNECTIVITY, Figures.DIMENSIONALITY, Figures.ABLATION, Figures.PERTURBATION,
      Figures.FORGETTING, Figures.TRANSFER);

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
   * Writes the report into {@code outDir} (created when missing) and returns the findings.
   *
   * @throws FileAlreadyExistsException when {@code outDir} exists and is not empty: nothing is
   *     overwritten
   */
  public static List<Finding> write(Comparison comparison, Path outDir) throws IOException {
    if (Files.isDirectory(outDir)) {
      try (Stream<Path> children = Files.list(outDir)) {
        if (children.findAny().isPresent()) {
          throw new FileAlreadyExistsException(outDir.toString(), null,
              "exists and is not empty; nothing is overwritten");
        }
      }
    }
    Files.createDirectories(outDir);
    List<String> groupOrder = comparison.groups().stream().map(Comparison.Group::label).toList();
    List<Figures.Figure> figures = Figures.build(comparison);
    for (Figures.Figure figure : figures) {
      if (figure.drawn()) {
        Figures.save(figure, outDir, groupOrder);
      }
    }
    List<Finding> findings = Findings.evaluate(comparison);
    writeNew(outDir.resolve(CSV), quantitiesCsv(comparison));
    writeNew(outDir.resolve(SERIES_CSV), seriesCsv(figures));
    writeNew(outDir.resolve(MARKDOWN), markdown(comparison, figures, findings));
    return findings;
  }

  // ---------------------------------------------------------------- comparison.csv

  /** A number per run, summarised per group in {@code comparison.csv}. */
  record Quantity(String name, String unit, ToDoubleFunction<RunSummary> value) {}

  static List<Quantity> quantities(Comparison c) {
    Integer ablated = Measures.commonLevel(c.runs(), AnalysisTable.ABLATION);
    Integer perturbed = Measures.commonLevel(c.runs(), AnalysisTable.PERTURBATION);
    Integer source = Measures.commonLevel(c.runs(), AnalysisTable.TRANSFER);
    Set<Integer> retrained = Measures.commonKeys(c.runs().stream()
        .map(r -> Measures.transferCurve(r, source)).toList());
    return List.of(
        new Quantity("n_max", "levels", RunSummary::maxLevelReached),
        new Quantity("epochs", "epochs", RunSummary::epochs),
        new Quantity("epochs_per_solved_level", "epochs", RunSummary::meanEpochsPerSolvedLevel),
        new Quantity("tau_mean_slope", "time steps per level",
            r -> slope(r, AnalysisTable.TAU_STATS, "mean")),
        new Quantity("tau_std_slope", "time steps per level",
            r -> slope(r, AnalysisTable.TAU_STATS, "std")),
        new Quantity("tau_mean_at_largest_N", "time steps",
            r -> last(r, AnalysisTable.TAU_STATS, "mean")),
        new Quantity("tau_net_slope", "time steps per level",
            r -> slope(r, AnalysisTable.NETWORK_TIMESCALES, "tau_net_mean")),
        new Quantity("tau_net_at_largest_N", "time steps",
            r -> last(r, AnalysisTable.NETWORK_TIMESCALES, "tau_net_mean")),
        new Quantity("spectral_radius_at_largest_N", "no unit",
            r -> last(r, AnalysisTable.CONNECTIVITY, "spectral_radius")),
        new Quantity("mean_weight_at_largest_N", "no unit",
            r -> last(r, AnalysisTable.CONNECTIVITY, "mean_weight")),
        new Quantity("components_at_largest_N", "components",
            r -> last(r, AnalysisTable.DIMENSIONALITY, "components")),
        new Quantity("participation_ratio_at_largest_N", "components",
            r -> last(r, AnalysisTable.DIMENSIONALITY, "participation_ratio")),
        new Quantity("ablation_fastest_relative_accuracy", "relative accuracy",
            r -> Measures.ablation(r, "fastest", ablated)),
        new Quantity("ablation_slowest_relative_accuracy", "relative accuracy",
            r -> Measures.ablation(r, "slowest", ablated)),
        new Quantity("perturbation_recurrent_area", "relative accuracy",
            r -> Measures.perturbationArea(Measures.perturbationCurve(r, "recurrent", perturbed))),
        new Quantity("perturbation_tau_area", "relative accuracy",
            r -> Measures.perturbationArea(Measures.perturbationCurve(r, "tau", perturbed))),
        new Quantity("forgetting_earlier_accuracy", "fraction correct",
            Measures::forgettingEarlier),
        new Quantity("transfer_final_accuracy", "fraction correct",
            r -> Measures.meanOver(Measures.transferCurve(r, source), retrained)));
  }

  private static String quantitiesCsv(Comparison c) {
    StringBuilder csv = new StringBuilder("group,quantity,unit,n,mean,std,min,max\n");
    List<Quantity> quantities = quantities(c);
    for (Comparison.Group g : c.groups()) {
      for (Quantity q : quantities) {
        Stats s = Stats.of(g.runs().stream().mapToDouble(q.value()).toArray());
        if (s.present()) {
          csv.append(field(g.label())).append(',').append(q.name()).append(',')
              .append(field(q.unit())).append(',').append(numbers(s)).append('\n');
        }
      }
    }
    return csv.toString();
  }

  private static String seriesCsv(List<Figures.Figure> figures) {
    StringBuilder csv = new StringBuilder("figure,quantity,group,x,n,mean,std,min,max\n");
    for (Figures.Figure f : figures) {
      for (Figures.Panel p : f.panels()) {
        p.curves().forEach((group, points) -> points.forEach(point -> csv.append(f.file())
            .append(',').append(p.quantity()).append(',').append(field(group)).append(',')
            .append(point.x()).append(',').append(numbers(point.y())).append('\n')));
      }
      if (f.bars() != null) {
        f.bars().series().forEach((series, values) -> {
          for (int i = 0; i < values.size(); i++) {
            csv.append(f.file()).append(',').append(field(series)).append(',')
                .append(field(f.bars().categories().get(i))).append(",,")
                .append(numbers(values.get(i))).append('\n');
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
        ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  // ---------------------------------------------------------------- comparison.md

  private static String markdown(Comparison c, List<Figures.Figure> figures,
      List<Finding> findings) {
    StringBuilder md = new StringBuilder();
    md.append("# Comparison of ").append(c.runs().size()).append(c.runs().size() == 1 ? " run"
        : " runs").append(" in ").append(c.groups().size())
        .append(c.groups().size() == 1 ? " group" : " groups").append("\n\n");
    md.append("Made by `engram compare` on ").append(DateTimeFormatter.ISO_INSTANT
        .format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)))
        .append(". Runs are grouped by **").append(c.groupBy().text()).append("**. Figures show,"
            + " per group, the mean over its runs (seeds) with error bars of ± one sample standard"
            + " deviation (std) over those runs; `" + CSV + "` also gives min and max.\n\n");

    md.append("## Groups and runs\n\n");
    md.append("| group | run directory | name | seed | task | model | curriculum | epochs |"
        + " N_max reached |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Comparison.Group g : c.groups()) {
      for (RunSummary r : g.runs()) {
        md.append("| ").append(cell(g.label())).append(" | `").append(cell(r.dir().toString()))
            .append("` | ").append(cell(r.name())).append(" | ").append(r.seed()).append(" | ")
            .append(cell(r.taskId())).append(" | ").append(cell(r.modelId())).append(" | ")
            .append(cell(r.curriculumId())).append(" | ").append(r.epochs()).append(" | ")
            .append(r.maxLevelReached()).append(" |\n");
      }
    }

    md.append("\n## Findings (spec §6)\n\n| | finding | measured | verdict |\n|---|---|---|---|\n");
    for (Finding f : findings) {
      md.append("| ").append(f.id()).append(" | ").append(cell(f.finding())).append(" | ")
          .append(cell(f.measured())).append(" | **").append(f.verdict().label())
          .append("** |\n");
    }
    md.append("\n### How verdicts are decided\n\n").append(Findings.rules());

    md.append("\n## Figures\n\n");
    List<Figures.Figure> leftOut = new ArrayList<>();
    for (Figures.Figure f : figures) {
      if (!f.drawn()) {
        leftOut.add(f);
        continue;
      }
      md.append("### ").append(f.heading()).append("\n\n![").append(f.heading()).append("](")
          .append(f.file()).append(")\n\n");
    }
    if (!leftOut.isEmpty()) {
      md.append("### Left out\n\n");
      leftOut.forEach(f -> md.append("- `").append(f.file()).append("`: ").append(f.missing())
          .append(".\n"));
      md.append('\n');
    }
    if (!c.notes().isEmpty()) {
      md.append("## Notes\n\n");
      c.notes().forEach(n -> md.append("- ").append(n).append('\n'));
      md.append('\n');
    }
    md.append("## Files\n\n- `").append(CSV).append("`: one row per group and quantity"
        + " (n, mean, std, min, max over the group's runs).\n- `").append(SERIES_CSV)
        .append("`: the points behind every figure.\n");
    return md.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  // ---------------------------------------------------------------- helpers

  private static double slope(RunSummary r, AnalysisTable table, String column) {
    return Measures.slope(Measures.perLevel(r, table, column));
  }

  private static double last(RunSummary r, AnalysisTable table, String column) {
    return Measures.atLargestLevel(Measures.perLevel(r, table, column));
  }

  private static void writeNew(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
  }
}
