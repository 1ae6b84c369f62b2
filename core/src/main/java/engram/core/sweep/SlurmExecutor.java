package engram.core.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Puts a sweep on a Slurm cluster: one job array (one run per array task, the task id being the
 * run's index in {@code sweep.json}) and a job that depends on it and runs {@code engram sweep
 * finish}. Each task runs {@code engram sweep task DIR $SLURM_ARRAY_TASK_ID}, which starts, resumes
 * or skips its run by the state of its run directory, so a requeued task resumes instead of
 * restarting.
 *
 * <p>Time limits: the array asks Slurm for {@code --signal=B:USR1@120}; the task script turns that
 * into SIGTERM for engram (which writes a resume checkpoint and exits with 130) and requeues the
 * task with {@code scontrol requeue}. A preemption or {@code scontrol requeue} by an administrator
 * requeues it through {@code --requeue}; {@code scancel} stops it for good (resume it with {@code
 * engram sweep DIR}). Console output of each task is appended to {@code
 * slurm/logs/task-<index>.log} in the sweep directory and linked from its run directory as {@code
 * slurm.log}.
 */
public final class SlurmExecutor {
  /** Where the scripts and logs go, inside the sweep directory. */
  public static final String DIRECTORY = "slurm";

  private final String engram;
  private final SlurmOptions options;

  /**
   * @param engram the command that runs engram on the nodes, as shell words (the launcher's
   *     absolute path, or a {@code java -cp ... engram.core.cli.Main} line)
   * @param options resources of each task
   */
  public SlurmExecutor(String engram, SlurmOptions options) {
    this.engram = engram;
    this.options = options;
  }

  /** The array job and the dependent finish job. */
  public record Submission(String arrayJob, String finishJob, String arraySpec, Path script) {}

  /**
   * Writes the scripts into {@code sweep/slurm/} and submits them with {@code sbatch}.
   *
   * @param indices the runs to put in the array (not empty)
   * @param plugins plugin arguments passed to every engram command
   * @throws IOException when sbatch is missing or refuses; the message has its output
   */
  public Submission submit(
      Path sweep, SweepIndex index, List<Integer> indices, List<String> plugins)
      throws IOException, InterruptedException {
    Path dir = sweep.resolve(DIRECTORY);
    Files.createDirectories(dir.resolve("logs"));
    String spec = arraySpec(indices, options.throttle());
    String stamp = String.valueOf(System.currentTimeMillis());
    Path array = dir.resolve("array-" + stamp + ".sbatch");
    write(array, arrayScript(sweep.toAbsolutePath(), index.name(), spec, plugins));
    String arrayJob = sbatch(List.of(array.toString()));
    Path finish = dir.resolve("finish-" + stamp + ".sbatch");
    write(finish, finishScript(sweep.toAbsolutePath(), plugins));
    String finishJob =
        sbatch(
            List.of(
                "--dependency=afterany:" + arrayJob,
                "--job-name=" + index.name() + "-finish",
                "--output=" + dir.toAbsolutePath().resolve("logs").resolve("finish-%j.log"),
                finish.toString()));
    return new Submission(arrayJob, finishJob, spec, array);
  }

  /** {@code 0-3,7,9-10} of sorted distinct indices, with {@code %k} when {@code throttle > 0}. */
  public static String arraySpec(List<Integer> indices, int throttle) {
    List<Integer> sorted = indices.stream().distinct().sorted().toList();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < sorted.size(); ) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
        j++;
      }
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(sorted.get(i));
      if (j > i) {
        b.append('-').append(sorted.get(j));
      }
      i = j + 1;
    }
    if (throttle > 0) {
      b.append('%').append(throttle);
    }
    return b.toString();
  }

  /** The array job's script. */
  String arrayScript(Path sweep, String name, String spec, List<String> plugins) {
    Path logs = sweep.resolve(DIRECTORY).resolve("logs");
    List<String> lines = new ArrayList<>();
    lines.add("#!/bin/bash");
    lines.add("#SBATCH --job-name=" + name);
    lines.add("#SBATCH --array=" + spec);
    lines.add("#SBATCH --output=" + logs.resolve("task-%a.log"));
    lines.add("#SBATCH --open-mode=append");
    lines.add("#SBATCH --requeue");
    lines.add("#SBATCH --signal=B:USR1@120");
    lines.add("#SBATCH --cpus-per-task=" + options.cpus());
    resources(lines);
    lines.add(
        "# Written by engram: one run of the sweep per array task; see 'engram sweep --help'.");
    lines.add("set -u");
    environment(lines);
    lines.add(
        "echo \"== $(date -u +%Y-%m-%dT%H:%M:%SZ) array job ${SLURM_ARRAY_JOB_ID} task"
            + " ${SLURM_ARRAY_TASK_ID} on $(hostname), restart ${SLURM_RESTART_COUNT:-0}\"");
    lines.add("requeue=0");
    lines.add("pid=");
    // USR1 = the time limit is 120 s away: stop (engram writes a resume checkpoint), then requeue
    lines.add("trap 'requeue=1; [ -n \"$pid\" ] && kill -TERM \"$pid\" 2>/dev/null' USR1");
    lines.add("trap '[ -n \"$pid\" ] && kill -TERM \"$pid\" 2>/dev/null' TERM");
    lines.add(
        engram
            + words(plugins)
            + " sweep task "
            + quote(sweep.toString())
            + " \"$SLURM_ARRAY_TASK_ID\" &");
    lines.add("pid=$!");
    // wait returns early when a trapped signal arrives; wait again until engram has ended
    lines.add("while :; do wait \"$pid\"; code=$?; kill -0 \"$pid\" 2>/dev/null || break; done");
    // engram exits 130 when it stopped itself, 143 when the JVM ended on the SIGTERM
    lines.add("if [ \"$requeue\" = 1 ] && { [ \"$code\" = 130 ] || [ \"$code\" = 143 ]; }; then");
    lines.add("  echo \"== time limit near: resume checkpoint written, requeueing this task\"");
    lines.add("  scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"");
    lines.add("fi");
    lines.add("exit \"$code\"");
    return String.join("\n", lines) + "\n";
  }

  /** The dependent job's script: analyses and the report once every task has ended. */
  String finishScript(Path sweep, List<String> plugins) {
    List<String> lines = new ArrayList<>();
    lines.add("#!/bin/bash");
    lines.add("#SBATCH --cpus-per-task=" + options.cpus());
    resources(lines);
    lines.add("# Written by engram: analyses missing ones and writes the sweep's report.");
    lines.add("set -u");
    environment(lines);
    lines.add("exec " + engram + words(plugins) + " sweep finish " + quote(sweep.toString()));
    return String.join("\n", lines) + "\n";
  }

  private void resources(List<String> lines) {
    if (options.partition() != null) {
      lines.add("#SBATCH --partition=" + options.partition());
    }
    if (options.time() != null) {
      lines.add("#SBATCH --time=" + options.time());
    }
    if (options.mem() != null) {
      lines.add("#SBATCH --mem=" + options.mem());
    }
    options.options().forEach(o -> lines.add("#SBATCH " + o));
  }

  private static void environment(List<String> lines) {
    lines.add("export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"");
    // the launcher uses the jars built at submission, never builds on a node
    lines.add("export ENGRAM_NO_BUILD=1");
    // the launcher sizes the JVM to the task's allocation, not to half of the node
    lines.add(
        "if [ -n \"${SLURM_MEM_PER_NODE:-}\" ]; then export"
            + " ENGRAM_MEMORY=\"${SLURM_MEM_PER_NODE}m\"; fi");
    // ND4J's native libraries unpacked once per node, not raced for on a shared home
    lines.add(
        "export ENGRAM_JAVACPP_CACHE=\"${ENGRAM_JAVACPP_CACHE:-${TMPDIR:-/tmp}/engram-javacpp-$(id"
            + " -un)}\"");
  }

  private static String words(List<String> args) {
    StringBuilder b = new StringBuilder();
    args.forEach(a -> b.append(' ').append(quote(a)));
    return b.toString();
  }

  /** {@code s} as one shell word. */
  public static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (UnsupportedOperationException e) {
      // sbatch reads the file; the mode is a courtesy
    }
  }

  /** Runs {@code sbatch --parsable args} and returns the job id. */
  private static String sbatch(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("sbatch", "--parsable"));
    command.addAll(args);
    Path output = Files.createTempFile("engram-sbatch", ".txt");
    try {
      Process p;
      try {
        p =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
      } catch (IOException e) {
        throw new IOException(
            "cannot run sbatch ("
                + e.getMessage()
                + "): this is not a Slurm login node, or sbatch is not on the PATH");
      }
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("sbatch did not answer within 120 s: " + String.join(" ", command));
      }
      String text = Files.readString(output, StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0) {
        throw new IOException(
            "sbatch refused the job (exit " + p.exitValue() + "): " + text.replace('\n', ' '));
      }
      String last = text.lines().reduce((a, b) -> b).orElse("");
      String id = last.split(";", 2)[0].strip();
      if (!id.matches("\\d+")) {
        throw new IOException("sbatch printed no job id: " + text.replace('\n', ' '));
      }
      return id;
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
