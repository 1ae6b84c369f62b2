package engram.core.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import engram.core.plugin.PluginCatalog;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Reads an experiment YAML file into a {@link ResolvedExperiment}, in parts that each have a class
 * and a test of their own: {@link ExperimentParser} (file → YAML tree of one document), {@link
 * Overrides} ({@code key=value} on the tree), {@link ExperimentBinder} (tree → records: core's
 * sections, and each plugin section via {@link PluginSections} into the plugin's own configuration
 * record), {@link ExperimentChecks} (checks across sections), {@link ExperimentYaml} (back to YAML,
 * {@code config.resolved.yaml}) and {@link FixedLevelCopy} (the one-level copy retraining uses).
 * Every problem becomes a one-line {@link ConfigException} that names the key and the fix.
 *
 * <p>Experiment file:
 *
 * <pre>
 * name: parity-multihead        # default: the file name without extension
 * description: free text        # optional
 * seed: 1                       # default 1
 * precision: float32            # float32 | float64
 * task:       {id: n-parity, ...}
 * model:      {id: leaky-rnn, hidden-size: 128, ...}
 * curriculum: {id: multi-head, ...}
 * regularizers: [{id: activity-l2, lambda: 0.1}]   # default []
 * analyzers: []                                     # default []
 * training:   {batch-size: 64, ..., optimizer: {type: sgd, lr: 0.05, ...}}
 * evaluation: {batches: 50, batch-size: 256}
 * output:     {runs-dir: runs}
 * </pre>
 *
 * <p>Stateless apart from the catalog; one loader may serve several threads.
 */
public final class ExperimentLoader {
  private final PluginCatalog catalog;
  private final YAMLMapper mapper = ConfigMapper.create();
  private final ExperimentParser parser = new ExperimentParser(mapper);
  private final ExperimentYaml yaml = new ExperimentYaml(mapper);

  /**
   * @param catalog where plugin ids are looked up; never null
   */
  public ExperimentLoader(PluginCatalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  /**
   * Loads, binds and validates an experiment.
   *
   * @param yaml the experiment file; its name without extension is the default experiment name
   * @param overrides {@code key=value} with a dotted key ({@code training.optimizer.lr=0.01},
   *     {@code regularizers.0.lambda=0.2}); the value is parsed as YAML. Applied in order, after
   *     the file and before binding. Never null.
   * @throws ConfigException with one line naming the key and the fix
   */
  public ResolvedExperiment load(Path yaml, List<String> overrides) throws ConfigException {
    Objects.requireNonNull(overrides, "overrides");
    ExperimentParser.Source source = ExperimentParser.read(yaml);
    return load(source.text(), source.source(), source.defaultName(), overrides);
  }

  /** Loads an experiment from YAML text; {@code source} names it in messages. */
  public ResolvedExperiment load(
      String text, String source, String defaultName, List<String> overrides)
      throws ConfigException {
    Overrides parsed = new Overrides(overrides);
    ObjectNode root = parser.parse(text, source);
    parsed.applyTo(root, mapper);
    ResolvedExperiment experiment =
        new ExperimentBinder(catalog, mapper, parsed).bind(root, defaultName);
    new ExperimentChecks(mapper, parsed).check(experiment);
    return experiment;
  }

  /**
   * The resolved configuration as YAML, every default filled in and plugin sections with their
   * {@code id} first; loading it again gives an equal {@link ResolvedExperiment}.
   */
  public String toYaml(ResolvedExperiment experiment) {
    return yaml.write(experiment);
  }

  /**
   * A copy of {@code experiment} that trains {@code level} alone on one head, as its curriculum
   * (or, when that cannot, another installed one) trains a fixed level, at most {@code epochs}
   * epochs, seed {@code seed}, no analyzers and no scheduled checkpoints. The transfer analysis
   * retrains checkpoints with it.
   *
   * @throws ConfigException when the copy is not valid (e.g. {@code level} below the task's
   *     minimum)
   */
  public ResolvedExperiment fixedLevelCopy(
      ResolvedExperiment experiment, int level, int epochs, long seed) throws ConfigException {
    return new FixedLevelCopy(catalog, new ExperimentChecks(mapper, Overrides.none()))
        .of(experiment, level, epochs, seed);
  }
}
