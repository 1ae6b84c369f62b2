package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code engram reproduce}: conditions × seeds trained side by side, analysed, one report. */
class ReproduceCommandTest {

  private static final String PLAN =
      """
      name: tiny-reproduction
      experiment: tiny.yaml
      study: timescales-curriculum
      seeds: [1, 2]
      workers: 2
      conditions:
        - {label: single-head, set: [curriculum.id=single-head]}
        - {label: multi-head, set: [curriculum.id=multi-head]}
      profiles:
        wider: [model.hidden-size=12]
      """;

  private static Path plan(Path dir, String plan) throws IOException {
    CliTest.write(dir, CliTest.TINY + "analyzers: [{id: tau-stats}]\n");
    Files.move(dir.resolve("experiment.yaml"), dir.resolve("tiny.yaml"));
    return Files.writeString(dir.resolve("plan.yaml"), plan);
  }

  @Test
  void trainsEveryConditionAndSeedSideBySideAndWritesOneReport(@TempDir Path dir)
      throws IOException {
    Path plan = plan(dir, PLAN);
    Path out = dir.resolve("out");
    CliTest.Result r =
        CliTest.run("reproduce", plan.toString(), "--out", out.toString(), "--profile", "wider");
    assertEquals(Main.OK, r.code(), r.out() + r.err());
    Path root;
    try (Stream<Path> children = Files.list(out)) {
      root = children.findFirst().orElseThrow();
    }
    assertTrue(root.getFileName().toString().startsWith("tiny-reproduction-"), root.toString());
    List<Path> runs;
    try (Stream<Path> children = Files.list(root.resolve("runs"))) {
      runs = children.sorted().toList();
    }
    assertEquals(4, runs.size(), "2 conditions × 2 seeds: " + runs);
    for (Path run : runs) {
      String config = Files.readString(run.resolve("config.resolved.yaml"));
      assertTrue(config.contains("hidden-size: 12"), "the profile applies to every run");
      String name = run.getFileName().toString();
      assertTrue(
          config.contains("id: " + (name.contains("single-head") ? "single-head" : "multi-head")),
          name);
      assertTrue(Files.exists(run.resolve("analysis/tau-stats/tau-stats.csv")), name);
      // Two runs trained at once in one process: each run.log holds only its own run.
      String log = Files.readString(run.resolve("run.log"));
      assertTrue(log.contains("Run " + run), name);
      for (Path other : runs) {
        if (!other.equals(run)) {
          assertFalse(log.contains(other.toString()), name + " logs " + other);
        }
      }
    }
    String report = Files.readString(root.resolve("report.md"));
    assertTrue(report.contains("single-head") && report.contains("multi-head"), report);
    assertTrue(report.contains("| Finding | Measured here | Verdict |"), report);
    assertTrue(report.contains("## Findings: Curriculum and timescales"), report);
    assertTrue(report.contains("- **Which runs.**"), report);
    assertTrue(report.contains("![max-N-vs-epoch.png](comparison/max-N-vs-epoch.png)"), report);
    assertTrue(report.contains("![tau-vs-N.png](comparison/tau-vs-N.png)"), report);
    assertTrue(r.out().contains("report: " + root.resolve("report.md")), r.out());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "seeds: [1, 2]|sede: [1, 2]|Unknown key 'sede'",
        "seeds: [1, 2]|seeds: []|seeds",
        "workers: 2|workers: 0|workers",
        "tiny.yaml|missing.yaml|Experiment file not found",
        "curriculum.id=single-head|curriculum.id=singel-head|singel-head",
        "study: timescales-curriculum|study: timescale|Unknown study id 'timescale'. Available"
            + " studies: ",
        "wider: [model.hidden-size=12]|wider: {seeds: [3, 3]}|seeds of profile 'wider'",
        "wider: [model.hidden-size=12]|wider: {conditions: [{label: a/b}]}|condition label"
            + " 'a/b' of profile 'wider'",
        "wider: [model.hidden-size=12]|wider: {sets: []}|Unknown key 'sets'"
      })
  void aBadPlanIsOneLineAndTrainsNothing(String from, String to, String expected, @TempDir Path dir)
      throws IOException {
    Path plan = plan(dir, PLAN.replace(from, to));
    Path out = dir.resolve("out");
    CliTest.Result r = CliTest.run("reproduce", plan.toString(), "--out", out.toString());
    assertEquals(Main.USAGE, r.code(), r.err());
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, r.err());
    assertTrue(lines[0].contains(expected) && lines[0].contains("Fix"), lines[0]);
    assertFalse(Files.exists(out), "nothing is created on bad input");
  }

  @Test
  void aProfileMayReplaceTheSeedsAndConditions(@TempDir Path dir) throws IOException {
    Path plan =
        plan(
            dir,
            PLAN.replace(
                "wider: [model.hidden-size=12]",
                """
                wider: [model.hidden-size=12]
                  grid:
                    set: [model.hidden-size=10]
                    seeds: [7, 8, 9]
                    conditions:
                      - {label: none, set: [curriculum.id=none]}\
                """));
    CliTest.Result r = CliTest.run("reproduce", plan.toString(), "--profile", "grid", "--dry-run");
    assertEquals(Main.OK, r.code(), r.err());
    List<String> jobs = r.out().lines().filter(l -> l.startsWith("none seed ")).toList();
    assertEquals(3, jobs.size(), r.out());
    assertTrue(jobs.get(0).contains("model.hidden-size=10 curriculum.id=none seed=7"), jobs.get(0));
    assertTrue(r.out().contains("is valid: 3 runs"), r.out());
    // without the profile, the plan's own seeds and conditions
    CliTest.Result plain = CliTest.run("reproduce", plan.toString(), "--dry-run");
    assertTrue(plain.out().contains("is valid: 4 runs"), plain.out());
  }

  @Test
  void anUnknownProfileNamesTheProfilesThereAre(@TempDir Path dir) throws IOException {
    Path plan = plan(dir, PLAN);
    CliTest.Result r =
        CliTest.run(
            "reproduce",
            plan.toString(),
            "--profile",
            "papr",
            "--out",
            dir.resolve("out").toString());
    assertEquals(Main.USAGE, r.code(), r.err());
    assertTrue(r.err().contains("Unknown profile 'papr'. This plan has wider."), r.err());
  }
}
