package engram.analysis.tau;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Analyzer.Checkpoint;
import engram.api.Analyzer.Context;
import engram.testkit.AnalyzerTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class TauStatsAnalyzerTest {

  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  record TestContext(List<Checkpoint> checkpoints, Path outputDirectory) implements Context {}

  private static Checkpoint checkpoint(String name, int epoch, int[] levels, double[] taus) {
    return new Checkpoint(
        name,
        epoch,
        levels,
        Map.of(
            "taus",
            Nd4j.createFromArray(taus).castTo(DataType.FLOAT),
            "w_rec",
            Nd4j.zeros(DataType.FLOAT, taus.length, taus.length)));
  }

  @Test
  void csvMatchesHandComputationAndFiguresArePngs(@TempDir Path dir) throws Exception {
    // τ = [0.5, 1, 2, 3, 6] → τ̃ = [1, 1, 2, 3, 6]: mean 13/5 = 2.6,
    // variance = (1.6² + 1.6² + 0.6² + 0.4² + 3.4²)/5 = 17.2/5 = 3.44, median 2, one τ below 1.
    double[] first = {0.5, 1, 2, 3, 6};
    // τ = [4, 0.25, 0.5, 8] → τ̃ = [4, 1, 1, 8]: mean 3.5, var = (0.25+6.25+6.25+20.25)/4 = 8.25,
    // median (1 + 4)/2 = 2.5, two of four below 1.
    double[] second = {4, 0.25, 0.5, 8};
    Context ctx =
        new TestContext(
            List.of(
                checkpoint("epoch-0010", 10, new int[] {2}, first),
                checkpoint("epoch-0020", 20, new int[] {2, 3}, second)),
            dir);

    TauStatsAnalyzer analyzer = new TauStatsAnalyzer();
    analyzer.analyze(analyzer.defaults(), ctx);
    AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);

    List<String> lines = Files.readAllLines(dir.resolve("tau-stats.csv"));
    assertEquals(
        "checkpoint,epoch,max_level,mean,std,min,median,max,fraction_clamped", lines.get(0));
    assertEquals(3, lines.size());
    assertRow(lines.get(1), "epoch-0010", 10, 2, 2.6, Math.sqrt(3.44), 1, 2, 6, 0.2);
    assertRow(lines.get(2), "epoch-0020", 20, 3, 3.5, Math.sqrt(8.25), 1, 2.5, 8, 0.5);

    for (String png : List.of("tau-vs-N.png", "tau-histogram.png")) {
      byte[] bytes = Files.readAllBytes(dir.resolve(png));
      assertTrue(bytes.length > PNG_MAGIC.length, png);
      assertArrayEquals(PNG_MAGIC, java.util.Arrays.copyOf(bytes, PNG_MAGIC.length), png);
    }
  }

  private static void assertRow(
      String line,
      String name,
      int epoch,
      int maxLevel,
      double mean,
      double std,
      double min,
      double median,
      double max,
      double fraction) {
    String[] f = line.split(",");
    assertEquals(9, f.length, line);
    assertEquals(name, f[0]);
    assertEquals(epoch, Integer.parseInt(f[1]));
    assertEquals(maxLevel, Integer.parseInt(f[2]));
    double[] expected = {mean, std, min, median, max, fraction};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], Double.parseDouble(f[3 + i]), 1e-6, line + " column " + (3 + i));
    }
  }

  @Test
  void checkpointsWithoutTausSayWhatIsMissingAndWriteNothing(@TempDir Path dir) throws Exception {
    Checkpoint gru =
        new Checkpoint(
            "epoch-0005",
            5,
            new int[] {2},
            Map.of(
                "w_hh", Nd4j.zeros(DataType.FLOAT, 6, 2), "b_in", Nd4j.zeros(DataType.FLOAT, 2)));
    TauStatsAnalyzer analyzer = new TauStatsAnalyzer();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> analyzer.analyze(analyzer.defaults(), new TestContext(List.of(gru), dir)));
    assertEquals(
        "tau-stats needs checkpoints with a 'taus' tensor (a leaky-rnn, or gru/lstm with "
            + "tau-leak: true); this run's checkpoints have [b_in, w_hh]",
        e.getMessage());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void binsMustBePositive() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new TauStatsAnalyzer.Config(0));
    assertTrue(e.getMessage().startsWith("bins"), e.getMessage());
    assertEquals(30, new TauStatsAnalyzer().defaults().bins());
    assertEquals("tau-stats", new TauStatsAnalyzer().info().id());
  }
}
