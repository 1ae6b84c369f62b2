package engram.core.cli;

import engram.core.sweep.SlurmExecutor;
import engram.core.sweep.SlurmOptions;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --slurm-*} options of {@code sweep}, {@code reproduce} and {@code run --seeds}. */
final class SlurmFlags {
  @Option(names = "--slurm-partition", paramLabel = "NAME", description = "sbatch --partition.")
  String partition;

  @Option(
      names = "--slurm-time",
      paramLabel = "TIME",
      description = "sbatch --time of one task, e.g. 08:00:00.")
  String time;

  @Option(
      names = "--slurm-mem",
      paramLabel = "SIZE",
      description = "sbatch --mem of one task, e.g. 4G.")
  String mem;

  @Option(names = "--slurm-cpus", paramLabel = "N", description = "sbatch --cpus-per-task.")
  Integer cpus;

  @Option(
      names = "--slurm-max-parallel",
      paramLabel = "K",
      description = "At most K tasks at once (the array's %K).")
  Integer maxParallel;

  @Option(
      names = "--slurm-option",
      paramLabel = "--NAME=VALUE",
      description = "Another #SBATCH option, verbatim; repeatable.")
  List<String> options = new ArrayList<>();

  @Option(
      names = "--slurm-engram",
      paramLabel = "COMMAND",
      description =
          "The command that runs engram on the nodes, as shell words (default: the absolute path"
              + " of the ./engram launcher that runs this command; the nodes must see it on a"
              + " shared file system).")
  String engram;

  /** {@code base} with every flag given in place of its value. */
  SlurmOptions over(SlurmOptions base) {
    return base.with(new SlurmOptions(partition, time, mem, cpus, maxParallel, options));
  }

  /**
   * The command that runs engram on the nodes: {@code --slurm-engram}, else the launcher that
   * started this JVM (quoted); null, with the message printed, when neither is known.
   */
  String engram(PrintWriter err) {
    if (engram != null && !engram.isBlank()) {
      return engram;
    }
    String launcher = System.getProperty("engram.launcher");
    if (launcher == null || launcher.isBlank()) {
      err.println(
          "error: cannot tell how the nodes run engram. Fix: start this command with the ./engram"
              + " launcher, or pass --slurm-engram /shared/path/to/engram.");
      return null;
    }
    return SlurmExecutor.quote(launcher);
  }
}
