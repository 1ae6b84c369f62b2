/**
 * {@code engram bench}: the training-step benchmark, its PyTorch comparison, the matrix-multiply
 * floor, the memory footprint and parallel throughput. Not part of core: it adds its command
 * through {@link engram.core.cli.CommandProvider} and times core's real trainer through the step
 * observer of {@code engram.core.step}. The models and task it measures come from the plugins
 * installed (the default plan names {@code leaky-rnn}, {@code gru}, {@code lstm} and the task
 * {@code n-parity}).
 */
module engram.bench {
  requires engram.api;
  requires engram.core;
  requires info.picocli;
  requires java.management; // Footprint: heap pools
  requires org.bytedeco.javacpp; // Footprint: resident set; MatmulFloor: pointers
  requires org.bytedeco.openblas; // MatmulFloor: the products alone, timed with OpenBLAS

  provides engram.core.cli.CommandProvider with
      engram.bench.BenchCommandProvider;

  opens engram.bench to
      info.picocli;
}
