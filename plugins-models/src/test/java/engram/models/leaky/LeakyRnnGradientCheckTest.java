package engram.models.leaky;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.runtime.Networks;
import engram.testkit.TestArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Backward pass against central finite differences of our own forward pass, in float64, for every
 * trainable parameter, both placements of φ and each nonlinearity, on the cell run step by step and
 * on the network core builds (the fused kernel where it applies). The loss is Σ w ⊙ h over all
 * steps with random weights w, so dL/dh is a dense random tensor.
 */
@Tag("slow") // excluded by -Pfast; CI runs it (docs/perf/test-times.md)
class LeakyRnnGradientCheckTest {
  private static final int H = 6;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 16;
  // 1e-5, not 1e-6: with 288 summed terms, rounding in L makes ±1e-6 differences noisy at the
  // 1e-8 level, while the truncation error of ±1e-5 is far below it (ReLUs are piecewise linear
  // and kinks are kept 1e-4 away).
  private static final double EPS = 1e-5;

  /** Two τ below 1 (clamped: zero gradient), the rest spread above 1; none within 0.05 of 1. */
  private static final double[] TAUS = {0.6, 1.3, 0.9, 1.7, 2.4, 3.1};

  static Stream<Arguments> variants() {
    List<Arguments> list = new ArrayList<>();
    for (Phi phi : Phi.values()) {
      for (Nonlinearity nl : Nonlinearity.values()) {
        for (Networks.Kernels kernels : Networks.Kernels.values()) {
          list.add(Arguments.of(phi, nl, kernels));
        }
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "phi {0}, {1}, kernels {2}")
  @MethodSource("variants")
  void backwardMatchesCentralDifferences(Phi phi, Nonlinearity nl, Networks.Kernels kernels) {
    Config config = TestSupport.config(H, nl, 0.2, phi);
    Network net = TestSupport.network(config, I, DataType.DOUBLE, 11, kernels);
    TestArrays.param(net, "taus").assign(Nd4j.createFromArray(TAUS));
    // Stronger recurrence than the default init, so that the recurrent path matters.
    TestArrays.param(net, "w_rec").muli(2.5);
    SplittableRandom rng = new SplittableRandom(2024);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = TestArrays.gaussian(rng, DataType.DOUBLE, B, H).muli(0.5);
    INDArray weights = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, H);

    assertAwayFromKinks(config, net, x, h0, nl);

    Trajectory traj = net.forward(x, h0);
    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    net.backward(traj, weights.dup(), grads);
    assertEquals(5, grads.size());

    for (Parameter p : net.parameters()) {
      INDArray analytic = grads.get(p.name());
      INDArray numeric = numericGradient(net, p.value(), x, h0, weights);
      assertClose(p.name(), analytic, numeric);
    }
    INDArray gRec = grads.get("w_rec");
    for (int i = 0; i < H; i++) {
      assertEquals(0.0, gRec.getDouble(i, i), 0.0, "w_rec diagonal gradient must be exactly 0");
    }
    INDArray gTau = grads.get("taus");
    for (int i = 0; i < H; i++) {
      if (TAUS[i] < 1) {
        assertEquals(
            0.0, gTau.getDouble(i), 0.0, "τ < 1 is clamped: its gradient must be exactly 0");
      } else {
        assertTrue(Math.abs(gTau.getDouble(i)) > 1e-6, "τ ≥ 1 should get a real gradient");
      }
    }
    // The off-diagonal recurrent gradient is not trivially small.
    assertTrue(gRec.norm2Number().doubleValue() > 1e-2);
  }

  /** Central differences of L = Σ w ⊙ h, element by element. */
  private static INDArray numericGradient(
      Network net, INDArray p, INDArray x, INDArray h0, INDArray weights) {
    INDArray flat = p.reshape(p.length()); // a view: parameters are contiguous
    INDArray out = Nd4j.create(DataType.DOUBLE, p.shape());
    INDArray outFlat = out.reshape(out.length());
    for (long i = 0; i < flat.length(); i++) {
      double orig = flat.getDouble(i);
      flat.putScalar(i, orig + EPS);
      double plus = loss(net, x, h0, weights);
      flat.putScalar(i, orig - EPS);
      double minus = loss(net, x, h0, weights);
      flat.putScalar(i, orig);
      outFlat.putScalar(i, (plus - minus) / (2 * EPS));
    }
    return out;
  }

  private static double loss(Network net, INDArray x, INDArray h0, INDArray weights) {
    return net.forward(x, h0).hidden().mul(weights).sumNumber().doubleValue();
  }

  private static void assertClose(String name, INDArray analytic, INDArray numeric) {
    double diff = analytic.sub(numeric).norm2Number().doubleValue();
    double scale =
        Math.max(analytic.norm2Number().doubleValue(), numeric.norm2Number().doubleValue());
    assertTrue(scale > 0, name + ": gradient is identically zero");
    assertTrue(diff / scale <= 1e-6, name + ": relative error " + diff / scale);
    double[] a = analytic.dup().data().asDouble();
    double[] n = numeric.dup().data().asDouble();
    for (int i = 0; i < a.length; i++) {
      double tol = 1e-6 * Math.max(Math.abs(a[i]), Math.abs(n[i])) + 1e-8;
      assertTrue(
          Math.abs(a[i] - n[i]) <= tol,
          name + "[" + i + "]: analytic " + a[i] + " vs numeric " + n[i]);
    }
  }

  /**
   * Guards against flaky finite differences: with the reference forward pass (plain Java, from the
   * equations) check our hidden states, and that no argument of a ReLU-type φ lies within 1e-4 of
   * its kink, so that ±EPS on a parameter cannot cross it.
   */
  private static void assertAwayFromKinks(
      Config config, Network net, INDArray x, INDArray h0, Nonlinearity nl) {
    double[][][] drives = new double[T][B][H];
    double[][][] ref =
        TestSupport.referenceForward(
            config,
            TestArrays.param(net, "w_in").toDoubleMatrix(),
            TestArrays.param(net, "b_in").toDoubleVector(),
            TestArrays.param(net, "w_rec").toDoubleMatrix(),
            TestArrays.param(net, "b_rec").toDoubleVector(),
            TestArrays.param(net, "taus").toDoubleVector(),
            to3d(x),
            h0.toDoubleMatrix(),
            drives);
    INDArray hidden = net.forward(x, h0).hidden();
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        assertArrayEquals(ref[t][b], hidden.slice(t).getRow(b).toDoubleVector(), 1e-12);
        for (int i = 0; i < H; i++) {
          if (nl != Nonlinearity.TANH) {
            assertTrue(Math.abs(drives[t][b][i]) > 1e-4, "too close to the kink; change the seed");
          }
        }
      }
    }
  }

  private static double[][][] to3d(INDArray a) {
    double[][][] out = new double[(int) a.size(0)][][];
    for (int t = 0; t < out.length; t++) {
      out[t] = a.slice(t).toDoubleMatrix();
    }
    return out;
  }
}
