package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.compare.RunFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code engram compare} as a user meets it: exit codes, one-line errors, nothing overwritten. */
class CompareCommandTest {

  private static String[] args(List<Path> runs, String... options) {
    List<String> all = new ArrayList<>(List.of("compare"));
    runs.forEach(r -> all.add(r.toString()));
    all.addAll(List.of(options));
    return all.toArray(String[]::new);
  }

  private static void assertOneLine(CliTest.Result r, String expected) {
    assertEquals(Main.USAGE, r.code(), r.err());
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, "one line, no stack trace: " + r.err());
    assertTrue(lines[0].startsWith("error: "), lines[0]);
    assertTrue(lines[0].contains(expected), lines[0]);
    assertTrue(lines[0].contains("Fix:"), lines[0]);
  }

  @Test
  void comparesRunsIntoTheGivenDirectory(@TempDir Path dir) throws IOException {
    List<Path> runs = RunFixtures.twoByTwo(dir.resolve("runs"), false);
    Path out = dir.resolve("report");
    CliTest.Result r =
        CliTest.run(args(runs, "--out", out.toString(), "--study", "timescales-curriculum"));
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("group multi-head: 2 runs"), r.out());
    assertTrue(
        r.out().contains("(a) reproduced: Multi-head networks reach a larger N_max"), r.out());
    assertTrue(r.out().contains("(i) not measured:"), r.out());
    assertTrue(r.out().contains("wrote " + out.resolve("comparison.md")), r.out());
    assertTrue(Files.size(out.resolve("max-N-vs-epoch.png")) > 0);
    String md = Files.readString(out.resolve("comparison.md"));
    assertTrue(md.contains("](ablation.png)"), md);
    assertTrue(md.contains("## Findings: Curriculum and timescales"), md);
  }

  @Test
  void withoutAStudyThereAreNoFindings(@TempDir Path dir) throws IOException {
    List<Path> runs = RunFixtures.twoByTwo(dir.resolve("runs"), false);
    Path out = dir.resolve("report");
    CliTest.Result r = CliTest.run(args(runs, "--out", out.toString()));
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("group multi-head: 2 runs"), r.out());
    assertFalse(r.out().contains("reproduced"), r.out());
    assertFalse(Files.readString(out.resolve("comparison.md")).contains("## Findings"));
    assertFalse(Files.exists(out.resolve("ablation.png")), "the study's figures need the study");
  }

  @Test
  void readsRealRunDirectoriesMadeByRunAndAnalyze(@TempDir Path dir) throws IOException {
    Path runs = dir.resolve("runs");
    for (String curriculum : List.of("multi-head", "single-head")) {
      String yaml =
          CliTest.TINY.replace(
              "curriculum: {id: multi-head}",
              "curriculum: {id: " + curriculum + ", threshold: 0.6}");
      Path file = dir.resolve(curriculum + ".yaml");
      Files.writeString(file, yaml + "analyzers: [{id: tau-stats}]\n");
      CliTest.Result trained = CliTest.run("run", file.toString(), "--runs-dir", runs.toString());
      assertEquals(Main.OK, trained.code(), trained.err());
    }
    List<Path> dirs;
    try (var list = Files.list(runs)) {
      dirs = list.sorted().toList();
    }
    Path out = dir.resolve("report");
    CliTest.Result r =
        CliTest.run(args(dirs, "--out", out.toString(), "--study", "timescales-curriculum"));
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("group multi-head: 1 run"), r.out());
    assertTrue(r.out().contains("group single-head: 1 run"), r.out());
    String md = Files.readString(out.resolve("comparison.md"));
    assertTrue(md.contains("| n-parity | leaky-rnn | single-head | 2 |"), md);
    assertTrue(md.contains("](tau-vs-N.png)"), md);
    assertTrue(
        Files.readString(out.resolve("comparison.csv"))
            .contains("multi-head,epochs,epochs,1,2.0,"));
  }

  @Test
  void groupByNameMakesOneGroupPerExperimentName(@TempDir Path dir) {
    List<Path> runs = RunFixtures.twoByTwo(dir.resolve("runs"), false);
    CliTest.Result r =
        CliTest.run(args(runs, "--out", dir.resolve("o").toString(), "--group-by", "name"));
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("group parity-multihead: 2 runs"), r.out());
    assertTrue(r.out().contains("group parity-singlehead: 2 runs"), r.out());
  }

  @Test
  void badArgumentsGetOneLineNamingTheFixAndWriteNothing(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("report");
    assertOneLine(CliTest.run("compare", "--out", out.toString()), "no run directories given");
    List<Path> runs = RunFixtures.twoByTwo(dir.resolve("runs"), false);
    Path notARun = Files.createDirectories(dir.resolve("not-a-run"));
    List<Path> withBad = new ArrayList<>(runs);
    withBad.add(notARun);
    assertOneLine(
        CliTest.run(args(withBad, "--out", out.toString())),
        notARun + " is not a run directory (no config.resolved.yaml)");
    assertOneLine(
        CliTest.run(args(runs, "--out", out.toString(), "--group-by", "seed")),
        "--group-by must be one of name|curriculum|model|curriculum+model");
    assertOneLine(
        CliTest.run(args(runs, "--out", out.toString(), "--study", "timescales")),
        "Unknown study id 'timescales'. Available studies: memory-geometry,"
            + " timescales-curriculum. Fix: pass one"
            + " of them to --study, or leave --study out.");
    assertFalse(Files.exists(out), "nothing is written on bad input");
  }

  @Test
  void anExistingOutputDirectoryIsNeverOverwritten(@TempDir Path dir) throws IOException {
    List<Path> runs = RunFixtures.twoByTwo(dir.resolve("runs"), false);
    Path out = Files.createDirectories(dir.resolve("report"));
    Files.writeString(out.resolve("comparison.md"), "mine");
    assertOneLine(CliTest.run(args(runs, "--out", out.toString())), out + " exists");
    assertEquals("mine", Files.readString(out.resolve("comparison.md")));
  }
}
