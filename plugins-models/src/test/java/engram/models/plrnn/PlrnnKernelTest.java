package engram.models.plrnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.NetworkSpec;
import engram.api.Trajectory;
import engram.kernels.Blas;
import engram.models.plrnn.PlrnnModel.Config;
import engram.models.plrnn.PlrnnModel.InitialState;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import engram.testkit.KernelCheck;
import engram.testkit.TestArrays;
import java.util.LinkedHashMap;
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
 * The whole-sequence kernel ({@link PlrnnKernel}) against the cell run step by step, with the
 * testkit's {@link KernelCheck}: hidden states, the rates and every gradient, from random z_0 of
 * both signs (so ReLU's kink matters from the first step), intact and with units ablated (the state
 * clamp), in float64 (to 1e-10: the two differ only in the order of their sums) and float32 (to
 * 1e-4). Configurations vary the initial-state option, a-init (also negative) and the gain; I = 1,
 * 3 and 20. Shapes run in a row on the same two networks: H = 40 gives 102 rows per chunk of the
 * kernel's loops, so B = 130 spans a full and a partial chunk; then smaller shapes on views of the
 * grown buffers, one step, one sequence, and the first shape again. Chunks of a single row (H &gt;
 * CHUNK/2) run the same code and are not tested here: at that size the cell's H×H weights made the
 * test last 48 s.
 */
class PlrnnKernelTest {
  private static final int H = 40;
  private static final int[][] SHAPES = {{6, 130}, {1, 3}, {4, 7}, {9, 1}, {6, 130}};

  private static double tolerance(DataType type) {
    return type == DataType.DOUBLE ? 1e-10 : 1e-4;
  }

  static Stream<Arguments> cases() {
    Config[] configs = {
      new Config(H, 0.9, 1.0, InitialState.ZERO, 0.1),
      new Config(H, -0.5, 2.0, InitialState.RANDOM, 0.5),
      new Config(H, 0.3, 0.5, InitialState.RANDOM, 0.1),
    };
    Stream.Builder<Arguments> b = Stream.builder();
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      for (Config config : configs) {
        for (int inputs : new int[] {1, 3, 20}) {
          b.add(Arguments.of(type, config, inputs));
        }
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} {1} I={2}")
  @MethodSource("cases")
  void kernelMatchesTheCellIntactAndAblated(DataType type, Config config, int inputs) {
    String name =
        KernelCheck.assertMatchesCellWithAblation(
            new PlrnnModel(),
            config,
            new KernelCheck.Setup(inputs, type, SHAPES, tolerance(type), 7));
    assertEquals("plrnn/fused", name);
  }

  /**
   * Trained-looking parameters (distinct a_i of both signs, a bias, a strong W, a non-zero diagonal
   * in w that core projects to 0) over 25 steps, intact and then with three units ablated, and
   * after the parameters change between calls (the kernel reads them live): still the cell's
   * results. KernelCheck runs the initial parameters only (h = 0, a constant).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"DOUBLE", "FLOAT"})
  void kernelMatchesTheCellWithStrongParametersAndReadsThemLive(DataType type) {
    Config config = new Config(H, 0.9, 1.8, InitialState.RANDOM, 0.5);
    CellNetwork fast =
        Networks.create(
            new PlrnnModel(), config, new NetworkSpec(3, type), new SplittableRandom(4));
    CellNetwork cell = PlrnnTestSupport.network(config, 3, type, 4);
    assertEquals("plrnn/fused", fast.implementation());
    assertEquals("cell", cell.implementation());
    SplittableRandom rng = new SplittableRandom(9);
    INDArray a = Nd4j.linspace(-0.6, 0.98, H, DataType.DOUBLE).castTo(type);
    INDArray bias = TestArrays.gaussian(rng, type, H).muli(0.3);
    for (CellNetwork net : new CellNetwork[] {fast, cell}) {
      TestArrays.param(net, "a").assign(a);
      TestArrays.param(net, "h").assign(bias);
      INDArray w = TestArrays.param(net, "w");
      for (int i = 0; i < H; i++) {
        w.putScalar(i, i, 2.0);
      }
    }
    int steps = 25;
    int batch = 11;
    INDArray x = TestArrays.gaussian(rng, type, steps, batch, 3);
    INDArray z0 = TestArrays.gaussian(rng, type, batch, H).muli(0.5);
    INDArray dLdh = TestArrays.gaussian(rng, type, steps, batch, H);
    INDArray before = fast.forward(x, z0).hidden().dup();
    compare(fast, cell, x, z0, dLdh, type);
    for (int unit : new int[] {0, 17, H - 1}) {
      fast.ablate(unit);
      cell.ablate(unit);
    }
    assertEquals("plrnn/fused", fast.implementation());
    compare(fast, cell, x, z0, dLdh, type);
    for (CellNetwork net : new CellNetwork[] {fast, cell}) {
      TestArrays.param(net, "w").muli(0.7);
      TestArrays.param(net, "c").addi(0.1);
      TestArrays.param(net, "a").muli(0.9);
    }
    Trajectory after = compare(fast, cell, x, z0, dLdh, type);
    assertTrue(
        after.hidden().sub(before).amaxNumber().doubleValue() > 1e-2,
        "the ablation and the new parameters must change the trajectory");
  }

  private static Trajectory compare(
      CellNetwork fast, CellNetwork cell, INDArray x, INDArray z0, INDArray dLdh, DataType type) {
    double tol = tolerance(type);
    Trajectory want = cell.forward(x, z0);
    Trajectory got = fast.forward(x, z0);
    KernelCheck.close("hidden", want.hidden(), got.hidden(), tol);
    KernelCheck.close("rates", want.extras().get("rates"), got.extras().get("rates"), tol);
    TestArrays.assertIdentical(z0, got.initialState(), "the initial state as given");
    Map<String, INDArray> gWant = TestArrays.gradientArrays(cell);
    Map<String, INDArray> gGot = TestArrays.gradientArrays(fast);
    cell.backward(want, dLdh.dup(), gWant);
    fast.backward(got, dLdh.dup(), gGot);
    assertEquals(gWant.keySet(), gGot.keySet());
    for (String name : gWant.keySet()) {
      KernelCheck.close("d" + name, gWant.get(name), gGot.get(name), tol);
    }
    return got;
  }

  @Test
  void gradientsIntoFortranOrderArraysEqualThoseIntoPlainOnes() {
    // Plain arrays take the host copies' direct write; other layouts an ND4J assign.
    CellNetwork net =
        Networks.create(
            new PlrnnModel(),
            PlrnnTestSupport.config(9),
            new NetworkSpec(2, DataType.FLOAT),
            new SplittableRandom(6));
    SplittableRandom rng = new SplittableRandom(6);
    INDArray x = TestArrays.gaussian(rng, DataType.FLOAT, 5, 3, 2);
    INDArray z0 = TestArrays.gaussian(rng, DataType.FLOAT, 3, 9);
    INDArray dLdh = TestArrays.gaussian(rng, DataType.FLOAT, 5, 3, 9);
    Trajectory traj = net.forward(x, z0);
    Map<String, INDArray> plain = TestArrays.gradientArrays(net);
    net.backward(traj, dLdh.dup(), plain);
    Map<String, INDArray> fortran = new LinkedHashMap<>();
    plain.forEach((name, g) -> fortran.put(name, g.dup('f').assign(-7)));
    net.backward(traj, dLdh.dup(), fortran);
    for (String name : plain.keySet()) {
      TestArrays.assertIdentical(plain.get(name), fortran.get(name).dup('c'), name);
    }
  }

  @Test
  void theModelOffersTheKernelForBothTypesAndTheKernelTakesNoDrive() {
    assertTrue(Blas.AVAILABLE, "tests run on ND4J's CPU backend, so the kernel must apply");
    for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      CellNetwork net =
          Networks.create(
              new PlrnnModel(),
              PlrnnTestSupport.config(8),
              new NetworkSpec(1, type),
              new SplittableRandom(1));
      assertEquals("plrnn/fused", net.implementation());
    }
    PlrnnCell cell =
        (PlrnnCell) PlrnnTestSupport.cell(PlrnnTestSupport.config(8), 1, DataType.FLOAT, 1);
    PlrnnKernel kernel = new PlrnnKernel(cell);
    assertThrows(
        UnsupportedOperationException.class,
        () ->
            kernel.forward(
                Nd4j.zeros(DataType.FLOAT, 3, 2, 1),
                Nd4j.zeros(DataType.FLOAT, 2, 8),
                Nd4j.zeros(DataType.FLOAT, 3, 2, 8)));
  }
}
