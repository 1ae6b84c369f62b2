package engram.core.run;

import engram.api.Parameter;
import engram.api.curriculum.Assignment;
import engram.core.config.ResolvedExperiment;
import engram.core.train.EpochReport;
import engram.core.train.ResumeState;
import engram.core.train.TraceRow;
import engram.core.train.TrainingObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes what training produces into the run directory: metrics rows, trace rows, checkpoints and
 * resume checkpoints, as a {@link TrainingObserver}; and the provenance of a new run. Closing it
 * closes {@code metrics.csv} and {@code trace.csv}.
 */
public final class RunArtifacts implements TrainingObserver, AutoCloseable {
  private final RunDirectory run;
  private final MetricsWriter metrics;
  private final List<String> regularizerIds;
  private final TraceWriter trace; // null unless output.trace-every > 0
  private final RunFiles files;
  private final int resumeKeep;
  private final String configSha256;

  private RunArtifacts(
      RunDirectory run,
      MetricsWriter metrics,
      List<String> regularizerIds,
      TraceWriter trace,
      RunFiles files,
      ResolvedExperiment experiment)
      throws IOException {
    this.run = run;
    this.files = files;
    this.metrics = metrics;
    this.regularizerIds = regularizerIds;
    this.trace = trace;
    this.resumeKeep = experiment.output().resumeKeep();
    Path config = run.path().resolve(RunDirectory.CONFIG);
    this.configSha256 = Files.isRegularFile(config) ? sha256(config) : "";
  }

  /** Hex SHA-256 of a file's bytes. */
  public static String sha256(Path file) throws IOException {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Creates {@code metrics.csv} in {@code run}, with one column per regularizer of {@code
   * experiment} after the fixed ones, and {@code trace.csv} when {@code output.trace-every} is set.
   */
  public static RunArtifacts open(RunDirectory run, ResolvedExperiment experiment)
      throws IOException {
    return open(run, experiment, RunFiles.SYSTEM);
  }

  /**
   * As {@link #open(RunDirectory, ResolvedExperiment)}, writing every file through {@code files}.
   */
  public static RunArtifacts open(RunDirectory run, ResolvedExperiment experiment, RunFiles files)
      throws IOException {
    List<String> ids = experiment.regularizers().stream().map(c -> c.plugin().id()).toList();
    List<String> columns = ids.stream().map(id -> "reg_" + id).toList();
    MetricsWriter metrics = MetricsWriter.create(run, columns, files);
    TraceWriter trace =
        experiment.output().traceEvery() > 0 ? new TraceWriter(run.traceFile(), files) : null;
    return new RunArtifacts(run, metrics, ids, trace, files, experiment);
  }

  /**
   * Continues the files of a resumed run: appends to its {@code metrics.csv} (and {@code
   * trace.csv}), which the caller has cut back to the rows of the resume checkpoint.
   *
   * @throws IOException when a file is missing or its header does not match {@code experiment}
   */
  public static RunArtifacts reopen(RunDirectory run, ResolvedExperiment experiment, RunFiles files)
      throws IOException {
    List<String> ids = experiment.regularizers().stream().map(c -> c.plugin().id()).toList();
    List<String> columns = ids.stream().map(id -> "reg_" + id).toList();
    MetricsWriter metrics = MetricsWriter.append(run, columns, files);
    TraceWriter trace =
        experiment.output().traceEvery() > 0 ? TraceWriter.append(run.traceFile(), files) : null;
    return new RunArtifacts(run, metrics, ids, trace, files, experiment);
  }

  /**
   * Writes {@code provenance.json} of a new run: versions, plugins and their jars, the seed and
   * {@code commandLine}.
   */
  public static void writeProvenance(
      RunDirectory run, ResolvedExperiment experiment, List<String> commandLine)
      throws IOException {
    String nd4jVersion = Nd4j.class.getPackage().getImplementationVersion();
    Provenance.collect(
            experiment,
            commandLine,
            Path.of(""),
            nd4jVersion == null ? "1.0.0-M2.1" : nd4jVersion,
            Nd4j.getBackend().getClass().getName(),
            Instant.now())
        .write(run);
  }

  @Override
  public void epoch(EpochReport r) {
    double[] extras = new double[regularizerIds.size()];
    for (int i = 0; i < extras.length; i++) {
      extras[i] = r.regularizers().getOrDefault(regularizerIds.get(i), 0.0);
    }
    List<Assignment> assignments = r.stage().assignments();
    for (int a = 0; a < assignments.size(); a++) {
      metrics.row(
          r.epoch(),
          r.step(),
          assignments.get(a).level(),
          assignments.get(a).head(),
          r.loss()[a],
          r.accuracy()[a],
          r.wallSeconds(),
          extras);
    }
    try {
      metrics.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e); // names the file and the cause
    }
  }

  @Override
  public void trace(TraceRow row) {
    if (trace != null) {
      trace.row(row);
    }
  }

  @Override
  public void checkpoint(
      String name,
      int epoch,
      long step,
      int[] levels,
      List<Parameter> tensors,
      Map<String, Object> extra) {
    try {
      Checkpoints.write(run, name, epoch, step, levels, tensors, extra, files);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write checkpoint " + name + " in " + run.path() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a resume checkpoint of {@code state} ({@link ResumeCheckpoints}): first makes {@code
   * metrics.csv}, {@code trace.csv} and {@code run.log} durable (fsync) up to where they stand, so
   * that the rows the checkpoint covers survive a crash of the machine, then writes it atomically
   * and prunes older ones.
   */
  @Override
  public void resumePoint(ResumeState state) {
    try {
      metrics.flush();
      files.force(run.metricsFile());
      if (trace != null) {
        files.force(run.traceFile());
      }
      long logBytes = 0;
      if (Files.exists(run.logFile())) {
        files.force(run.logFile());
        logBytes = Files.size(run.logFile());
      }
      List<String> checkpoints = new ArrayList<>();
      if (Files.isDirectory(run.checkpoints())) {
        try (var children = Files.list(run.checkpoints())) {
          children
              .filter(Files::isDirectory)
              .map(c -> c.getFileName().toString())
              .filter(n -> !n.startsWith("."))
              .sorted()
              .forEach(checkpoints::add);
        }
      }
      ResumeCheckpoints.Position position =
          new ResumeCheckpoints.Position(
              metrics.rows(),
              metrics.bytes(),
              trace == null ? 0 : trace.rows(),
              trace == null ? 0 : trace.bytes(),
              logBytes,
              checkpoints,
              configSha256);
      ResumeCheckpoints.write(run, state, position, resumeKeep, files);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the resume checkpoint at step "
              + state.step()
              + " in "
              + run.path()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      metrics.close();
    } finally {
      if (trace != null) {
        trace.close();
      }
    }
  }
}
