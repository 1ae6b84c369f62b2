package engram.models.vanilla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.Network;
import engram.models.vanilla.VanillaRnnModel.InitialState;
import engram.models.vanilla.VanillaRnnModel.Nonlinearity;
import engram.testkit.GradientCheck;
import engram.testkit.TestArrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The cell's VJP and the runtime's BPTT over it against central finite differences of the forward
 * pass, in float64, for every parameter and every configuration (tanh and ReLU, zero and random
 * h_0), with testkit {@link GradientCheck} at 1e-6 relative. For ReLU, the test asserts that no
 * pre-activation lies within 1e-4 of the kink, where ±EPS could cross it.
 */
class VanillaRnnGradientCheckTest {
  private static final int H = 5;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 20;
  private static final double TOLERANCE = 1e-6;

  @ParameterizedTest
  @CsvSource({"TANH, ZERO", "TANH, RANDOM", "RELU, ZERO", "RELU, RANDOM"})
  void stepVjpMatchesCentralDifferences(Nonlinearity phi, InitialState initialState) {
    Cell cell =
        VanillaTestSupport.cell(
            VanillaTestSupport.config(H, phi, initialState), I, DataType.DOUBLE, 11);
    GradientCheck.checkStep(cell, I, B, 5, TOLERANCE);
    GradientCheck.checkStep(cell, I, 1, 6, TOLERANCE);
  }

  @ParameterizedTest
  @CsvSource({"TANH, ZERO", "TANH, RANDOM", "RELU, ZERO", "RELU, RANDOM"})
  void backwardMatchesCentralDifferences(Nonlinearity phi, InitialState initialState) {
    Network net =
        VanillaTestSupport.network(
            VanillaTestSupport.config(H, phi, initialState), I, DataType.DOUBLE, 21);
    // A stronger recurrence than the U(±1/√H) init, so that BPTT through W_hh matters.
    TestArrays.param(net, "w_hh").muli(2.0);
    SplittableRandom rng = new SplittableRandom(2024);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray h0 = net.initialState(B, new SplittableRandom(3));
    assertEquals(initialState == InitialState.ZERO, h0.amaxNumber().doubleValue() == 0.0);
    if (phi == Nonlinearity.RELU) {
      assertAwayFromKinks(net, x, h0);
    }
    Map<String, INDArray> grads = GradientCheck.checkNetwork(net, x, h0, 12, TOLERANCE);
    assertEquals(4, grads.size());
    TestArrays.assertIdentical(grads.get("b_ih"), grads.get("b_hh"), "the biases' sum acts");
    assertTrue(grads.get("w_hh").norm2Number().doubleValue() > 1e-2);
  }

  @Test
  void singleStepIsHandled() {
    Network net =
        VanillaTestSupport.network(
            VanillaTestSupport.config(H, Nonlinearity.TANH, InitialState.RANDOM),
            I,
            DataType.DOUBLE,
            22);
    SplittableRandom rng = new SplittableRandom(7);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, 1, B, I);
    GradientCheck.checkNetwork(net, x, net.initialState(B, rng), 13, TOLERANCE);
  }

  /** No ReLU argument of any step is within 1e-4 of 0 (recomputed from the hidden states). */
  private static void assertAwayFromKinks(Network net, INDArray x, INDArray h0) {
    INDArray hidden = net.forward(x, h0).hidden();
    INDArray wIh = TestArrays.param(net, "w_ih");
    INDArray wHh = TestArrays.param(net, "w_hh");
    INDArray bias = TestArrays.param(net, "b_ih").add(TestArrays.param(net, "b_hh"));
    INDArray prev = h0;
    int active = 0;
    for (int t = 0; t < T; t++) {
      INDArray u =
          x.slice(t).mmul(wIh.transpose()).addi(prev.mmul(wHh.transpose())).addiRowVector(bias);
      assertTrue(
          Transforms.abs(u).minNumber().doubleValue() > 1e-4,
          "a pre-activation is too close to the kink; change the seed");
      active += u.gt(0.0).castTo(DataType.INT32).sumNumber().intValue();
      prev = hidden.slice(t);
    }
    assertTrue(active > T * B * H / 4 && active < 3 * T * B * H / 4, "both sides of the kink");
  }
}
