/**
 * Built-in analyzers (τ statistics, network timescales, dimensionality, ablation, perturbation,
 * forgetting, transfer, connectivity) arrive here with issue 5; the module exists now so the
 * layout, the build and discovery already cover it.
 *
 * <p>{@code engram.analysis.timescales} holds the numerical core of the network-timescale
 * analysis (autocorrelation and exponential fits); it uses Apache Commons Math 3, whose jar has no
 * {@code Automatic-Module-Name}, so its automatic module name derives from the file name:
 * {@code commons.math3}.
 */
module engram.analysis {
  requires engram.api;
  requires commons.math3;

  exports engram.analysis.timescales;
}
