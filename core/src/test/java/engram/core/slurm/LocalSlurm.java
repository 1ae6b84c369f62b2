package engram.core.slurm;

import java.io.File;
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
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The test side of the single-node Slurm cluster that {@code build/slurm/cluster} runs on this
 * machine (docs/dev/slurm-cluster.md): {@link #require()} starts it (installing Slurm if needed)
 * and returns a handle that submits, watches, requeues and cancels jobs through Slurm's own client
 * tools ({@code sbatch}, {@code squeue}, {@code scontrol}, {@code scancel}).
 *
 * <p>Every process it starts reads {@code /dev/null} and writes to temporary files (no pipe is
 * inherited, so nothing hangs on a daemon that keeps one open), and is killed after a timeout. A
 * failed command fails the test with the command, its output and the last lines of the cluster's
 * logs. Job and task ids are Slurm's strings: {@code "12"} for a job or an array, {@code "12_3"}
 * for task 3 of array 12. Slurm keeps an ended job for {@code MinJobAge} = 300 s, after which
 * {@link #state} no longer knows it.
 */
public final class LocalSlurm {

  /**
   * The states in which a job or task has ended and stays (without a requeue): an exit code 0 is
   * {@code COMPLETED}, any other {@code FAILED}; {@code scancel} gives {@code CANCELLED}, an
   * exceeded {@code --time} {@code TIMEOUT}.
   */
  public static final Set<String> ENDED =
      Set.of(
          "COMPLETED",
          "FAILED",
          "CANCELLED",
          "TIMEOUT",
          "NODE_FAIL",
          "OUT_OF_MEMORY",
          "BOOT_FAIL",
          "DEADLINE");

  /** Set to 1 (by .ci/run) to make {@link #require()} fail, not skip, without a cluster. */
  public static final String REQUIRED_VARIABLE = "ENGRAM_SLURM_REQUIRED";

  /** The exit code by which the cluster script says it cannot run here (no root). */
  static final int CANNOT_RUN_HERE = 77;

  private static final Duration START_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final int LOG_TAIL_LINES = 20;
  private static final Pattern JOB_ID = Pattern.compile("\\d+");
  private static final Pattern TASK_LINE = Pattern.compile("(\\d+)_(\\d+) (\\S+)");

  private final Path script;
  private final Path base;

  private LocalSlurm(Path script, Path base) {
    this.script = script;
    this.base = base;
  }

  /**
   * Starts the cluster ({@code build/slurm/cluster start}, idempotent: a few hundred ms when it
   * already runs, about 3 s to start, plus the install on a machine without Slurm) and returns a
   * handle to it. The repository root is found upwards from the working directory (Maven runs a
   * module's tests in the module's directory). The cluster keeps running after the tests ({@code
   * build/slurm/cluster stop} stops it; .ci/run does): it is one per machine, and builds or
   * engineers running at the same time share it, so no JVM may stop it under the others' jobs.
   *
   * <p>If the script cannot run here (exit 77: not root, no passwordless sudo), the calling test is
   * aborted (skipped) with the script's message, unless {@value #REQUIRED_VARIABLE}=1, which makes
   * it fail; any other failure of the script fails the test.
   */
  public static LocalSlurm require() {
    Path root = repositoryRoot(Path.of("").toAbsolutePath());
    Path script = root.resolve("build/slurm/cluster");
    String home = System.getenv("ENGRAM_SLURM_HOME");
    Path base = Path.of(home == null || home.isBlank() ? "/tmp/engram-slurm" : home);
    LocalSlurm slurm = new LocalSlurm(script, base);
    Result start = slurm.run(START_TIMEOUT, root, script.toString(), "start");
    checkStart(start, "1".equals(System.getenv(REQUIRED_VARIABLE)), slurm);
    return slurm;
  }

  /**
   * What {@link #require()} does with the script's result: nothing on exit 0; on exit 77 an abort
   * (a {@code TestAbortedException}) carrying the script's message, or a failure if {@code
   * required}; a failure on any other exit code.
   */
  static void checkStart(Result start, boolean required, LocalSlurm slurm) {
    if (start.exitCode() == 0) {
      return;
    }
    String message = start.stderr().strip();
    if (message.isEmpty()) {
      message = start.stdout().strip();
    }
    if (start.exitCode() == CANNOT_RUN_HERE) {
      if (!required) {
        Assumptions.abort("no Slurm cluster: " + message);
      }
      Assertions.fail(
          "no Slurm cluster, and "
              + REQUIRED_VARIABLE
              + "=1 makes that a failure: "
              + message
              + " (unset "
              + REQUIRED_VARIABLE
              + " to skip the Slurm tests instead)");
    }
    Assertions.fail(
        "build/slurm/cluster start failed (exit "
            + start.exitCode()
            + "):\n"
            + start.stdout()
            + start.stderr()
            + (slurm == null ? "" : slurm.logTails()));
  }

  /**
   * Submits {@code script} with {@code sbatch --parsable OPTIONS... SCRIPT} from the script's
   * directory (the job's working directory unless an option sets {@code --chdir}) and returns the
   * job id ({@code "12"}; for {@code --array} the array's id).
   *
   * @param options sbatch options, e.g. {@code "--array=0-2%2"}, {@code "--output=%a.log"}
   */
  public String sbatch(Path script, String... options) {
    List<String> command = new ArrayList<>(List.of("sbatch", "--parsable"));
    command.addAll(Arrays.asList(options));
    command.add(script.toAbsolutePath().toString());
    Path dir = script.toAbsolutePath().getParent();
    String id = check(run(COMMAND_TIMEOUT, dir, command.toArray(String[]::new))).strip();
    int cluster = id.indexOf(';'); // --parsable prints "id" or "id;cluster"
    if (cluster >= 0) {
      id = id.substring(0, cluster);
    }
    if (!JOB_ID.matcher(id).matches()) {
      Assertions.fail("sbatch printed '" + id + "', not a job id" + logTails());
    }
    return id;
  }

  /**
   * The state of one job or array task ({@code PENDING}, {@code RUNNING}, {@code COMPLETING},
   * {@code COMPLETED}, {@code FAILED}, ...) from {@code squeue -h -t all -j ID -o %T}. Fails for an
   * id Slurm does not know (never submitted, or ended over 300 s ago) and for an array's id with
   * more than one task left (use {@link #tasks}).
   */
  public String state(String id) {
    Result result = run(COMMAND_TIMEOUT, base, "squeue", "-h", "-t", "all", "-j", id, "-o", "%T");
    if (result.exitCode() != 0) {
      Assertions.fail(
          "Slurm does not know job "
              + id
              + " (never submitted, or it ended over MinJobAge = 300 s ago): "
              + result.stderr().strip());
    }
    List<String> states = result.stdout().lines().map(String::strip).toList();
    if (states.size() != 1) {
      Assertions.fail(
          "job " + id + " has " + states.size() + " entries " + states + ": use tasks(" + id + ")");
    }
    return states.get(0);
  }

  /**
   * The state of every task of array {@code arrayJobId}, by task index ({@code squeue -r}: pending
   * tasks one by one too). Empty if Slurm no longer knows the array.
   */
  public SortedMap<Integer, String> tasks(String arrayJobId) {
    Result result =
        run(
            COMMAND_TIMEOUT,
            base,
            "squeue",
            "-h",
            "-r",
            "-t",
            "all",
            "-j",
            arrayJobId,
            "-o",
            "%i %T");
    SortedMap<Integer, String> tasks = new TreeMap<>();
    if (result.exitCode() != 0) {
      return tasks; // "Invalid job id specified": unknown or gone
    }
    for (String line : result.stdout().lines().map(String::strip).toList()) {
      Matcher m = TASK_LINE.matcher(line);
      if (!m.matches() || !m.group(1).equals(arrayJobId)) {
        Assertions.fail("job " + arrayJobId + " is not an array: squeue printed '" + line + "'");
      }
      tasks.put(Integer.parseInt(m.group(2)), m.group(3));
    }
    return tasks;
  }

  /**
   * Polls {@link #state} every 200 ms until the job or task is in one of {@code states} and returns
   * that state. Fails at once if it ends in a state outside {@code states} (e.g. {@code FAILED}
   * while waiting for {@code COMPLETED}), and after {@code timeout}, with the last state seen and
   * the cluster's logs.
   */
  public String waitFor(String id, Duration timeout, Set<String> states) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String state = state(id);
    while (!states.contains(state)) {
      if (ENDED.contains(state)) {
        Assertions.fail(
            "job " + id + " ended " + state + " while waited for as one of " + states + logTails());
      }
      if (System.nanoTime() > deadline) {
        Assertions.fail(
            "job "
                + id
                + " is still "
                + state
                + " after "
                + timeout
                + ", not in "
                + states
                + logTails());
      }
      sleep(POLL);
      state = state(id);
    }
    return state;
  }

  /**
   * Polls {@link #tasks} every 200 ms until every task of the array is in one of {@code states} and
   * returns their states by index. Fails at once if a task ends in a state outside {@code states},
   * and after {@code timeout}.
   */
  public SortedMap<Integer, String> waitForTasks(
      String arrayJobId, Duration timeout, Set<String> states) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      SortedMap<Integer, String> tasks = tasks(arrayJobId);
      if (tasks.isEmpty()) {
        Assertions.fail("Slurm does not know array " + arrayJobId + logTails());
      }
      if (states.containsAll(tasks.values())) {
        return tasks;
      }
      for (Map.Entry<Integer, String> task : tasks.entrySet()) {
        if (ENDED.contains(task.getValue()) && !states.contains(task.getValue())) {
          Assertions.fail(
              "task "
                  + arrayJobId
                  + "_"
                  + task.getKey()
                  + " ended "
                  + task.getValue()
                  + " while waited for as one of "
                  + states
                  + "; all tasks: "
                  + tasks
                  + logTails());
        }
      }
      if (System.nanoTime() > deadline) {
        Assertions.fail(
            "array "
                + arrayJobId
                + " after "
                + timeout
                + ": "
                + tasks
                + ", not all in "
                + states
                + logTails());
      }
      sleep(POLL);
    }
  }

  /**
   * Puts a running or ended batch job or task back in the queue ({@code scontrol requeue ID}):
   * Slurm signals it (SIGTERM, then SIGKILL after KillWait = 30 s), sets it {@code PENDING} and
   * runs it again once its begin time, now + cred_expire + 1 s (11 s on this cluster), has passed;
   * the new run sees {@code SLURM_RESTART_COUNT} one higher. The job must have been submitted with
   * {@code --requeue} or under {@code JobRequeue=1} (this cluster's setting).
   */
  public void requeue(String taskId) {
    check(run(COMMAND_TIMEOUT, base, "scontrol", "requeue", taskId));
  }

  /** Cancels a job, an array (all its tasks) or one task ({@code scancel ID}). */
  public void cancel(String id) {
    check(run(COMMAND_TIMEOUT, base, "scancel", id));
  }

  /**
   * Sends {@code signal} to the batch shell of a job or task only ({@code scancel --batch
   * --signal=SIGNAL ID}), as Slurm does at {@code --signal=B:SIGNAL@seconds} before a time limit.
   */
  public void signalBatch(String id, String signal) {
    check(run(COMMAND_TIMEOUT, base, "scancel", "--batch", "--signal=" + signal, id));
  }

  /** The base directory of the cluster's state and logs ({@code ENGRAM_SLURM_HOME}). */
  public Path base() {
    return base;
  }

  /** The last lines of slurmctld's and slurmd's logs, for failure messages. */
  public String logTails() {
    StringBuilder tails = new StringBuilder();
    for (String name : List.of("slurmctld.log", "slurmd.log")) {
      Path log = base.resolve("log").resolve(name);
      tails.append("\n--- last lines of ").append(log).append('\n');
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        lines
            .subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())
            .forEach(line -> tails.append(line).append('\n'));
      } catch (IOException e) {
        tails.append("(cannot read it: ").append(e).append(")\n");
      }
    }
    return tails.toString();
  }

  /** A finished process: exit code, standard output and standard error. */
  record Result(List<String> command, int exitCode, String stdout, String stderr) {}

  private String check(Result result) {
    if (result.exitCode() != 0) {
      Assertions.fail(
          String.join(" ", result.command())
              + " failed (exit "
              + result.exitCode()
              + "): "
              + (result.stderr() + result.stdout()).strip()
              + logTails());
    }
    return result.stdout();
  }

  /**
   * Runs {@code command} in {@code dir} with stdin from /dev/null and stdout/stderr into temporary
   * files; kills it and fails after {@code timeout}.
   */
  private Result run(Duration timeout, Path dir, String... command) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("engram-slurm-", ".out");
      err = Files.createTempFile("engram-slurm-", ".err");
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        Assertions.fail(
            String.join(" ", command)
                + " did not finish in "
                + timeout
                + "; its output: "
                + Files.readString(out)
                + Files.readString(err)
                + logTails());
      }
      return new Result(
          List.of(command), process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + String.join(" ", command), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover temporary file is harmless; the command's result matters
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for Slurm", e);
    }
  }

  /** The first directory from {@code start} upwards that holds {@code build/slurm/cluster}. */
  static Path repositoryRoot(Path start) {
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("build/slurm/cluster"))) {
        return dir;
      }
    }
    throw new AssertionError(
        "no build/slurm/cluster in " + start + " or above: run the tests inside the repository");
  }
}
