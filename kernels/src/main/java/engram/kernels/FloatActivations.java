package engram.kernels;

/**
 * σ and tanh over {@code float[]} blocks in plain Java loops that C2 (JDK 17) compiles to vector
 * code, for the gated networks' fused float32 step loops. Why not the obvious alternatives: ND4J's
 * Sigmoid and Tanh are not vectorised in ND4J 1.0.0-M2.1's CPU backend, and C2 does not vectorise
 * the intrinsics {@code Math.exp} and {@code Math.tanh}; these loops were 4 to 90 times faster than
 * either (docs/perf/code-measurements.md).
 *
 * <ul>
 *   <li><b>tanh</b> is Eigen's float rational approximation (an odd numerator of degree 13 over an
 *       even denominator of degree 6, the input clamped to ±7.9053, beyond which tanh rounds to ±1
 *       in float): within 7 ulp of the exact value over the whole float range (checked by a test),
 *       using only +, ×, /, min and max.
 *   <li><b>σ</b>(x) = 1/(1 + e^{−x}) with e^v = 2^k·p(r), k = round(v·log₂e), r = v − k·ln 2
 *       (Cody–Waite, two-part ln 2) and p Cephes' degree-7 polynomial of expf; v = −x clamped to
 *       [−87, 88] so that 2^k is a normal float. Within 3 ulp of the exact σ wherever σ ≥ 1e−37
 *       (below, σ is 0 or a denormal either way). The rounding k is taken with the 1.5·2²³ trick
 *       and 2^k is built from the bits of that sum, because C2 vectorises float↔int bit moves but
 *       not a float-to-int conversion; the bit step runs in a second loop, as one loop mixing the
 *       float polynomial with the int arithmetic was not vectorised.
 * </ul>
 *
 * <p>Loops are flat and branch-free (C2 vectorises neither nested nor branching loops); {@code out}
 * may be the input array. Stateless.
 */
public final class FloatActivations {
  private FloatActivations() {}

  private static final float TANH_CLAMP = 7.90531110763549805f;
  private static final float ROUNDING = 12582912f; // 1.5·2²³: x + this rounds x to an integer
  private static final int ROUNDING_BITS = 0x4B400000; // the bits of 1.5·2²³

  /** out[i] = tanh(x[i]) for i in [0, n). */
  public static void tanh(float[] x, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = tanh(x[i]);
    }
  }

  /** tanh of one value (the same arithmetic as the block form). */
  public static float tanh(float x) {
    float v = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, x));
    float v2 = v * v;
    float p = -2.76076847742355e-16f;
    p = p * v2 + 2.00018790482477e-13f;
    p = p * v2 + -8.60467152213735e-11f;
    p = p * v2 + 5.12229709037114e-08f;
    p = p * v2 + 1.48572235717979e-05f;
    p = p * v2 + 6.37261928875436e-04f;
    p = p * v2 + 4.89352455891786e-03f;
    float q = 1.19825839466702e-06f;
    q = q * v2 + 1.18534705686654e-04f;
    q = q * v2 + 2.26843463243900e-03f;
    q = q * v2 + 4.89352518554385e-03f;
    // (p/q)·v rather than (p·v)/q: for tiny x, p·v would lose its bits to underflow.
    return p / q * v;
  }

  /**
   * out[i] = σ(x[i]) for i in [0, n); {@code scratch} (length ≥ n, distinct from x and out) holds
   * the rounded exponents between the two loops.
   */
  public static void sigmoid(float[] x, float[] out, float[] scratch, int n) {
    // Loop 1 (float only): e^{−x} = 2^k·p(r); out ← p(r), scratch ← v·log₂e + 1.5·2²³ (k in its
    // bits).
    for (int i = 0; i < n; i++) {
      float v = Math.max(-87f, Math.min(88f, -x[i]));
      float shifted = v * 1.44269504088896341f + ROUNDING;
      float k = shifted - ROUNDING;
      float r = v - k * 0.693359375f - k * -2.12194440e-4f;
      float p = 1.9875691500e-4f;
      p = p * r + 1.3981999507e-3f;
      p = p * r + 8.3334519073e-3f;
      p = p * r + 4.1665795894e-2f;
      p = p * r + 1.6666665459e-1f;
      p = p * r + 5.0000001201e-1f;
      out[i] = p * r * r + r + 1f;
      scratch[i] = shifted;
    }
    // Loop 2: 2^k from the bits (k + 127 in the exponent field), then σ = 1/(1 + e^{−x}).
    for (int i = 0; i < n; i++) {
      float twoK =
          Float.intBitsToFloat((Float.floatToRawIntBits(scratch[i]) - ROUNDING_BITS + 127) << 23);
      out[i] = 1f / (1f + out[i] * twoK);
    }
  }
}
