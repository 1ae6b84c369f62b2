package engram.core.config;

/**
 * A user error in an experiment file or an override: one line that names the key and the fix, for
 * example {@code Invalid value: training.batch-size must be ≥ 1 (was 0). Fix: change
 * training.batch-size.} The CLI prints the message alone, without a stack trace.
 */
public final class ConfigException extends Exception {

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
