package engram.models.lstm;

import engram.api.NetworkSpec;
import engram.models.common.FastPathTiming;
import engram.models.lstm.LstmModel.InitialState;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Timing harness (not a test; surefire does not run it): the LSTM's fast path against its ND4J
 * path at the bench's shapes, alternating in one process (see {@link FastPathTiming}, whose
 * measurement it uses). Run with {@code OMP_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX java -cp
 * <test class path> engram.models.lstm.LstmTiming [reps] [S|M|L|Mleak ...]}.
 */
public final class LstmTiming {
  private LstmTiming() {}

  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 11;
    String[] shapes = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
        : new String[] {"S", "M"};
    for (String s : shapes) {
      boolean leak = s.endsWith("leak");
      int[] hbt = FastPathTiming.shape(s.replace("leak", ""));
      FastPathTiming.compare("lstm " + s, fast -> new LstmNetwork(
          LstmTestSupport.config(hbt[0], leak, InitialState.ZERO),
          new NetworkSpec(1, DataType.FLOAT), new SplittableRandom(7), fast), hbt, reps);
    }
  }
}
