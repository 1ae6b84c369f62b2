package engram.models.rankone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.NetworkSpec;
import engram.api.Trajectory;
import engram.kernels.Blas;
import engram.models.rankone.RankOneRnnModel.Config;
import engram.models.rankone.RankOneRnnModel.InitialState;
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
 * The whole-sequence kernel ({@link RankOneRnnKernel}) against the cell run step by step, with the
 * testkit's {@link KernelCheck}: hidden states, the extras rates and kappa, and every gradient,
 * intact and with units ablated (the state clamp), in float64 (to 1e-10: Math.tanh against ND4J's
 * tanh, and sums in another order) and float32 (to 1e-4: the kernel's tanh is FloatActivations').
 * Configurations vary α = dt/τ (0.4, 1 without a leak, 0.125), the initial-state option and the
 * loading scale (3 makes the rank-one feedback strong); I = 1, 3 and 20. Shapes run in a row on the
 * same two networks: H = 40 gives 102 rows per chunk of the kernel's loops, so B = 130 spans a full
 * and a partial chunk; then smaller shapes on views of the grown buffers, one step, one sequence,
 * and the first shape again.
 */
class RankOneRnnKernelTest {
  private static final int H = 40;
  private static final int[][] SHAPES = {{6, 130}, {1, 3}, {4, 7}, {9, 1}, {6, 130}};

  private static double tolerance(DataType type) {
    return type == DataType.DOUBLE ? 1e-10 : 1e-4;
  }

  static Stream<Arguments> cases() {
    Config[] configs = {
      new Config(H, 1.0, 2.5, 1.0, InitialState.ZERO, 0.1),
      new Config(H, 1.0, 1.0, 3.0, InitialState.RANDOM, 0.5),
      new Config(H, 0.5, 4.0, 3.0, InitialState.RANDOM, 0.1),
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
            new RankOneRnnModel(),
            config,
            new KernelCheck.Setup(inputs, type, SHAPES, tolerance(type), 7));
    assertEquals("rank-one-rnn/fused", name);
  }

  /** H > CHUNK: every chunk of the loops is one row, longer than CHUNK. */
  @Test
  void kernelMatchesTheCellWithOneRowPerChunk() {
    int[][] shapes = {{3, 3}, {2, 1}};
    KernelCheck.assertMatchesCellWithAblation(
        new RankOneRnnModel(),
        new Config(RankOneRnnKernel.CHUNK + 3, 1.0, 2.0, 1.0, InitialState.RANDOM, 0.1),
        new KernelCheck.Setup(2, DataType.FLOAT, shapes, 1e-4, 5));
  }

  /**
   * Trained-looking parameters (strong loadings with an overlap nᵀm/H of about 2, so κ feeds back
   * strongly; a bias) over 25 steps, intact and then with three units ablated, and after the
   * parameters change between calls (the kernel reads them live): still the cell's results.
   * KernelCheck runs the initial parameters only (b = 0, m and n nearly orthogonal).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"DOUBLE", "FLOAT"})
  void kernelMatchesTheCellWithStrongParametersAndReadsThemLive(DataType type) {
    Config config = new Config(H, 1.0, 2.0, 1.0, InitialState.RANDOM, 0.5);
    CellNetwork fast =
        Networks.create(
            new RankOneRnnModel(), config, new NetworkSpec(3, type), new SplittableRandom(4));
    CellNetwork cell = RankOneTestSupport.network(config, 3, type, 4);
    assertEquals("rank-one-rnn/fused", fast.implementation());
    assertEquals("cell", cell.implementation());
    SplittableRandom rng = new SplittableRandom(9);
    INDArray bias = TestArrays.gaussian(rng, type, H).muli(0.3);
    for (CellNetwork net : new CellNetwork[] {fast, cell}) {
      INDArray m = TestArrays.param(net, "m");
      INDArray n = TestArrays.param(net, "n");
      n.assign(m.mul(2.0).addi(n.mul(0.5))); // overlap nᵀm/H ≈ 2
      TestArrays.param(net, "b").assign(bias);
    }
    int steps = 25;
    int batch = 11;
    INDArray x = TestArrays.gaussian(rng, type, steps, batch, 3);
    INDArray x0 = TestArrays.gaussian(rng, type, batch, H).muli(0.5);
    INDArray dLdh = TestArrays.gaussian(rng, type, steps, batch, H);
    INDArray before = fast.forward(x, x0).hidden().dup();
    compare(fast, cell, x, x0, dLdh, type);
    for (int unit : new int[] {0, 17, H - 1}) {
      fast.ablate(unit);
      cell.ablate(unit);
    }
    assertEquals("rank-one-rnn/fused", fast.implementation());
    compare(fast, cell, x, x0, dLdh, type);
    for (CellNetwork net : new CellNetwork[] {fast, cell}) {
      TestArrays.param(net, "m").muli(-0.7);
      TestArrays.param(net, "w_in").addi(0.1);
      TestArrays.param(net, "b").subi(0.2);
    }
    Trajectory after = compare(fast, cell, x, x0, dLdh, type);
    assertTrue(
        after.hidden().sub(before).amaxNumber().doubleValue() > 1e-2,
        "the ablation and the new parameters must change the trajectory");
  }

  private static Trajectory compare(
      CellNetwork fast, CellNetwork cell, INDArray x, INDArray x0, INDArray dLdh, DataType type) {
    double tol = tolerance(type);
    Trajectory want = cell.forward(x, x0);
    Trajectory got = fast.forward(x, x0);
    KernelCheck.close("hidden", want.hidden(), got.hidden(), tol);
    for (String extra : new String[] {"rates", "kappa"}) {
      KernelCheck.close(extra, want.extras().get(extra), got.extras().get(extra), tol);
    }
    TestArrays.assertIdentical(x0, got.initialState(), "the initial state as given");
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
            new RankOneRnnModel(),
            RankOneTestSupport.config(9),
            new NetworkSpec(2, DataType.FLOAT),
            new SplittableRandom(6));
    SplittableRandom rng = new SplittableRandom(6);
    INDArray x = TestArrays.gaussian(rng, DataType.FLOAT, 5, 3, 2);
    INDArray x0 = TestArrays.gaussian(rng, DataType.FLOAT, 3, 9);
    INDArray dLdh = TestArrays.gaussian(rng, DataType.FLOAT, 5, 3, 9);
    Trajectory traj = net.forward(x, x0);
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
              new RankOneRnnModel(),
              RankOneTestSupport.config(8),
              new NetworkSpec(1, type),
              new SplittableRandom(1));
      assertEquals("rank-one-rnn/fused", net.implementation());
    }
    RankOneRnnCell cell =
        (RankOneRnnCell)
            RankOneTestSupport.cell(RankOneTestSupport.config(8), 1, DataType.FLOAT, 1);
    RankOneRnnKernel kernel = new RankOneRnnKernel(cell);
    assertThrows(
        UnsupportedOperationException.class,
        () ->
            kernel.forward(
                Nd4j.zeros(DataType.FLOAT, 3, 2, 1),
                Nd4j.zeros(DataType.FLOAT, 2, 8),
                Nd4j.zeros(DataType.FLOAT, 3, 2, 8)));
  }
}
