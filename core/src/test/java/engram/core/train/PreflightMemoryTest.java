package engram.core.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.core.config.ConfigException;
import engram.core.config.ExperimentLoader;
import engram.core.config.ResolvedExperiment;
import engram.core.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preflight checks a real experiment's memory against the limits the JVM was given. */
class PreflightMemoryTest {

  private static ResolvedExperiment experiment(Path dir, String... overrides) throws Exception {
    Path file = dir.resolve("parity.yaml");
    Files.writeString(
        file,
        """
        seed: 1
        task: {id: n-parity}
        model: {id: leaky-rnn, hidden-size: 16}
        curriculum: {id: multi-head, start-level: 2}
        training: {batch-size: 64, steps-per-epoch: 2, max-epochs: 1}
        evaluation: {batches: 1, batch-size: 64}
        """);
    PluginRegistry registry = PluginRegistry.discover(PreflightMemoryTest.class.getClassLoader());
    return new ExperimentLoader(registry).load(file, List.of(overrides));
  }

  @Test
  void aRunThatFitsPassesAndOneThatDoesNotFitTheHeapGivenIsRefusedWithTheNumbers(@TempDir Path dir)
      throws Exception {
    ResolvedExperiment e = experiment(dir);
    Preflight.check(e, 2, new MemoryEstimate.Limits(64L << 20, 64L << 20));
    // the same run with a heap of 1 KB (as -Xmx would give it) and with a 4 KB off-heap limit
    ConfigException heap =
        assertThrows(
            ConfigException.class,
            () -> Preflight.check(e, 1, new MemoryEstimate.Limits(64L << 20, 1024)));
    assertTrue(heap.getMessage().contains("of Java heap"), heap.getMessage());
    assertTrue(heap.getMessage().contains("but the heap is 1 MB"), heap.getMessage());
    ConfigException offHeap =
        assertThrows(
            ConfigException.class,
            () -> Preflight.check(e, 1, new MemoryEstimate.Limits(4096, 64L << 20)));
    assertTrue(offHeap.getMessage().contains("but Engram may use 1 MB"), offHeap.getMessage());
    // fits one run's heap but not that of 1,000 runs side by side
    MemoryEstimate.Limits limits = new MemoryEstimate.Limits(1L << 50, 1L << 20);
    Preflight.check(e, 1, limits);
    ConfigException many =
        assertThrows(ConfigException.class, () -> Preflight.check(e, 1000, limits));
    assertTrue(many.getMessage().contains("for 1000 runs side by side"), many.getMessage());
    assertTrue(many.getMessage().contains("--workers"), many.getMessage());
  }
}
