package engram.models.gru;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Trajectory;
import engram.models.gru.TestSupport.Leak;
import engram.runtime.CellNetwork;
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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

/**
 * The kernel's op budget (see {@link GruKernel}): ND4J ops per time step, gemms included, counted
 * by ND4J's profiler as the difference between T = 20 and T = 10, divided by 10. A step of the
 * kernel makes no ND4J op at all, forward or backward, folded (I = 2) or not (I = 20): its products
 * go straight to OpenBLAS, the rest is Java loops; everything ND4J still does there is per call.
 * Each ND4J op has a fixed cost of several µs, so a change here is a change to every GRU
 * experiment's speed. The cell run step by step, counted the same way, does make ops per step (so
 * the profiler does count what runs).
 */
class GruOpCountTest {

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Leak leak : Leak.values()) {
      for (int inputs : new int[] {2, 20}) {
        b.add(Arguments.of(leak, inputs));
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "leak {0}, I = {1}: no ND4J op per step")
  @MethodSource("cases")
  void theKernelMakesNoNd4jOpPerStep(Leak leak, int inputs) {
    long[] perTenSteps = opsPerTenSteps(leak, inputs, true);
    assertEquals(0L, perTenSteps[0], "forward ops per 10 steps");
    assertEquals(0L, perTenSteps[1], "backward ops per 10 steps");
  }

  @Test
  void theCellMakesNd4jOpsPerStep() {
    long[] perTenSteps = opsPerTenSteps(Leak.TRAINED, 2, false);
    assertTrue(perTenSteps[0] >= 10 * 10, "forward ops per 10 steps: " + perTenSteps[0]);
    assertTrue(perTenSteps[1] >= 10 * 10, "backward ops per 10 steps: " + perTenSteps[1]);
  }

  /** {forward, backward} ops of T = 20 minus those of T = 10, float32, H = 8, B = 4. */
  private static long[] opsPerTenSteps(Leak leak, int inputs, boolean kernel) {
    long[] forward = new long[2];
    long[] backward = new long[2];
    int[] steps = {10, 20};
    try {
      for (int k = 0; k < 2; k++) {
        CellNetwork net =
            kernel
                ? TestSupport.network(TestSupport.config(8, leak), inputs, DataType.FLOAT, 1)
                : TestSupport.cellNetwork(TestSupport.config(8, leak), inputs, DataType.FLOAT, 1);
        assertEquals(kernel ? "gru/fused" : "cell", net.implementation());
        SplittableRandom rng = new SplittableRandom(2);
        INDArray x = TestArrays.gaussian(rng, DataType.FLOAT, steps[k], 4, inputs);
        INDArray h0 = net.initialState(4, rng);
        INDArray dLdh = TestArrays.gaussian(rng, DataType.FLOAT, steps[k], 4, 8);
        Map<String, INDArray> g = TestArrays.gradientArrays(net);
        net.backward(net.forward(x, h0), dLdh.dup(), g); // buffers and views exist from here on
        INDArray scratch = dLdh.dup();
        Nd4j.getExecutioner()
            .setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
        OpProfiler.getInstance().reset();
        Trajectory tr = net.forward(x, h0);
        forward[k] = OpProfiler.getInstance().getInvocationsCount();
        OpProfiler.getInstance().reset();
        net.backward(tr, scratch, g);
        backward[k] = OpProfiler.getInstance().getInvocationsCount();
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
      }
    } finally {
      Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
      OpProfiler.getInstance().reset();
    }
    return new long[] {forward[1] - forward[0], backward[1] - backward[0]};
  }
}
