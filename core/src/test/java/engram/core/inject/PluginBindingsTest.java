package engram.core.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Module;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginFolders;
import engram.core.plugin.PluginJarBuilder;
import engram.core.plugin.PluginRegistry;
import engram.core.run.RunArtifacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guice modules contributed by plugin jars (built here, outside the class path): installed in every
 * run's injector, where they may add bindings; a module that rebinds one of core's stops the run
 * with one line naming the module, its jar and the fix.
 */
class PluginBindingsTest {
  /** Where the jar's observer appends the epochs it saw (a path: the jar knows no test). */
  private static final String LOG_PROPERTY = "engram.test.epoch-log";

  private static final String EXPERIMENT =
      """
      name: tiny
      seed: 7
      task: {id: n-parity}
      model: {id: leaky-rnn, hidden-size: 6}
      curriculum: {id: multi-head, threshold: 1.0}
      training: {batch-size: 8, steps-per-epoch: 2, max-epochs: 2}
      evaluation: {batches: 1, batch-size: 8}
      """;

  /** Adds an observer to the run's set that appends each epoch's number to a file. */
  private static final String EPOCH_LOG_MODULE =
      """
      package org.example.bind;

      import com.google.inject.AbstractModule;
      import com.google.inject.multibindings.Multibinder;
      import engram.core.train.EpochReport;
      import engram.core.train.TrainingObserver;
      import java.io.IOException;
      import java.io.UncheckedIOException;
      import java.nio.file.Files;
      import java.nio.file.Path;
      import java.nio.file.StandardOpenOption;

      public final class EpochLogModule extends AbstractModule {
        @Override
        protected void configure() {
          Multibinder.newSetBinder(binder(), TrainingObserver.class)
              .addBinding()
              .toInstance(
                  new TrainingObserver() {
                    @Override
                    public void epoch(EpochReport report) {
                      try {
                        Files.writeString(
                            Path.of(System.getProperty("%s")),
                            report.epoch() + "\\n",
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                      } catch (IOException e) {
                        throw new UncheckedIOException(e);
                      }
                    }
                  });
        }
      }
      """
          .formatted(LOG_PROPERTY);

  /** Binds the stop signal, which the invocation's injector already binds. */
  private static final String CLASH_MODULE =
      """
      package org.example.bind;

      import com.google.inject.AbstractModule;
      import engram.core.train.StopSignal;

      public final class ClashModule extends AbstractModule {
        @Override
        protected void configure() {
          bind(StopSignal.class).toInstance(new StopSignal());
        }
      }
      """;

  @TempDir Path dir;

  private Invocation invocation(Path jar) {
    PluginRegistry registry =
        PluginRegistry.discover(
            PluginBindingsTest.class.getClassLoader(), PluginFolders.of(jar.getParent()));
    assertEquals(List.of(), registry.problems(), "a jar with bindings only is a plugin jar");
    assertEquals(1, registry.jars().size());
    assertTrue(registry.jars().get(0).bindings());
    return new Invocation(registry);
  }

  private static ResolvedExperiment tiny(Invocation invocation) throws Exception {
    return invocation.loader().load(EXPERIMENT, "tiny.yaml", "tiny", List.of());
  }

  @Test
  void aJarsModuleIsInstalledInEveryRunsInjector() throws Exception {
    Path jar =
        PluginJarBuilder.in(dir.resolve("scratch"))
            .source("org.example.bind.EpochLogModule", EPOCH_LOG_MODULE)
            .service(Module.class, "org.example.bind.EpochLogModule")
            .write(dir.resolve("plugins/epoch-log.jar"));
    Invocation invocation = invocation(jar);
    Path log = dir.resolve("epochs.txt");
    String before = System.getProperty(LOG_PROPERTY);
    System.setProperty(LOG_PROPERTY, log.toString());
    try {
      for (int run = 0; run < 2; run++) {
        RunInjector injector =
            invocation.run(tiny(invocation), dir.resolve("runs"), List.of("engram"), List.of());
        RunArtifacts artifacts = injector.artifacts(); // the run directory's own observer
        try (artifacts) {
          injector.trainer().run();
        }
      }
    } finally {
      if (before == null) {
        System.clearProperty(LOG_PROPERTY);
      } else {
        System.setProperty(LOG_PROPERTY, before);
      }
    }
    assertEquals(List.of("1", "2", "1", "2"), Files.readAllLines(log), "two runs of two epochs");
  }

  @Test
  void aModuleThatRebindsCoresBindingIsOneClearError() throws Exception {
    Path jar =
        PluginJarBuilder.in(dir.resolve("scratch"))
            .source("org.example.bind.ClashModule", CLASH_MODULE)
            .service(Module.class, "org.example.bind.ClashModule")
            .write(dir.resolve("plugins/clash.jar"));
    Invocation invocation = invocation(jar);
    ResolvedExperiment tiny = tiny(invocation);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> invocation.run(tiny, dir.resolve("runs"), List.of("engram"), List.of()));
    String message = e.getMessage();
    assertEquals(1, message.lines().count(), message);
    assertTrue(
        message.startsWith(
            "The Guice module org.example.bind.ClashModule of " + jar.toAbsolutePath()),
        message);
    assertTrue(message.contains("StopSignal"), message);
    assertTrue(message.contains("Fix: "), message);
    assertTrue(Files.notExists(dir.resolve("runs")), "nothing of the run was created");
  }
}
