package engram.core.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import engram.core.config.ExperimentLoader;
import engram.core.plugin.PluginCatalog;
import engram.core.plugin.PluginRegistry;
import engram.core.train.StopSignal;
import java.util.Objects;

/**
 * The bindings of one invocation of Engram, the parent of every run's injector: the plugin registry
 * (discovered once per invocation: loading plugin jars twice would give two copies of their
 * classes), the catalog and the experiment loader over it, and the stop signal that Ctrl-C sets for
 * every run of the invocation.
 *
 * <p>Plugin jars contribute plugins through {@link java.util.ServiceLoader}; the Guice modules they
 * may also register go into each run's injector ({@link Invocation#run}), not this one.
 */
public final class EngramModule extends AbstractModule {
  private final PluginRegistry registry;

  /**
   * @param registry the plugins of this invocation; never null
   */
  public EngramModule(PluginRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  protected void configure() {
    bind(PluginRegistry.class).toInstance(registry);
    bind(PluginCatalog.class).toInstance(registry);
    bind(StopSignal.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  ExperimentLoader loader(PluginCatalog catalog) {
    return new ExperimentLoader(catalog);
  }
}
