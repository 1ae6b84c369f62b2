package engram.core.sweep;

import engram.api.config.Doc;
import engram.core.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the Slurm executor asks the scheduler for, per array task (one run each): the {@code slurm:}
 * section of a sweep file, each value replaced by its {@code --slurm-*} flag when given.
 *
 * @param partition {@code --partition}, or null for the cluster's default
 * @param time {@code --time} of one task ({@code [D-]HH:MM:SS} or minutes), or null for the
 *     partition's default; a task that reaches it is signalled 120 s before, writes a resume
 *     checkpoint and is requeued
 * @param mem {@code --mem} of one task (e.g. {@code 4G}); the launcher's memory budget follows it
 * @param cpusPerTask {@code --cpus-per-task}; 1 unless a run is known to use more (ND4J runs one
 *     thread per run here)
 * @param maxParallel the array's throttle {@code %k}: at most this many tasks at once; 0 for no
 *     limit
 * @param options more {@code #SBATCH} options, verbatim (e.g. {@code --account=lab})
 */
public record SlurmOptions(
    @Doc("--partition of every task, or null for the cluster's default.") String partition,
    @Doc("--time of one task, e.g. 08:00:00, or null for the partition's default.") String time,
    @Doc("--mem of one task, e.g. 4G, or null for the partition's default.") String mem,
    @Doc("--cpus-per-task, ≥ 1.") Integer cpusPerTask,
    @Doc("At most this many tasks at once (the array's %k), 0 for no limit.") Integer maxParallel,
    @Doc("More #SBATCH options, verbatim, e.g. [--account=lab].") List<String> options) {

  /** The section's keys, for messages. */
  public static final String KEYS = "partition, time, mem, cpus-per-task, max-parallel, options";

  /** No section: the cluster's defaults, one CPU, no throttle. */
  public static final SlurmOptions NONE = new SlurmOptions(null, null, null, null, null, null);

  private static final Pattern TIME = Pattern.compile("(\\d+-)?\\d+(:\\d{1,2}){0,2}");
  private static final Pattern MEM = Pattern.compile("\\d+[KMGT]?");

  /** The shortest {@code time} accepted, in minutes. */
  static final int MIN_MINUTES = 5;

  /**
   * Minutes of a Slurm time: {@code M}, {@code M:S}, {@code H:M:S}, {@code D-H}, {@code D-H:M},
   * {@code D-H:M:S} (the forms {@code sbatch --time} takes), rounded down.
   */
  static long minutes(String time) {
    String[] dayRest = time.split("-", 2);
    long days = dayRest.length == 2 ? Long.parseLong(dayRest[0]) : 0;
    String[] parts = dayRest[dayRest.length - 1].split(":");
    long[] v = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      v[i] = Long.parseLong(parts[i]);
    }
    if (dayRest.length == 2) { // D-H, D-H:M, D-H:M:S
      return days * 1440 + v[0] * 60 + (v.length > 1 ? v[1] : 0);
    }
    return switch (v.length) {
      case 1 -> v[0]; // M
      case 2 -> v[0]; // M:S
      default -> v[0] * 60 + v[1]; // H:M:S
    };
  }

  public SlurmOptions {
    options = options == null ? List.of() : List.copyOf(options);
  }

  /** {@code cpus-per-task}, 1 when not given. */
  public int cpus() {
    return cpusPerTask == null ? 1 : cpusPerTask;
  }

  /** {@code max-parallel}, 0 (no limit) when not given. */
  public int throttle() {
    return maxParallel == null ? 0 : maxParallel;
  }

  /** These options with every non-null value of {@code flags} in place of its own. */
  public SlurmOptions with(SlurmOptions flags) {
    List<String> more = new ArrayList<>(options);
    more.addAll(flags.options());
    return new SlurmOptions(
        flags.partition() != null ? flags.partition() : partition,
        flags.time() != null ? flags.time() : time,
        flags.mem() != null ? flags.mem() : mem,
        flags.cpusPerTask() != null ? flags.cpusPerTask() : cpusPerTask,
        flags.maxParallel() != null ? flags.maxParallel() : maxParallel,
        more);
  }

  /**
   * Checks the values Slurm would otherwise refuse only at submission.
   *
   * @param where "in FILE" or "of the command line", for messages
   * @throws ConfigException naming the value and the fix
   */
  public void check(String where) throws ConfigException {
    if (time != null && !TIME.matcher(time).matches()) {
      throw new ConfigException(
          "slurm time "
              + where
              + " is not a Slurm time (was '"
              + time
              + "'). Fix: use HH:MM:SS, D-HH:MM:SS or minutes, e.g. 08:00:00.");
    }
    if (time != null && minutes(time) < MIN_MINUTES) {
      throw new ConfigException(
          "slurm time "
              + where
              + " is "
              + time
              + ", under "
              + MIN_MINUTES
              + " minutes: a task is signalled 120 s before its limit to write a resume"
              + " checkpoint and requeue itself, so it would spend its time starting. Fix: give"
              + " each task at least 00:05:00.");
    }
    if (mem != null && !MEM.matcher(mem).matches()) {
      throw new ConfigException(
          "slurm mem "
              + where
              + " is not a Slurm memory size (was '"
              + mem
              + "'). Fix: e.g. 4G or 4000M.");
    }
    if (cpusPerTask != null && cpusPerTask < 1) {
      throw new ConfigException(
          "slurm cpus-per-task " + where + " must be ≥ 1 (was " + cpusPerTask + "). Fix: use 1.");
    }
    if (maxParallel != null && maxParallel < 0) {
      throw new ConfigException(
          "slurm max-parallel "
              + where
              + " must be ≥ 0 (was "
              + maxParallel
              + "). Fix: 0 for no limit, or e.g. 50.");
    }
    for (String o : options) {
      if (!o.startsWith("--") || o.contains("\n")) {
        throw new ConfigException(
            "slurm option '"
                + o
                + "' "
                + where
                + " is not one long sbatch option. Fix: write it as --name=value, e.g."
                + " --account=lab.");
      }
    }
  }
}
