/**
 * Built-in analyzers (τ statistics, network timescales, dimensionality, ablation, perturbation,
 * forgetting, transfer, connectivity) arrive here with issue 5; the module exists now so the
 * layout, the build and discovery already cover it.
 */
module engram.analysis {
  requires engram.api;
}
