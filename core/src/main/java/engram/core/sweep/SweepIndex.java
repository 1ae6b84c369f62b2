package engram.core.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import engram.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * {@code sweep.json}: what a sweep directory holds, written once when the sweep is expanded (before
 * anything trains) and never changed; the state of each run is read from its run directory ({@link
 * RunStates}), not stored here, so Slurm tasks never write to a shared index.
 *
 * <p>A sweep directory: {@code sweep.json}, {@code configs/<run name>.yaml} (each run's resolved
 * experiment), {@code runs/} (the run directories), {@code slurm/} (the scripts and, per task,
 * {@code slurm/logs/task-<index>.log}) and, after {@code finish}, {@code report.md} with {@code
 * comparison/}.
 *
 * @param format {@link #FORMAT}
 * @param name the plan's name
 * @param description the plan's description, or null
 * @param study the study whose findings the report checks, or null
 * @param groupBy how the report groups runs
 * @param profile the profile the plan was expanded with, or null
 * @param created when the sweep was expanded (ISO-8601 UTC)
 * @param command the command that created the sweep
 * @param plugins plugin arguments ({@code --plugins DIR}, absolute) every task passes to engram
 * @param slurm the Slurm options of the plan and the command that made the sweep; a later {@code
 *     --executor slurm} starts from them
 * @param entries the runs, in index order
 */
public record SweepIndex(
    int format,
    String name,
    String description,
    String study,
    String groupBy,
    String profile,
    String created,
    List<String> command,
    List<String> plugins,
    SlurmOptions slurm,
    List<SweepEntry> entries) {
  /** The file name inside a sweep directory. */
  public static final String FILE = "sweep.json";

  /** The format this Engram writes and reads. */
  public static final int FORMAT = 1;

  /** Where run directories go, inside the sweep directory. */
  public static final String RUNS = "runs";

  /** Where each run's resolved experiment goes, inside the sweep directory. */
  public static final String CONFIGS = "configs";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  public SweepIndex {
    command = List.copyOf(command);
    plugins = List.copyOf(plugins);
    entries = List.copyOf(entries);
    slurm = slurm == null ? SlurmOptions.NONE : slurm;
  }

  /** The entry with {@code index}; the message names the range when there is none. */
  public SweepEntry entry(int index) throws ConfigException {
    if (index < 0 || index >= entries.size()) {
      throw new ConfigException(
          "sweep "
              + name
              + " has runs 0 to "
              + (entries.size() - 1)
              + "; there is no run "
              + index
              + ". Fix: pass an index in that range (the Slurm array task id).");
    }
    return entries.get(index);
  }

  /**
   * Writes {@code dir/sweep.json} atomically (a temporary file renamed); refuses to replace one.
   */
  public void write(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (Files.exists(file)) {
      throw new IOException(file + " exists already; a sweep's index is written once");
    }
    Path tmp = dir.resolve("." + FILE + ".tmp");
    JSON.writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Reads {@code dir/sweep.json}.
   *
   * @throws ConfigException naming the problem (no sweep directory, unreadable, another format)
   */
  public static SweepIndex read(Path dir) throws ConfigException {
    Path file = dir.resolve(FILE);
    SweepIndex index;
    try {
      index = JSON.readValue(file.toFile(), SweepIndex.class);
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new ConfigException(
          dir
              + " is not a sweep directory (it has no "
              + FILE
              + "). Fix: name a directory that 'engram sweep' or 'engram reproduce' created.");
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read "
              + file
              + ": "
              + e.getMessage()
              + ". Fix: restore the file; it is written once when the sweep starts.");
    }
    if (index.format() != FORMAT) {
      throw new ConfigException(
          file
              + " has format "
              + index.format()
              + "; this Engram reads format "
              + FORMAT
              + ". Fix: use the Engram version that created it (its command is in the file).");
    }
    return index;
  }
}
