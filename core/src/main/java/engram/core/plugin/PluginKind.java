package engram.core.plugin;

import engram.api.Analyzer;
import engram.api.Curriculum;
import engram.api.Model;
import engram.api.Plugin;
import engram.api.Regularizer;
import engram.api.Task;
import engram.api.study.Study;

/**
 * The kinds of plugin, each with its SPI type and the key that selects it: in the experiment file,
 * or (a study) in a reproduction plan.
 */
public enum PluginKind {
  TASK(Task.class, "task"),
  MODEL(Model.class, "model"),
  CURRICULUM(Curriculum.class, "curriculum"),
  REGULARIZER(Regularizer.class, "regularizers"),
  ANALYZER(Analyzer.class, "analyzers"),
  STUDY(Study.class, "study");

  // Class<?>: the literal of a generic interface (Task.class) is raw, so the field cannot say
  // Class<? extends Plugin<?>>; every constant names an interface that extends Plugin.
  private final Class<?> type;
  private final String configKey;

  PluginKind(Class<?> type, String configKey) {
    this.type = type;
    this.configKey = configKey;
  }

  /** The SPI interface, one that extends {@link Plugin}. */
  public Class<?> type() {
    return type;
  }

  /**
   * The top-level key of the experiment YAML that selects plugins of this kind ({@code study}: the
   * key of a reproduction plan).
   */
  public String configKey() {
    return configKey;
  }

  /** Lower-case name for messages ("task", "model", ...). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Lower-case plural for listings ("tasks", "curricula", "studies", ...). */
  public String plural() {
    return switch (this) {
      case CURRICULUM -> "curricula";
      case STUDY -> "studies";
      default -> label() + "s";
    };
  }
}
