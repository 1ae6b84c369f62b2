/**
 * What a task produces: a {@link engram.api.task.Batch} of time-major inputs with one {@link
 * engram.api.task.Target} per requested level, the {@link engram.api.task.Periods} of its trials,
 * and how targets are scored ({@link engram.api.task.LossKind}, {@link engram.api.task.Accuracy}).
 * All are plain Java arrays (no ND4J), handed over without copies.
 */
package engram.api.task;
