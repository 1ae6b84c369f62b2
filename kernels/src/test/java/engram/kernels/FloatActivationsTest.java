package engram.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The vectorised float σ and tanh against the exact functions (Math.tanh and 1/(1 + Math.exp(−x))
 * in double): every 997th float of either sign from 0 up to +∞ (about 2 million values spread over
 * all exponents), plus the special values. Error bounds as documented: tanh within 7 ulp, σ within
 * 3 ulp wherever σ ≥ 1e−37.
 */
class FloatActivationsTest {

  @Test
  void tanhIsWithinSevenUlpAndSigmoidWithinThreeEverywhere() {
    int n = 0;
    float[] x = new float[2 * (0x7F800000 / 997 + 1)];
    for (int bits = 0; bits <= 0x7F800000; bits += 997) {
      float v = Float.intBitsToFloat(bits);
      x[n++] = v;
      x[n++] = -v;
    }
    float[] t = new float[n];
    float[] s = new float[n];
    float[] scratch = new float[n];
    FloatActivations.tanh(x, t, n);
    FloatActivations.sigmoid(x, s, scratch, n);
    double worstTanh = 0;
    double worstSigmoid = 0;
    for (int i = 0; i < n; i++) {
      double exactT = Math.tanh(x[i]);
      worstTanh = Math.max(worstTanh, Math.abs(t[i] - exactT) / Math.ulp((float) exactT));
      double exactS = 1 / (1 + Math.exp(-(double) x[i]));
      if (exactS >= 1e-37) {
        worstSigmoid = Math.max(worstSigmoid, Math.abs(s[i] - exactS) / Math.ulp((float) exactS));
      } else {
        assertTrue(s[i] >= 0 && s[i] < 1e-37, "σ(" + x[i] + ") = " + s[i]);
      }
    }
    assertTrue(worstTanh <= 7, "tanh: " + worstTanh + " ulp");
    assertTrue(worstSigmoid <= 3, "σ: " + worstSigmoid + " ulp");
    assertTrue(worstTanh > 0 && worstSigmoid > 0, "approximations, not the exact functions");
  }

  @Test
  void specialValues() {
    float[] x = {0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f, Float.NaN};
    float[] t = new float[x.length];
    float[] s = new float[x.length];
    FloatActivations.tanh(x, t, x.length);
    FloatActivations.sigmoid(x, s, new float[x.length], x.length);
    assertEquals(0f, t[0]);
    assertEquals(0.5f, s[0]);
    assertEquals(1f, t[1]);
    assertEquals(1f, s[1]);
    assertEquals(-1f, t[2]);
    assertTrue(s[2] >= 0 && s[2] < 1e-37);
    assertEquals(1f, t[3]);
    assertEquals(1f, s[3]);
    assertEquals(-1f, t[4]);
    assertTrue(s[4] >= 0 && s[4] < 1e-37);
    assertTrue(Float.isNaN(t[5]) && Float.isNaN(s[5]), "NaN stays NaN");
    // In place (out = x) gives the same values.
    float[] y = {-3f, 0.25f, 7f};
    float[] expected = new float[3];
    FloatActivations.sigmoid(y, expected, new float[3], 3);
    FloatActivations.sigmoid(y, y, new float[3], 3);
    assertEquals(expected[0], y[0]);
    assertEquals(expected[1], y[1]);
    assertEquals(expected[2], y[2]);
  }
}
