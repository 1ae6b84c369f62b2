/**
 * Experiment files: YAML → typed, validated records. {@link engram.core.config.ExperimentLoader}
 * reads a file, applies {@code key=value} overrides, looks up plugin ids, merges the user's keys
 * over each plugin's defaults (unknown keys are errors), binds the configuration records with
 * {@link engram.core.config.ConfigMapper} and reports every problem as a one-line {@link
 * engram.core.config.ConfigException}. The result, a {@link
 * engram.core.config.ResolvedExperiment}, is written back with every default filled in as {@code
 * config.resolved.yaml}.
 */
package engram.core.config;
