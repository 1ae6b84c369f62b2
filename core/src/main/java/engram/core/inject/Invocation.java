package engram.core.inject;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.spi.Message;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import engram.core.train.StopSignal;
import engram.core.train.TrainingObserver;
import java.nio.file.Path;
import java.util.ArrayList;
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
   * Nothing is created until the run asks for it. Every Guice module that a plugin jar registers
   * ({@code META-INF/services/com.google.inject.Module}) is installed in it, a new instance per
   * run: such a module may add bindings (an observer to the run's set, say) but not rebind one of
   * core's.
   *
   * @throws IllegalStateException when a plugin jar's module cannot be loaded, or binds what core
   *     (or another jar's module) already binds: one line naming the jar and the fix
   * @param commandLine recorded in the run's provenance
   * @param observers receive the run's events after the run directory's own writer, in order
   */
  public RunInjector run(
      ResolvedExperiment experiment,
      Path runsRoot,
      List<String> commandLine,
      List<TrainingObserver> observers) {
    return run(experiment, runsRoot, commandLine, observers, List.of());
  }

  /**
   * As {@link #run(ResolvedExperiment, Path, List, List)}, with further modules installed in the
   * run's injector: tests set a {@link engram.core.step.StepObserver} or stub file operations
   * ({@link RunDirectoryModule#files}) this way.
   */
  public RunInjector run(
      ResolvedExperiment experiment,
      Path runsRoot,
      List<String> commandLine,
      List<TrainingObserver> observers,
      List<Module> extra) {
    return child(experiment, new RunDirectoryModule(runsRoot, commandLine), observers, extra);
  }

  private RunInjector child(
      ResolvedExperiment experiment,
      RunDirectoryModule directory,
      List<TrainingObserver> observers,
      List<Module> extra) {
    List<Module> modules = new ArrayList<>(extra);
    modules.add(new ExperimentModule(experiment));
    modules.add(directory);
    modules.add(ExperimentModule.observers(observers.toArray(TrainingObserver[]::new)));
    List<PluginRegistry.JarService<Module>> fromJars = plugins().jarServices(Module.class);
    fromJars.forEach(m -> modules.add(m.service()));
    try {
      return new RunInjector(injector.createChildInjector(modules));
    } catch (CreationException e) {
      if (fromJars.isEmpty()) {
        throw e; // core's own bindings: a bug, with Guice's full report
      }
      throw new IllegalStateException(clash(e, fromJars), e);
    }
  }

  /**
   * The injector of a resumed run: as {@link #run(ResolvedExperiment, Path, List, List, List)}, but
   * its run directory is {@code existing} and its artifacts append to the files there.
   */
  public RunInjector resume(
      ResolvedExperiment experiment,
      engram.core.run.RunDirectory existing,
      List<TrainingObserver> observers,
      List<Module> extra) {
    return child(experiment, RunDirectoryModule.existing(existing), observers, extra);
  }

  /** One line: which jar's module failed, with Guice's first error and the fix. */
  private static String clash(CreationException e, List<PluginRegistry.JarService<Module>> jars) {
    String guice =
        e.getErrorMessages().stream()
            .map(Message::getMessage)
            .map(m -> m.lines().findFirst().orElse(m).strip())
            .findFirst()
            .orElse(String.valueOf(e.getMessage()));
    String text = String.valueOf(e.getMessage());
    List<String> culprits =
        jars.stream()
            .filter(j -> text.contains(j.service().getClass().getName()))
            .map(j -> j.service().getClass().getName() + " of " + j.jar().path())
            .toList();
    String who =
        culprits.isEmpty()
            ? "A plugin jar's Guice module"
            : "The Guice module " + String.join(", ", culprits);
    return who
        + " cannot be installed in the run's injector: "
        + guice
        + (guice.endsWith(".") ? "" : ".")
        + " Fix: a plugin module may add bindings but not rebind one of Engram's; remove that"
        + " binding from the module (or the jar from the plugins folder).";
  }
}
