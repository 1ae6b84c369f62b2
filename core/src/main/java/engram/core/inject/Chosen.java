package engram.core.inject;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.inject.Qualifier;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * Qualifiers of the plugins a run chose, as {@link ExperimentModule} binds them:
 * {@code @Chosen.Task PluginChoice}, {@code @Chosen.Model PluginChoice}, {@code @Chosen.Curriculum
 * PluginChoice} and {@code @Chosen.Regularizers List<PluginChoice>}. The run's {@link
 * engram.core.config.ResolvedExperiment} is assembled from these bindings, so swapping one (with
 * {@code Modules.override}, in a test) swaps that plugin for everything the injector builds.
 */
public final class Chosen {
  private Chosen() {}

  /** The run's task and its configuration. */
  @Qualifier
  @Retention(RUNTIME)
  @Target({FIELD, PARAMETER, METHOD})
  public @interface Task {}

  /** The run's model and its configuration. */
  @Qualifier
  @Retention(RUNTIME)
  @Target({FIELD, PARAMETER, METHOD})
  public @interface Model {}

  /** The run's curriculum and its configuration. */
  @Qualifier
  @Retention(RUNTIME)
  @Target({FIELD, PARAMETER, METHOD})
  public @interface Curriculum {}

  /** The run's regularizers with their configurations, in the order their terms are applied. */
  @Qualifier
  @Retention(RUNTIME)
  @Target({FIELD, PARAMETER, METHOD})
  public @interface Regularizers {}
}
