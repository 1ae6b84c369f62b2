package engram.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code engram bench} on tiny shapes: the CSV it writes and its one-line errors (no timings). */
class BenchCommandTest {
  private static final String TINY = "8:4:5:2";

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  static List<String[]> rows(Path csv) throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
      rows.add(line.split(",", -1));
    }
    return rows;
  }

  /**
   * {@code bench} on the tiny shape with 2 repeats of 2 steps; {@code more} adds options or
   * replaces these defaults. The machine name holds no comma, so a plain split reads the CSV.
   */
  static String[] bench(Path dir, String... more) {
    java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
    options.put("--shapes", TINY);
    options.put("--models", "leaky-rnn");
    options.put("--steps", "2");
    options.put("--warmup", "1");
    options.put("--repeats", "2");
    options.put("--machine", "test-box");
    options.put("--memory-shape", TINY);
    options.put("--memory-steps", "6");
    options.put("--out", dir.resolve("b.csv").toString());
    List<String> flags = new ArrayList<>();
    for (int i = 0; i < more.length; i++) {
      if (i + 1 < more.length && !more[i + 1].startsWith("--")) {
        options.put(more[i], more[++i]);
      } else {
        flags.add(more[i]);
      }
    }
    List<String> args = new ArrayList<>(List.of("bench"));
    options.forEach((k, v) -> args.addAll(List.of(k, v)));
    args.addAll(flags);
    return args.toArray(String[]::new);
  }

  @Test
  void writesOneRowPerShapeAndModelWithPositiveTimesAndAFootprint(@TempDir Path dir)
      throws IOException {
    Result r =
        run(
            bench(
                dir,
                "--models",
                "leaky-rnn,gru",
                "--shapes",
                TINY + ",4:2:3:1",
                "--parallel",
                "--parallel-shape",
                "4:2:3:1",
                "--parallel-steps",
                "2",
                "--parallel-jobs",
                "2"));
    assertEquals(0, r.code(), r.err() + r.out());
    List<String[]> csv = rows(dir.resolve("b.csv"));
    assertEquals(BenchCommand.COLUMNS, List.of(csv.get(0)));
    assertEquals(5, csv.size(), "header + 2 models × 2 shapes");
    List<String> cells = new ArrayList<>();
    for (String[] row : csv.subList(1, csv.size())) {
      assertEquals(BenchCommand.COLUMNS.size(), row.length);
      assertEquals("test-box", row[0]);
      cells.add(row[2] + "@" + row[1]);
      double median = Double.parseDouble(row[7]);
      double p25 = Double.parseDouble(row[8]);
      double p75 = Double.parseDouble(row[9]);
      double min = Double.parseDouble(row[10]);
      double max = Double.parseDouble(row[11]);
      assertTrue(min > 0, "positive ms: " + String.join(",", row));
      assertTrue(min <= p25 && p25 <= median && median <= p75 && p75 <= max, String.join(",", row));
      assertEquals("2", row[12]);
      assertEquals("2", row[13]);
      for (int c = 14; c <= 18; c++) {
        assertEquals("", row[c], "no ratio without --torch");
      }
      double[] phases = new double[5];
      for (int p = 0; p < 5; p++) {
        phases[p] = Double.parseDouble(row[19 + p]);
        assertTrue(phases[p] >= 0, BenchCommand.COLUMNS.get(19 + p) + ": " + String.join(",", row));
      }
      assertTrue(
          phases[1] > 0 && phases[3] > 0,
          "forward and backward take time: " + String.join(",", row));
      if (row[2].equals("leaky-rnn")) {
        assertTrue(Double.parseDouble(row[24]) > 0, "the leaky RNN's matmul floor: " + row[24]);
      } else {
        assertEquals("", row[24], "no floor for " + row[2]);
      }
    }
    assertTrue(r.out().contains("matmul floor: "), r.out());
    assertTrue(r.out().contains("phases (median ms): inputs "), r.out());
    assertEquals(
        List.of("leaky-rnn@" + TINY, "leaky-rnn@4:2:3:1", "gru@" + TINY, "gru@4:2:3:1"), cells);
    assertEquals(List.of("8", "4", "5", "2"), List.of(csv.get(1)).subList(3, 7));

    List<String[]> memory = rows(dir.resolve("b-memory.csv"));
    assertEquals(BenchCommand.MEMORY_COLUMNS, List.of(memory.get(0)));
    assertEquals(
        List.of("heap", "physical", "javacpp"),
        memory.subList(1, 4).stream().map(row -> row[5]).toList());
    assertTrue(Double.parseDouble(memory.get(1)[4]) > 0, "peak heap");
    assertTrue(Double.parseDouble(memory.get(2)[6]) > 0, "resident set");

    List<String[]> parallel = rows(dir.resolve("b-parallel.csv"));
    assertEquals(BenchCommand.PARALLEL_COLUMNS, List.of(parallel.get(0)));
    assertEquals(List.of("1", "2"), parallel.subList(1, 3).stream().map(row -> row[5]).toList());
    assertTrue(r.out().contains("speed-up"), r.out());
  }

  @Test
  void torchRowsAndTheRatioComeFromTheReferenceScriptsOutput(@TempDir Path dir) throws IOException {
    // A stand-in for python: 'import torch' works, and the script "prints" 5 ms per step.
    Path python =
        executable(
            dir.resolve("python"),
            """
            #!/bin/sh
            if [ "$1" = "-c" ]; then exit 0; fi
            echo "ms_per_step=5.00"
            """);
    Path script = Files.writeString(dir.resolve(TorchReference.SCRIPT), "# stand-in\n");
    Result r =
        run(
            bench(
                dir,
                "--torch",
                "--python",
                python.toString(),
                "--reference",
                script.toString(),
                "--memory-steps",
                "0"));
    assertEquals(0, r.code(), r.err() + r.out());
    List<String[]> csv = rows(dir.resolve("b.csv"));
    assertEquals(3, csv.size());
    String[] engram = csv.get(1);
    String[] torch = csv.get(2);
    assertEquals("leaky-rnn", engram[2]);
    assertEquals(BenchCommand.TORCH_MODEL, torch[2]);
    assertEquals(5.0, Double.parseDouble(torch[7]), 1e-9);
    assertEquals("10", torch[13], "the script times 10 steps");
    // Each repeat's ratio is its Engram median over the PyTorch run right after it (5 ms here),
    // so the ratios' quartiles are Engram's over 5.
    for (int c = 0; c < 5; c++) {
      assertEquals(
          Double.parseDouble(engram[7 + c]) / 5.0,
          Double.parseDouble(engram[14 + c]),
          1e-3,
          BenchCommand.COLUMNS.get(14 + c));
    }
    assertEquals("", torch[14], "the reference has no ratio");
    assertTrue(r.out().contains("Engram/PyTorch"), r.out());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "unknown shape | --shapes,XL                     | unknown shape 'XL'. Fix: use S, M, L or"
            + " H:B:T:HEADS",
        "bad spec      | --shapes,8:4:0:1                | unknown shape '8:4:0:1'",
        "unknown model | --models,rnn                    | unknown model 'rnn'. Fix: use one of"
            + " gru, leaky-rnn, low-rank-rnn, lstm",
        "no script     | --torch,--reference,/nonexistent/ref.py | /nonexistent/ref.py does not"
            + " exist. Fix: pass --reference PATH",
        "zero repeats  | --repeats,0                     | Fix: pass positive counts"
      })
  void badInputStopsWithOneLineNamingTheFix(
      String what, String args, String expected, @TempDir Path dir) {
    Result r = run(bench(dir, args.split(",")));
    assertEquals(2, r.code(), r.err() + r.out());
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, "one line: " + r.err());
    assertTrue(lines[0].startsWith("error: ") && lines[0].contains(expected), lines[0]);
    assertTrue(Files.notExists(dir.resolve("b.csv")), "nothing measured or written");
  }

  @Test
  void pythonWithoutTorchTellsHowToInstallIt(@TempDir Path dir) throws IOException {
    Path python = executable(dir.resolve("python"), "#!/bin/sh\nexit 1\n");
    Path script = Files.writeString(dir.resolve(TorchReference.SCRIPT), "# stand-in\n");
    Result r =
        run(bench(dir, "--torch", "--python", python.toString(), "--reference", script.toString()));
    assertEquals(2, r.code(), r.err() + r.out());
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, r.err());
    assertTrue(
        lines[0].contains("cannot import torch. Fix: run ")
            && lines[0].contains("bench/install-torch.sh")
            && lines[0].contains("--install-torch"),
        lines[0]);
    assertTrue(Files.notExists(dir.resolve("b.csv")));
  }

  @Test
  void installScriptExistsAndUsesApt() throws IOException {
    Path script = Path.of("install-torch.sh"); // the module's folder, bench/ in the repository
    String text = Files.readString(script);
    assertTrue(text.contains("apt-get install -y python3-torch"), text);
    assertTrue(Files.isExecutable(script));
  }

  @Test
  void theCommandIsRegisteredInModuleInfoAndInTheServiceFileAlike() throws IOException {
    // The launcher runs on the class path, where ServiceLoader reads only META-INF/services.
    Path classes = Path.of("target", "classes");
    java.lang.module.ModuleDescriptor descriptor;
    try (java.io.InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
      descriptor = java.lang.module.ModuleDescriptor.read(in);
    }
    String service = engram.core.cli.CommandProvider.class.getName();
    List<String> provides =
        descriptor.provides().stream()
            .filter(p -> p.service().equals(service))
            .flatMap(p -> p.providers().stream())
            .toList();
    assertEquals(List.of(BenchCommandProvider.class.getName()), provides);
    assertEquals(
        provides,
        Files.readAllLines(classes.resolve("META-INF/services/" + service)).stream()
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .toList());
  }

  private static Path executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }
}
