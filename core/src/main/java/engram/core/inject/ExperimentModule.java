package engram.core.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import engram.api.Model;
import engram.api.Network;
import engram.api.NetworkSpec;
import engram.api.Task;
import engram.core.config.PluginChoice;
import engram.core.config.ResolvedExperiment;
import engram.core.step.StepObserver;
import engram.core.train.RandomStreams;
import engram.core.train.StopSignal;
import engram.core.train.Trainer;
import engram.core.train.TrainingObserver;
import engram.runtime.Networks;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The bindings of one run, installed in a child of the invocation's injector ({@link
 * EngramModule}), one child per run, also when several train side by side: the run's plugins
 * ({@link Chosen}) and the {@link ResolvedExperiment} assembled from them, its random streams, its
 * floating-point type, a fresh network per request, the observers of its events and its {@link
 * Trainer}. A run that writes a run directory adds {@link RunDirectoryModule}.
 *
 * <p>Observers are a set ({@link Multibinder}) that modules add to ({@link #observers}); the
 * trainer gets them as one {@link TrainingObserver}, in the order they were added. Tests swap any
 * binding with {@code Modules.override(new ExperimentModule(e)).with(...)}. Guice is imported only
 * in this package.
 */
public final class ExperimentModule extends AbstractModule {
  private final ResolvedExperiment experiment;

  /**
   * @param experiment the run's validated experiment; its plugins become the {@link Chosen}
   *     bindings
   */
  public ExperimentModule(ResolvedExperiment experiment) {
    this.experiment = Objects.requireNonNull(experiment, "experiment");
  }

  /**
   * The trainer of {@code experiment}, from an injector of its own (no invocation around it): for
   * retraining copies in memory and for benchmarks.
   *
   * @param observer receives every event of the run
   * @param stop asks the trainer to stop after its current step
   */
  public static Trainer trainer(
      ResolvedExperiment experiment, TrainingObserver observer, StopSignal stop) {
    return trainer(experiment, observer, StepObserver.NONE, stop);
  }

  /**
   * As {@link #trainer(ResolvedExperiment, TrainingObserver, StopSignal)}, with the phases of every
   * training step reported to {@code steps} (how {@code engram bench} times them).
   */
  public static Trainer trainer(
      ResolvedExperiment experiment,
      TrainingObserver observer,
      StepObserver steps,
      StopSignal stop) {
    return Guice.createInjector(
            new ExperimentModule(experiment),
            observers(observer),
            stepObserver(steps),
            binder -> binder.bind(StopSignal.class).toInstance(stop))
        .getInstance(Trainer.class);
  }

  /** A module that reports the phases of every training step of the run to {@code steps}. */
  public static Module stepObserver(StepObserver steps) {
    return binder ->
        OptionalBinder.newOptionalBinder(binder, StepObserver.class).setBinding().toInstance(steps);
  }

  /** A module that adds {@code observers} to the run's observers, in this order. */
  public static Module observers(TrainingObserver... observers) {
    List<TrainingObserver> list = List.of(observers);
    return binder -> {
      Multibinder<TrainingObserver> set = Multibinder.newSetBinder(binder, TrainingObserver.class);
      list.forEach(o -> set.addBinding().toInstance(o));
    };
  }

  @Override
  protected void configure() {
    bind(PluginChoice.class).annotatedWith(Chosen.Task.class).toInstance(experiment.task());
    bind(PluginChoice.class).annotatedWith(Chosen.Model.class).toInstance(experiment.model());
    bind(PluginChoice.class)
        .annotatedWith(Chosen.Curriculum.class)
        .toInstance(experiment.curriculum());
    bind(new TypeLiteral<List<PluginChoice>>() {})
        .annotatedWith(Chosen.Regularizers.class)
        .toInstance(experiment.regularizers());
    Multibinder.newSetBinder(binder(), TrainingObserver.class); // none unless a module adds some
    // Nobody times the steps unless a module sets a StepObserver (see stepObserver).
    OptionalBinder.newOptionalBinder(binder(), StepObserver.class)
        .setDefault()
        .toInstance(StepObserver.NONE);
    bind(Trainer.class); // in the run's injector, never its parent's
  }

  /** The experiment with the chosen plugins: the loaded one unless a binding was swapped. */
  @Provides
  @Singleton
  ResolvedExperiment experiment(
      @Chosen.Task PluginChoice task,
      @Chosen.Model PluginChoice model,
      @Chosen.Curriculum PluginChoice curriculum,
      @Chosen.Regularizers List<PluginChoice> regularizers) {
    ResolvedExperiment e = experiment;
    return new ResolvedExperiment(
        e.name(),
        e.description(),
        e.seed(),
        e.precision(),
        task,
        model,
        curriculum,
        regularizers,
        e.analyzers(),
        e.training(),
        e.evaluation(),
        e.output());
  }

  /** Every random stream of the run, from its seed (see {@link RandomStreams}). */
  @Provides
  @Singleton
  RandomStreams randomStreams(ResolvedExperiment e) {
    return new RandomStreams(e.seed());
  }

  @Provides
  DataType dataType(ResolvedExperiment e) {
    return e.precision().dataType();
  }

  /**
   * A new network of the run's model for the run's task, initialised from the stream {@code
   * model-init}: every request gives a fresh network with the same initial values.
   */
  @Provides
  @SuppressWarnings("unchecked")
  Network network(ResolvedExperiment e, DataType dataType, RandomStreams streams) {
    Model<Record> model = (Model<Record>) e.model().plugin().plugin();
    Task<Record> task = (Task<Record>) e.task().plugin().plugin();
    int inputSize = task.inputSize(e.task().config());
    return Networks.create(
        model,
        e.model().config(),
        new NetworkSpec(inputSize, dataType),
        streams.stream("model-init"));
  }

  /** The run's observers as one, in the order they were added. */
  @Provides
  TrainingObserver observer(Set<TrainingObserver> observers) {
    return TrainingObserver.of(List.copyOf(observers));
  }
}
