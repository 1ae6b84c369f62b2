package engram.models.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.api.Parameter;
import engram.api.SequenceKernel;
import engram.api.Trajectory;
import engram.kernels.Blas;
import engram.models.lstm.LstmModel.Config;
import engram.models.lstm.LstmModel.InitialState;
import engram.runtime.CellNetwork;
import engram.testkit.KernelCheck;
import engram.testkit.TestArrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused float32 kernel against the cell run step by step (the testkit's {@link KernelCheck}:
 * hidden states, every extra and every gradient, from random s_0 = [h_0 | c_0] with c_0 ≠ 0):
 * without the leak, with a trainable τ (some below 1, clamped) and with a fixed τ; I = 1 and I =
 * 20; shapes in a row on the same kernel (H·B = 2400 spans a full chunk of {@link LstmKernel#CHUNK}
 * and a partial one, one step, batches that divide no chunk, the first shape again on the grown
 * buffers), and all of it once more with two units ablated (h and c clamped as the runner clamps
 * them). σ and tanh of the kernel are within a few ulp of ND4J's, so the two agree to float32
 * rounding.
 */
@Tag("slow") // excluded by -Pfast; CI runs it (docs/perf/test-times.md)
class LstmKernelTest {
  private static final int H = 40;
  private static final int[][] SHAPES = {{6, 60}, {1, 3}, {4, 7}, {9, 1}, {6, 60}};

  /** Relative, norm-wise and per entry (KernelCheck.close); float32 rounding over a few steps. */
  private static final double TOLERANCE = 1e-5;

  static Stream<Arguments> configs() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (int inputs : new int[] {1, 20}) {
      b.add(Arguments.of("plain", LstmTestSupport.config(H), inputs));
      b.add(
          Arguments.of(
              "trainable τ from U(0.5, 3)",
              new Config(H, true, 0.5, 3.0, true, 1.0, InitialState.RANDOM, 0.3),
              inputs));
      b.add(
          Arguments.of(
              "fixed τ 2.5",
              new Config(H, true, 1.0, 2.0, false, 2.5, InitialState.ZERO, 0.1),
              inputs));
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0}, I = {2}")
  @MethodSource("configs")
  void kernelMatchesTheCell(String name, Config config, int inputs) {
    String kernel =
        KernelCheck.assertMatchesCellWithAblation(
            new LstmModel(),
            config,
            new KernelCheck.Setup(inputs, DataType.FLOAT, SHAPES, TOLERANCE, 17));
    assertEquals("lstm/fused", kernel);
  }

  /**
   * Stronger weights than the default init (saturated gates, a recurrence that matters) and τ on
   * both sides of 1, over 20 steps: the kernel still matches the cell, set up by hand because
   * KernelCheck uses the initial parameters.
   */
  @Test
  void kernelMatchesTheCellWithStrongWeights() {
    Config config = LstmTestSupport.config(H, true, InitialState.RANDOM);
    CellNetwork fast = LstmTestSupport.network(config, 3, DataType.FLOAT, 4);
    CellNetwork cell = LstmTestSupport.cellNetwork(config, 3, DataType.FLOAT, 4);
    assertEquals("lstm/fused", fast.implementation());
    assertEquals("cell", cell.implementation());
    for (CellNetwork net : new CellNetwork[] {fast, cell}) {
      TestArrays.param(net, "w_hh").muli(2.5);
      TestArrays.param(net, "w_ih").muli(2.0);
      TestArrays.param(net, "taus").assign(Nd4j.linspace(0.5, 4.0, H, DataType.FLOAT));
    }
    SplittableRandom rng = new SplittableRandom(9);
    int steps = 20;
    int batch = 11;
    INDArray x = TestArrays.gaussian(rng, DataType.FLOAT, steps, batch, 3);
    INDArray s0 = TestArrays.gaussian(rng, DataType.FLOAT, batch, 2 * H);
    INDArray dLdh = TestArrays.gaussian(rng, DataType.FLOAT, steps, batch, H);
    Trajectory want = cell.forward(x, s0);
    Trajectory got = fast.forward(x, s0);
    KernelCheck.close("hidden", want.hidden(), got.hidden(), TOLERANCE);
    for (String extra : want.extras().keySet()) {
      KernelCheck.close(extra, want.extras().get(extra), got.extras().get(extra), TOLERANCE);
    }
    Map<String, INDArray> gWant = TestArrays.gradientArrays(cell);
    Map<String, INDArray> gGot = TestArrays.gradientArrays(fast);
    cell.backward(want, dLdh.dup(), gWant);
    fast.backward(got, dLdh.dup(), gGot);
    assertEquals(5, gGot.size());
    for (String name : gWant.keySet()) {
      KernelCheck.close("dL/d" + name, gWant.get(name), gGot.get(name), TOLERANCE);
    }
    for (int i = 0; i < H; i++) {
      if (TestArrays.param(fast, "taus").getDouble(i) < 1) {
        assertEquals(0.0, gGot.get("taus").getDouble(i), 0.0, "clamped τ[" + i + "]");
      }
    }
  }

  /**
   * The clamp over s = [h | c] need not cover both blocks alike (ablation does; the contract does
   * not ask it): with h of one unit and c of another clamped, and a trained τ, the kernel gives
   * what the runner's clamp gives, written out here with the cell's step and VJP (s_t = F(s_{t−1})
   * ⊙ keep from s_0 ⊙ keep; backward g[:, :H] += dL/dh_t, g ⊙= keep, VJP). The extra c is the
   * unclamped c_t of each step.
   */
  @Test
  void kernelClampsTheHiddenAndCellBlocksSeparately() {
    Config config = new Config(H, true, 0.5, 3.0, true, 1.0, InitialState.RANDOM, 0.3);
    CellNetwork net = LstmTestSupport.cellNetwork(config, 3, DataType.FLOAT, 8);
    LstmCell cell = (LstmCell) net.cell();
    LstmKernel kernel = new LstmKernel(cell);
    INDArray keep = Nd4j.ones(DataType.FLOAT, 2 * H);
    keep.putScalar(1, 0.0); // h of unit 1
    keep.putScalar(H + 2, 0.0); // c of unit 2
    SplittableRandom rng = new SplittableRandom(12);
    int steps = 7;
    int batch = 9;
    INDArray x = TestArrays.gaussian(rng, DataType.FLOAT, steps, batch, 3);
    INDArray s0 = TestArrays.gaussian(rng, DataType.FLOAT, batch, 2 * H);
    INDArray dLdh = TestArrays.gaussian(rng, DataType.FLOAT, steps, batch, H);

    INDArray hidden = Nd4j.create(DataType.FLOAT, steps, batch, H);
    INDArray c = Nd4j.create(DataType.FLOAT, steps, batch, H);
    List<Cell.Step> kept = new ArrayList<>();
    INDArray s = s0.mulRowVector(keep);
    for (int t = 0; t < steps; t++) {
      Cell.Step step = cell.step(s, x.slice(t).dup(), null);
      s = step.next().mulRowVector(keep);
      hidden.slice(t).assign(LstmTestSupport.block(s, 0));
      c.slice(t).assign(step.extras().get("c"));
      kept.add(step);
    }
    Map<String, INDArray> gWant = new LinkedHashMap<>();
    for (Parameter p : cell.parameters()) {
      gWant.put(p.name(), p.value().ulike().assign(0));
    }
    INDArray g = Nd4j.zeros(DataType.FLOAT, batch, 2 * H);
    for (int t = steps - 1; t >= 0; t--) {
      g.get(all(), interval(0, H)).addi(dLdh.slice(t));
      g.muliRowVector(keep);
      g = cell.vjp(kept.get(t), g, Map.of(), gWant).previous();
    }

    Trajectory got = kernel.forward(x, s0, null, keep);
    KernelCheck.close("hidden", hidden, got.hidden(), TOLERANCE);
    KernelCheck.close("c", c, got.extras().get("c"), TOLERANCE);
    TestArrays.assertIdentical(s0, got.initialState(), "initialState() is the unclamped s_0");
    Map<String, INDArray> gGot = TestArrays.gradientArrays(net);
    kernel.backward(got, dLdh.dup(), Map.of(), gGot);
    assertEquals(5, gGot.size());
    for (String name : gGot.keySet()) {
      KernelCheck.close("dL/d" + name, gWant.get(name), gGot.get(name), TOLERANCE);
    }
  }

  /** c_0 enters: a different c_0 changes the kernel's trajectory, and s_0 is reported as given. */
  @Test
  void kernelStartsFromTheGivenCellState() {
    CellNetwork net = LstmTestSupport.network(LstmTestSupport.config(8), 2, DataType.FLOAT, 3);
    SplittableRandom rng = new SplittableRandom(2);
    INDArray x = TestArrays.gaussian(rng, DataType.FLOAT, 5, 4, 2);
    INDArray s0 = net.initialState(4, rng);
    assertEquals(0.0, s0.amaxNumber().doubleValue(), 0.0);
    INDArray fromZero = net.forward(x, s0).hidden().dup();
    INDArray c0 = TestArrays.gaussian(rng, DataType.FLOAT, 4, 8);
    INDArray s0c = LstmTestSupport.state(LstmTestSupport.block(s0, 0), c0);
    Trajectory traj = net.forward(x, s0c);
    TestArrays.assertIdentical(s0c, traj.initialState(), "initialState() is s_0");
    assertTrue(traj.hidden().sub(fromZero).amaxNumber().doubleValue() > 1e-3, "c_0 is used");
    // c_1 = f_1⊙c_0 + i_1⊙g_1, read off the kernel's own extras.
    Map<String, INDArray> ex = traj.extras();
    INDArray c1 = ex.get("f").slice(0).mul(c0).addi(ex.get("i").slice(0).mul(ex.get("g").slice(0)));
    KernelCheck.close("c_1", c1, ex.get("c").slice(0), 1e-6);
  }

  @Test
  void onlyFloat32OnTheCpuBackendGetsTheKernel() {
    assertTrue(Blas.AVAILABLE, "tests run on ND4J's CPU backend, so the kernel must apply");
    LstmModel model = new LstmModel();
    assertInstanceOf(SequenceKernel.Provider.class, model);
    Config config = LstmTestSupport.config(4, true, InitialState.ZERO);
    KernelCheck.assertNoKernel(model, config, new NetworkSpec(2, DataType.DOUBLE));
    assertEquals(
        "lstm/fused", LstmTestSupport.network(config, 2, DataType.FLOAT, 1).implementation());
  }
}
