package engram.core.config;

import engram.api.config.Doc;
import engram.core.plugin.PluginKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An experiment with every plugin looked up, every configuration bound and validated and every
 * default filled in. {@link ExperimentLoader#toYaml} writes it back as {@code
 * config.resolved.yaml}, which loads to an equal object.
 */
public record ResolvedExperiment(
    @Doc("Name of the experiment; run directories are named after it.") String name,
    @Doc("Free text, or null.") String description,
    @Doc("Seed of every random stream of the run.") long seed,
    @Doc("Floating-point type of the arrays: float32 or float64.") Precision precision,
    @Doc("The task.") PluginChoice task,
    @Doc("The model.") PluginChoice model,
    @Doc("The curriculum.") PluginChoice curriculum,
    @Doc("Regularizers, in the order their terms are applied.") List<PluginChoice> regularizers,
    @Doc("Analyzers run on the checkpoints after training.") List<PluginChoice> analyzers,
    @Doc("The training loop.") TrainingConfig training,
    @Doc("The evaluation after each epoch.") EvaluationConfig evaluation,
    @Doc("Where results go.") OutputConfig output) {

  public ResolvedExperiment {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    Objects.requireNonNull(precision, "precision");
    requireKind(task, PluginKind.TASK, "task");
    requireKind(model, PluginKind.MODEL, "model");
    requireKind(curriculum, PluginKind.CURRICULUM, "curriculum");
    regularizers = List.copyOf(regularizers);
    analyzers = List.copyOf(analyzers);
    regularizers.forEach(r -> requireKind(r, PluginKind.REGULARIZER, "regularizers"));
    analyzers.forEach(a -> requireKind(a, PluginKind.ANALYZER, "analyzers"));
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(evaluation, "evaluation");
    Objects.requireNonNull(output, "output");
  }

  /** Every chosen plugin: task, model, curriculum, then regularizers and analyzers in order. */
  public List<PluginChoice> plugins() {
    List<PluginChoice> all = new ArrayList<>(List.of(task, model, curriculum));
    all.addAll(regularizers);
    all.addAll(analyzers);
    return List.copyOf(all);
  }

  private static void requireKind(PluginChoice choice, PluginKind kind, String key) {
    Objects.requireNonNull(choice, key);
    if (choice.kind() != kind) {
      throw new IllegalArgumentException(
          key
              + " must hold a "
              + kind.label()
              + ", was the "
              + choice.kind().label()
              + " '"
              + choice.id()
              + "'");
    }
  }
}
