package engram.models.lstm;

import engram.api.NetworkSpec;
import engram.models.common.FastPathTiming;
import engram.models.lstm.LstmModel.InitialState;
import engram.runtime.Networks;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Timing harness (not a test; surefire does not run it): the LSTM's fused kernel ({@code
 * lstm/fused}, labelled "fast") against its cell run step by step by core (labelled "nd4j": the
 * cell's plain ND4J ops) at the bench's shapes, alternating in one process (see {@link
 * FastPathTiming}, whose measurement it uses). Run with {@code OMP_NUM_THREADS=1
 * OPENBLAS_CORETYPE=SkylakeX java -cp <test class path> engram.models.lstm.LstmTiming [reps]
 * [S|M|L|Mleak ...]}.
 */
public final class LstmTiming {
  private LstmTiming() {}

  /**
   * Prints the medians of forward, backward and total time of both implementations per shape.
   *
   * @param args repeats (default 11), then shape names (default S M; a "leak" suffix turns on the
   *     trainable τ leak)
   */
  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 11;
    String[] shapes =
        args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[] {"S", "M"};
    for (String s : shapes) {
      boolean leak = s.endsWith("leak");
      int[] hbt = FastPathTiming.shape(s.replace("leak", ""));
      FastPathTiming.compare(
          "lstm " + s,
          kernel ->
              Networks.create(
                  new LstmModel(),
                  LstmTestSupport.config(hbt[0], leak, InitialState.ZERO),
                  new NetworkSpec(1, DataType.FLOAT),
                  new SplittableRandom(7),
                  kernel ? Networks.Kernels.AUTO : Networks.Kernels.OFF),
          hbt,
          reps);
    }
  }
}
