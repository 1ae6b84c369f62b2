package engram.core.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.PluginInfo;
import engram.api.study.Evaluation;
import engram.api.study.Finding;
import engram.api.study.Finding.Verdict;
import engram.api.study.Stats;
import engram.api.study.Study;
import engram.api.study.StudyRun;
import engram.api.table.Table;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginCatalog;
import engram.core.plugin.PluginKind;
import engram.core.plugin.PluginRegistry;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Comparisons of synthetic run directories ({@link RunFixtures#twoByTwo}) whose group statistics
 * are worked out by hand in the comments, with the built-in {@code timescales-curriculum} study
 * found as any plugin is (its own rules are tested in its module), and with studies of this test.
 */
class ComparisonTest {
  private static final double EPS = 1e-9;
  private static final PluginRegistry PLUGINS =
      PluginRegistry.discover(ComparisonTest.class.getClassLoader());

  static SelectedStudy timescales() throws ComparisonException {
    return SelectedStudy.resolve(PLUGINS, "timescales-curriculum", "pass a known study.");
  }

  private static Map<String, Finding> byId(List<Finding> findings) {
    return findings.stream().collect(Collectors.toMap(Finding::id, Function.identity()));
  }

  private static Comparison.Group group(Comparison c, String label) {
    return c.groups().stream().filter(g -> g.label().equals(label)).findFirst().orElseThrow();
  }

  private static Stats stats(
      Comparison.Group g, java.util.function.ToDoubleFunction<RunSummary> f) {
    return Stats.of(g.runs().stream().mapToDouble(f).toArray());
  }

  @Test
  void runDirectoriesAreReadIntoSummaries(@TempDir Path dir) throws ComparisonException {
    List<Path> runs = RunFixtures.twoByTwo(dir, false);
    RunSummary single1 = RunReader.read(runs.get(0));
    assertEquals("parity-singlehead", single1.name());
    assertEquals(1, single1.seed());
    assertEquals("single-head", single1.curriculumId());
    assertEquals("leaky-rnn", single1.modelId());
    assertEquals("n-parity", single1.taskId());
    assertEquals(0.98, single1.threshold());
    assertEquals(20, single1.maxEpochs());
    assertEquals(12, single1.epochs());
    assertEquals("16", single1.config().get("model.hidden-size"));
    assertEquals(
        List.of("epoch", "step", "N", "head", "loss", "accuracy", "wall_seconds"),
        single1.metrics().columnNames());
    assertTrue(single1.analyses().isEmpty(), "no study, no analyzer table read");
    // N = 2 for epochs 1-3, 3 for 4-7, 4 for 8-12; solved up to 3
    assertEquals(2, single1.maxLevelByEpoch().get(3));
    assertEquals(3, single1.maxLevelByEpoch().get(4));
    assertEquals(4, single1.maxLevelByEpoch().get(12));
    assertEquals(Map.of(2, 3, 3, 4, 4, 5), single1.epochsPerLevel());
    assertEquals(3, single1.maxLevelReached());
    assertEquals(3.5, single1.meanEpochsPerSolvedLevel(), EPS);

    RunSummary multi2 = RunReader.read(runs.get(3), timescales().tables());
    // multi-head: max N per epoch is the largest of the epoch's rows; the unsolved N = 6 is out
    assertEquals(6, multi2.maxLevelByEpoch().get(12));
    assertEquals(5, multi2.maxLevelReached());
    assertEquals(2.25, multi2.meanEpochsPerSolvedLevel(), EPS);
    Table timescales = multi2.table("network-timescales", "network-timescales.csv").orElseThrow();
    assertEquals(10, timescales.number(4, "tau_net_mean"));
    assertEquals("none", timescales.text(4, "population_model"));
    assertTrue(multi2.table("transfer", "transfer-summary.csv").isEmpty());
    assertTrue(multi2.notes().isEmpty(), multi2.notes().toString());
  }

  @Test
  void theThresholdDefaultsTo09AndTheNewestAnalysisIsReadAsDeclared(@TempDir Path dir)
      throws ComparisonException {
    RunFixtures.Run run =
        RunFixtures.run(
            dir,
            "r",
            "r",
            5,
            "single-head",
            "leaky-rnn",
            10,
            List.of("1,10,2,0,0.5,0.95,1.0", "2,20,3,0,0.5,0.91,1.0", "3,30,4,0,0.5,0.89,1.0"));
    Path config = run.dir().resolve("config.resolved.yaml");
    RunFixtures.write(
        config,
        """
        name: r
        seed: 5
        task: {id: n-dms}
        model: {id: gru}
        curriculum: {id: single-head}
        """);
    String header = "checkpoint,epoch,max_level,mean,std,min,median,max,fraction_clamped";
    run.analysis("tau-stats", "tau-stats.csv", header, "old,1,2,7,0,1,1,1,0");
    run.analysis("tau-stats-2", "tau-stats.csv", header, "older,1,2,8,0,1,1,1,0");
    run.analysis("tau-stats-10", "tau-stats.csv", header, "newest,1,2,9,0,1,1,1,0");
    run.analysis(
        "connectivity", "connectivity.csv", "checkpoint,epoch,max_level,mean_weight", "a,1,2,0.1");
    run.analysis(
        "forgetting-2",
        "forgetting.csv",
        "checkpoint,epoch,max_level,level,head,accuracy",
        "a,x,2,2,0,0.5");
    RunSummary summary = RunReader.read(run.dir(), timescales().tables());
    assertEquals(RunReader.DEFAULT_THRESHOLD, summary.threshold());
    assertEquals(3, summary.maxLevelReached(), "0.91 ≥ 0.9 solves N = 3, 0.89 does not solve 4");
    assertEquals(0, summary.maxEpochs());
    Table tau = summary.table("tau-stats", "tau-stats.csv").orElseThrow();
    assertTrue(tau.name().contains("tau-stats-10"), tau.name());
    assertEquals(9.0, tau.number(0, "mean"));
    assertTrue(summary.table("connectivity", "connectivity.csv").isEmpty(), "a column is missing");
    assertTrue(summary.table("forgetting", "forgetting.csv").isEmpty(), "epoch is not a number");
    assertEquals(2, summary.notes().size(), summary.notes().toString());
    assertTrue(
        summary
            .notes()
            .get(0)
            .contains(
                "analysis/connectivity/connectivity.csv left out:"
                    + " it has no column 'std_weight'"),
        summary.notes().toString());
    assertTrue(summary.notes().get(1).contains("'x' in column 'epoch'"), summary.notes().get(1));
  }

  @Test
  void groupsHaveTheMeansAndSpreadsOfTheirSeeds(@TempDir Path dir) throws ComparisonException {
    Comparison c = Comparison.load(RunFixtures.twoByTwo(dir, false), GroupBy.CURRICULUM);
    assertEquals(
        List.of("multi-head", "single-head"),
        c.groups().stream().map(Comparison.Group::label).toList());
    Comparison.Group single = group(c, "single-head");
    Comparison.Group multi = group(c, "multi-head");
    // N_max: single 3 and 2, multi 6 and 5
    Stats sn = stats(single, RunSummary::maxLevelReached);
    assertEquals(2, sn.n());
    assertEquals(2.5, sn.mean(), EPS);
    assertEquals(Math.sqrt(0.5), sn.std(), EPS);
    assertEquals(2, sn.min(), EPS);
    assertEquals(3, sn.max(), EPS);
    assertEquals(5.5, stats(multi, RunSummary::maxLevelReached).mean(), EPS);
    // epochs per solved level: single 3.5 and 4, multi 2.4 and 2.25
    assertEquals(3.75, stats(single, RunSummary::meanEpochsPerSolvedLevel).mean(), EPS);
    assertEquals(2.325, stats(multi, RunSummary::meanEpochsPerSolvedLevel).mean(), EPS);
    // what a study sees: every run in the given order, with its group's label
    List<StudyRun> seen = c.studyRuns();
    assertEquals(
        List.of("single-head", "single-head", "multi-head", "multi-head"),
        seen.stream().map(StudyRun::group).toList());
    assertEquals(c.runs().get(2).id(), seen.get(2).id());
    assertEquals(6, seen.get(2).progress().maxLevelReached());
    assertTrue(c.study().isEmpty());
  }

  @Test
  void legendsSayWhatTheErrorBarsAreAndOverHowManyRuns() {
    assertEquals("single-head: mean ± std over 2 runs", Figures.legend("single-head", 2, 2));
    assertEquals("multi-head: mean ± std over 1–3 runs", Figures.legend("multi-head", 1, 3));
    assertEquals("none: mean ± std over 1 run", Figures.legend("none", 1, 1));
  }

  @Test
  void theReportHoldsFiguresTablesAndFindingsAndNeverOverwrites(@TempDir Path dir)
      throws IOException, ComparisonException {
    Comparison c =
        Comparison.load(
            RunFixtures.twoByTwo(dir.resolve("runs"), false), GroupBy.CURRICULUM, timescales());
    Path out =
        ComparisonReport.freshDirectory(
            dir.resolve("comparisons"), Instant.parse("2024-05-01T10:20:30Z"));
    assertEquals(dir.resolve("comparisons/compare-20240501-102030"), out);
    ComparisonReport.Written written = ComparisonReport.write(c, out);
    List<Finding> findings = written.findings();
    assertEquals(12, findings.size());
    assertEquals(Verdict.REPRODUCED, byId(findings).get("a").verdict());
    assertEquals(
        List.of(
            "max-N-vs-epoch.png",
            "tau-vs-N.png",
            "tau-net-vs-N.png",
            "connectivity-vs-N.png",
            "ablation.png",
            "perturbation.png",
            "forgetting.png"),
        written.figures());

    for (String png :
        List.of(
            "max-N-vs-epoch.png",
            "tau-vs-N.png",
            "tau-net-vs-N.png",
            "connectivity-vs-N.png",
            "ablation.png",
            "perturbation.png",
            "forgetting.png")) {
      Path file = out.resolve(png);
      assertTrue(Files.size(file) > 1000, png);
      byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(file), 4);
      assertEquals("\u0089PNG", new String(head, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    assertFalse(Files.exists(out.resolve("dimensionality-vs-N.png")), "no run has the table");
    assertFalse(Files.exists(out.resolve("transfer.png")));

    String md = Files.readString(out.resolve("comparison.md"));
    assertTrue(
        md.contains(
            "\n"
                + "## Findings: Curriculum and timescales (Khajehabdollahi, Zeraati et al., ICLR"
                + " 2024)\n\n"
                + "Khajehabdollahi, Zeraati et al., *Emergent mechanisms for long timescales"),
        md);
    assertTrue(md.contains("| | finding | measured | verdict |"), md);
    assertTrue(
        md.contains("\n### How verdicts are decided\n\n- **Which runs.** Findings (a)–(j)"), md);
    assertTrue(md.contains("| a | Multi-head networks reach a larger N_max"), md);
    assertTrue(md.contains("| **reproduced** |"), md);
    assertTrue(md.contains("| **not measured** |"), md);
    assertTrue(md.contains("![Trained τ̃ = max(τ, 1) against N](tau-vs-N.png)"), md);
    assertTrue(md.contains("](max-N-vs-epoch.png)"), md);
    assertFalse(md.contains("](transfer.png)"), md);
    assertTrue(
        md.contains(
            "- `transfer.png`: no run has usable rows in"
                + " analysis/transfer/transfer-summary.csv."),
        md);
    assertTrue(md.contains("± one sample standard deviation"), md);

    List<String> csv = Files.readAllLines(out.resolve("comparison.csv"));
    assertEquals("group,quantity,unit,n,mean,std,min,max", csv.get(0));
    assertTrue(
        csv.contains("single-head,n_max,levels,2,2.5," + Math.sqrt(0.5) + ",2.0,3.0"),
        csv.toString());
    assertTrue(
        csv.contains("multi-head,n_max,levels,2,5.5," + Math.sqrt(0.5) + ",5.0,6.0"),
        csv.toString());
    assertTrue(
        csv.stream().noneMatch(l -> l.startsWith("single-head,tau_net_slope")),
        "single-head runs have no network-timescales");
    List<String> series = Files.readAllLines(out.resolve("comparison-series.csv"));
    assertEquals("figure,quantity,group,x,n,mean,std,min,max", series.get(0));
    // single-head seed 2 stopped at epoch 10 at N = 3 and keeps it; seed 1 is at N = 4
    assertTrue(
        series.contains(
            "max-N-vs-epoch.png,max_N,single-head,12.0,2,3.5," + Math.sqrt(0.5) + ",3.0,4.0"),
        series.toString());
    assertFalse(
        series.stream()
            .anyMatch(l -> l.startsWith("max-N-vs-epoch.png,max_N,single-head," + "13.0")),
        "no epoch beyond the group's longest run");
    assertTrue(
        series.contains(
            "max-N-vs-epoch.png,max_N,single-head,4.0,2,2.5," + Math.sqrt(0.5) + ",2.0,3.0"),
        series.toString());
    // a study's bars, put into groups by core: slowest ablations 0.9 and 0.85 in multi-head
    assertTrue(
        series.stream()
            .anyMatch(
                l ->
                    l.startsWith(
                        "ablation.png,\"20 slowest neurons"
                            + " (largest τ), one at a time\",multi-head (n = 2),,2,0.875")),
        series.toString());
    assertTrue(
        series.contains("tau-vs-N.png,tau-stats.mean,single-head,2.0,2,1.5,0.0,1.5,1.5"),
        series.toString());

    byte[] before = Files.readAllBytes(out.resolve("comparison.md"));
    assertThrows(FileAlreadyExistsException.class, () -> ComparisonReport.write(c, out));
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(out.resolve("comparison.md"))));
    Path second =
        ComparisonReport.freshDirectory(
            dir.resolve("comparisons"), Instant.parse("2024-05-01T10:20:30Z"));
    assertEquals(dir.resolve("comparisons/compare-20240501-102030-2"), second);
  }

  @Test
  void badInputIsRejectedWithOneLineNamingTheFix(@TempDir Path dir) throws IOException {
    ComparisonException none =
        assertThrows(
            ComparisonException.class, () -> Comparison.load(List.of(), GroupBy.CURRICULUM));
    assertTrue(none.getMessage().contains("Fix:"), none.getMessage());
    Files.createDirectories(dir.resolve("empty"));
    ComparisonException notRun =
        assertThrows(ComparisonException.class, () -> RunReader.read(dir.resolve("empty")));
    assertEquals(
        dir.resolve("empty")
            + " is not a run directory (no config.resolved.yaml)."
            + " Fix: pass directories made by ./engram run (runs/<name>-<timestamp>).",
        notRun.getMessage());
    RunFixtures.Run run =
        RunFixtures.run(dir, "r", "r", 1, "single-head", "leaky-rnn", 5, List.of());
    ComparisonException twice =
        assertThrows(
            ComparisonException.class,
            () -> Comparison.load(List.of(run.dir(), run.dir().resolve("../r")), GroupBy.NAME));
    assertTrue(twice.getMessage().contains("is given twice"), twice.getMessage());
    ComparisonException nothing =
        assertThrows(
            ComparisonException.class, () -> Comparison.load(List.of(run.dir()), GroupBy.NAME));
    assertTrue(nothing.getMessage().startsWith("nothing to compare"), nothing.getMessage());
    Files.delete(run.dir().resolve("metrics.csv"));
    ComparisonException noMetrics =
        assertThrows(ComparisonException.class, () -> RunReader.read(run.dir()));
    assertTrue(noMetrics.getMessage().contains("no metrics.csv"), noMetrics.getMessage());
    ComparisonException groupBy =
        assertThrows(ComparisonException.class, () -> GroupBy.parse("seed"));
    assertEquals(
        "--group-by must be one of name|curriculum|model|curriculum+model|condition (was 'seed')."
            + " Fix: pass one of them.",
        groupBy.getMessage());
  }

  @Test
  void groupingByConditionDropsOnlyTheRunsOwnSeedSuffix(@TempDir Path dir)
      throws ComparisonException {
    // the names reproduce gives its runs
    assertEquals("plan-tcr-g1-s3", GroupBy.conditionRunName("plan", "tcr-g1", 3));
    List<String> rows = List.of("1,10,2,0,0.5,0.95,1.0");
    List<Path> runs =
        List.of(
            RunFixtures.run(dir, "a", "plan-tcr-g1-s3", 3, "none", "leaky-rnn", 1, rows).dir(),
            RunFixtures.run(dir, "b", "plan-tcr-g1-s12", 12, "none", "leaky-rnn", 1, rows).dir(),
            RunFixtures.run(dir, "c", "plan-tcr-g2-s3", 3, "none", "leaky-rnn", 1, rows).dir(),
            // the suffix names another seed: part of the name, not this run's seed
            RunFixtures.run(dir, "d", "plan-x-s3", 4, "none", "leaky-rnn", 1, rows).dir());
    Comparison c = Comparison.load(runs, GroupBy.parse("condition"));
    assertEquals(
        List.of("plan-tcr-g1", "plan-tcr-g2", "plan-x-s3"),
        c.groups().stream().map(Comparison.Group::label).sorted().toList());
    assertEquals(
        2,
        c.groups().stream()
            .filter(g -> g.label().equals("plan-tcr-g1"))
            .findFirst()
            .orElseThrow()
            .runs()
            .size());
  }

  @Test
  void untrainedRunsAreLeftOutAndNamedUnlessAskedFor(@TempDir Path dir)
      throws IOException, ComparisonException {
    List<Path> trained = RunFixtures.twoByTwo(dir.resolve("runs"), false);
    Path zeroEpochs =
        RunFixtures.run(dir, "queued", "queued", 9, "single-head", "leaky-rnn", 5, List.of()).dir();
    Path crashed =
        RunFixtures.run(dir, "oom", "oom", 8, "single-head", "leaky-rnn", 5, List.of()).dir();
    Files.delete(crashed.resolve("metrics.csv"));
    List<Path> all = new java.util.ArrayList<>(trained);
    all.add(zeroEpochs);
    all.add(crashed);

    Comparison c = Comparison.load(all, GroupBy.CURRICULUM, null, false);
    assertEquals(trained.size(), c.runs().size());
    assertTrue(
        c.notes()
            .contains(
                "left out, never trained: "
                    + zeroEpochs
                    + " (no completed epoch); --include-untrained counts such runs"),
        c.notes().toString());
    assertTrue(
        c.notes().stream().anyMatch(n -> n.contains(crashed + " (no metrics.csv)")),
        c.notes().toString());
    assertEquals(
        trained.size(),
        c.groups().stream().mapToInt(g -> g.runs().size()).sum(),
        "the untrained runs are not seeds of any group");

    Comparison counted = Comparison.load(trained.subList(0, 1), GroupBy.CURRICULUM, null, true);
    assertEquals(1, counted.runs().size());
    List<Path> withZero = List.of(trained.get(0), zeroEpochs);
    assertEquals(2, Comparison.load(withZero, GroupBy.CURRICULUM, null, true).runs().size());
    ComparisonException onlyUntrained =
        assertThrows(
            ComparisonException.class,
            () -> Comparison.load(List.of(zeroEpochs), GroupBy.NAME, null, false));
    assertTrue(
        onlyUntrained.getMessage().startsWith("nothing to compare: every run given is untrained"),
        onlyUntrained.getMessage());
  }

  @Test
  void aMetricsRowCutOffByAFullDiskIsLeftOutNotFatal(@TempDir Path dir)
      throws IOException, ComparisonException {
    Path run =
        RunFixtures.run(
                dir,
                "r",
                "r",
                1,
                "single-head",
                "leaky-rnn",
                5,
                List.of("1,10,2,0,0.5,0.6,1.0", "2,20,2,0,0.5,0.7,1.0"))
            .dir();
    Files.writeString(
        run.resolve("metrics.csv"), "3,30,2,0,0.5787605867412227,0.", StandardOpenOption.APPEND);
    RunSummary summary = RunReader.read(run);
    assertEquals(2, summary.epochs());
    assertEquals(
        List.of("r/metrics.csv: the last line is incomplete (no line end) and was left out"),
        summary.notes());
  }

  @Test
  void withoutAStudyThereIsNoFindingsSectionAndNoAnalyzerFigure(@TempDir Path dir)
      throws IOException, ComparisonException {
    Comparison c =
        Comparison.load(RunFixtures.twoByTwo(dir.resolve("runs"), false), GroupBy.CURRICULUM);
    ComparisonReport.Written written = ComparisonReport.write(c, dir.resolve("out"));
    assertEquals(List.of(), written.findings());
    assertEquals(List.of("max-N-vs-epoch.png"), written.figures());
    String md = Files.readString(dir.resolve("out/comparison.md"));
    assertFalse(md.contains("## Findings"), md);
    assertFalse(md.contains("verdict"), md);
    assertTrue(md.contains("](max-N-vs-epoch.png)"), md);
    List<String> csv = Files.readAllLines(dir.resolve("out/comparison.csv"));
    assertEquals(
        List.of("n_max", "epochs", "epochs_per_solved_level"),
        csv.stream().skip(1).map(l -> l.split(",")[1]).distinct().toList());
  }

  @Test
  void anUnknownStudyIsOneMessageNamingTheKnownOnes() {
    ComparisonException e =
        assertThrows(
            ComparisonException.class,
            () -> SelectedStudy.resolve(PLUGINS, "timescale", "pass one of them to --study."));
    assertEquals(
        "Unknown study id 'timescale'. Available studies: memory-geometry,"
            + " timescales-curriculum."
            + " Fix: pass one of them to --study.",
        e.getMessage());
    PluginCatalog empty = kind -> List.of();
    assertTrue(
        assertThrows(ComparisonException.class, () -> SelectedStudy.resolve(empty, "x", "none."))
            .getMessage()
            .contains("Available studies: none installed."));
  }

  /** A study of this test: reads one table of an analyzer that may not be installed. */
  static final class ProbeStudy implements Study<ProbeStudy.Config> {
    public record Config() {}

    private final String analyzer;
    private final boolean fail;

    ProbeStudy(String analyzer, boolean fail) {
      this.analyzer = analyzer;
      this.fail = fail;
    }

    @Override
    public PluginInfo info() {
      return new PluginInfo("probe", "Probe", "");
    }

    @Override
    public Class<Config> configType() {
      return Config.class;
    }

    @Override
    public Config defaults() {
      return new Config();
    }

    @Override
    public String citation() {
      return "Nobody, 2024.";
    }

    @Override
    public List<String> analyzers() {
      return List.of(analyzer);
    }

    @Override
    public String rules(Config config) {
      return "- **Always.** reproduced.\n";
    }

    @Override
    public Evaluation evaluate(Config config, List<StudyRun> runs) {
      if (fail) {
        throw new IllegalStateException("boom");
      }
      String measured =
          runs.stream()
              .map(r -> r.group() + ":" + r.analyses().keySet())
              .collect(Collectors.joining(" "));
      return Evaluation.of(List.of(new Finding("x", "Runs exist.", measured, Verdict.REPRODUCED)));
    }
  }

  private static PluginCatalog with(Study<?> study) {
    return kind ->
        kind == PluginKind.STUDY
            ? List.of(new DiscoveredPlugin(PluginKind.STUDY, study, "1", "test"))
            : PLUGINS.all(kind);
  }

  @Test
  void aStudyReadsTheDeclaredTablesOfItsAnalyzersAndSaysWhichAreMissing(@TempDir Path dir)
      throws IOException, ComparisonException {
    List<Path> runs = RunFixtures.twoByTwo(dir.resolve("runs"), false).subList(1, 3);
    SelectedStudy installed =
        SelectedStudy.resolve(with(new ProbeStudy("tau-stats", false)), "probe", "");
    assertEquals(
        List.of("tau-stats.csv"),
        installed.tables().get("tau-stats").stream()
            .map(engram.api.table.TableSpec::file)
            .toList());
    Comparison c = Comparison.load(runs, GroupBy.MODEL, installed);
    Finding f = ComparisonReport.write(c, dir.resolve("a")).findings().get(0);
    assertEquals("leaky-rnn:[tau-stats] leaky-rnn:[tau-stats]", f.measured());
    String md = Files.readString(dir.resolve("a/comparison.md"));
    assertTrue(md.contains("## Findings: Probe\n\nNobody, 2024.\n\n| | finding |"), md);
    assertTrue(
        md.contains(
            "| x | Runs exist. | leaky-rnn:[tau-stats] leaky-rnn:[tau-stats] |"
                + " **reproduced** |"),
        md);
    assertTrue(md.contains("### How verdicts are decided\n\n- **Always.** reproduced.\n"), md);

    SelectedStudy missing =
        SelectedStudy.resolve(with(new ProbeStudy("not-installed", false)), "probe", "");
    Comparison without = Comparison.load(runs, GroupBy.MODEL, missing);
    assertEquals(
        "the study probe reads the tables of analyzer 'not-installed', which is not installed"
            + " (./engram plugins lists the analyzers): findings that need them are not measured",
        without.notes().get(0));

    SelectedStudy failing =
        SelectedStudy.resolve(with(new ProbeStudy("tau-stats", true)), "probe", "");
    Comparison broken = Comparison.load(runs, GroupBy.MODEL, failing);
    ComparisonException e =
        assertThrows(
            ComparisonException.class, () -> ComparisonReport.write(broken, dir.resolve("b")));
    assertTrue(
        e.getMessage()
            .startsWith(
                "the study probe failed on these runs" + " (IllegalStateException: boom). Fix:"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("b")), "nothing is written when the study fails");
  }
}
