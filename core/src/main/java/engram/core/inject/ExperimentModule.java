package engram.core.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import engram.core.config.Precision;
import engram.core.config.ResolvedExperiment;
import engram.core.step.StepObserver;
import engram.core.train.RandomStreams;
import engram.core.train.StopSignal;
import engram.core.train.TrainingObserver;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Assembles one experiment: the validated configuration (with the chosen plugins and their bound
 * configs), the run's random streams, its floating-point type, and where events go. The only
 * package of Engram that imports Guice.
 */
public final class ExperimentModule extends AbstractModule {
  private final ResolvedExperiment experiment;
  private final TrainingObserver observer;
  private final StepObserver stepObserver;
  private final StopSignal stop;

  /** An experiment whose training steps nobody times ({@link StepObserver#NONE}). */
  public ExperimentModule(ResolvedExperiment experiment, TrainingObserver observer, StopSignal stop) {
    this(experiment, observer, StepObserver.NONE, stop);
  }

  /** An experiment whose training steps report their phases to {@code stepObserver}. */
  public ExperimentModule(ResolvedExperiment experiment, TrainingObserver observer,
      StepObserver stepObserver, StopSignal stop) {
    this.experiment = experiment;
    this.observer = observer;
    this.stepObserver = stepObserver;
    this.stop = stop;
  }

  /** The trainer of {@code experiment}, wired by Guice; nobody times its steps. */
  public static engram.core.train.Trainer trainer(ResolvedExperiment experiment,
      TrainingObserver observer, StopSignal stop) {
    return trainer(experiment, observer, StepObserver.NONE, stop);
  }

  /** The trainer of {@code experiment}, wired by Guice, its steps observed by {@code steps}. */
  public static engram.core.train.Trainer trainer(ResolvedExperiment experiment,
      TrainingObserver observer, StepObserver steps, StopSignal stop) {
    return com.google.inject.Guice.createInjector(
        new ExperimentModule(experiment, observer, steps, stop))
        .getInstance(engram.core.train.Trainer.class);
  }

  @Override
  protected void configure() {
    bind(ResolvedExperiment.class).toInstance(experiment);
    bind(TrainingObserver.class).toInstance(observer);
    bind(StepObserver.class).toInstance(stepObserver);
    bind(StopSignal.class).toInstance(stop);
  }

  @Provides
  @Singleton
  RandomStreams randomStreams(ResolvedExperiment e) {
    return new RandomStreams(e.seed());
  }

  @Provides
  DataType dataType(ResolvedExperiment e) {
    return e.precision() == Precision.FLOAT64 ? DataType.DOUBLE : DataType.FLOAT;
  }
}
