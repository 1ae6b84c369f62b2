package engram.analysis.fakes;

import engram.api.Analyzer.Checkpoint;
import engram.api.curriculum.Assignment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checkpoints and file checks for the analyzer tests (contexts: the testkit's FakeAnalysisContext).
 */
public final class Fixtures {
  private Fixtures() {}

  public static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  /**
   * A checkpoint with {@code w_in [H, 1]}, {@code w_rec [H, H]}, {@code w_out [H]} (float) and,
   * when {@code taus} is not null, {@code taus [H]}.
   */
  public static Checkpoint checkpoint(
      String name,
      int epoch,
      int[] levels,
      double[][] wRec,
      double[] wOut,
      double[] taus,
      List<Assignment> assignments) {
    int h = wRec.length;
    Map<String, INDArray> tensors = new HashMap<>();
    tensors.put("w_rec", Nd4j.createFromArray(wRec).castTo(DataType.FLOAT));
    tensors.put("w_out", Nd4j.createFromArray(wOut).castTo(DataType.FLOAT));
    tensors.put("w_in", Nd4j.ones(DataType.FLOAT, h, 1));
    if (taus != null) {
      tensors.put("taus", Nd4j.createFromArray(taus).castTo(DataType.FLOAT));
    }
    return new Checkpoint(name, epoch, levels, tensors, assignments);
  }

  /** A deterministic pseudo-random H×H matrix with entries in (−0.5, 0.5) and zero diagonal. */
  public static double[][] matrix(int h, long seed) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    double[][] w = new double[h][h];
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < h; j++) {
        w[i][j] = i == j ? 0 : rng.nextDouble() - 0.5;
      }
    }
    return w;
  }

  /** CSV lines without the header, split into fields. */
  public static List<String[]> rows(Path csv) throws IOException {
    return Files.readAllLines(csv).stream().skip(1).map(l -> l.split(",", -1)).toList();
  }

  public static String header(Path csv) throws IOException {
    return Files.readAllLines(csv).get(0);
  }

  public static boolean isPng(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return bytes.length > PNG_MAGIC.length
        && Arrays.equals(PNG_MAGIC, Arrays.copyOf(bytes, PNG_MAGIC.length));
  }

  /** Whether {@code dir} is empty (nothing written). */
  public static boolean empty(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.findAny().isEmpty();
    }
  }
}
