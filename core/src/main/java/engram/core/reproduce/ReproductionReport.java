package engram.core.reproduce;

import engram.api.study.Finding;
import engram.core.compare.Comparison;
import engram.core.compare.ComparisonException;
import engram.core.compare.ComparisonReport;
import engram.core.compare.GroupBy;
import engram.core.compare.RunSummary;
import engram.core.compare.SelectedStudy;
import engram.core.sweep.SweepIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.md} of a reproduction: what was run (command, profile, machine, wall time), the
 * runs, the findings table of the plan's study with its citation and rules, and the comparison's
 * figures ({@code comparison/}).
 */
public final class ReproductionReport {
  public static final String FILE = "report.md";
  public static final String COMPARISON = "comparison";

  private ReproductionReport() {}

  /**
   * Compares {@code runs} into {@code outDir/comparison/} and writes {@code outDir/report.md}.
   *
   * @param study the plan's study, or null for none (no findings section)
   * @return the report file
   * @throws IOException when a file cannot be written, or the runs cannot be compared
   */
  public static Path write(
      SweepIndex plan,
      SelectedStudy study,
      String profile,
      String command,
      Path outDir,
      List<Path> runs,
      Duration wall)
      throws IOException {
    Comparison comparison;
    ComparisonReport.Written written;
    try {
      comparison = Comparison.load(runs, GroupBy.parse(plan.groupBy()), study);
      written = ComparisonReport.write(comparison, outDir.resolve(COMPARISON));
    } catch (ComparisonException e) {
      throw new IOException(e.getMessage(), e);
    }
    StringBuilder md = new StringBuilder();
    md.append("# ").append(plan.name()).append("\n\n");
    if (plan.description() != null) {
      md.append(plan.description().strip()).append("\n\n");
    }
    md.append("- Command: `").append(command).append("`\n");
    md.append("- Profile: ").append(profile == null ? "none (quick scale)" : profile).append('\n');
    md.append(
        String.format(
            Locale.ROOT,
            "- Wall time: %.1f min for %d runs%n",
            wall.toMillis() / 60000.0,
            runs.size()));
    md.append("- Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores, ")
        .append(System.getProperty("os.name"))
        .append(' ')
        .append(System.getProperty("os.arch"))
        .append(", Java ")
        .append(System.getProperty("java.version"))
        .append('\n');
    md.append("- Written: ").append(Instant.now()).append("\n\n");

    md.append(
        "## Runs\n\n| group | seed | largest N solved | epochs | run directory |\n"
            + "|---|---|---|---|---|\n");
    for (Comparison.Group group : comparison.groups()) {
      for (RunSummary run : group.runs()) {
        md.append("| ")
            .append(group.label())
            .append(" | ")
            .append(run.seed())
            .append(" | ")
            .append(run.maxLevelReached())
            .append(" | ")
            .append(run.epochs())
            .append(" | `")
            .append(relative(outDir, run.dir()))
            .append("` |\n");
      }
    }

    if (study != null) {
      md.append("\n## Findings: ")
          .append(study.title())
          .append("\n\n")
          .append(study.citation().strip())
          .append("\n\n");
      md.append("| Finding | Measured here | Verdict |\n|---|---|---|\n");
      for (Finding f : written.findings()) {
        md.append("| ")
            .append(cell(f.claim()))
            .append(" | ")
            .append(cell(f.measured()))
            .append(" | ")
            .append(f.verdict().label())
            .append(" |\n");
      }
      md.append("\n").append(study.rules().strip()).append("\n");
    }

    md.append("\n## Figures\n\n");
    for (String figure : written.figures()) {
      md.append("![")
          .append(figure)
          .append("](")
          .append(COMPARISON)
          .append('/')
          .append(figure)
          .append(")\n\n");
    }
    if (!comparison.notes().isEmpty()) {
      md.append("## Notes\n\n");
      comparison.notes().forEach(n -> md.append("- ").append(n).append('\n'));
    }
    Path report = outDir.resolve(FILE);
    Files.writeString(report, md, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
    return report;
  }

  private static String relative(Path outDir, Path run) {
    Path base = outDir.toAbsolutePath().normalize();
    Path dir = run.toAbsolutePath().normalize();
    return dir.startsWith(base) ? base.relativize(dir).toString() : dir.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }
}
