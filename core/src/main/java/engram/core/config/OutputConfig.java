package engram.core.config;

import engram.api.config.Check;
import engram.api.config.Doc;

/**
 * Where results go and when checkpoints are written, section {@code output}. Checkpoints are always
 * written at every curriculum advance and at the end; {@code checkpoint-every} and {@code
 * checkpoint-log-spaced} add a schedule (for geometry analyses over training, which need states
 * before, during and after an abrupt drop of the loss).
 */
public record OutputConfig(
    @Doc(
            "Directory in which run directories are created; relative paths are resolved against"
                + " the working directory.")
        String runsDir,
    @Doc(
            "Also write a checkpoint every this many epochs (an epoch is training.steps-per-epoch"
                + " steps, then an evaluation); 0 = off.")
        int checkpointEvery,
    @Doc("Also write checkpoints at log-spaced epochs 1, 2, 4, 8, ...")
        boolean checkpointLogSpaced) {

  public OutputConfig {
    if (runsDir == null || runsDir.isBlank()) {
      throw new IllegalArgumentException(
          "runs-dir must be a non-empty path (was '" + runsDir + "')");
    }
    Check.atLeast("checkpoint-every", checkpointEvery, 0);
  }

  public static OutputConfig defaults() {
    return new OutputConfig("runs", 0, false);
  }

  /** Whether the schedule asks for a checkpoint after this (1-based) epoch. */
  public boolean scheduled(int epoch) {
    return (checkpointEvery > 0 && epoch % checkpointEvery == 0)
        || (checkpointLogSpaced && Integer.bitCount(epoch) == 1);
  }
}
