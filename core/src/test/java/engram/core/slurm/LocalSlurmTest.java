package engram.core.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * The real single-node Slurm cluster (build/slurm/cluster) through {@link LocalSlurm}: an array
 * with a failing task, a requeued array task that runs again and completes, a cancelled job.
 * Skipped with the script's reason where it cannot run (not root), failed there under
 * ENGRAM_SLURM_REQUIRED=1 (.ci/run; LocalSlurmStartTest checks that choice). Takes about 20 s, most
 * of it the 11 s a requeued job waits before it runs again.
 */
@Tag("slurm")
class LocalSlurmTest {

  @TempDir Path dir;

  @Test
  void anArrayRunsTwoTasksAtATimeAndReportsTheFailingTaskAsFailed() throws IOException {
    LocalSlurm slurm = LocalSlurm.require();
    // Each task writes its index and its start and end times; task 1 fails.
    Path script =
        script(
            "task.sh",
            """
            #!/bin/bash
            i="$SLURM_ARRAY_TASK_ID"
            start="$(date +%s.%N)"
            echo "$i" > "index-$i"
            sleep 2
            echo "$start $(date +%s.%N)" > "times-$i"
            [ "$i" != 1 ]
            """);
    String array = slurm.sbatch(script, "--array=0-2%2", "--output=task-%a.log", "--time=2");

    Map<Integer, String> tasks =
        slurm.waitForTasks(array, Duration.ofSeconds(60), LocalSlurm.ENDED);

    assertEquals(Map.of(0, "COMPLETED", 1, "FAILED", 2, "COMPLETED"), tasks);
    assertEquals("FAILED", slurm.state(array + "_1"));
    for (int i = 0; i < 3; i++) {
      assertEquals(i + "\n", Files.readString(dir.resolve("index-" + i)), "task " + i + " wrote");
    }
    // %2: the third task starts only after one of the first two has ended.
    List<double[]> times = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String[] t = Files.readString(dir.resolve("times-" + i)).strip().split(" ");
      times.add(new double[] {Double.parseDouble(t[0]), Double.parseDouble(t[1])});
    }
    assertTrue(
        maxOverlap(times) == 2,
        "tasks ran two at a time: " + times.stream().map(Arrays::toString).toList());
  }

  @Test
  void aRequeuedArrayTaskRunsAgainWithRestartCountOneAndCompletes() throws IOException {
    LocalSlurm slurm = LocalSlurm.require();
    // Task 0 ends at once; task 1's first run would take 10 min, its rerun
    // (SLURM_RESTART_COUNT=1) ends at once.
    Path script =
        script(
            "long.sh",
            """
            #!/bin/bash
            i="$SLURM_ARRAY_TASK_ID"
            restarts="${SLURM_RESTART_COUNT:-0}"
            echo "SLURM_RESTART_COUNT=$restarts"
            echo "run $restarts" >> "runs-$i"
            [ "$i" = 0 ] || [ "$restarts" -ge 1 ] || sleep 600
            """);
    String array =
        slurm.sbatch(
            script, "--array=0-1", "--requeue", "--output=long-%a.log", "--open-mode=append");
    String task = array + "_1";
    slurm.waitFor(task, Duration.ofSeconds(30), Set.of("RUNNING"));
    awaitFile(dir.resolve("runs-1"), Duration.ofSeconds(10));

    slurm.requeue(task);

    assertEquals(
        Map.of(0, "COMPLETED", 1, "COMPLETED"),
        slurm.waitForTasks(array, Duration.ofSeconds(45), LocalSlurm.ENDED));
    assertEquals(List.of("run 0"), Files.readAllLines(dir.resolve("runs-0")));
    assertEquals(List.of("run 0", "run 1"), Files.readAllLines(dir.resolve("runs-1")));
    String log = Files.readString(dir.resolve("long-1.log"));
    assertTrue(log.contains("SLURM_RESTART_COUNT=1"), "task 1's output: " + log);
  }

  @Test
  void aCancelledJobEndsCancelledAndAnUnknownIdIsNamed() throws IOException {
    LocalSlurm slurm = LocalSlurm.require();
    Path script = script("wait.sh", "#!/bin/bash\nsleep 600\n");
    String job = slurm.sbatch(script, "--output=/dev/null");

    slurm.cancel(job);

    assertEquals("CANCELLED", slurm.waitFor(job, Duration.ofSeconds(30), LocalSlurm.ENDED));
    AssertionFailedError unknown =
        assertThrows(AssertionFailedError.class, () -> slurm.state("999999999"));
    assertTrue(unknown.getMessage().contains("does not know job 999999999"), unknown.getMessage());
    AssertionFailedError ended =
        assertThrows(
            AssertionFailedError.class,
            () -> slurm.waitFor(job, Duration.ofSeconds(5), Set.of("COMPLETED")));
    assertTrue(ended.getMessage().contains("ended CANCELLED"), ended.getMessage());
  }

  /** The largest number of [start, end] intervals that contain a common instant. */
  private static int maxOverlap(List<double[]> intervals) {
    int max = 0;
    for (double[] a : intervals) {
      int overlapping = 0;
      for (double[] b : intervals) {
        if (b[0] <= a[0] && a[0] < b[1]) {
          overlapping++;
        }
      }
      max = Math.max(max, overlapping);
    }
    return max;
  }

  private Path script(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    assertTrue(file.toFile().setExecutable(true), "chmod +x " + file);
    return file;
  }

  private static void awaitFile(Path file, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(file)) {
      assertTrue(System.nanoTime() < deadline, file + " did not appear within " + timeout);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
