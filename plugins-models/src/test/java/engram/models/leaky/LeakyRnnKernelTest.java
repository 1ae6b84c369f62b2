package engram.models.leaky;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.NetworkSpec;
import engram.api.Trajectory;
import engram.kernels.Blas;
import engram.models.leaky.LeakyRnnModel.Config;
import engram.models.leaky.LeakyRnnModel.Nonlinearity;
import engram.models.leaky.LeakyRnnModel.Phi;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import engram.testkit.KernelCheck;
import engram.testkit.TestArrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused kernel against the cell it accelerates: φ outside with leaky-ReLU or ReLU (float32 and
 * float64: direct OpenBLAS products, the input drive folded into the step loop for I ≤ 16) and φ
 * inside in float32 (the step's φ, leak and derivative in Java loops, tanh from FloatActivations).
 * Hidden states, pre-activations and every gradient agree to rounding for I = 1, 3 and 20 (folded
 * and not), with and without a drive ξ and dL/dpre, trainable and fixed τ, and over three calls
 * with different shapes (buffers grown, reused as views, reused again), then all of it once more
 * with two units ablated (the kernel clamps them as the runner does). The cell is checked against
 * finite differences and PyTorch in the other tests.
 */
class LeakyRnnKernelTest {
  private static final int[][] SHAPES = {{7, 5}, {4, 3}, {7, 5}, {1, 2}};

  @Test
  void openBlasIsReachableOnTheCpuBackend() {
    assertTrue(Blas.AVAILABLE, "tests run on ND4J's CPU backend, so the kernel must be offered");
  }

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
      for (Phi phi : Phi.values()) {
        for (Nonlinearity nl : Nonlinearity.values()) {
          for (int inputs : new int[] {1, 3, 20}) {
            for (boolean trainTau : new boolean[] {true, false}) {
              b.add(Arguments.of(type, phi, nl, inputs, trainTau));
            }
          }
        }
      }
    }
    return b.build();
  }

  /** Whether the model offers its kernel for this case (else the cell runs step by step). */
  static boolean hasKernel(DataType type, Phi phi, Nonlinearity nl) {
    return phi == Phi.OUTSIDE ? nl != Nonlinearity.TANH : type == DataType.FLOAT;
  }

  @ParameterizedTest(name = "{0} {1} {2} I={3} trainTau={4}")
  @MethodSource("cases")
  void kernelEqualsTheCellWhereItApplies(
      DataType type, Phi phi, Nonlinearity nl, int inputs, boolean trainTau) {
    Config config =
        new Config(
            12,
            nl,
            0.05,
            phi,
            trainTau,
            1.0,
            4.0,
            2.5,
            0.1,
            LeakyRnnModel.RecurrentInit.UNIFORM,
            1.0);
    if (!hasKernel(type, phi, nl)) {
      KernelCheck.assertNoKernel(new LeakyRnnModel(), config, new NetworkSpec(inputs, type));
      return;
    }
    double tolerance = type == DataType.DOUBLE ? 1e-12 : 2e-5;
    String name =
        KernelCheck.assertMatchesCellWithAblation(
            new LeakyRnnModel(), config, new KernelCheck.Setup(inputs, type, SHAPES, tolerance, 3));
    assertEquals(phi == Phi.OUTSIDE ? "leaky-rnn/fused" : "leaky-rnn/fused-inside", name);
  }

  /**
   * H = 100 with I = 20 and B·H above the loops' chunk of 4096 elements: the unfolded forward pass
   * works on flat chunks that start mid-row (4096 = 40·100 + 96), so the clamp must line the mask
   * up with the chunk's first column (φ inside, whose loops take whole rows, for contrast).
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("wideCases")
  void clampedKernelEqualsTheCellOnChunksThatStartMidRow(DataType type, Phi phi) {
    Config config =
        new Config(
            100,
            Nonlinearity.LEAKY_RELU,
            0.05,
            phi,
            true,
            1.0,
            4.0,
            2.5,
            0.1,
            LeakyRnnModel.RecurrentInit.UNIFORM,
            1.0);
    int[][] shapes = {{3, 45}, {2, 7}};
    double tolerance = type == DataType.DOUBLE ? 1e-12 : 2e-5;
    KernelCheck.assertMatchesCellWithAblation(
        new LeakyRnnModel(), config, new KernelCheck.Setup(20, type, shapes, tolerance, 11));
  }

  static Stream<Arguments> wideCases() {
    return Stream.of(
        Arguments.of(DataType.FLOAT, Phi.OUTSIDE),
        Arguments.of(DataType.DOUBLE, Phi.OUTSIDE),
        Arguments.of(DataType.FLOAT, Phi.INSIDE));
  }

  @Test
  void gradientsIntoFortranOrderArraysEqualThoseIntoPlainOnes() {
    // Plain arrays take the host copies' direct write; other layouts the ND4J assigns.
    Config config = TestSupport.config(9, Nonlinearity.LEAKY_RELU, 0.01, Phi.OUTSIDE);
    CellNetwork net = TestSupport.network(config, 2, DataType.FLOAT, 4, Networks.Kernels.AUTO);
    assertEquals("leaky-rnn/fused", net.implementation());
    SplittableRandom rng = new SplittableRandom(6);
    INDArray x = TestArrays.gaussian(rng, DataType.FLOAT, 5, 3, 2);
    INDArray h0 = net.initialState(3, rng);
    INDArray dLdh = TestArrays.gaussian(rng, DataType.FLOAT, 5, 3, 9);
    Trajectory traj = net.forward(x, h0);
    Map<String, INDArray> plain = TestArrays.gradientArrays(net);
    net.backward(traj, dLdh.dup(), plain);
    Map<String, INDArray> fortran = new java.util.LinkedHashMap<>();
    plain.forEach((name, g) -> fortran.put(name, g.dup('f').assign(-7)));
    net.backward(traj, dLdh.dup(), fortran);
    for (String name : plain.keySet()) {
      TestArrays.assertIdentical(plain.get(name), fortran.get(name).dup('c'), name);
    }
  }
}
