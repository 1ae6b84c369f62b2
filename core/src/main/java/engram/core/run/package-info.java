/**
 * The run directory and what goes into it: {@link engram.core.run.RunDirectory} (never reused,
 * files never overwritten), {@link engram.core.run.Provenance} ({@code provenance.json}), {@link
 * engram.core.run.MetricsWriter} ({@code metrics.csv}), {@link engram.core.run.Checkpoints} (NPY
 * tensors plus {@code index.json}, written atomically) and {@link engram.core.run.RunLog} ({@code
 * run.log}).
 */
package engram.core.run;
