package engram.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import engram.api.Parameter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks that numpy itself reads checkpoints. Needs python3 with numpy; skipped (with the reason
 * stated) where they are missing — the NPY layout is still checked byte by byte in {@link
 * CheckpointsTest#npyFilesAreStandard()}.
 */
class NumpyInteropTest {
  @TempDir Path dir;

  private static String python(String script) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true).start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("python3 did not finish within 30 s");
    }
    String output =
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "python3 failed (exit " + process.exitValue() + "): " + output);
    }
    return output;
  }

  private static boolean numpyAvailable() {
    try {
      python("import numpy");
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void numpyLoadsCheckpointTensors() throws Exception {
    assumeTrue(numpyAvailable(), "python3 with numpy is not installed on this machine");
    RunDirectory run = RunDirectory.create(dir, "run", Instant.EPOCH);
    INDArray w = Nd4j.create(new double[] {1.5, -2, 3.25, 4, 5, 0.1}, new long[] {2, 3}, 'c');
    List<Parameter> tensors =
        List.of(
            new Parameter("w32", w.castTo(DataType.FLOAT).transpose(), true),
            new Parameter("w64", w.castTo(DataType.DOUBLE), true),
            new Parameter("s", Nd4j.scalar(2.5f), false));
    Path out = Checkpoints.write(run, "c", 1, 1, new int[] {2}, tensors, Map.of());
    String script =
        "import json, numpy as np, os\n"
            + "d = "
            + pythonString(out.toString())
            + "\n"
            + "index = json.load(open(os.path.join(d, 'index.json')))\n"
            + "for t in index['tensors']:\n"
            + "    a = np.load(os.path.join(d, t['file']))\n"
            + "    assert str(a.dtype) == t['dtype'] and list(a.shape) == t['shape']\n"
            + "    print(t['name'], a.dtype, a.shape, repr(a.ravel().tolist()))\n";
    assertEquals(
        String.join(
            "\n",
            "w32 float32 (3, 2) [1.5, 4.0, -2.0, 5.0, 3.25, " + (double) 0.1f + "]",
            "w64 float64 (2, 3) [1.5, -2.0, 3.25, 4.0, 5.0, 0.1]",
            "s float32 () [2.5]"),
        python(script));
  }

  private static String pythonString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
