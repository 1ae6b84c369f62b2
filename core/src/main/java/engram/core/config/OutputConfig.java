package engram.core.config;

import engram.api.config.Doc;

/** Where results go, section {@code output}. */
public record OutputConfig(
    @Doc("Directory in which run directories are created; relative paths are resolved against the"
        + " working directory.") String runsDir) {

  public OutputConfig {
    if (runsDir == null || runsDir.isBlank()) {
      throw new IllegalArgumentException("runs-dir must be a non-empty path (was '" + runsDir + "')");
    }
  }

  public static OutputConfig defaults() {
    return new OutputConfig("runs");
  }
}
