package engram.analysis.dimensionality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.common.Simulation;
import engram.analysis.fakes.SyntheticRun;
import engram.api.Analyzer.Checkpoint;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class DimensionalityAnalyzerTest {

  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int UNITS = 20;
  private static final double[] LATENT_VARIANCES = {4, 2, 1};

  /**
   * Checkpoint "low-rank" (N = 2): three independent AR(1) latents (τ = 3, 10, 30; variances 4, 2,
   * 1) read out through orthonormal loadings into 20 units plus a constant offset per unit — rank 3
   * exactly, with eigenvalues ≈ 4, 2, 1. Checkpoint "noise" (N = 5): 20 independent unit-variance
   * AR(1) units (full rank, all eigenvalues ≈ 1). Checkpoint "silent" (N = 6): constant activity.
   */
  private static final SyntheticRun.Dynamics LATENTS =
      (checkpoint, steps, trials, units, rng) -> {
        float[] values = new float[steps * trials * units];
        switch (checkpoint.name()) {
          case "low-rank" -> {
            double[][] loadings = orthonormalColumns(units, LATENT_VARIANCES.length, 17);
            double[] taus = {3, 10, 30};
            for (int j = 0; j < LATENT_VARIANCES.length; j++) {
              float[] latent = new float[steps * trials];
              SyntheticRun.addAr1(latent, steps, trials, 1, 0, taus[j], LATENT_VARIANCES[j], rng);
              for (int row = 0; row < steps * trials; row++) {
                for (int h = 0; h < units; h++) {
                  values[row * units + h] += (float) (loadings[h][j] * latent[row]);
                }
              }
            }
            for (int row = 0; row < steps * trials; row++) {
              for (int h = 0; h < units; h++) {
                values[row * units + h] += 0.5f * h; // means differ; PCA centres them away
              }
            }
          }
          case "noise" -> {
            for (int h = 0; h < units; h++) {
              SyntheticRun.addAr1(values, steps, trials, units, h, 2.0, 1.0, rng);
            }
          }
          default -> Arrays.fill(values, 0.25f);
        }
        return values;
      };

  /** k orthonormal columns in ℝ^n (Gram–Schmidt of seeded Gaussian vectors), {@code [n][k]}. */
  private static double[][] orthonormalColumns(int n, int k, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] q = new double[k][n];
    for (int j = 0; j < k; j++) {
      for (int i = 0; i < n; i++) {
        q[j][i] = rng.nextGaussian();
      }
      for (int p = 0; p < j; p++) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
          dot += q[j][i] * q[p][i];
        }
        for (int i = 0; i < n; i++) {
          q[j][i] -= dot * q[p][i];
        }
      }
      double norm = Math.sqrt(Arrays.stream(q[j]).map(v -> v * v).sum());
      for (int i = 0; i < n; i++) {
        q[j][i] /= norm;
      }
    }
    double[][] columns = new double[n][k];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        columns[i][j] = q[j][i];
      }
    }
    return columns;
  }

  private static Checkpoint checkpoint(String name, int epoch, int level) {
    return new Checkpoint(
        name, epoch, new int[] {level}, Map.of("w_rec", Nd4j.zeros(DataType.FLOAT, UNITS, UNITS)));
  }

  @Test
  void rankKActivityHasKComponentsAndNoiseHasMany(@TempDir Path dir) throws Exception {
    SyntheticRun run = new SyntheticRun("leaky-rnn", UNITS, 3, LATENTS);
    List<Checkpoint> checkpoints =
        List.of(
            checkpoint("low-rank", 10, 2), checkpoint("noise", 20, 5), checkpoint("silent", 30, 6));
    DimensionalityAnalyzer analyzer = new DimensionalityAnalyzer();
    analyzer.analyze(
        new DimensionalityAnalyzer.Config(CheckpointSelection.ALL, 10, 5000, 100, 0.9),
        new FakeAnalysisContext(checkpoints, dir, run));
    AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);
    assertEquals(List.of("stream", "h0", "stream", "h0", "stream", "h0"), run.randomNames);

    List<String> lines = Files.readAllLines(dir.resolve("dimensionality.csv"));
    assertEquals(
        "checkpoint,epoch,max_level,units,threshold,components,participation_ratio", lines.get(0));
    assertEquals(4, lines.size());
    String[] lowRank = lines.get(1).split(",");
    assertEquals(
        List.of("low-rank", "10", "2", "20", "0.9", "3"), Arrays.asList(lowRank).subList(0, 6));
    // PR of eigenvalues 4, 2, 1 is 49/21; the latents' sample variances differ by ~2%.
    assertEquals(49.0 / 21, Double.parseDouble(lowRank[6]), 0.1);
    String[] noise = lines.get(2).split(",");
    assertEquals(List.of("noise", "20", "5", "20", "0.9"), Arrays.asList(noise).subList(0, 5));
    assertTrue(Integer.parseInt(noise[5]) >= 16, "noise needs most components: " + noise[5]);
    assertTrue(Double.parseDouble(noise[6]) > 18, "noise PR ≈ 20: " + noise[6]);
    String[] silent = lines.get(3).split(",");
    assertEquals(List.of("silent", "30", "6", "20", "0.9", "0", "NaN"), Arrays.asList(silent));

    lines = Files.readAllLines(dir.resolve("dimensionality-spectrum.csv"));
    assertEquals("checkpoint,epoch,max_level,component,explained,cumulative", lines.get(0));
    assertEquals(1 + 3 * UNITS, lines.size());
    double cumulative = 0;
    for (int i = 0; i < UNITS; i++) {
      String[] f = lines.get(1 + i).split(",");
      assertEquals("low-rank", f[0]);
      assertEquals(i + 1, Integer.parseInt(f[3]));
      double explained = Double.parseDouble(f[4]);
      cumulative += explained;
      assertEquals(cumulative, Double.parseDouble(f[5]), 1e-12);
      if (i < 3) {
        assertEquals(LATENT_VARIANCES[i] / 7, explained, 0.03, "component " + (i + 1));
      } else {
        assertTrue(explained < 1e-9, "rank 3: component " + (i + 1) + " explains " + explained);
      }
    }
    assertEquals(1.0, cumulative, 1e-12);
    assertEquals("silent,30,6,1,NaN,NaN", lines.get(1 + 2 * UNITS));

    for (String png : List.of("explained-variance.png", "dimensionality-vs-N.png")) {
      byte[] bytes = Files.readAllBytes(dir.resolve(png));
      assertTrue(bytes.length > 1000, png);
      assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, PNG_MAGIC.length), png);
    }
  }

  /** Covariance against a direct two-pass computation; spectrum of a known diagonal matrix. */
  @Test
  void covarianceAndSpectrumMatchHandComputation() {
    RandomGenerator rng = new SplittableRandom(8);
    int steps = 7;
    int trials = 3;
    int units = 4;
    float[] values = new float[steps * trials * units];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rng.nextDouble(-1, 3);
    }
    double[][] c =
        DimensionalityAnalyzer.covariance(new Simulation.Activity(steps, trials, units, values));
    int m = steps * trials;
    for (int i = 0; i < units; i++) {
      for (int j = 0; j < units; j++) {
        double mi = 0;
        double mj = 0;
        for (int row = 0; row < m; row++) {
          mi += values[row * units + i] / (double) m;
          mj += values[row * units + j] / (double) m;
        }
        double s = 0;
        for (int row = 0; row < m; row++) {
          s += (values[row * units + i] - mi) * (values[row * units + j] - mj);
        }
        assertEquals(s / (m - 1), c[i][j], 1e-12, i + "," + j);
      }
    }
    // diag(1, 3, 0, 0) rotated by a permutation: eigenvalues 3, 1, 0, 0.
    double[][] diagonal = {{1, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 3, 0}, {0, 0, 0, 0}};
    DimensionalityAnalyzer.Spectrum s = DimensionalityAnalyzer.spectrum(diagonal, 0.75);
    assertArrayEquals(new double[] {0.75, 0.25, 0, 0}, s.explained(), 1e-12);
    assertArrayEquals(new double[] {0.75, 1, 1, 1}, s.cumulative(), 1e-12);
    assertEquals(1, s.components()); // 0.75 reaches 0.75
    assertEquals(16.0 / 10, s.participationRatio(), 1e-12); // (3 + 1)² / (9 + 1)
    assertEquals(2, DimensionalityAnalyzer.spectrum(diagonal, 0.76).components());
    assertEquals(2, DimensionalityAnalyzer.spectrum(diagonal, 1.0).components());
  }

  @Test
  void withoutARunOrCheckpointsItSaysSoAndWritesNothing(@TempDir Path dir) throws IOException {
    DimensionalityAnalyzer analyzer = new DimensionalityAnalyzer();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                analyzer.analyze(
                    analyzer.defaults(),
                    new FakeAnalysisContext(List.of(checkpoint("final", 1, 2)), dir)));
    assertTrue(
        e.getMessage()
            .startsWith(
                "dimensionality simulates the network, which needs the "
                    + "run behind the checkpoints: "),
        e.getMessage());
    e =
        assertThrows(
            IllegalStateException.class,
            () ->
                analyzer.analyze(
                    analyzer.defaults(),
                    new FakeAnalysisContext(
                        List.of(), dir, new SyntheticRun("gru", 2, 1, LATENTS))));
    assertEquals(
        "dimensionality was given no checkpoints, so there is no network to simulate."
            + " Fix: analyse a run that trained at least until its first checkpoint.",
        e.getMessage());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(), files.toList());
    }
  }

  @Test
  void configChecksAndDefaults() {
    DimensionalityAnalyzer analyzer = new DimensionalityAnalyzer();
    assertEquals(
        new DimensionalityAnalyzer.Config(CheckpointSelection.ALL, 10, 5000, 500, 0.9),
        analyzer.defaults());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new DimensionalityAnalyzer.Config(CheckpointSelection.ALL, 10, 5000, 500, 0));
    assertEquals("threshold must be a fraction in (0, 1], e.g. 0.9 (was 0.0)", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new DimensionalityAnalyzer.Config(CheckpointSelection.LAST, 0, 5000, 500, 0.9));
    assertEquals("dimensionality", analyzer.info().id());
  }
}
