/**
 * Internal: host-array, buffer and BLAS helpers shared by core's trainer and the built-in models'
 * fused kernels (see the package documentation). Not part of the plugin API: the package is
 * exported only to {@code engram.core} and {@code engram.models}, so no other module compiles
 * against it.
 */
module engram.kernels {
  requires nd4j.api;
  requires transitive org.bytedeco.javacpp; // Pointer appears in HostLoops' and Blas' signatures
  requires org.bytedeco.openblas; // Blas: products without ND4J's dispatch

  exports engram.kernels to
      engram.core,
      engram.models;
}
