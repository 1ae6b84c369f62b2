package engram.analysis.connectivity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Analyzer.Checkpoint;
import engram.api.Analyzer.Context;
import engram.testkit.AnalyzerTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ConnectivityAnalyzerTest {

  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  record TestContext(List<Checkpoint> checkpoints, Path outputDirectory) implements Context {}

  private static Checkpoint checkpoint(String name, int epoch, int[] levels, double[][] w) {
    return new Checkpoint(
        name,
        epoch,
        levels,
        Map.of(
            "w_rec",
            Nd4j.createFromArray(w).castTo(DataType.FLOAT),
            "taus",
            Nd4j.ones(DataType.FLOAT, w.length)));
  }

  @Test
  void rotationHasSpectralRadiusOfItsScale() {
    // [[0, −0.7], [0.7, 0]] has eigenvalues ±0.7i: no real eigenvalue, |λ| = 0.7.
    assertEquals(
        0.7, ConnectivityAnalyzer.spectralRadius(new double[][] {{0, -0.7}, {0.7, 0}}), 1e-12);
  }

  @Test
  void cyclicMatrixHasKnownEigenvalues() {
    // W e1 = 4 e3, W e3 = 3 e2, W e2 = 2 e1 → W³ = 24·I, eigenvalues 24^(1/3)·(cube roots of 1):
    // one real, two complex, all of modulus 24^(1/3).
    double[][] w = {{0, 2, 0}, {0, 0, 3}, {4, 0, 0}};
    assertEquals(Math.cbrt(24), ConnectivityAnalyzer.spectralRadius(w), 1e-9);
    // Symmetric all-ones off the diagonal: eigenvalues 2, −1, −1.
    assertEquals(
        2,
        ConnectivityAnalyzer.spectralRadius(new double[][] {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}}),
        1e-9);
  }

  @Test
  void csvMatchesHandComputationAndFiguresArePngs(@TempDir Path dir) throws Exception {
    double[][] rotation = {{0, -0.7}, {0.7, 0}}; // off-diagonal −0.7, 0.7: mean 0, std 0.7
    // Off-diagonal (row-major) 2, 0, 0, 3, 4, 0: mean 9/6 = 1.5,
    // variance = (0.25 + 2.25 + 2.25 + 2.25 + 6.25 + 2.25)/6 = 15.5/6. The diagonal (here 5) is
    // ignored by the statistics but enters the spectrum: W = 5I + C with C³ = 24I, so
    // λ = 5 + 24^(1/3)·ω and ρ = 5 + 24^(1/3) (at ω = 1).
    double[][] cyclic = {{5, 2, 0}, {0, 5, 3}, {4, 0, 5}};
    Context ctx =
        new TestContext(
            List.of(
                checkpoint("epoch-0010", 10, new int[] {2}, rotation),
                checkpoint("epoch-0020", 20, new int[] {2, 3}, cyclic)),
            dir);

    ConnectivityAnalyzer analyzer = new ConnectivityAnalyzer();
    analyzer.analyze(analyzer.defaults(), ctx);
    AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);

    List<String> lines = Files.readAllLines(dir.resolve("connectivity.csv"));
    assertEquals("checkpoint,epoch,max_level,mean_weight,std_weight,spectral_radius", lines.get(0));
    assertEquals(3, lines.size());
    assertRow(lines.get(1), "epoch-0010", 10, 2, 0, 0.7, 0.7);
    assertRow(lines.get(2), "epoch-0020", 20, 3, 1.5, Math.sqrt(15.5 / 6), 5 + Math.cbrt(24));

    for (String png : List.of("connectivity-vs-N.png", "weights-histogram.png")) {
      byte[] bytes = Files.readAllBytes(dir.resolve(png));
      assertTrue(bytes.length > PNG_MAGIC.length, png);
      assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, PNG_MAGIC.length), png);
    }
  }

  private static void assertRow(
      String line, String name, int epoch, int maxLevel, double mean, double std, double radius) {
    String[] f = line.split(",");
    assertEquals(6, f.length, line);
    assertEquals(name, f[0]);
    assertEquals(epoch, Integer.parseInt(f[1]));
    assertEquals(maxLevel, Integer.parseInt(f[2]));
    // weights are stored as float32 in the checkpoint: compare at float precision
    assertEquals(mean, Double.parseDouble(f[3]), 1e-6, line);
    assertEquals(std, Double.parseDouble(f[4]), 1e-6, line);
    assertEquals(radius, Double.parseDouble(f[5]), 1e-5, line);
  }

  @Test
  void missingRecurrentMatrixSaysWhatIsThereAndWritesNothing(@TempDir Path dir) {
    Checkpoint lstm =
        new Checkpoint(
            "epoch-0005",
            5,
            new int[] {2},
            Map.of(
                "w_hh",
                Nd4j.zeros(DataType.FLOAT, 8, 2),
                "w_in",
                Nd4j.zeros(DataType.FLOAT, 8, 1)));
    ConnectivityAnalyzer analyzer = new ConnectivityAnalyzer();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> analyzer.analyze(analyzer.defaults(), new TestContext(List.of(lstm), dir)));
    assertEquals(
        "connectivity needs a recurrent matrix named w_rec (e.g. a leaky-rnn); "
            + "checkpoint 'epoch-0005' has [w_hh, w_in]",
        e.getMessage());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count());
    } catch (java.io.IOException io) {
      throw new AssertionError(io);
    }
  }

  @Test
  void configAndInfo() {
    assertThrows(IllegalArgumentException.class, () -> new ConnectivityAnalyzer.Config(0));
    assertEquals(30, new ConnectivityAnalyzer().defaults().bins());
    assertEquals("connectivity", new ConnectivityAnalyzer().info().id());
  }
}
