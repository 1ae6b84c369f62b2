package engram.testkit;

import engram.api.Analyzer;
import engram.api.Analyzer.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * An {@link Analyzer.Context} for analyzer tests: given checkpoints, an output directory (a JUnit
 * {@code @TempDir}), and optionally a run behind them — a test's own fake {@link Analyzer.Run}, or
 * a {@link ModelRun} that rebuilds real, tiny networks of a real model and samples a real task.
 * Without a run, {@link #run()} throws as core's does for synthetic checkpoints.
 *
 * <pre>{@code
 * ModelRun<LeakyRnnModel.Config, NParityTask.Config> run = new ModelRun<>(new LeakyRnnModel(),
 *     leakyConfig, new NParityTask(), parityConfig, 7);
 * FakeAnalysisContext context = new FakeAnalysisContext(
 *     List.of(run.checkpoint("final", 10, new int[] {2, 3})), dir, run);
 * new MyAnalyzer().analyze(config, context);
 * assertTrue(Files.exists(context.outputDirectory().resolve("result.csv")));
 * }</pre>
 */
public final class FakeAnalysisContext implements Analyzer.Context {
  private final List<Checkpoint> checkpoints;
  private final Path outputDirectory;
  private final Analyzer.Run run;

  /**
   * A context without a run: {@link #run()} throws {@link IllegalStateException}.
   *
   * @param checkpoints the checkpoints, oldest first
   * @param outputDirectory where the analyzer writes; created if missing
   */
  public FakeAnalysisContext(List<Checkpoint> checkpoints, Path outputDirectory) {
    this(checkpoints, outputDirectory, null);
  }

  /**
   * A context with a run behind its checkpoints.
   *
   * @param checkpoints the checkpoints, oldest first
   * @param outputDirectory where the analyzer writes; created if missing
   * @param run the run, or null for none
   */
  public FakeAnalysisContext(List<Checkpoint> checkpoints, Path outputDirectory, Analyzer.Run run) {
    this.checkpoints = List.copyOf(checkpoints);
    this.outputDirectory = outputDirectory;
    this.run = run;
    try {
      Files.createDirectories(outputDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public List<Checkpoint> checkpoints() {
    return checkpoints;
  }

  @Override
  public Path outputDirectory() {
    return outputDirectory;
  }

  @Override
  public Analyzer.Run run() {
    return run == null ? Analyzer.Context.super.run() : run;
  }

  /**
   * What the analyzer wrote.
   *
   * @return the files and directories directly in the output directory, sorted by name
   */
  public List<Path> written() {
    try (Stream<Path> files = Files.list(outputDirectory)) {
      return files.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the analyzer wrote nothing (as it must when it fails: core removes the output directory
   * of a failed analysis only while it is empty).
   *
   * @return true when the output directory is empty
   */
  public boolean wroteNothing() {
    return written().isEmpty();
  }
}
