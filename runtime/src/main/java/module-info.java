/**
 * Engram's runtime: runs any {@link engram.api.Cell} over whole sequences (the time loop, the
 * trajectory, BPTT over the cell's vector–Jacobian product, the recurrent drive, extras and their
 * gradients, ablation), keeps parameters within their constraints, and uses a model's {@link
 * engram.api.SequenceKernel} where one applies. Core trains with it; the testkit checks cells and
 * kernels with it. {@code engram.runtime.autodiff} lets a plugin write a cell's forward step alone
 * and get its VJP from SameDiff.
 */
module engram.runtime {
  requires transitive engram.api;
  requires static transitive org.apiguardian.api; // @API marks exported types

  exports engram.runtime;
  exports engram.runtime.autodiff;
}
