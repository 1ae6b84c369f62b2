package engram.models.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Cell;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.models.lstm.LstmModel.Config;
import engram.models.lstm.LstmModel.InitialState;
import engram.testkit.GradientCheck;
import engram.testkit.TestArrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The cell's VJP against central finite differences in float64 (the testkit's checks): one step
 * ({@link GradientCheck#checkStep}: dL/ds_{t−1} = [dL/dh | dL/dc], dL/dx and every parameter) and
 * whole sequences run step by step by core ({@link GradientCheck#checkNetwork}), without the leak,
 * with a trainable τ (some clamped) and with a fixed τ, from states with a non-zero c_0. The
 * forward pass is first checked against the plain-Java reference of {@link LstmTestSupport}.
 */
@Tag("slow") // excluded by -Pfast; CI runs it (docs/perf/test-times.md)
class LstmGradientCheckTest {
  private static final int H = 5;
  private static final int I = 2;
  private static final int B = 3;
  private static final int T = 10;

  /** Tighter than the testkit's default: central differences in float64 reach it here. */
  private static final double TOLERANCE = 1e-6;

  /** Two τ below 1 (clamped: zero gradient), the rest above 1; none within 0.05 of 1. */
  private static final double[] TAUS = {0.6, 1.4, 0.9, 2.2, 3.5};

  /** The three ways the leak can be configured. */
  enum Leak {
    NONE,
    TRAINABLE_TAU,
    FIXED_TAU;

    Config config(int hidden, InitialState init) {
      return new Config(hidden, this != NONE, 1.0, 2.0, this == TRAINABLE_TAU, 2.5, init, 0.3);
    }
  }

  /** Weights stronger than the default init, so that the recurrence and saturation matter. */
  private static void strengthen(List<Parameter> parameters, Leak leak) {
    for (Parameter p : parameters) {
      switch (p.name()) {
        case "w_hh" -> p.value().muli(2.5);
        case "w_ih" -> p.value().muli(2.0);
        case "taus" -> {
          if (leak == Leak.TRAINABLE_TAU) {
            p.value().assign(Nd4j.createFromArray(TAUS));
          }
        }
        default -> {}
      }
    }
  }

  @ParameterizedTest(name = "leak {0}")
  @EnumSource(Leak.class)
  void stepVjpMatchesCentralDifferences(Leak leak) {
    Cell cell =
        new LstmModel()
            .create(
                leak.config(H, InitialState.ZERO),
                new NetworkSpec(I, DataType.DOUBLE),
                new SplittableRandom(11));
    assertEquals(2 * H, cell.stateSize());
    strengthen(cell.parameters(), leak);
    for (long seed : new long[] {1, 2}) {
      GradientCheck.checkStep(cell, I, B, seed, TOLERANCE);
    }
  }

  static Stream<Arguments> variants() {
    List<Arguments> list = new ArrayList<>();
    for (Leak leak : Leak.values()) {
      for (InitialState init : InitialState.values()) {
        list.add(Arguments.of(leak, init));
      }
    }
    return list.stream();
  }

  @ParameterizedTest(name = "leak {0}, initial state {1}")
  @MethodSource("variants")
  void bpttMatchesCentralDifferences(Leak leak, InitialState init) {
    Network net = LstmTestSupport.cellNetwork(leak.config(H, init), I, DataType.DOUBLE, 11);
    strengthen(net.parameters(), leak);
    SplittableRandom rng = new SplittableRandom(2024);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray s0 = net.initialState(B, rng);
    assertEquals(init == InitialState.RANDOM, s0.norm2Number().doubleValue() > 0);
    // A non-zero c_0, which initialState never gives but forward must accept.
    s0 =
        LstmTestSupport.state(
            LstmTestSupport.block(s0, 0),
            TestArrays.gaussian(rng, DataType.DOUBLE, B, H).muli(0.5));

    var traj = net.forward(x, s0);
    LstmTestSupport.Reference ref = LstmTestSupport.referenceForward(net, x, s0);
    assertTrue(
        LstmTestSupport.maxAbsDifference(ref.h(), traj.hidden()) < 1e-12, "hidden vs reference");
    assertTrue(
        LstmTestSupport.maxAbsDifference(ref.c(), traj.extras().get("c")) < 1e-12,
        "c vs reference");

    Map<String, INDArray> grads = GradientCheck.checkNetwork(net, x, s0, 5, TOLERANCE);
    assertEquals(leak == Leak.TRAINABLE_TAU ? 5 : 4, grads.size());
    // The two biases enter only through their sum: equal gradients.
    TestArrays.assertIdentical(grads.get("b_ih"), grads.get("b_hh"), "db_ih = db_hh");
    if (leak == Leak.TRAINABLE_TAU) {
      INDArray gTau = grads.get("taus");
      for (int i = 0; i < H; i++) {
        if (TAUS[i] < 1) {
          assertEquals(0.0, gTau.getDouble(i), 0.0, "τ < 1 is clamped: its gradient must be 0");
        } else {
          assertTrue(Math.abs(gTau.getDouble(i)) > 1e-6, "τ ≥ 1 should get a real gradient");
        }
      }
    }
  }

  /** Size-1 dimensions (one unit, one input, one sequence, one step) and small mixed shapes. */
  @ParameterizedTest(name = "H={0}, I={1}, B={2}, T={3}, leak {4}")
  @CsvSource({
    "1, 1, 1, 1, TRAINABLE_TAU",
    "1, 1, 2, 3, NONE",
    "3, 1, 1, 2, TRAINABLE_TAU",
    "2, 4, 1, 5, FIXED_TAU"
  })
  void edgeShapes(int hidden, int inputs, int batch, int steps, Leak leak) {
    Network net =
        LstmTestSupport.cellNetwork(
            leak.config(hidden, InitialState.RANDOM), inputs, DataType.DOUBLE, 21);
    if (leak == Leak.TRAINABLE_TAU) {
      TestArrays.param(net, "taus").addi(0.5); // U(1.5, 2.5): away from the clamp
    }
    SplittableRandom rng = new SplittableRandom(3);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, steps, batch, inputs);
    INDArray s0 = net.initialState(batch, rng).addi(0.2);
    var traj = net.forward(x, s0);
    LstmTestSupport.Reference ref = LstmTestSupport.referenceForward(net, x, s0);
    assertTrue(
        LstmTestSupport.maxAbsDifference(ref.h(), traj.hidden()) < 1e-12, "hidden vs reference");
    assertTrue(
        LstmTestSupport.maxAbsDifference(ref.f(), traj.extras().get("f")) < 1e-12,
        "f vs reference");
    Map<String, INDArray> grads = GradientCheck.checkNetwork(net, x, s0, 6, TOLERANCE);
    assertEquals(leak == Leak.TRAINABLE_TAU, grads.containsKey("taus"));
  }

  /** A fixed τ is a parameter without a gradient, and it is used: the trajectory depends on it. */
  @Test
  void fixedTauIsUsedButNotTrained() {
    Network net =
        LstmTestSupport.cellNetwork(
            Leak.FIXED_TAU.config(H, InitialState.RANDOM), I, DataType.DOUBLE, 12);
    Parameter taus = net.parameters().get(4);
    assertEquals("taus", taus.name());
    assertFalse(taus.trainable());
    SplittableRandom rng = new SplittableRandom(7);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, T, B, I);
    INDArray s0 = net.initialState(B, rng);
    INDArray leaky = net.forward(x, s0).hidden().dup();
    taus.value().assign(1.0);
    INDArray plain = net.forward(x, s0).hidden().dup();
    assertTrue(leaky.sub(plain).amaxNumber().doubleValue() > 1e-3, "τ = 2.5 slows h down");
    Network noLeak =
        LstmTestSupport.cellNetwork(
            Leak.NONE.config(H, InitialState.RANDOM), I, DataType.DOUBLE, 12);
    TestArrays.assertIdentical(
        noLeak.forward(x, s0).hidden(), plain, "τ = 1 is exactly the plain LSTM");
  }

  /**
   * At τ = 1 exactly the clamp passes the gradient (as torch.clamp does): it equals the one-sided
   * derivative from above, and a τ just below 1 gets none.
   */
  @Test
  void atTauOneTheGradientPasses() {
    Network net =
        LstmTestSupport.cellNetwork(
            LstmTestSupport.config(H, true, InitialState.RANDOM), I, DataType.DOUBLE, 13);
    INDArray taus = TestArrays.param(net, "taus");
    taus.assign(Nd4j.createFromArray(1.0, 0.999, 1.8, 1.0, 2.5));
    SplittableRandom rng = new SplittableRandom(8);
    INDArray x = TestArrays.gaussian(rng, DataType.DOUBLE, 10, B, I);
    INDArray s0 = net.initialState(B, rng);
    INDArray weights = TestArrays.gaussian(rng, DataType.DOUBLE, 10, B, H);
    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    net.backward(net.forward(x, s0), weights.dup(), grads);
    INDArray g = grads.get("taus");
    assertEquals(0.0, g.getDouble(1), 0.0);
    for (int i : new int[] {0, 3}) {
      double eps = 1e-7;
      double base = loss(net, x, s0, weights);
      taus.putScalar(i, 1.0 + eps);
      double up = loss(net, x, s0, weights);
      taus.putScalar(i, 1.0);
      double oneSided = (up - base) / eps;
      assertTrue(Math.abs(g.getDouble(i)) > 1e-4, "gradient at τ = 1 must pass");
      assertEquals(oneSided, g.getDouble(i), 1e-5 * Math.abs(oneSided) + 1e-8, "τ[" + i + "] = 1");
    }
  }

  private static double loss(Network net, INDArray x, INDArray s0, INDArray weights) {
    return net.forward(x, s0).hidden().mul(weights).sumNumber().doubleValue();
  }
}
