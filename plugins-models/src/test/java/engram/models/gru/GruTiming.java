package engram.models.gru;

import static engram.models.common.FastPathTiming.compare;
import static engram.models.common.FastPathTiming.shape;

import engram.api.NetworkSpec;
import engram.models.gru.TestSupport.Leak;
import engram.runtime.Networks;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Timing harness (not a test; surefire does not run it): the GRU's kernel ({@link GruKernel},
 * "fast") against its cell run step by step by core ("nd4j") at the bench's shapes ({@link
 * engram.models.common.FastPathTiming}). Run with {@code OMP_NUM_THREADS=1
 * OPENBLAS_CORETYPE=SkylakeX java [-Dcpu=true] -cp <test class path> engram.models.gru.GruTiming
 * [reps] [S|M|L|Mleak ...]}.
 */
public final class GruTiming {
  private GruTiming() {}

  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 11;
    String[] shapes =
        args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[] {"S", "M"};
    for (String s : shapes) {
      Leak leak = s.endsWith("leak") ? Leak.TRAINED : Leak.OFF;
      int[] hbt = shape(s.replace("leak", ""));
      compare(
          "gru " + s,
          kernel ->
              Networks.create(
                  new GruModel(),
                  TestSupport.config(hbt[0], leak),
                  new NetworkSpec(1, DataType.FLOAT),
                  new SplittableRandom(7),
                  kernel ? Networks.Kernels.AUTO : Networks.Kernels.OFF),
          hbt,
          reps);
    }
  }
}
