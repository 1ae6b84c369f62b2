package engram.models.lstm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Network;
import engram.api.Trajectory;
import engram.models.lstm.LstmModel.InitialState;
import engram.runtime.CellNetwork;
import engram.testkit.TestArrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;

/**
 * The performance contract of the fused kernel's hot loop, counted with ND4J's op profiler (every
 * executed op, gemm included): ND4J ops per time step, forward and backward, independent of T. The
 * per-step count is the difference between runs of 2T and T steps, divided by T, so the fixed
 * per-call work (parameter layout, transposes, dL/dτ) does not enter it. A step of the kernel makes
 * no ND4J op: its products go straight to OpenBLAS and the rest are Java loops.
 */
class LstmOpCountTest {

  /** What ND4J's deprecated ProfilingMode.OPERATIONS set: the profiler sees every op call. */
  private static final ProfilerConfig COUNT_OPS =
      ProfilerConfig.builder().stackTrace(true).checkElapsedTime(true).build();

  @AfterEach
  void stopProfiling() {
    Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build()); // off
    OpProfiler.getInstance().reset();
  }

  @ParameterizedTest(name = "leak {0}: no ND4J op per step")
  @ValueSource(booleans = {false, true})
  void kernelMakesNoNd4jOpPerStep(boolean leak) {
    CellNetwork net =
        LstmTestSupport.network(
            LstmTestSupport.config(6, leak, InitialState.ZERO), 2, DataType.FLOAT, 1);
    assertEquals("lstm/fused", net.implementation());
    long[] f10 = count(net, 10);
    long[] f20 = count(net, 20);
    assertTrue(f10[0] > 0 && f10[1] > 0, "the profiler sees the per-call ops");
    assertEquals(0, f20[0] - f10[0], "forward ops for 10 more steps");
    assertEquals(0, f20[1] - f10[1], "backward ops for 10 more steps");
  }

  /** Ops of one forward and one backward call over {@code steps} steps (after a warm-up call). */
  private static long[] count(Network net, int steps) {
    SplittableRandom rng = new SplittableRandom(steps);
    INDArray x = TestArrays.gaussian(rng, DataType.FLOAT, steps, 3, 2);
    INDArray h0 = net.initialState(3, rng);
    INDArray dLdh = TestArrays.gaussian(rng, DataType.FLOAT, steps, 3, 6);
    Map<String, INDArray> grads = TestArrays.gradientArrays(net);
    net.backward(net.forward(x, h0), dLdh, grads); // buffers and views for this shape
    OpProfiler profiler = OpProfiler.getInstance();
    Nd4j.getExecutioner().setProfilingConfig(COUNT_OPS);
    profiler.reset();
    Trajectory traj = net.forward(x, h0);
    long forward = profiler.getInvocationsCount();
    profiler.reset();
    net.backward(traj, dLdh, grads);
    long backward = profiler.getInvocationsCount();
    Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build()); // off
    return new long[] {forward, backward};
  }
}
