/**
 * {@code engram bench}: milliseconds per training step of the real trainer on fixed batches, the
 * PyTorch reference on the same shapes, the memory footprint over many steps, and the throughput of
 * independent runs side by side. A module of its own on top of core (module {@code bench}, artifact
 * {@code engram-bench}); the launcher puts its jar on the class path, and core finds the command
 * through {@link engram.core.cli.CommandProvider}.
 */
package engram.bench;
