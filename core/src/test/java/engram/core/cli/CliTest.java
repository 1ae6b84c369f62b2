package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The launcher as a user meets it: exit codes, one-line messages, nothing written on bad input. */
class CliTest {
  static final String TINY =
      """
      name: tiny
      seed: 3
      task: {id: n-parity}
      model: {id: leaky-rnn, hidden-size: 8}
      curriculum: {id: multi-head}
      training: {batch-size: 8, steps-per-epoch: 2, max-epochs: 2}
      evaluation: {batches: 1, batch-size: 16}
      """;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  static Path write(Path dir, String yaml) throws IOException {
    Path file = dir.resolve("experiment.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown key    | model.hiden-size=8        | Unknown key 'model.hiden-size' for model"
            + " 'leaky-rnn'",
        "unknown id     | model.id=lstmm            | Available models: gru, leaky-rnn,"
            + " low-rank-rnn, lstm, plrnn, rank-one-rnn, vanilla-rnn. Did you mean 'lstm'?",
        "batch ≤ 0      | training.batch-size=0     | training.batch-size must be ≥ 1 (was 0)",
        "N < 2          | curriculum.start-level=1  | curriculum.start-level",
        "lr ≤ 0         | training.optimizer.lr=0   | training.optimizer.lr must be",
        "unknown top key| trainng.clip=1            | Unknown key 'trainng'"
      })
  void badInputStopsWithOneLineNamingTheKeyAndCreatesNoRunDirectory(
      String what, String override, String expected, @TempDir Path dir) throws IOException {
    Path runs = dir.resolve("runs");
    Result r = run("run", write(dir, TINY).toString(), override, "--runs-dir", runs.toString());
    assertEquals(Main.USAGE, r.code(), r.err());
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, "one line, no stack trace: " + r.err());
    assertTrue(lines[0].startsWith("error: "), lines[0]);
    assertTrue(lines[0].contains(expected), lines[0]);
    assertTrue(lines[0].contains("Fix:") || what.equals("N < 2"), lines[0]);
    assertFalse(Files.exists(runs), "no run directory may be created on bad input");
  }

  @Test
  void startLevelBelowTheTasksMinimumNamesTheKeyAndTheFix(@TempDir Path dir) throws IOException {
    Result r = run("validate", write(dir, TINY).toString(), "curriculum.start-level=1");
    assertEquals(Main.USAGE, r.code());
    assertTrue(r.err().contains("curriculum.start-level") && r.err().contains("2"), r.err());
  }

  @Test
  void aDivergedRunSaysWhyOnTheConsoleAndInItsRunLog(@TempDir Path dir) throws IOException {
    Path runs = dir.resolve("runs");
    Result r =
        run(
            "run",
            write(dir, TINY).toString(),
            "training.optimizer.type=sgd",
            "training.optimizer.lr=1.0e30",
            "--runs-dir",
            runs.toString());
    assertEquals(Main.DIVERGED, r.code(), r.err());
    assertTrue(r.err().contains("Fix: lower training.optimizer.lr"), r.err());
    Path runDir;
    try (var dirs = Files.list(runs)) {
      runDir = dirs.findFirst().orElseThrow();
    }
    String log = Files.readString(runDir.resolve("run.log"));
    assertTrue(log.contains("ERROR") && log.contains("Run stopped: The training loss became"), log);
  }

  @Test
  void helpSaysHowToChangeTheMemoryLimitsAndNamesTheExitCodes() {
    Result r = run("--help");
    assertEquals(Main.OK, r.code(), r.err());
    String text = r.out().replaceAll("\\s+", " ");
    assertTrue(text.contains("ENGRAM_MEMORY=8g ./engram"), r.out());
    assertTrue(text.contains("-Xmx") && text.contains("JAVA_OPTS"), r.out());
    assertTrue(text.contains("130 stopped (Ctrl-C)"), r.out());
  }

  @Test
  void sizesThatCannotFitAreRefusedWithOneLineBeforeAnyRunDirectory(@TempDir Path dir)
      throws IOException {
    Path runs = dir.resolve("runs");
    Result batch =
        run(
            "run",
            write(dir, TINY).toString(),
            "training.batch-size=1000000000",
            "--runs-dir",
            runs.toString());
    assertEquals(Main.USAGE, batch.code(), batch.err());
    assertEquals(1, batch.err().strip().lines().count(), batch.err());
    assertTrue(
        batch.err().startsWith("error: this experiment needs at least ")
            && batch.err().contains("GB of memory")
            && batch.err().contains("Fix: lower training.batch-size"),
        batch.err());
    Result seeds =
        run(
            "run",
            write(dir, TINY).toString(),
            "training.batch-size=20000000",
            "--seeds",
            "1..2",
            "--workers",
            "2",
            "--runs-dir",
            runs.toString());
    assertEquals(Main.USAGE, seeds.code(), seeds.err());
    // the README's example at level 100,000: sequences of 100,000 steps (it hung for minutes)
    Result level =
        run(
            "run",
            Path.of("../examples/parity-multihead.yaml").toString(),
            "curriculum.start-level=100000",
            "curriculum.max-level=100000",
            "--runs-dir",
            runs.toString());
    assertEquals(Main.USAGE, level.code(), level.err());
    assertEquals(1, level.err().strip().lines().count(), level.err());
    assertTrue(level.err().contains("Fix: lower training.batch-size"), level.err());
    Result hidden = run("validate", write(dir, TINY).toString(), "model.hidden-size=100000");
    assertEquals(Main.USAGE, hidden.code(), hidden.err());
    assertEquals(
        "error: Model 'leaky-rnn' is too large to build with this configuration (integer"
            + " overflow). Fix: lower model.hidden-size.",
        hidden.err().strip());
    assertFalse(Files.exists(runs), "no run directory may be created on bad input");
  }

  @Test
  void aFullDiskIsRecognisedThroughWrappingExceptions() {
    IOException enospc = new IOException("cannot write metrics.csv: No space left on device");
    assertEquals(
        "cannot write metrics.csv: No space left on device",
        RunTraining.diskFull(new java.io.UncheckedIOException(enospc)));
    assertEquals(
        "Disk quota exceeded",
        RunTraining.diskFull(new IllegalStateException(new IOException("Disk quota exceeded"))));
    assertNull(RunTraining.diskFull(new IOException("Permission denied")));
    assertNull(RunTraining.diskFull(new IllegalStateException("No space left on device")));
  }

  @Test
  void missingFileIsReportedByName(@TempDir Path dir) {
    Result r = run("validate", dir.resolve("nope.yaml").toString());
    assertEquals(Main.USAGE, r.code());
    assertTrue(r.err().contains("nope.yaml"), r.err());
  }

  @Test
  void validatePrintsTheResolvedConfigWithDefaults(@TempDir Path dir) throws IOException {
    Result r = run("validate", write(dir, TINY).toString(), "model.hidden-size=12");
    assertEquals(Main.OK, r.code(), r.err());
    assertTrue(r.out().contains("hidden-size: 12"), r.out());
    assertTrue(r.out().contains("tau-init-max: 2.0"), "defaults are filled in: " + r.out());
  }

  @Test
  void pluginsListsEveryBuiltInWithVersionSourceAndOptions() {
    Result r = run("plugins");
    assertEquals(Main.OK, r.code(), r.err());
    for (String id :
        List.of(
            "n-parity",
            "n-dms",
            "flip-flop",
            "delayed-addition",
            "addition-problem",
            "evidence-accumulation",
            "leaky-rnn",
            "gru",
            "lstm",
            "plrnn",
            "rank-one-rnn",
            "low-rank-rnn",
            "vanilla-rnn",
            "multi-head",
            "single-head",
            "sliding-window",
            "none",
            "activity-l2",
            "temporal-consistency",
            "weight-l2",
            "noise-injection")) {
      assertTrue(r.out().contains(id), id + " missing from:\n" + r.out());
    }
    assertTrue(r.out().contains("from "), r.out());
    assertTrue(r.out().contains("hidden-size"), "options are listed: " + r.out());
    assertTrue(r.out().contains("curricula (4)"), r.out());
    assertTrue(r.out().contains("studies (2)\n  memory-geometry"), r.out());
  }

  @Test
  void everyCommandHasHelp() {
    for (List<String> args :
        List.of(
            List.of("--help"),
            List.of("run", "--help"),
            List.of("validate", "--help"),
            List.of("plugins", "--help"),
            List.of("trial", "--help"))) {
      Result r = run(args.toArray(String[]::new));
      assertEquals(Main.OK, r.code(), args + ": " + r.err());
      assertTrue(r.out().startsWith("Usage: engram"), args + ": " + r.out());
    }
  }

  @Test
  void aShortRunLeavesACompleteRunDirectory(@TempDir Path dir) throws IOException {
    Path runs = dir.resolve("runs");
    Result r = run("run", write(dir, TINY).toString(), "--runs-dir", runs.toString());
    assertEquals(Main.OK, r.code(), r.err());
    List<Path> made = new ArrayList<>();
    try (var list = Files.list(runs)) {
      list.forEach(made::add);
    }
    assertEquals(1, made.size());
    Path run = made.get(0);
    assertTrue(run.getFileName().toString().matches("tiny-\\d{8}-\\d{6}"), run.toString());
    for (String f :
        List.of(
            "config.resolved.yaml",
            "provenance.json",
            "metrics.csv",
            "run.log",
            "checkpoints/final/index.json",
            "checkpoints/final/taus.npy",
            "checkpoints/final/head_0_w.npy")) {
      assertTrue(Files.exists(run.resolve(f)), f + " missing");
    }
    List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
    assertEquals("epoch,step,N,head,loss,accuracy,wall_seconds", metrics.get(0));
    assertTrue(metrics.get(1).startsWith("1,2,2,0,"), metrics.get(1));
    assertTrue(Files.readString(run.resolve("provenance.json")).contains("\"seed\" : 3"));
    assertTrue(
        Files.readString(run.resolve("run.log")).contains("epoch    1"), "epochs are logged");
    // the resolved config is itself a valid experiment
    Result again = run("validate", run.resolve("config.resolved.yaml").toString(), "--quiet");
    assertEquals(Main.OK, again.code(), again.err());
  }

  @Test
  void everyExampleExperimentIsValid() throws IOException {
    List<Path> examples;
    try (var list = Files.list(Path.of("..", "examples"))) {
      examples = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(examples.size() >= 2, examples.toString());
    for (Path example : examples) {
      if (example.getFileName().toString().startsWith("reproduce-")) {
        // A reproduction plan: every run it would train, at quick scale and in each profile.
        for (String profile : List.of("", "paper")) {
          List<String> args =
              new ArrayList<>(List.of("reproduce", example.toString(), "--dry-run"));
          if (!profile.isEmpty()) {
            args.addAll(List.of("--profile", profile));
          }
          Result r = run(args.toArray(String[]::new));
          assertEquals(Main.OK, r.code(), example + " " + profile + ": " + r.err());
          assertTrue(r.out().contains("is valid"), r.out());
          assertTrue(r.out().contains("findings of study "), "a plan names its study: " + r.out());
        }
        continue;
      }
      if (example.getFileName().toString().startsWith("sweep-")) {
        Result r = run("sweep", example.toString(), "--dry-run");
        assertEquals(Main.OK, r.code(), example + ": " + r.err());
        assertTrue(r.out().contains("is valid"), r.out());
        continue;
      }
      Result r = run("validate", example.toString(), "--quiet");
      assertEquals(Main.OK, r.code(), example + ": " + r.err());
    }
  }

  @Test
  void trialDrawsOneTrialToAPngAndNeverOverwrites(@TempDir Path dir) throws IOException {
    Path png = dir.resolve("figs/trial.png");
    Result r = run("trial", write(dir, TINY).toString(), "--out", png.toString());
    assertEquals(Main.OK, r.code(), r.err());
    byte[] bytes = Files.readAllBytes(png);
    assertTrue(bytes.length > 5000, "a real image, not an empty file: " + bytes.length);
    assertEquals((byte) 0x89, bytes[0]);
    assertEquals("PNG", new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
    Result again = run("trial", write(dir, TINY).toString(), "--out", png.toString());
    assertEquals(Main.USAGE, again.code());
    assertTrue(again.err().contains("exists"), again.err());
    assertEquals(bytes.length, Files.size(png), "the first picture is untouched");
  }

  @Test
  void severalRegularizersCombineAndEachIsLoggedInItsOwnColumn(@TempDir Path dir)
      throws IOException {
    String yaml =
        TINY
            + """
            regularizers:
              - id: temporal-consistency
                lambda: 0.01
                schedule: until-step
                until-step: 100
                normalised: true
              - {id: weight-l2, lambda: 0.0001, parameters: [w_rec]}
              - {id: activity-l2}
            """;
    Path runs = dir.resolve("runs");
    Result r = run("run", write(dir, yaml).toString(), "--runs-dir", runs.toString());
    assertEquals(Main.OK, r.code(), r.err());
    List<String> metrics;
    try (var list = Files.list(runs)) {
      metrics = Files.readAllLines(list.findFirst().orElseThrow().resolve("metrics.csv"));
    }
    assertEquals(
        "epoch,step,N,head,loss,accuracy,wall_seconds,reg_temporal-consistency,"
            + "reg_weight-l2,reg_activity-l2",
        metrics.get(0));
    for (String row : metrics.subList(1, metrics.size())) {
      String[] cells = row.split(",");
      for (int c = 7; c < 10; c++) {
        double term = Double.parseDouble(cells[c]);
        assertTrue(term > 0 && term < 1, "column " + c + " of " + row);
      }
    }
  }

  @Test
  void anUnknownPeriodForTemporalConsistencyStopsTheRunNamingTheKey(@TempDir Path dir)
      throws IOException {
    String yaml = TINY + "regularizers: [{id: temporal-consistency, period: delay}]\n";
    Path runs = dir.resolve("runs");
    Result r = run("run", write(dir, yaml).toString(), "--runs-dir", runs.toString());
    assertEquals(Main.USAGE, r.code(), r.out());
    assertTrue(
        r.err()
            .startsWith(
                "error: Invalid value in regularizers.0 (temporal-consistency): "
                    + "temporal-consistency.period 'delay' is not a period of this task"),
        r.err());
    assertEquals(1, r.err().strip().split("\n").length, r.err());
    assertFalse(Files.exists(runs), "stopped before any run directory was made");
  }

  @Test
  void recurrentNoiseForAModelThatCannotTakeItStopsBeforeTheRun(@TempDir Path dir)
      throws IOException {
    String yaml =
        TINY.replace("model: {id: leaky-rnn, hidden-size: 8}", "model: {id: gru, hidden-size: 8}")
            + "regularizers: [{id: noise-injection, recurrent-std: 0.1}]\n";
    Path runs = dir.resolve("runs");
    Result r = run("run", write(dir, yaml).toString(), "--runs-dir", runs.toString());
    assertEquals(Main.USAGE, r.code(), r.out());
    assertTrue(
        r.err().startsWith("error: Model 'gru' cannot run with these regularizers:"), r.err());
    assertFalse(Files.exists(runs));
  }

  @Test
  void inputAndRecurrentNoiseTrainALeakyRnnAndChangeItsLearning(@TempDir Path dir)
      throws IOException {
    Path quiet = dir.resolve("quiet");
    Path noisy = dir.resolve("noisy");
    Result a = run("run", write(dir, TINY).toString(), "--runs-dir", quiet.toString());
    Result b =
        run(
            "run",
            write(
                    dir,
                    TINY
                        + "regularizers: [{id: noise-injection, input-std: 0.2,"
                        + " recurrent-std: 0.2}]\n")
                .toString(),
            "--runs-dir",
            noisy.toString());
    assertEquals(Main.OK, a.code(), a.err());
    assertEquals(Main.OK, b.code(), b.err());
    List<String> quietRows;
    List<String> noisyRows;
    try (var q = Files.list(quiet);
        var n = Files.list(noisy)) {
      quietRows = Files.readAllLines(q.findFirst().orElseThrow().resolve("metrics.csv"));
      noisyRows = Files.readAllLines(n.findFirst().orElseThrow().resolve("metrics.csv"));
    }
    assertTrue(noisyRows.get(0).endsWith(",reg_noise-injection"), noisyRows.get(0));
    // same seed, same data: the noise alone changes the trained network
    assertFalse(
        quietRows.get(1).split(",")[4].equals(noisyRows.get(1).split(",")[4]),
        quietRows.get(1) + " vs " + noisyRows.get(1));
  }

  @Test
  void temporalConsistencyOnPreActivationsNeedsAModelThatExposesThem(@TempDir Path dir)
      throws IOException {
    String yaml =
        TINY.replace("model: {id: leaky-rnn, hidden-size: 8}", "model: {id: gru, hidden-size: 8}")
            + "regularizers: [{id: temporal-consistency, on: pre-activations}]\n";
    Path runs = dir.resolve("runs");
    Result r = run("run", write(dir, yaml).toString(), "--runs-dir", runs.toString());
    assertEquals(Main.USAGE, r.code(), r.out());
    assertTrue(
        r.err()
            .startsWith(
                "error: Invalid value in regularizers.0 (temporal-consistency): "
                    + "temporal-consistency.on: pre-activations needs a model"),
        r.err());
    assertFalse(Files.exists(runs));
  }

  @Test
  void temporalConsistencyOnPreActivationsTrainsALeakyRnn(@TempDir Path dir) throws IOException {
    String yaml =
        TINY + "regularizers: [{id: temporal-consistency, lambda: 0.1, on: pre-activations}]\n";
    Path runs = dir.resolve("runs");
    Result r = run("run", write(dir, yaml).toString(), "--runs-dir", runs.toString());
    assertEquals(Main.OK, r.code(), r.err());
    List<String> metrics;
    try (var list = Files.list(runs)) {
      metrics = Files.readAllLines(list.findFirst().orElseThrow().resolve("metrics.csv"));
    }
    assertTrue(Double.parseDouble(metrics.get(1).split(",")[7]) > 0, metrics.get(1));
  }
}
