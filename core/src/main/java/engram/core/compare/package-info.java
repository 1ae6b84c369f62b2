/**
 * {@code engram compare}: several finished runs side by side. {@link engram.core.compare.RunReader}
 * reads a run directory ({@code config.resolved.yaml}, {@code metrics.csv}, the analyzer tables
 * under {@code analysis/}) into a {@link engram.core.compare.RunSummary}; {@link
 * engram.core.compare.Comparison} groups runs ({@link engram.core.compare.GroupBy}), several seeds
 * per group; {@link engram.core.compare.Findings} checks the paper's qualitative findings (spec §6)
 * with documented rules; {@link engram.core.compare.ComparisonReport} writes the figures, {@code
 * comparison.csv} and {@code comparison.md}. Reads files only: no ND4J, no plugins.
 */
package engram.core.compare;
