/**
 * Experiment files: YAML → typed, validated records, in parts. {@link
 * engram.core.config.ExperimentParser} reads a file into the tree of one YAML document, {@link
 * engram.core.config.Overrides} applies {@code key=value} overrides to it, {@link
 * engram.core.config.ExperimentBinder} binds it (plugin sections looked up by id and merged over
 * each plugin's defaults, unknown keys are errors) with {@link engram.core.config.ConfigMapper},
 * {@link engram.core.config.ExperimentChecks} checks across sections, {@link
 * engram.core.config.ExperimentYaml} writes the result back with every default filled in ({@code
 * config.resolved.yaml}) and {@link engram.core.config.FixedLevelCopy} derives the one-level copy
 * that retraining uses. {@link engram.core.config.ExperimentLoader} is the façade the commands use.
 * Every problem is a one-line {@link engram.core.config.ConfigException}; the result is a {@link
 * engram.core.config.ResolvedExperiment}.
 */
package engram.core.config;
