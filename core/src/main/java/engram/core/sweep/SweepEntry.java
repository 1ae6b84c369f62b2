package engram.core.sweep;

import java.util.List;

/**
 * One run of a sweep, as {@code sweep.json} lists it. The index is the Slurm array task id.
 *
 * @param index position in the sweep, 0-based; the array task id of the run
 * @param name the run's name ({@code <sweep>-<label>-s<seed>}); its run directory is {@code
 *     runs/<name>-<yyyyMMdd-HHmmss>} in the sweep directory
 * @param label the point's label (grouping by condition uses it)
 * @param seed the run's seed
 * @param config the run's resolved experiment, relative to the sweep directory ({@code
 *     configs/<name>.yaml}): written when the sweep was expanded, so a task trains what was checked
 *     then, whatever happens to the experiment file afterwards
 * @param command the equivalent {@code engram run} command line, recorded in the run's provenance
 */
public record SweepEntry(
    int index, String name, String label, long seed, String config, List<String> command) {
  public SweepEntry {
    command = List.copyOf(command);
  }
}
