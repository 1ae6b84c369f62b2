package engram.core.run;

import engram.api.Analyzer;
import engram.api.Parameter;
import engram.api.curriculum.Assignment;
import engram.api.curriculum.Stage;
import engram.core.train.Optimizer;
import engram.core.train.ResumeState;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Resume checkpoints: {@code resume/resume-s<12-digit step>/} of a run directory, from which {@code
 * engram resume} continues the run exactly. Written as {@link Checkpoints} are (tensors as NPY and
 * {@code index.json}, in a hidden temporary directory renamed into place in one atomic step,
 * through the run's {@link RunFiles}), so one is complete under its name or absent; they live
 * beside {@code checkpoints/}, not in it, so analyses never mistake one for a checkpoint.
 *
 * <p>Tensors: {@code network/<name>} (every network tensor), {@code head/<name>} (every readout
 * head), {@code optimizer/<parameter>/<k>} (the optimizer's k-th buffer of a parameter). {@code
 * index.json} holds, besides Checkpoints' keys and {@code assignments} (the stage), {@code resume}:
 * the counters, the open epoch's sums, the latest evaluation's accuracy, the training time, every
 * random stream's position and the optimizer's update counts (doubles as the hex of their IEEE
 * bits, so they come back exactly); and {@code files}: where {@code metrics.csv}, {@code trace.csv}
 * and {@code run.log} stood (rows and bytes, all made durable with fsync before the checkpoint is
 * written), the names in {@code checkpoints/} and the SHA-256 of {@code config.resolved.yaml}.
 *
 * <p>Pruning rule: after a resume checkpoint is written, all but the newest {@code
 * output.resume-keep} (by step; default 2, so a damaged newest one still leaves one to resume from)
 * are deleted, each first renamed to a hidden name so that none is ever seen half deleted.
 */
public final class ResumeCheckpoints {
  /** The directory of resume checkpoints inside a run directory. */
  public static final String DIRECTORY = "resume";

  /** The format of {@code index.json}'s {@code resume} key; a reader refuses others. */
  static final int FORMAT = 1;

  private static final String PREFIX = "resume-s";

  private ResumeCheckpoints() {}

  /**
   * Where a run's files stood when a resume checkpoint was written.
   *
   * @param metricsRows rows of {@code metrics.csv} (header not counted)
   * @param metricsBytes its length in bytes
   * @param traceRows rows of {@code trace.csv}, 0 without one
   * @param traceBytes its length, 0 without one
   * @param logBytes length of {@code run.log}
   * @param checkpoints the names in {@code checkpoints/}, sorted
   * @param configSha256 hex SHA-256 of {@code config.resolved.yaml}
   */
  public record Position(
      long metricsRows,
      long metricsBytes,
      long traceRows,
      long traceBytes,
      long logBytes,
      List<String> checkpoints,
      String configSha256) {
    public Position {
      checkpoints = List.copyOf(checkpoints);
    }
  }

  /**
   * A resume checkpoint read back.
   *
   * @param name its directory's name
   * @param written when it was written, ISO-8601 UTC
   */
  public record Loaded(
      String name, Path directory, ResumeState state, Position position, String written) {}

  /**
   * The complete resume checkpoints of a run, oldest first (by step), and those left out.
   *
   * @param skipped one line per directory left out: "{@code <name>: <why>}"
   */
  public record Scan(List<Loaded> complete, List<String> skipped) {
    public Scan {
      complete = List.copyOf(complete);
      skipped = List.copyOf(skipped);
    }
  }

  /** {@code resume/} of {@code run}. */
  public static Path directory(RunDirectory run) {
    return run.path().resolve(DIRECTORY);
  }

  /** The name of the resume checkpoint at {@code step}. */
  static String name(long step) {
    return String.format("%s%012d", PREFIX, step);
  }

  /**
   * Writes the resume checkpoint of {@code state} (named by its step) atomically, then deletes all
   * but the newest {@code keep}.
   *
   * @throws java.nio.file.FileAlreadyExistsException when one exists at that step
   */
  static Path write(
      RunDirectory run, ResumeState state, Position position, int keep, RunFiles files)
      throws IOException {
    List<Parameter> tensors = new ArrayList<>();
    state.network().forEach((n, v) -> tensors.add(new Parameter("network/" + n, v, false)));
    state.heads().forEach((n, v) -> tensors.add(new Parameter("head/" + n, v, false)));
    List<Map<String, Object>> optimizer = new ArrayList<>();
    for (Optimizer.SavedState s : state.optimizer()) {
      List<String> names = new ArrayList<>();
      for (int k = 0; k < s.buffers().size(); k++) {
        String tensor = "optimizer/" + s.parameter() + "/" + k;
        tensors.add(new Parameter(tensor, s.buffers().get(k), false));
        names.add(tensor);
      }
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("parameter", s.parameter());
      entry.put("updates", s.updates());
      entry.put("buffers", names);
      optimizer.add(entry);
    }
    Map<String, Object> resume = new LinkedHashMap<>();
    resume.put("format", FORMAT);
    resume.put("written", Instant.now().toString());
    resume.put("steps_in_epoch", state.stepsInEpoch());
    resume.put("epoch_loss_bits", bits(state.epochLoss()));
    Map<String, String> regularizers = new LinkedHashMap<>();
    state.epochRegularizers().forEach((id, sum) -> regularizers.put(id, bits(sum)));
    resume.put("epoch_regularizers_bits", regularizers);
    resume.put("max_solved", state.maxSolved());
    resume.put("last_accuracy_bits", bits(state.lastAccuracy()));
    resume.put("wall_seconds_bits", bits(state.wallSeconds()));
    resume.put("streams", state.streams());
    resume.put("head_count", state.headCount());
    resume.put("optimizer", optimizer);
    Map<String, Object> where = new LinkedHashMap<>();
    where.put("metrics_rows", position.metricsRows());
    where.put("metrics_bytes", position.metricsBytes());
    where.put("trace_rows", position.traceRows());
    where.put("trace_bytes", position.traceBytes());
    where.put("log_bytes", position.logBytes());
    where.put("checkpoints", position.checkpoints());
    where.put("config_sha256", position.configSha256());
    List<Map<String, Integer>> assignments = new ArrayList<>();
    for (Assignment a : state.stage().assignments()) {
      Map<String, Integer> entry = new LinkedHashMap<>(); // one key order in every JVM
      entry.put("level", a.level());
      entry.put("head", a.head());
      assignments.add(entry);
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("reason", "resume");
    extra.put("assignments", assignments);
    extra.put("resume", resume);
    extra.put("files", where);
    Path written =
        Checkpoints.writeIn(
            directory(run),
            name(state.step()),
            state.epoch(),
            state.step(),
            state.stage().levels(),
            tensors,
            extra,
            files);
    prune(run, keep, files);
    return written;
  }

  /** Deletes all but the newest {@code keep} resume checkpoints (by step); best effort. */
  static void prune(RunDirectory run, int keep, RunFiles files) throws IOException {
    List<Path> all = new ArrayList<>(names(run));
    all.sort(Comparator.comparing(p -> p.getFileName().toString())); // zero-padded steps
    for (int i = 0; i < all.size() - keep; i++) {
      try {
        Checkpoints.delete(files, all.get(i));
      } catch (IOException e) {
        // an old one left in place costs disk space only; resume picks the newest
      }
    }
  }

  /** The resume checkpoint directories (complete or not, hidden ones left out). */
  private static List<Path> names(RunDirectory run) throws IOException {
    Path dir = directory(run);
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir, PREFIX + "*")) {
      children.forEach(found::add);
    }
    return found;
  }

  /**
   * Reads every complete resume checkpoint of {@code run} and names the others (no {@code
   * index.json}, invalid JSON, a missing tensor, another format). Hidden directories (temporary
   * ones of interrupted writes and deletions) are ignored.
   */
  public static Scan scan(RunDirectory run) throws IOException {
    List<Loaded> complete = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Path dir : names(run)) {
      try {
        complete.add(read(dir));
      } catch (IOException | RuntimeException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        skipped.add(dir.getFileName() + ": " + message.strip().split("\\R", 2)[0]);
      }
    }
    complete.sort(Comparator.comparingLong(l -> l.state().step()));
    skipped.sort(Comparator.naturalOrder());
    return new Scan(complete, skipped);
  }

  /**
   * Reads one resume checkpoint.
   *
   * @throws IllegalStateException naming what is missing or damaged
   */
  public static Loaded read(Path dir) throws IOException {
    Checkpoints.Index index = Checkpoints.readIndex(dir);
    Analyzer.Checkpoint checkpoint = Checkpoints.read(dir);
    Map<String, Object> resume = map(index.extra().get("resume"), dir, "resume");
    Map<String, Object> where = map(index.extra().get("files"), dir, "files");
    int format = number(resume, "format", dir).intValue();
    if (format != FORMAT) {
      throw new IllegalStateException(
          dir + " is a resume checkpoint of format " + format + "; this Engram reads " + FORMAT);
    }
    Map<String, INDArray> network = new LinkedHashMap<>();
    Map<String, INDArray> heads = new LinkedHashMap<>();
    checkpoint
        .tensors()
        .forEach(
            (name, value) -> {
              if (name.startsWith("network/")) {
                network.put(name.substring("network/".length()), value);
              } else if (name.startsWith("head/")) {
                heads.put(name.substring("head/".length()), value);
              }
            });
    List<Optimizer.SavedState> optimizer = new ArrayList<>();
    for (Object item : list(resume.get("optimizer"), dir, "resume.optimizer")) {
      Map<String, Object> entry = map(item, dir, "resume.optimizer[]");
      List<INDArray> buffers = new ArrayList<>();
      for (Object tensor : list(entry.get("buffers"), dir, "resume.optimizer[].buffers")) {
        INDArray value = checkpoint.tensors().get(String.valueOf(tensor));
        if (value == null) {
          throw new IllegalStateException(dir + " lacks the optimizer tensor " + tensor);
        }
        buffers.add(value);
      }
      optimizer.add(
          new Optimizer.SavedState(
              String.valueOf(entry.get("parameter")),
              number(entry, "updates", dir).longValue(),
              buffers));
    }
    Map<String, Long> streams = new LinkedHashMap<>();
    map(resume.get("streams"), dir, "resume.streams")
        .forEach((name, value) -> streams.put(name, ((Number) value).longValue()));
    Map<String, Double> regularizers = new LinkedHashMap<>();
    map(resume.get("epoch_regularizers_bits"), dir, "resume.epoch_regularizers_bits")
        .forEach((id, value) -> regularizers.put(id, fromBits(String.valueOf(value))));
    List<Assignment> assignments = checkpoint.assignments();
    if (assignments.isEmpty()) {
      throw new IllegalStateException(dir + " has no assignments (the stage)");
    }
    ResumeState state =
        new ResumeState(
            index.epoch(),
            index.step(),
            number(resume, "steps_in_epoch", dir).intValue(),
            fromBits(string(resume, "epoch_loss_bits", dir)),
            regularizers,
            new Stage(assignments),
            number(resume, "max_solved", dir).intValue(),
            fromBits(string(resume, "last_accuracy_bits", dir)),
            fromBits(string(resume, "wall_seconds_bits", dir)),
            streams,
            network,
            heads,
            number(resume, "head_count", dir).intValue(),
            optimizer);
    List<String> checkpoints = new ArrayList<>();
    list(where.get("checkpoints"), dir, "files.checkpoints")
        .forEach(n -> checkpoints.add(String.valueOf(n)));
    Position position =
        new Position(
            number(where, "metrics_rows", dir).longValue(),
            number(where, "metrics_bytes", dir).longValue(),
            number(where, "trace_rows", dir).longValue(),
            number(where, "trace_bytes", dir).longValue(),
            number(where, "log_bytes", dir).longValue(),
            checkpoints,
            string(where, "config_sha256", dir));
    return new Loaded(
        dir.getFileName().toString(), dir, state, position, string(resume, "written", dir));
  }

  /**
   * Makes {@code run} what it was when {@code from} was written, so that training can continue from
   * it: {@code metrics.csv}, {@code trace.csv} and {@code run.log} are cut back to the bytes the
   * checkpoint recorded (rows written after it are dropped, so none is duplicated or torn); every
   * checkpoint in {@code checkpoints/} that it does not list is deleted (written after it, such as
   * a stopped run's {@code final}); hidden temporary directories of interrupted writes, and resume
   * checkpoints other than the complete ones, are deleted. All through {@code files}.
   *
   * @param trace whether the run writes {@code trace.csv}
   * @throws IOException when a file is missing, shorter than recorded, or has another number of
   *     rows at the recorded length: it lost or changed rows the checkpoint covers
   */
  public static void rewind(RunDirectory run, Loaded from, boolean trace, RunFiles files)
      throws IOException {
    Position at = from.position();
    cut(run.metricsFile(), at.metricsBytes(), at.metricsRows() + 1, files);
    if (trace) {
      cut(run.traceFile(), at.traceBytes(), at.traceRows() + 1, files);
    }
    if (Files.exists(run.logFile()) && Files.size(run.logFile()) > at.logBytes()) {
      try (var channel = files.open(run.logFile(), java.nio.file.StandardOpenOption.WRITE)) {
        channel.truncate(at.logBytes());
      }
    }
    java.util.Set<String> kept = new java.util.HashSet<>(at.checkpoints());
    if (Files.isDirectory(run.checkpoints())) {
      for (Path child : list(run.checkpoints())) {
        String name = child.getFileName().toString();
        if (name.startsWith(".")) {
          Checkpoints.deleteTree(files, child);
        } else if (!kept.contains(name)) {
          Checkpoints.delete(files, child);
        }
      }
    }
    for (Path child : list(directory(run))) {
      String name = child.getFileName().toString();
      if (name.startsWith(".")) {
        Checkpoints.deleteTree(files, child);
      } else if (!name.equals(from.name()) && isDamaged(child)) {
        Checkpoints.delete(files, child);
      }
    }
  }

  private static boolean isDamaged(Path dir) {
    try {
      read(dir);
      return false;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    List<Path> children = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
        stream.forEach(children::add);
      }
    }
    return children;
  }

  /** Cuts {@code file} back to {@code bytes}, which must hold exactly {@code lines} lines. */
  private static void cut(Path file, long bytes, long lines, RunFiles files) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + " is missing");
    }
    long size = Files.size(file);
    if (size < bytes) {
      throw new IOException(
          file
              + " has "
              + size
              + " bytes, fewer than the "
              + bytes
              + " the resume checkpoint covers: it lost rows");
    }
    try (var channel = files.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      channel.truncate(bytes);
    }
    long counted;
    try (var text = Files.lines(file)) {
      counted = text.count();
    }
    if (counted != lines || (bytes > 0 && lastByte(file) != '\n')) {
      throw new IOException(
          file
              + " has "
              + counted
              + " lines in its first "
              + bytes
              + " bytes, where the resume checkpoint recorded "
              + lines
              + " whole lines: the file was changed");
    }
  }

  private static int lastByte(Path file) throws IOException {
    try (var channel = java.nio.channels.FileChannel.open(file)) {
      java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
      channel.read(one, channel.size() - 1);
      return one.get(0);
    }
  }

  private static String bits(double value) {
    return Long.toHexString(Double.doubleToRawLongBits(value));
  }

  private static double fromBits(String hex) {
    return Double.longBitsToDouble(Long.parseUnsignedLong(hex, 16));
  }

  @SuppressWarnings("unchecked") // JSON objects are read as Map<String, Object>
  private static Map<String, Object> map(Object value, Path dir, String key) {
    if (!(value instanceof Map<?, ?>)) {
      throw new IllegalStateException(
          dir + "/" + Checkpoints.INDEX + " has no object '" + key + "'");
    }
    return (Map<String, Object>) value;
  }

  private static List<?> list(Object value, Path dir, String key) {
    if (!(value instanceof List<?> list)) {
      throw new IllegalStateException(dir + "/" + Checkpoints.INDEX + " has no list '" + key + "'");
    }
    return list;
  }

  private static Number number(Map<String, Object> map, String key, Path dir) {
    if (!(map.get(key) instanceof Number n)) {
      throw new IllegalStateException(
          dir + "/" + Checkpoints.INDEX + " has no number '" + key + "'");
    }
    return n;
  }

  private static String string(Map<String, Object> map, String key, Path dir) {
    Object value = map.get(key);
    if (value == null) {
      throw new IllegalStateException(dir + "/" + Checkpoints.INDEX + " has no '" + key + "'");
    }
    return String.valueOf(value);
  }
}
