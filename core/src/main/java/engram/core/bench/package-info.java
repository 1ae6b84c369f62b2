/**
 * {@code engram bench}: milliseconds per training step of the real trainer on fixed batches, the
 * PyTorch reference on the same shapes, the memory footprint over many steps, and the throughput
 * of independent runs side by side.
 */
package engram.core.bench;
