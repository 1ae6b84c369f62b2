package engram.models.gru;

import static org.junit.jupiter.api.Assertions.assertEquals;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Trajectory;
import engram.models.common.ModelTestSupport;
import engram.models.gru.TestSupport.Leak;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

/**
 * The hot loop's op budget (see {@link GruNetwork}): ND4J ops per time step, gemms included,
 * counted by ND4J's profiler as the difference between T = 20 and T = 10, divided by 10. On the
 * float32 fast path a step makes no ND4J op at all (its products go straight to OpenBLAS, the
 * rest is Java loops), forward or backward; everything ND4J still does there is per call. On the
 * ND4J path (float64, other backends), forward: 3 gemms + 2 σ + 1 tanh + 5 other elementwise ops
 * (2 more with the leak); backward: 3 gemms + 6 elementwise ops. Each ND4J op has a fixed cost of
 * several µs, so a change here is a change to every GRU experiment's speed.
 */
class GruOpCountTest {

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Leak leak : Leak.values()) {
      b.add(Arguments.of(leak, true, 0, 0));
      b.add(Arguments.of(leak, false, leak == Leak.OFF ? 11 : 13, 9));
    }
    return b.build();
  }

  @ParameterizedTest(name = "leak {0}, fast path {1}: {2} forward and {3} backward ops per step")
  @MethodSource("cases")
  void opsPerStep(Leak leak, boolean fastPath, int forwardOps, int backwardOps) {
    long[] forward = new long[2];
    long[] backward = new long[2];
    int[] steps = {10, 20};
    try {
      for (int k = 0; k < 2; k++) {
        Network net = new GruNetwork(TestSupport.config(8, leak),
            new NetworkSpec(2, DataType.FLOAT), new SplittableRandom(1), fastPath);
        SplittableRandom rng = new SplittableRandom(2);
        INDArray x = ModelTestSupport.gaussian(rng, DataType.FLOAT, steps[k], 4, 2);
        INDArray h0 = net.initialState(4, rng);
        INDArray dLdh = ModelTestSupport.gaussian(rng, DataType.FLOAT, steps[k], 4, 8);
        Map<String, INDArray> g = ModelTestSupport.gradientArrays(net);
        net.backward(net.forward(x, h0), dLdh.dup(), g); // buffers and views exist from here on
        INDArray scratch = dLdh.dup();
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
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
    assertEquals(forwardOps * 10L, forward[1] - forward[0], "forward ops per 10 steps");
    assertEquals(backwardOps * 10L, backward[1] - backward[0], "backward ops per 10 steps");
  }
}
