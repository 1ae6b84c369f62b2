package engram.core.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import engram.core.config.ConfigMapper;
import engram.core.config.ExperimentYaml;
import engram.core.config.ResolvedExperiment;
import engram.core.run.RunArtifacts;
import engram.core.run.RunDirectory;
import engram.core.run.RunFiles;
import engram.core.train.TrainingObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The run directory of a run that keeps its results ({@code engram run}, {@code engram reproduce}),
 * installed next to {@link ExperimentModule}: the {@link RunDirectory}, created on first request
 * with {@code config.resolved.yaml} and {@code provenance.json} in it, and {@link RunArtifacts},
 * which writes metrics and checkpoints there and is added to the run's observers. Both are created
 * lazily, once per run injector; the caller closes the artifacts when the run ends.
 */
public final class RunDirectoryModule extends AbstractModule {
  private final Path runsRoot;
  private final List<String> commandLine;
  private final RunDirectory existing; // a resumed run's directory, or null for a new run

  /**
   * @param runsRoot where the run directory is created
   * @param commandLine recorded in {@code provenance.json}
   */
  public RunDirectoryModule(Path runsRoot, List<String> commandLine) {
    this.runsRoot = Objects.requireNonNull(runsRoot, "runsRoot");
    this.commandLine = List.copyOf(commandLine);
    this.existing = null;
  }

  private RunDirectoryModule(RunDirectory existing) {
    this.runsRoot = existing.path().getParent();
    this.commandLine = List.of();
    this.existing = existing;
  }

  /**
   * The run directory of a resumed run: {@code run} itself (nothing is created), and artifacts that
   * append to its {@code metrics.csv} and {@code trace.csv} ({@link RunArtifacts#reopen}).
   */
  public static RunDirectoryModule existing(RunDirectory run) {
    return new RunDirectoryModule(Objects.requireNonNull(run, "run"));
  }

  @Override
  protected void configure() {
    Multibinder.newSetBinder(binder(), TrainingObserver.class).addBinding().to(RunArtifacts.class);
    // The real file system unless a test sets a stub (a disk that fills up, faults on a write).
    OptionalBinder.newOptionalBinder(binder(), RunFiles.class)
        .setDefault()
        .toInstance(RunFiles.SYSTEM);
  }

  /**
   * A module that makes the run write metrics, trace, run.log and checkpoints through {@code
   * files}.
   */
  public static com.google.inject.Module files(RunFiles files) {
    return binder ->
        OptionalBinder.newOptionalBinder(binder, RunFiles.class).setBinding().toInstance(files);
  }

  // Guice wraps what a provider throws in a ProvisionException; RunInjector unwraps it.
  @Provides
  @Singleton
  RunDirectory runDirectory(ResolvedExperiment experiment) {
    if (existing != null) {
      return existing;
    }
    try {
      RunDirectory run = RunDirectory.create(runsRoot, experiment.name(), Instant.now());
      String resolved = new ExperimentYaml(ConfigMapper.create()).write(experiment);
      run.writeNew(RunDirectory.CONFIG, resolved);
      RunArtifacts.writeProvenance(run, experiment, commandLine);
      return run;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Provides
  @Singleton
  RunArtifacts artifacts(RunDirectory run, ResolvedExperiment experiment, RunFiles files) {
    try {
      return existing != null
          ? RunArtifacts.reopen(run, experiment, files)
          : RunArtifacts.open(run, experiment, files);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
