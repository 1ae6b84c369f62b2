package engram.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PyTorch reference: {@code torch_leaky_rnn_step.py H B T HEADS 1} run with a Python that has
 * torch, on one thread (OMP_NUM_THREADS=1); each call prints the median of 10 timed steps after 3
 * warm-ups.
 */
final class TorchReference {
  static final String SCRIPT = "torch_leaky_rnn_step.py";
  private static final Pattern RESULT = Pattern.compile("ms_per_step=([0-9.eE+-]+)");

  private final Path python;
  private final Path script;

  TorchReference(Path python, Path script) {
    this.python = python;
    this.script = script;
  }

  Path script() {
    return script;
  }

  /**
   * Finds the reference script: {@code explicit} when given, else {@code
   * <repo>/../shared/reference/}, else {@code ../shared/reference/} from the working folder.
   *
   * @param repo the repository root when known (the launcher's folder), else null
   * @return null when none exists
   */
  static Path locate(Path explicit, Path repo) {
    if (explicit != null) {
      return Files.isRegularFile(explicit) ? explicit : null;
    }
    List<Path> candidates = new ArrayList<>();
    if (repo != null) {
      candidates.add(repo.resolve("../shared/reference").resolve(SCRIPT).normalize());
    }
    candidates.add(Path.of("..", "shared", "reference", SCRIPT).toAbsolutePath().normalize());
    for (Path c : candidates) {
      if (Files.isRegularFile(c)) {
        return c;
      }
    }
    return null;
  }

  /** Whether {@code python -c 'import torch'} succeeds. */
  static boolean hasTorch(Path python) {
    try {
      Process p =
          new ProcessBuilder(python.toString(), "-c", "import torch")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * The BLAS library torch loads: {@code openblas}, {@code blis}, {@code mkl}, {@code reference}
   * (Debian's libblas3) or {@code unknown}, read from the process's memory maps after import.
   */
  String blas() {
    String code =
        "import torch\n"
            + "m = open('/proc/self/maps').read()\n"
            + "print('openblas' if 'openblas' in m else 'blis' if 'blis' in m else 'mkl' if 'mkl'"
            + " in m else 'reference' if '/blas/libblas' in m else 'unknown')";
    try {
      Process p =
          new ProcessBuilder(python.toString(), "-c", code).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      p.waitFor();
      return p.exitValue() == 0 && !out.isEmpty()
          ? out.lines().reduce((a, b) -> b).orElseThrow()
          : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /**
   * One run of the script: its median ms per step.
   *
   * @throws IOException when the script fails or prints no result (the message quotes its output)
   */
  double msPerStep(BenchShape shape) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(
            python.toString(),
            script.toString(),
            String.valueOf(shape.hidden()),
            String.valueOf(shape.batch()),
            String.valueOf(shape.steps()),
            String.valueOf(shape.heads()),
            "1");
    Map<String, String> env = pb.environment();
    env.put("OMP_NUM_THREADS", "1");
    env.put("MKL_NUM_THREADS", "1");
    env.put("OPENBLAS_NUM_THREADS", "1");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    Matcher m = RESULT.matcher(output);
    if (code != 0 || !m.find()) {
      String last = output.strip().lines().reduce((a, b) -> b).orElse("(no output)");
      throw new IOException(
          script + " failed for shape " + shape.name() + " (exit " + code + "): " + last);
    }
    return Double.parseDouble(m.group(1));
  }
}
