/**
 * Engram's core: the launcher, plugin discovery, configuration binding and validation, Guice
 * wiring, the trainer (BPTT loop, heads, losses, optimizers, clipping) and the run directory. Core
 * never names a concrete plugin class; it finds plugins with ServiceLoader, and commands of other
 * modules (such as the benchmark) the same way ({@link engram.core.cli.CommandProvider}). Exported
 * for such modules: {@code cli} (the launcher and its command SPI) and {@code step} (the step
 * observer and fixed-batch training).
 */
module engram.core {
  requires transitive engram.api; // the exported packages use api types in signatures
  requires engram.runtime;
  requires engram.kernels; // host loops and views of the trainer's loss, clip and updates
  requires com.google.guice;
  requires jakarta.inject;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires info.picocli;
  requires org.slf4j;
  requires ch.qos.logback.classic;
  requires ch.qos.logback.core;
  requires me.tongfei.progressbar;
  requires org.knowm.xchart;
  requires java.desktop;
  requires java.management;
  requires org.bytedeco.javacpp;

  uses engram.api.Task;
  uses engram.api.Model;
  uses engram.api.Curriculum;
  uses engram.api.Regularizer;
  uses engram.api.Analyzer;
  uses engram.api.study.Study;
  uses engram.core.cli.CommandProvider;
  uses com.google.inject.Module; // bindings of plugin jars (PluginRegistry.jarServices)

  exports engram.core.cli;
  exports engram.core.step;

  opens engram.core.cli to
      info.picocli;
  opens engram.core.config to
      com.fasterxml.jackson.databind;
  opens engram.core.run to
      com.fasterxml.jackson.databind;
  opens engram.core.sweep to
      com.fasterxml.jackson.databind;
  opens engram.core.reproduce to
      com.fasterxml.jackson.databind;
  opens engram.core.train to
      com.google.guice;
  opens engram.core.inject to
      com.google.guice;
}
