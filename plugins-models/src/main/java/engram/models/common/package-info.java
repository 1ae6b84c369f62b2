/**
 * Infrastructure shared by the built-in recurrent models (leaky RNN, GRU, LSTM): shape checks,
 * parameter initialisation, the τ clamp, flat buffers and views into them, config checks and the
 * parameter surgery of unit ablation.
 * Internal to the module: the package is neither exported nor opened.
 */
package engram.models.common;
