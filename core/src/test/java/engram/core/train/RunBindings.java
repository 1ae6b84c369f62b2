package engram.core.train;

import com.google.inject.Guice;
import com.google.inject.Module;
import com.google.inject.TypeLiteral;
import com.google.inject.util.Modules;
import engram.api.Plugin;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.Chosen;
import engram.core.inject.ExperimentModule;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Trainers for tests as the run's injector builds them ({@link ExperimentModule}), with bindings
 * swapped by {@code Modules.override}: a test that needs another task, curriculum, regularizer or
 * observer swaps that binding instead of assembling the trainer or the experiment by hand.
 */
final class RunBindings {
  private RunBindings() {}

  /**
   * The trainer of {@code experiment}'s injector with its events going to {@code observer}, stopped
   * by {@code stop}, and every binding of {@code swaps} in place of the run's own.
   */
  static Trainer trainer(
      ResolvedExperiment experiment, TrainingObserver observer, StopSignal stop, Module... swaps) {
    List<Module> all = new ArrayList<>(List.of(swaps));
    all.add(
        binder -> {
          binder.bind(TrainingObserver.class).toInstance(observer);
          binder.bind(StopSignal.class).toInstance(stop);
        });
    return Guice.createInjector(Modules.override(new ExperimentModule(experiment)).with(all))
        .getInstance(Trainer.class);
  }

  /** Swaps the run's task for {@code task}, configured by {@code config}. */
  static Module task(Plugin<?> task, Record config) {
    PluginChoice choice = choice(PluginKind.TASK, task, config);
    return binder ->
        binder.bind(PluginChoice.class).annotatedWith(Chosen.Task.class).toInstance(choice);
  }

  /** Swaps the run's curriculum for {@code curriculum}, configured by {@code config}. */
  static Module curriculum(Plugin<?> curriculum, Record config) {
    PluginChoice choice = choice(PluginKind.CURRICULUM, curriculum, config);
    return binder ->
        binder.bind(PluginChoice.class).annotatedWith(Chosen.Curriculum.class).toInstance(choice);
  }

  /** Swaps the run's regularizers for {@code regularizer} alone. */
  static Module regularizer(Plugin<?> regularizer, Record config) {
    List<PluginChoice> choices = List.of(choice(PluginKind.REGULARIZER, regularizer, config));
    return binder ->
        binder
            .bind(new TypeLiteral<List<PluginChoice>>() {})
            .annotatedWith(Chosen.Regularizers.class)
            .toInstance(choices);
  }

  private static PluginChoice choice(PluginKind kind, Plugin<?> plugin, Record config) {
    return new PluginChoice(new DiscoveredPlugin(kind, plugin, "test", "a test"), config);
  }
}
