package engram.core.inject;

import com.google.inject.Guice;
import com.google.inject.Injector;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import engram.core.train.StopSignal;
import engram.core.train.TrainingObserver;
import java.nio.file.Path;
import java.util.List;

/**
 * One invocation of Engram as Guice wires it: an injector of {@link EngramModule} (plugins, loader,
 * stop signal) and, per run, a child injector ({@link #run}). Runs trained side by side each get
 * their own child, so nothing of one run is shared with another except what the invocation holds.
 * Keeps Guice's types out of the commands.
 */
public final class Invocation {
  private final Injector injector;

  /**
   * @param registry the plugins of this invocation, discovered once
   */
  public Invocation(PluginRegistry registry) {
    this.injector = Guice.createInjector(new EngramModule(registry));
  }

  /** The plugins of this invocation. */
  public PluginRegistry plugins() {
    return injector.getInstance(PluginRegistry.class);
  }

  /** Loads experiments with this invocation's plugins; one loader for the whole invocation. */
  public ExperimentLoader loader() {
    return injector.getInstance(ExperimentLoader.class);
  }

  /** The stop signal of every run of this invocation (set by Ctrl-C). */
  public StopSignal stop() {
    return injector.getInstance(StopSignal.class);
  }

  /**
   * The injector of a run that keeps its results in a new run directory under {@code runsRoot}.
   * Nothing is created until the run asks for it.
   *
   * @param commandLine recorded in the run's provenance
   * @param observers receive the run's events after the run directory's own writer, in order
   */
  public RunInjector run(
      ResolvedExperiment experiment,
      Path runsRoot,
      List<String> commandLine,
      List<TrainingObserver> observers) {
    return new RunInjector(
        injector.createChildInjector(
            new ExperimentModule(experiment),
            new RunDirectoryModule(runsRoot, commandLine),
            ExperimentModule.observers(observers.toArray(TrainingObserver[]::new))));
  }
}
