package engram.core.run;

import engram.api.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Not a test: the cost of one checkpoint of the DMTS example's network (leaky-rnn, H = 100, one
 * input, one head; float32), for docs/perf. Run with {@code -Dtest=CheckpointCostTiming}.
 */
class CheckpointCostTiming {
  @Test
  void timeCheckpoints() throws Exception {
    Path root = Files.createTempDirectory("ckpt-timing");
    RunDirectory run = RunDirectory.create(root, "timing", Instant.now());
    int h = 100;
    List<Parameter> tensors =
        List.of(
            new Parameter("w_in", Nd4j.rand(DataType.FLOAT, h, 1), true),
            new Parameter("b_in", Nd4j.rand(DataType.FLOAT, h), true),
            new Parameter("w_rec", Nd4j.rand(DataType.FLOAT, h, h), true),
            new Parameter("b_rec", Nd4j.rand(DataType.FLOAT, h), true),
            new Parameter("taus", Nd4j.rand(DataType.FLOAT, h), false),
            new Parameter("head_0_w", Nd4j.rand(DataType.FLOAT, 1, h), true),
            new Parameter("head_0_b", Nd4j.rand(DataType.FLOAT, 1), true));
    int n = 300;
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      Checkpoints.write(
          run,
          String.format("step-%08d", i + 1),
          1,
          i + 1,
          new int[] {30},
          tensors,
          Map.of("reason", "step-schedule"));
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    double[] steady = Arrays.copyOfRange(ms, 50, n);
    Arrays.sort(steady);
    System.out.printf(
        "checkpoint ms: median %.3f, p10 %.3f, p90 %.3f (n = %d after 50 warm-up)%n",
        steady[steady.length / 2],
        steady[steady.length / 10],
        steady[steady.length * 9 / 10],
        steady.length);
  }
}
