package engram.core.inject;

import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import engram.core.run.RunArtifacts;
import engram.core.run.RunDirectory;
import engram.core.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * The injector of one run ({@link Invocation#run}): what the command asks of it, with I/O failures
 * of the run directory as {@link IOException}s rather than Guice's wrappers.
 */
public final class RunInjector {
  private final Injector injector;

  RunInjector(Injector injector) {
    this.injector = Objects.requireNonNull(injector, "injector");
  }

  /**
   * The run directory, created on the first call with {@code config.resolved.yaml} and {@code
   * provenance.json}; the same on later calls.
   *
   * @throws IOException when it cannot be created or written
   */
  public RunDirectory directory() throws IOException {
    return get(RunDirectory.class);
  }

  /**
   * The writer of metrics and checkpoints, opened (creating {@code metrics.csv}) on the first call;
   * it is one of the trainer's observers. The caller closes it when the run ends.
   *
   * @throws IOException when the metrics file cannot be created
   */
  public RunArtifacts artifacts() throws IOException {
    return get(RunArtifacts.class);
  }

  /** How the run writes its files: the real file system unless a test set a stub. */
  public engram.core.run.RunFiles files() {
    return injector.getInstance(engram.core.run.RunFiles.class);
  }

  /** A trainer of the run, with every observer of the run. */
  public Trainer trainer() {
    return injector.getInstance(Trainer.class);
  }

  private <T> T get(Class<T> type) throws IOException {
    try {
      return injector.getInstance(type);
    } catch (ProvisionException e) {
      // Guice wraps what a provider throws; RunDirectoryModule's throw UncheckedIOException.
      for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
        if (t instanceof UncheckedIOException unchecked) {
          throw unchecked.getCause();
        }
      }
      throw e;
    }
  }
}
