/**
 * {@code engram compare}: several finished runs side by side. {@link engram.core.compare.RunReader}
 * reads a run directory ({@code config.resolved.yaml}, {@code metrics.csv}, and the analyzer tables
 * a study reads, by their declarations) into a {@link engram.core.compare.RunSummary}; {@link
 * engram.core.compare.Comparison} groups runs ({@link engram.core.compare.GroupBy}), several seeds
 * per group; a {@link engram.core.compare.SelectedStudy} (a study plugin) checks its findings and
 * gives the figures and quantities that show them; {@link engram.core.compare.ComparisonReport}
 * writes the figures, {@code comparison.csv} and {@code comparison.md}. Reads files only: no ND4J,
 * and no plugin id: what a study compares is the study's business.
 */
package engram.core.compare;
