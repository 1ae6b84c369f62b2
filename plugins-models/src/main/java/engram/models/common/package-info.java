/**
 * Infrastructure shared by the built-in recurrent models (leaky RNN, GRU, LSTM): shape checks,
 * parameter initialisation, the τ clamp, gradient views of gated weights, config checks and the
 * parameter surgery of unit ablation. The host loops, buffers, direct OpenBLAS products and
 * vectorised activations of the fused kernels come from Engram's internal {@code engram.kernels}.
 * Internal to the module: the package is neither exported nor opened.
 */
package engram.models.common;
