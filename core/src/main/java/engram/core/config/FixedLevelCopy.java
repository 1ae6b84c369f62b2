package engram.core.config;

import engram.api.Curriculum;
import engram.core.plugin.DiscoveredPlugin;
import engram.core.plugin.PluginCatalog;
import engram.core.plugin.PluginKind;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Derives from a run's experiment the one that retrains a copy of its network on a single level
 * ({@link engram.api.Analyzer.Run#retrain}, the transfer analysis). The one-level training is a
 * capability of curricula, {@link Curriculum.FixedLevel}: the run's own curriculum provides it when
 * it can (keeping its threshold), otherwise the first installed curriculum, by id, that can (from
 * its defaults). Core names no curriculum.
 */
final class FixedLevelCopy {
  private final PluginCatalog catalog;
  private final ExperimentChecks checks;

  /**
   * @param catalog searched for a curriculum with the capability when the run's lacks it
   * @param checks the cross-checks the copy must pass (its level against the task's first)
   */
  FixedLevelCopy(PluginCatalog catalog, ExperimentChecks checks) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.checks = Objects.requireNonNull(checks, "checks");
  }

  /**
   * A copy of {@code experiment} that trains {@code level} alone on head 0 for at most {@code
   * epochs} epochs, finishing once the level is learnt, with seed {@code seed}, no analyzers and no
   * scheduled checkpoints; everything else (task, model, regularizers, optimizer, batch and
   * evaluation settings) is the run's.
   *
   * @throws ConfigException when no curriculum can train one fixed level, the curriculum refuses
   *     {@code level}, {@code epochs} is below 1, or the copy fails a cross-check ({@code level}
   *     below the task's first level)
   */
  ResolvedExperiment of(ResolvedExperiment experiment, int level, int epochs, long seed)
      throws ConfigException {
    PluginChoice curriculum = curriculum(experiment.curriculum(), level);
    TrainingConfig training;
    try {
      TrainingConfig run = experiment.training();
      training =
          new TrainingConfig(
              run.batchSize(),
              run.stepsPerEpoch(),
              epochs,
              run.clip(),
              run.optimizer(),
              run.fullBatchCopies());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Invalid value: training."
              + e.getMessage()
              + " in the copy that"
              + " retrains on level "
              + level
              + ". Fix: retrain for at least one epoch.",
          e);
    }
    OutputConfig output =
        new OutputConfig(
                experiment.output().runsDir(), 0, experiment.output().checkpointLogSpaced())
            .withoutResume();
    ResolvedExperiment copy =
        new ResolvedExperiment(
            experiment.name(),
            experiment.description(),
            seed,
            experiment.precision(),
            experiment.task(),
            experiment.model(),
            curriculum,
            experiment.regularizers(),
            List.of(),
            training,
            experiment.evaluation(),
            output);
    checks.check(copy);
    return copy;
  }

  private PluginChoice curriculum(PluginChoice run, int level) throws ConfigException {
    if (run.plugin().plugin() instanceof Curriculum.FixedLevel<?>) {
      return fixed(run.plugin(), run.config(), level);
    }
    Optional<DiscoveredPlugin> other =
        catalog.all(PluginKind.CURRICULUM).stream()
            .filter(p -> p.plugin() instanceof Curriculum.FixedLevel<?>)
            .findFirst();
    if (other.isEmpty()) {
      throw new ConfigException(
          "Curriculum '"
              + run.id()
              + "' cannot train one fixed level, and no installed curriculum can"
              + " (Curriculum.FixedLevel), so nothing can retrain on level "
              + level
              + ". Fix: install a curriculum plugin with that capability.");
    }
    return fixed(other.get(), other.get().plugin().defaults(), level);
  }

  @SuppressWarnings("unchecked")
  private static PluginChoice fixed(DiscoveredPlugin plugin, Record config, int level)
      throws ConfigException {
    Curriculum.FixedLevel<Record> curriculum = (Curriculum.FixedLevel<Record>) plugin.plugin();
    try {
      return new PluginChoice(plugin, curriculum.fixedLevel(config, level));
    } catch (RuntimeException e) {
      throw new ConfigException(
          "Invalid value: curriculum '"
              + plugin.id()
              + "' cannot train"
              + " level "
              + level
              + " alone: "
              + ConfigMessages.firstLine(String.valueOf(e.getMessage()))
              + ". Fix: retrain on a level the curriculum accepts.",
          e);
    }
  }
}
