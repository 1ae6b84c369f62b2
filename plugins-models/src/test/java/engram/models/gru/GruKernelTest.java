package engram.models.gru;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.NetworkSpec;
import engram.api.Trajectory;
import engram.kernels.Blas;
import engram.models.gru.GruModel.Config;
import engram.models.gru.GruModel.InitialState;
import engram.models.gru.TestSupport.Leak;
import engram.runtime.CellNetwork;
import engram.testkit.KernelCheck;
import engram.testkit.TestArrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fused float32 kernel ({@link GruKernel}) against the cell run step by step by core, with the
 * testkit's {@link KernelCheck}: hidden states, the extras r, z, n and every gradient agree to
 * float rounding (the kernel's σ and tanh are not ND4J's, and it sums in another order). For the
 * three leak settings (τ drawn from U(0.5, 4), so some are clamped), I = 1 and 3 (input projection
 * and its gradient folded into the step loops) and I = 20 (not folded), over shapes in a row on the
 * same two networks: a batch that spans one full and one partial chunk of the loops, a smaller
 * shape on views of the grown buffers, one step, a batch of exactly one chunk, the first again; and
 * all of it once more with two units ablated (the kernel clamps them as the runner does).
 */
@Tag("slow") // excluded by -Pfast; CI runs it (docs/perf/test-times.md)
class GruKernelTest {
  /** KernelCheck's relative tolerance (norm-wise, and per entry with a floor of tol·max|x|). */
  private static final double TOLERANCE = 5e-6;

  /** H = 40: 51 rows per chunk of the kernel's loops. */
  private static final int H = 40;

  private static final int[][] SHAPES = {{6, 60}, {4, 3}, {1, 2}, {5, 51}, {6, 60}};

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Leak leak : Leak.values()) {
      for (int inputs : new int[] {1, 3, 20}) {
        b.add(Arguments.of(leak, inputs));
      }
    }
    return b.build();
  }

  private static Config config(int hidden, Leak leak) {
    return new Config(
        hidden, leak != Leak.OFF, 0.5, 4.0, leak != Leak.FIXED, 2.5, InitialState.RANDOM, 0.5);
  }

  @ParameterizedTest(name = "leak {0}, I = {1}")
  @MethodSource("cases")
  void kernelMatchesTheCell(Leak leak, int inputs) {
    String name =
        KernelCheck.assertMatchesCellWithAblation(
            new GruModel(),
            config(H, leak),
            new KernelCheck.Setup(inputs, DataType.FLOAT, SHAPES, TOLERANCE, 3));
    assertEquals("gru/fused", name);
  }

  /** H > CHUNK/2: every chunk of the loops is a single row. */
  @Test
  void kernelMatchesTheCellWithOneRowPerChunk() {
    int[][] shapes = {{3, 3}, {1, 1}};
    KernelCheck.assertMatchesCellWithAblation(
        new GruModel(),
        config(1025, Leak.TRAINED),
        new KernelCheck.Setup(2, DataType.FLOAT, shapes, TOLERANCE, 5));
  }

  /**
   * The kernel reads the cell's parameters on every call (an optimizer updates them in place):
   * after changing them between calls it still agrees with the cell, and differs from before.
   */
  @ParameterizedTest(name = "leak {0}")
  @EnumSource(Leak.class)
  void kernelReadsTheLiveParameters(Leak leak) {
    Config config = config(H, leak);
    CellNetwork kernel = TestSupport.network(config, 2, DataType.FLOAT, 9);
    CellNetwork cell = TestSupport.cellNetwork(config, 2, DataType.FLOAT, 9);
    assertEquals("gru/fused", kernel.implementation());
    SplittableRandom rng = new SplittableRandom(4);
    INDArray x = TestArrays.gaussian(rng, DataType.FLOAT, 5, 7, 2);
    INDArray h0 = kernel.initialState(7, rng);
    INDArray dLdh = TestArrays.gaussian(rng, DataType.FLOAT, 5, 7, H);
    INDArray before = kernel.forward(x, h0).hidden().dup();
    for (CellNetwork net : new CellNetwork[] {kernel, cell}) {
      TestArrays.param(net, "w_hh").muli(2.0);
      TestArrays.param(net, "w_ih").addi(0.1);
      TestArrays.param(net, "b_hh").subi(0.2);
      if (leak != Leak.OFF) {
        TestArrays.param(net, "taus").assign(Nd4j.linspace(0.5, 4.0, H, DataType.FLOAT));
      }
    }
    Trajectory got = kernel.forward(x, h0);
    Trajectory want = cell.forward(x, h0);
    assertTrue(
        got.hidden().sub(before).amaxNumber().doubleValue() > 1e-2,
        "the new parameters must change the trajectory");
    KernelCheck.close("hidden", want.hidden(), got.hidden(), TOLERANCE);
    for (String gate : new String[] {"r", "z", "n"}) {
      KernelCheck.close(gate, want.extras().get(gate), got.extras().get(gate), TOLERANCE);
    }
    Map<String, INDArray> gGot = TestArrays.gradientArrays(kernel);
    Map<String, INDArray> gWant = TestArrays.gradientArrays(cell);
    kernel.backward(got, dLdh.dup(), gGot);
    cell.backward(want, dLdh.dup(), gWant);
    assertEquals(gWant.keySet(), gGot.keySet());
    for (String name : gWant.keySet()) {
      KernelCheck.close("d" + name, gWant.get(name), gGot.get(name), TOLERANCE);
    }
  }

  @Test
  void theModelOffersTheKernelForFloat32Only() {
    assertTrue(Blas.AVAILABLE, "tests run on ND4J's CPU backend, so the kernel must apply");
    for (Leak leak : Leak.values()) {
      assertEquals(
          "gru/fused", TestSupport.network(config(8, leak), 1, DataType.FLOAT, 1).implementation());
      KernelCheck.assertNoKernel(
          new GruModel(), config(8, leak), new NetworkSpec(1, DataType.DOUBLE));
    }
    GruCell cell = TestSupport.cell(config(8, Leak.OFF), 1, DataType.DOUBLE, 1);
    assertThrows(IllegalArgumentException.class, () -> new GruKernel(cell));
  }

  @Test
  void neitherTheKernelNorTheCellTakesADrive() {
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      CellNetwork net = TestSupport.network(config(8, Leak.TRAINED), 1, type, 1);
      INDArray x = Nd4j.zeros(type, 3, 2, 1);
      INDArray drive = Nd4j.zeros(type, 3, 2, 8);
      assertThrows(
          UnsupportedOperationException.class,
          () -> net.forward(x, net.initialState(2, new SplittableRandom(1)), drive));
    }
    GruKernel kernel = new GruKernel(TestSupport.cell(config(8, Leak.OFF), 1, DataType.FLOAT, 1));
    assertThrows(
        UnsupportedOperationException.class,
        () ->
            kernel.forward(
                Nd4j.zeros(DataType.FLOAT, 3, 2, 1),
                Nd4j.zeros(DataType.FLOAT, 2, 8),
                Nd4j.zeros(DataType.FLOAT, 3, 2, 8)));
  }
}
