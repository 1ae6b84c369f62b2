/**
 * Engram's internal numerical helpers for host-side loops over ND4J's native buffers: bulk copies
 * between those buffers and Java arrays and the contiguity checks they need ({@link
 * engram.kernels.HostLoops}), scratch buffers and C-order views into them ({@link
 * engram.kernels.Buffers}), matrix products straight through OpenBLAS ({@link engram.kernels.Blas})
 * and vectorised float σ and tanh ({@link engram.kernels.FloatActivations}).
 *
 * <p><b>Internal, not for plugins.</b> Only core's trainer and the built-in models ({@code
 * engram.models}) may use it: the module exports this package to those two modules alone, and its
 * methods may change with any release. Everything here relies on facts of ND4J 1.0.0-M2.1's CPU
 * backend that its tests pin; a plugin that wants speed writes a {@code SequenceKernel} against the
 * api and keeps its own helpers.
 */
package engram.kernels;
