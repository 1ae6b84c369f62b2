/**
 * Training steps seen from outside the trainer: the {@link engram.core.step.StepObserver} that
 * receives the wall time of every step's phases, for profiling and benchmarks.
 */
package engram.core.step;
