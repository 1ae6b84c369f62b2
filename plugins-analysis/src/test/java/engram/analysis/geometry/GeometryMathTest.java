package engram.analysis.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The metrics on synthetic states and weights whose answers are known. */
class GeometryMathTest {

  static double gaussian(SplittableRandom rng) {
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble()))
        * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  static double[][] gaussian(SplittableRandom rng, int n, int d) {
    double[][] x = new double[n][d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        row[j] = gaussian(rng);
      }
    }
    return x;
  }

  /** A random rotation of R^d: Gram–Schmidt on Gaussian columns. */
  static double[][] rotation(SplittableRandom rng, int d) {
    double[][] q = gaussian(rng, d, d);
    for (int i = 0; i < d; i++) {
      for (int k = 0; k < i; k++) {
        double dot = 0;
        for (int j = 0; j < d; j++) {
          dot += q[i][j] * q[k][j];
        }
        for (int j = 0; j < d; j++) {
          q[i][j] -= dot * q[k][j];
        }
      }
      double norm = Math.sqrt(GeometryMath.squaredDistance(q[i], new double[d]));
      for (int j = 0; j < d; j++) {
        q[i][j] /= norm;
      }
    }
    return q;
  }

  @Test
  void ckaOfARotatedScaledShiftedCopyIsOne() {
    SplittableRandom rng = new SplittableRandom(1);
    double[][] x = gaussian(rng, 200, 6);
    double[][] q = rotation(rng, 6);
    double[][] y = new double[200][6];
    for (int i = 0; i < 200; i++) {
      for (int a = 0; a < 6; a++) {
        for (int j = 0; j < 6; j++) {
          y[i][a] += 3.0 * q[a][j] * x[i][j];
        }
        y[i][a] += 5;
      }
    }
    assertEquals(1.0, GeometryMath.linearCka(x, y), 1e-12);
    // Independent states: E[CKA] ≈ d/n-ish, far below 1.
    assertTrue(GeometryMath.linearCka(x, gaussian(rng, 200, 6)) < 0.1);
  }

  @Test
  void effectiveRankOfARankTwoUpdateIsTwo() {
    SplittableRandom rng = new SplittableRandom(2);
    int h = 8;
    double[][] q = rotation(rng, h);
    double[][] r = rotation(rng, h);
    // ΔW = 2·(q0 r0ᵀ + q1 r1ᵀ): two equal singular values 2.
    double[][] delta = new double[h][h];
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < h; j++) {
        delta[i][j] = 2 * (q[0][i] * r[0][j] + q[1][i] * r[1][j]);
      }
    }
    double[] sv = GeometryMath.singularValues(delta);
    assertEquals(2, sv[0], 1e-12);
    assertEquals(2, sv[1], 1e-12);
    assertEquals(0, sv[2], 1e-12);
    double[] squared = new double[sv.length];
    for (int i = 0; i < sv.length; i++) {
      squared[i] = sv[i] * sv[i];
    }
    assertEquals(2.0, GeometryMath.participationRatio(squared), 1e-12);
  }

  @Test
  void eigenvalueModuliOfAScaledRotationBlock() {
    // Block diag(0.9·R(θ), 0.5): moduli 0.9, 0.9, 0.5.
    double c = 0.9 * Math.cos(0.3);
    double s = 0.9 * Math.sin(0.3);
    double[] moduli =
        GeometryMath.eigenvalueModuli(new double[][] {{c, -s, 0}, {s, c, 0}, {0, 0, 0.5}});
    assertEquals(0.9, moduli[0], 1e-12);
    assertEquals(0.9, moduli[1], 1e-12);
    assertEquals(0.5, moduli[2], 1e-12);
  }

  @Test
  void separationOfTwoGaussianCloudsAtAKnownDistance() {
    SplittableRandom rng = new SplittableRandom(3);
    int n = 4000;
    int d = 4;
    double sigma = 0.5;
    double distance = 3;
    double[][] z = new double[n][d];
    int[] condition = new int[n];
    for (int i = 0; i < n; i++) {
      condition[i] = i % 2;
      for (int j = 0; j < d; j++) {
        z[i][j] = sigma * gaussian(rng) + (j == 0 && condition[i] == 1 ? distance : 0);
      }
    }
    // D/(σ√d) = 3/(0.5·2) = 3.
    assertEquals(3.0, GeometryMath.separation(z, condition, 2), 0.05);
  }

  @Test
  void decoderReadsSeparatedCloudsAndNotIdenticalOnes() {
    SplittableRandom rng = new SplittableRandom(4);
    int n = 600;
    double[][] apart = new double[n][3];
    double[][] same = new double[n][3];
    int[] condition = new int[n];
    int[] trial = new int[n];
    for (int i = 0; i < n; i++) {
      condition[i] = i % 3;
      trial[i] = i / 6;
      for (int j = 0; j < 3; j++) {
        same[i][j] = gaussian(rng);
        apart[i][j] = 0.3 * gaussian(rng) + (j == condition[i] ? 4 : 0);
      }
    }
    assertEquals(1.0, GeometryMath.decodingAccuracy(apart, condition, trial, 3, 5, 1e-3), 1e-12);
    double chance = GeometryMath.decodingAccuracy(same, condition, trial, 3, 5, 1e-3);
    assertTrue(chance > 0.2 && chance < 0.45, "chance is 1/3, got " + chance);
  }

  @Test
  void pcaFindsTheAxisOfLargestVariance() {
    SplittableRandom rng = new SplittableRandom(5);
    double[][] x = gaussian(rng, 2000, 3);
    for (double[] row : x) {
      row[2] *= 10;
    }
    GeometryMath.Pca pca = GeometryMath.Pca.fit(x, 2);
    assertEquals(1.0, Math.abs(pca.axes()[0][2]), 1e-3);
    assertEquals(100, pca.variances()[0], 10);
    assertEquals(2, pca.axes().length);
  }

  @Test
  void participationRatioOfAFlatSpectrumIsItsLength() {
    assertEquals(4.0, GeometryMath.participationRatio(new double[] {2, 2, 2, 2}), 1e-12);
    assertEquals(1.0, GeometryMath.participationRatio(new double[] {5, 0, 0}), 1e-12);
  }
}
