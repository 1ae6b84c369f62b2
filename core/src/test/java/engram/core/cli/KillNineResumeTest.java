package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.config.ResolvedExperiment;
import engram.core.inject.Invocation;
import engram.core.plugin.PluginRegistry;
import engram.core.run.Provenance;
import engram.core.train.TrainingObserver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code kill -9}: {@code engram run} in a separate JVM ({@code java -cp <test class path>
 * engram.core.cli.Main}) is killed with SIGKILL (kill -9) once its second resume checkpoint is
 * complete, {@code engram resume} in another JVM is killed once it has written two more (preferring
 * the moment a resume checkpoint is being written, when the poll sees its temporary directory), and
 * a third JVM resumes the run to its end. The run's {@code metrics.csv} (every column but {@code
 * wall_seconds}), {@code trace.csv} and checkpoints must equal those of the same run trained
 * straight in this JVM.
 */
@Tag("slow")
class KillNineResumeTest {
  private static final String EXPERIMENT =
      ResumeExactnessTest.CURRICULUM
          .replace("name: resume-curriculum", "name: kill-nine")
          .replace("max-epochs: 14", "max-epochs: 24")
          .replace("resume-every: 2", "resume-every: 1");

  @TempDir Path dir;

  @Test
  void aRunKilledWithSigkillTwiceAndResumedEqualsTheStraightRun() throws Exception {
    Path yaml = dir.resolve("kill-nine.yaml");
    Files.writeString(yaml, EXPERIMENT);
    PluginRegistry registry = PluginRegistry.discover(getClass().getClassLoader());
    Invocation invocation = new Invocation(registry);
    ResolvedExperiment experiment = invocation.loader().load(yaml, List.of());
    RunCommand.Outcome straight =
        RunCommand.train(
            invocation,
            experiment,
            dir.resolve("straight"),
            List.of("engram", "run"),
            new TrainingObserver() {},
            "",
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(new StringWriter(), true),
            List.of());
    assertEquals(Main.OK, straight.code());

    Path root = dir.resolve("killed");
    Process first = java("first.log", "run", yaml.toString(), "--runs-dir", root.toString());
    Path run = awaitRunDirectory(first, root);
    killAfterResumeCheckpoints(first, run, 2);
    Process second = java("second.log", "resume", run.toString());
    killAfterResumeCheckpoints(second, run, 2);
    Process third = java("third.log", "resume", run.toString());
    assertTrue(third.waitFor(120, TimeUnit.SECONDS), "the last resume did not end");
    assertEquals(0, third.exitValue(), Files.readString(dir.resolve("third.log")));

    RunTrees.assertSameRun(straight.run(), run, "killed twice with SIGKILL");
    assertEquals(2, Provenance.read(run.resolve("provenance.json")).resumes().size());
  }

  /**
   * {@code java -cp <this JVM's class path> engram.core.cli.Main args...}, output to {@code log}.
   */
  private Process java(String log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("engram.core.cli.Main");
    command.addAll(List.of(args));
    command.add("--progress");
    command.add("lines");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(log).toFile());
    builder.environment().put("OMP_NUM_THREADS", "1");
    return builder.start();
  }

  private static Path awaitRunDirectory(Process p, Path root) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (Files.isDirectory(root)) {
        try (Stream<Path> runs = Files.list(root)) {
          List<Path> found = runs.toList();
          if (!found.isEmpty() && Files.exists(found.get(0).resolve("provenance.json"))) {
            return found.get(0);
          }
        }
      }
      assertTrue(p.isAlive(), "the child JVM ended before creating its run directory");
      Thread.sleep(20);
    }
    p.destroyForcibly();
    throw new AssertionError("no run directory under " + root + " within 60 s");
  }

  /**
   * Waits until {@code more} resume checkpoints newer than the newest one now are complete (one per
   * epoch of 10 steps), then waits (up to 2 s) for the next one's write to begin and sends SIGKILL
   * ({@link Process#destroyForcibly()}: {@code kill -9}; the exit status 137 proves the signal) at
   * once: during that write if the poll sees it, otherwise in a step.
   */
  private static void killAfterResumeCheckpoints(Process p, Path run, int more) throws Exception {
    try {
      long start = newest(run);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (newest(run) < Math.max(start, 0) + 10L * more) {
        assertTrue(p.isAlive(), "the child JVM ended before it was killed");
        assertTrue(System.nanoTime() < deadline, "no resume checkpoints within 90 s");
        Thread.sleep(5);
      }
      long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      boolean duringWrite = false;
      while (System.nanoTime() < wait && !(duringWrite = writing(run))) {
        Thread.onSpinWait();
      }
      p.destroyForcibly();
      System.out.printf(
          "KillNineResumeTest: SIGKILL %s, newest resume checkpoint at step %d%n",
          duringWrite ? "while a resume checkpoint was being written" : "during a step",
          newest(run)); // on Linux: kill(pid, SIGKILL), at once (a kill process takes ms)
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the child JVM survived kill -9");
      assertEquals(137, p.exitValue(), "killed by SIGKILL (128 + 9)");
    } finally {
      p.destroyForcibly();
    }
  }

  /** The step of the newest complete resume checkpoint, -1 for none. */
  private static long newest(Path run) throws IOException {
    Path resume = run.resolve("resume");
    if (!Files.isDirectory(resume)) {
      return -1;
    }
    try (Stream<Path> children = Files.list(resume)) {
      return children
          .map(c -> c.getFileName().toString())
          .filter(n -> n.startsWith("resume-s"))
          .mapToLong(n -> Long.parseLong(n.substring("resume-s".length())))
          .max()
          .orElse(-1);
    }
  }

  private static boolean writing(Path run) throws IOException {
    Path resume = run.resolve("resume");
    try (Stream<Path> children = Files.list(resume)) {
      return children.anyMatch(c -> c.getFileName().toString().startsWith(".tmp-resume"));
    }
  }
}
