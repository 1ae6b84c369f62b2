package engram.models.leaky;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Parameter;
import engram.api.Trajectory;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.testkit.GradientCheck;
import engram.testkit.TestArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The additive drive ξ of {@code forward(inputs, h0, drive)}: gradients against central finite
 * differences with a nonzero drive (in particular the drive's term in dτ for φ outside), no change
 * without one, a hand-computed step, and shape validation.
 */
class LeakyRnnDriveTest {
  private static final int H = 6;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 16;

  /** Two τ below 1 (clamped: zero gradient), the rest spread above 1; none within 0.05 of 1. */
  private static final double[] TAUS = {0.6, 1.3, 0.9, 1.7, 2.4, 3.1};

  static Stream<Arguments> variants() {
    List<Arguments> list = new ArrayList<>();
    for (Phi phi : Phi.values()) {
      for (Nonlinearity nl : List.of(Nonlinearity.TANH, Nonlinearity.LEAKY_RELU)) {
        list.add(Arguments.of(phi, nl));
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "phi {0}, {1}")
  @MethodSource("variants")
  void backwardWithDriveMatchesCentralDifferences(Phi phi, Nonlinearity nl) {
    Config config = TestSupport.config(H, nl, 0.2, phi);
    Network net = TestSupport.network(config, I, DataType.DOUBLE, 11);
    TestArrays.param(net, "taus").assign(Nd4j.createFromArray(TAUS));
    TestArrays.param(net, "w_rec").muli(2.5);
    SplittableRandom rng = new SplittableRandom(2024);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = TestArrays.gaussian(rng, DataType.DOUBLE, B, H).muli(0.5);
    INDArray weights = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, H);
    INDArray drive = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, H).muli(0.7);

    assertReferenceAndAwayFromKinks(config, net, x, h0, drive, nl);

    // The caller's array is changed after forward: backward must not depend on it.
    INDArray callerDrive = drive.dup();
    Trajectory traj = net.forward(x, h0, callerDrive);
    callerDrive.assign(123.0);
    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    net.backward(traj, weights.dup(), grads);
    assertEquals(5, grads.size());

    for (Parameter p : net.parameters()) {
      INDArray numeric = numericGradient(net, p.value(), x, h0, drive, weights);
      GradientCheck.assertClose(p.name(), grads.get(p.name()), numeric, 1e-6);
    }
    INDArray gTau = grads.get("taus");
    for (int i = 0; i < H; i++) {
      if (TAUS[i] < 1) {
        assertEquals(0.0, gTau.getDouble(i), 0.0, "τ < 1 is clamped: its gradient must be 0");
      } else {
        assertTrue(Math.abs(gTau.getDouble(i)) > 1e-6, "τ ≥ 1 should get a real gradient");
      }
    }
    // The drive matters for the gradient (so the check above is not vacuous).
    Trajectory plain = net.forward(x, h0);
    Map<String, INDArray> plainGrads = TestArrays.gradientArrays(net);
    net.backward(plain, weights.dup(), plainGrads);
    assertTrue(plainGrads.get("taus").sub(gTau).norm2Number().doubleValue() > 1e-3);
  }

  @ParameterizedTest(name = "phi {0}")
  @EnumSource(Phi.class)
  void zeroOrNullDriveIsBitIdenticalToNoDrive(Phi phi) {
    Config config = TestSupport.config(H, Nonlinearity.LEAKY_RELU, 0.01, phi);
    for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT)) {
      Network net = TestSupport.network(config, I, type, 5);
      SplittableRandom rng = new SplittableRandom(77);
      INDArray x = TestArrays.gaussian(rng, type, T, B, I);
      INDArray h0 = TestArrays.gaussian(rng, type, B, H);
      INDArray weights = TestArrays.gaussian(rng, type, T, B, H);

      Trajectory plain = net.forward(x, h0);
      INDArray expected = plain.hidden().dup();
      Map<String, INDArray> expectedGrads = TestArrays.gradientArrays(net);
      net.backward(plain, weights.dup(), expectedGrads);

      INDArray actual = net.forward(x, h0, null).hidden().dup();
      TestArrays.assertIdentical(expected, actual, "null drive, " + type);

      Trajectory zero = net.forward(x, h0, Nd4j.zeros(type, T, B, H));
      TestArrays.assertIdentical(expected, zero.hidden(), "zero drive, " + type);
      Map<String, INDArray> zeroGrads = TestArrays.gradientArrays(net);
      net.backward(zero, weights.dup(), zeroGrads);
      for (String name : expectedGrads.keySet()) {
        TestArrays.assertIdentical(
            expectedGrads.get(name), zeroGrads.get(name), name + ", zero drive, " + type);
      }
    }
  }

  @ParameterizedTest(name = "phi {0}")
  @EnumSource(Phi.class)
  void oneStepMatchesHandComputation(Phi phi) {
    Config config = TestSupport.config(2, Nonlinearity.TANH, 0.0, phi);
    Network net = TestSupport.network(config, 1, DataType.DOUBLE, 3);
    TestArrays.param(net, "w_in").assign(Nd4j.createFromArray(new double[][] {{0.5}, {-0.3}}));
    TestArrays.param(net, "b_in").assign(Nd4j.createFromArray(0.1, -0.2));
    TestArrays.param(net, "w_rec")
        .assign(Nd4j.createFromArray(new double[][] {{0.0, 0.8}, {-0.6, 0.0}}));
    TestArrays.param(net, "b_rec").assign(Nd4j.createFromArray(0.05, 0.15));
    TestArrays.param(net, "taus").assign(Nd4j.createFromArray(2.0, 4.0));
    INDArray x = Nd4j.createFromArray(0.7).reshape(1, 1, 1);
    INDArray h0 = Nd4j.createFromArray(new double[][] {{0.3, -0.4}});
    INDArray drive = Nd4j.createFromArray(0.25, -0.9).reshape(1, 1, 2);

    // Arguments without the drive: W h_0 + b_rec + W_in x + b_in.
    double u0 = 0.8 * -0.4 + 0.05 + 0.5 * 0.7 + 0.1;
    double u1 = -0.6 * 0.3 + 0.15 + -0.3 * 0.7 + -0.2;
    double a0 = 0.5;
    double a1 = 0.25;
    double[] expected;
    if (phi == Phi.OUTSIDE) {
      expected =
          new double[] {
            Math.tanh((1 - a0) * 0.3 + a0 * (u0 + 0.25)),
            Math.tanh((1 - a1) * -0.4 + a1 * (u1 - 0.9))
          };
    } else {
      expected =
          new double[] {
            (1 - a0) * 0.3 + a0 * Math.tanh(u0 + 0.25), (1 - a1) * -0.4 + a1 * Math.tanh(u1 - 0.9)
          };
    }
    double[] actual = net.forward(x, h0, drive).hidden().reshape(2).toDoubleVector();
    assertArrayEquals(expected, actual, 1e-12);
    // And the drive does change the state (the expected values differ from the undriven ones).
    double[] undriven = net.forward(x, h0).hidden().reshape(2).toDoubleVector();
    assertTrue(
        Math.abs(undriven[0] - actual[0]) > 1e-3 && Math.abs(undriven[1] - actual[1]) > 1e-3);
  }

  @Test
  void driveOfAnotherTypeIsConverted() {
    Config config = TestSupport.config(H, Nonlinearity.TANH, 0.0, Phi.OUTSIDE);
    Network net = TestSupport.network(config, I, DataType.DOUBLE, 9);
    SplittableRandom rng = new SplittableRandom(4);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, 4, B, I);
    INDArray h0 = TestArrays.gaussian(rng, DataType.DOUBLE, B, H);
    INDArray drive = TestArrays.gaussian(rng, DataType.FLOAT, 4, B, H);
    INDArray expected = net.forward(x, h0, drive.castTo(DataType.DOUBLE)).hidden().dup();
    TestArrays.assertIdentical(expected, net.forward(x, h0, drive).hidden(), "float drive");
  }

  @ParameterizedTest(name = "phi {0}")
  @EnumSource(Phi.class)
  void wrongShapedDriveIsRejected(Phi phi) {
    Config config = TestSupport.config(H, Nonlinearity.TANH, 0.0, phi);
    Network net = TestSupport.network(config, I, DataType.DOUBLE, 9);
    INDArray x = Nd4j.zeros(DataType.DOUBLE, 4, B, I);
    INDArray h0 = Nd4j.zeros(DataType.DOUBLE, B, H);
    for (INDArray bad :
        List.of(
            Nd4j.zeros(DataType.DOUBLE, 4, B, H + 1),
            Nd4j.zeros(DataType.DOUBLE, 5, B, H),
            Nd4j.zeros(DataType.DOUBLE, 4, B + 1, H),
            Nd4j.zeros(DataType.DOUBLE, 4 * B, H))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> net.forward(x, h0, bad));
      assertTrue(e.getMessage().contains("drive"), e.getMessage());
      assertTrue(e.getMessage().contains("[4, " + B + ", " + H + "]"), e.getMessage());
    }
  }

  /** Central differences of L = Σ w ⊙ h with the drive, element by element. */
  private static INDArray numericGradient(
      Network net, INDArray p, INDArray x, INDArray h0, INDArray drive, INDArray weights) {
    INDArray flat = p.reshape(p.length());
    INDArray out = Nd4j.create(DataType.DOUBLE, p.shape());
    INDArray outFlat = out.reshape(out.length());
    for (long i = 0; i < flat.length(); i++) {
      double orig = flat.getDouble(i);
      flat.putScalar(i, orig + GradientCheck.EPS);
      double plus = loss(net, x, h0, drive, weights);
      flat.putScalar(i, orig - GradientCheck.EPS);
      double minus = loss(net, x, h0, drive, weights);
      flat.putScalar(i, orig);
      outFlat.putScalar(i, (plus - minus) / (2 * GradientCheck.EPS));
    }
    return out;
  }

  private static double loss(
      Network net, INDArray x, INDArray h0, INDArray drive, INDArray weights) {
    return net.forward(x, h0, drive).hidden().mul(weights).sumNumber().doubleValue();
  }

  /** The driven forward pass against the plain-Java reference, and φ's argument off the kink. */
  private static void assertReferenceAndAwayFromKinks(
      Config config, Network net, INDArray x, INDArray h0, INDArray drive, Nonlinearity nl) {
    double[][][] args = new double[T][B][H];
    double[][][] ref =
        TestSupport.referenceForward(
            config,
            TestArrays.param(net, "w_in").toDoubleMatrix(),
            TestArrays.param(net, "b_in").toDoubleVector(),
            TestArrays.param(net, "w_rec").toDoubleMatrix(),
            TestArrays.param(net, "b_rec").toDoubleVector(),
            TestArrays.param(net, "taus").toDoubleVector(),
            TestArrays.to3d(x),
            h0.toDoubleMatrix(),
            TestArrays.to3d(drive),
            args);
    INDArray hidden = net.forward(x, h0, drive).hidden();
    for (int t = 0; t < T; t++) {
      for (int b = 0; b < B; b++) {
        assertArrayEquals(ref[t][b], hidden.slice(t).getRow(b).toDoubleVector(), 1e-12);
        for (int i = 0; i < H; i++) {
          if (nl != Nonlinearity.TANH) {
            assertTrue(Math.abs(args[t][b][i]) > 1e-4, "too close to the kink; change the seed");
          }
        }
      }
    }
  }
}
