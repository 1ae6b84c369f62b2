package engram.core.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import engram.api.Analyzer;
import engram.api.Parameter;
import engram.api.curriculum.Assignment;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checkpoints: {@code checkpoints/<name>/} with one NPY file per tensor and {@code index.json}:
 *
 * <pre>
 * {"name": "epoch-0012", "epoch": 12, "step": 1200, "levels": [2, 3],
 *  "tensors": [{"name": "w_rec", "file": "w_rec.npy", "shape": [128, 128], "dtype": "float32",
 *               "trainable": true}, ...],
 *  ...extra keys}
 * </pre>
 *
 * <p>A checkpoint is written into a hidden temporary sibling ({@code
 * checkpoints/.tmp-<name>-<uuid>}) and then renamed into place in one atomic step, so a crash never
 * leaves a half checkpoint under its real name and an existing checkpoint is never overwritten. The
 * files are plain NPY and JSON: {@code numpy.load} and {@code json.load} read them without Engram.
 */
public final class Checkpoints {
  public static final String INDEX = "index.json";

  private static final Set<String> RESERVED = Set.of("name", "epoch", "step", "levels", "tensors");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private Checkpoints() {}

  /** One tensor of {@code index.json}. */
  public record TensorEntry(
      String name, String file, long[] shape, String dtype, boolean trainable) {}

  /** The content of {@code index.json}; {@code extra} holds every other top-level key. */
  public record Index(
      String name,
      int epoch,
      long step,
      int[] levels,
      List<TensorEntry> tensors,
      Map<String, Object> extra) {}

  /**
   * Writes {@code checkpoints/<name>/} of a run.
   *
   * @param name letters, digits, '.', '_' and '-', not starting with '.' or '-'
   * @param tensors saved in this order; names must be distinct
   * @param extra further top-level keys of {@code index.json} (JSON-serialisable values); must not
   *     use name, epoch, step, levels or tensors
   * @return the checkpoint directory
   * @throws FileAlreadyExistsException if a checkpoint of that name exists
   */
  public static Path write(
      RunDirectory run,
      String name,
      int epoch,
      long step,
      int[] levels,
      List<Parameter> tensors,
      Map<String, Object> extra)
      throws IOException {
    return write(run, name, epoch, step, levels, tensors, extra, RunFiles.SYSTEM);
  }

  /**
   * As {@link #write(RunDirectory, String, int, long, int[], List, Map)}, through {@code files}.
   * Whatever fails — a tensor file, {@code index.json}, an fsync that reports an error, the rename
   * — the temporary directory is deleted and the exception passed on: the checkpoint is complete
   * under its name or absent. A thread interrupt does not spoil the write: the interrupt flag is
   * cleared while writing and set again afterwards, and a write that an interrupt cut short anyway
   * (its channel closed) is repeated once from the start.
   */
  static Path write(
      RunDirectory run,
      String name,
      int epoch,
      long step,
      int[] levels,
      List<Parameter> tensors,
      Map<String, Object> extra,
      RunFiles files)
      throws IOException {
    return writeIn(run.checkpoints(), name, epoch, step, levels, tensors, extra, files);
  }

  /**
   * As {@link #write(RunDirectory, String, int, long, int[], List, Map, RunFiles)}, into {@code
   * root} instead of the run's {@code checkpoints/} (resume checkpoints live in {@code resume/}).
   */
  static Path writeIn(
      Path root,
      String name,
      int epoch,
      long step,
      int[] levels,
      List<Parameter> tensors,
      Map<String, Object> extra,
      RunFiles files)
      throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      try {
        return attempt(root, name, epoch, step, levels, tensors, extra, files);
      } catch (java.nio.channels.ClosedByInterruptException e) {
        interrupted = true;
        Thread.interrupted();
        return attempt(root, name, epoch, step, levels, tensors, extra, files);
      }
    } finally {
      if (interrupted || Thread.interrupted()) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static Path attempt(
      Path root,
      String name,
      int epoch,
      long step,
      int[] levels,
      List<Parameter> tensors,
      Map<String, Object> extra,
      RunFiles files)
      throws IOException {
    Objects.requireNonNull(levels, "levels");
    Objects.requireNonNull(tensors, "tensors");
    Objects.requireNonNull(extra, "extra");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "checkpoint name '"
              + name
              + "' must consist of letters, digits, '.', '_' and '-' and"
              + " start with a letter or digit");
    }
    for (String key : extra.keySet()) {
      if (RESERVED.contains(key)) {
        throw new IllegalArgumentException("extra key '" + key + "' is reserved in " + INDEX);
      }
    }
    Files.createDirectories(root);
    Path target = root.resolve(name);
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString(), null, "checkpoint exists already");
    }
    Path temp = root.resolve(".tmp-" + name + "-" + UUID.randomUUID());
    Files.createDirectory(temp);
    boolean done = false;
    try {
      ObjectNode index = JSON.createObjectNode();
      index.put("name", name);
      index.put("epoch", epoch);
      index.put("step", step);
      ArrayNode levelArray = index.putArray("levels");
      Arrays.stream(levels).forEach(levelArray::add);
      ArrayNode entries = index.putArray("tensors");
      Set<String> names = new HashSet<>();
      Set<String> fileNames = new HashSet<>();
      for (Parameter tensor : tensors) {
        if (!names.add(tensor.name())) {
          throw new IllegalArgumentException("tensor name '" + tensor.name() + "' is used twice");
        }
        INDArray value = tensor.value();
        String dtype;
        try {
          dtype = Npy.dtypeName(value.dataType());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "tensor '" + tensor.name() + "': " + e.getMessage(), e);
        }
        String file = fileName(tensor.name(), fileNames);
        Path path = temp.resolve(file);
        try (OutputStream out =
            new BufferedOutputStream(
                java.nio.channels.Channels.newOutputStream(
                    files.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)),
                1 << 16)) {
          Npy.write(value, out);
        }
        files.force(path);
        ObjectNode entry = entries.addObject();
        entry.put("name", tensor.name());
        entry.put("file", file);
        ArrayNode shape = entry.putArray("shape");
        Arrays.stream(value.shape()).forEach(shape::add);
        entry.put("dtype", dtype);
        entry.put("trainable", tensor.trainable());
      }
      for (Map.Entry<String, Object> e : extra.entrySet()) {
        index.set(e.getKey(), JSON.valueToTree(e.getValue()));
      }
      Path indexFile = temp.resolve(INDEX);
      try (OutputStream out =
          java.nio.channels.Channels.newOutputStream(
              files.open(indexFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
        out.write(JSON.writeValueAsBytes(index));
      }
      files.force(indexFile);
      syncDirectory(files, temp);
      if (Files.exists(target)) {
        throw new FileAlreadyExistsException(target.toString(), null, "checkpoint exists already");
      }
      files.move(temp, target);
      done = true;
      syncDirectory(files, root); // the rename is done: the checkpoint is complete either way
      return target;
    } finally {
      if (!done) {
        deleteTree(files, temp);
      }
    }
  }

  /** A file name for a tensor: its name with unsafe characters replaced, made unique. */
  private static String fileName(String tensor, Set<String> taken) {
    String base = tensor.replaceAll("[^A-Za-z0-9._-]", "_");
    if (base.isEmpty() || base.startsWith(".") || base.equals(INDEX.replace(".json", ""))) {
      base = "_" + base;
    }
    String file = base + ".npy";
    for (int i = 2; !taken.add(file); i++) {
      file = base + "-" + i + ".npy";
    }
    return file;
  }

  /** Reads {@code index.json} of a checkpoint directory. */
  public static Index readIndex(Path checkpointDir) throws IOException {
    Path indexFile = checkpointDir.resolve(INDEX);
    if (!Files.isRegularFile(indexFile)) {
      throw new IllegalStateException(
          "checkpoint " + checkpointDir + " is incomplete: " + INDEX + " is missing");
    }
    JsonNode index;
    try {
      index = JSON.readTree(indexFile.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // A truncated or hand-edited index: name the file, not only the parser's position.
      throw new IllegalStateException(
          indexFile
              + " is not valid JSON ("
              + e.getOriginalMessage().strip().split("\\R", 2)[0]
              + "); the checkpoint is incomplete or damaged");
    }
    if (index == null || !index.isObject()) {
      throw new IllegalStateException(indexFile + " is empty or not a JSON object");
    }
    for (String key : RESERVED) {
      if (!index.hasNonNull(key)) {
        throw new IllegalStateException(indexFile + " has no '" + key + "'");
      }
    }
    List<TensorEntry> tensors = new ArrayList<>();
    for (JsonNode t : index.get("tensors")) {
      tensors.add(JSON.treeToValue(t, TensorEntry.class));
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    index
        .fields()
        .forEachRemaining(
            f -> {
              if (!RESERVED.contains(f.getKey())) {
                extra.put(
                    f.getKey(), JSON.convertValue(f.getValue(), new TypeReference<Object>() {}));
              }
            });
    return new Index(
        index.get("name").asText(),
        index.get("epoch").asInt(),
        index.get("step").asLong(),
        JSON.treeToValue(index.get("levels"), int[].class),
        List.copyOf(tensors),
        extra);
  }

  /**
   * Reads a checkpoint back; tensors keep the order of {@code index.json}.
   *
   * @throws IllegalStateException naming the missing file if {@code index.json} or a tensor is
   *     missing or unreadable
   */
  public static Analyzer.Checkpoint read(Path checkpointDir) throws IOException {
    Index index = readIndex(checkpointDir);
    Map<String, INDArray> tensors = new LinkedHashMap<>();
    for (TensorEntry entry : index.tensors()) {
      Path file = checkpointDir.resolve(entry.file()).normalize();
      if (!file.startsWith(checkpointDir.normalize()) || !Files.isRegularFile(file)) {
        throw new IllegalStateException(
            "checkpoint "
                + checkpointDir
                + " is incomplete: "
                + entry.file()
                + " (tensor '"
                + entry.name()
                + "') is missing");
      }
      INDArray value = Npy.read(file);
      if (!Arrays.equals(value.shape(), entry.shape())) {
        throw new IllegalStateException(
            file
                + " has shape "
                + Arrays.toString(value.shape())
                + " but "
                + INDEX
                + " says "
                + Arrays.toString(entry.shape()));
      }
      tensors.put(entry.name(), value);
    }
    return new Analyzer.Checkpoint(
        index.name(), index.epoch(), index.levels(), tensors, assignments(index));
  }

  /** The {@code assignments} key the trainer writes ([{level, head}, ...]); empty when absent. */
  private static List<Assignment> assignments(Index index) {
    List<Assignment> assignments = new ArrayList<>();
    if (index.extra().get("assignments") instanceof List<?> list) {
      for (Object item : list) {
        if (item instanceof Map<?, ?> m
            && m.get("level") instanceof Number level
            && m.get("head") instanceof Number head) {
          assignments.add(new Assignment(level.intValue(), head.intValue()));
        }
      }
    }
    return assignments;
  }

  /**
   * The checkpoints of a run directory's {@code checkpoints/}: the complete ones, and the ones left
   * out with the reason.
   *
   * @param complete readable checkpoints, oldest first (by step, then epoch, then name)
   * @param skipped one line per directory left out: "{@code <name>: <why>}"
   */
  public record Scan(List<Analyzer.Checkpoint> complete, List<String> skipped) {
    public Scan {
      complete = List.copyOf(complete);
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * Reads every checkpoint in {@code checkpointsDir} that is complete, and names the others. A
   * directory without {@code index.json} (a stray or emptied folder), with an index that is not
   * valid JSON (a disk that filled up), or with a missing or mis-shaped tensor file is left out
   * with its reason, so one damaged checkpoint does not hide the rest. Hidden directories (the
   * {@code .tmp-} siblings of interrupted writes) and plain files are ignored silently.
   */
  public static Scan scan(Path checkpointsDir) throws IOException {
    record Found(Index index, Path dir) {}
    List<Found> found = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(checkpointsDir)) {
      for (Path child : children) {
        if (Files.isDirectory(child) && !child.getFileName().toString().startsWith(".")) {
          try {
            found.add(new Found(readIndex(child), child));
          } catch (IOException | RuntimeException e) {
            skipped.add(child.getFileName() + ": " + reason(e));
          }
        }
      }
    }
    found.sort(
        Comparator.comparingLong((Found f) -> f.index().step())
            .thenComparingInt(f -> f.index().epoch())
            .thenComparing(f -> f.index().name()));
    List<Analyzer.Checkpoint> checkpoints = new ArrayList<>();
    for (Found f : found) {
      try {
        checkpoints.add(read(f.dir()));
      } catch (IOException | RuntimeException e) {
        skipped.add(f.dir().getFileName() + ": " + reason(e));
      }
    }
    skipped.sort(Comparator.naturalOrder());
    return new Scan(checkpoints, skipped);
  }

  /**
   * Every checkpoint in {@code checkpointsDir}, oldest first (by step, then epoch, then name).
   * Hidden temporary directories of interrupted writes are skipped.
   *
   * @throws IllegalStateException naming the first incomplete checkpoint, if any is; use {@link
   *     #scan} to read the complete ones and name the rest
   */
  public static List<Analyzer.Checkpoint> readAll(Path checkpointsDir) throws IOException {
    Scan scan = scan(checkpointsDir);
    if (!scan.skipped().isEmpty()) {
      throw new IllegalStateException(
          "incomplete checkpoint in " + checkpointsDir + ": " + scan.skipped().get(0));
    }
    return scan.complete();
  }

  private static String reason(Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return message.strip().split("\\R", 2)[0];
  }

  private static void syncDirectory(RunFiles files, Path dir) {
    // Best effort: directories cannot be opened for sync on every platform. A file's fsync that
    // fails is an error (its data may not be on the disk); a directory's only risks the rename
    // across a power cut.
    try {
      files.force(dir);
    } catch (IOException | RuntimeException e) {
      // the files are written and synced
    }
  }

  /**
   * Deletes a checkpoint directory so that no reader ever sees it half deleted: it is first renamed
   * to a hidden {@code .tmp-deleted-<name>-<uuid>} sibling (which readers ignore), then emptied and
   * removed; a failure after the rename leaves only that hidden directory.
   */
  static void delete(RunFiles files, Path checkpointDir) throws IOException {
    if (!Files.isDirectory(checkpointDir)) {
      return;
    }
    Path hidden =
        checkpointDir.resolveSibling(
            ".tmp-deleted-" + checkpointDir.getFileName() + "-" + UUID.randomUUID());
    files.move(checkpointDir, hidden);
    deleteTree(files, hidden);
  }

  /** Deletes every file and directory under {@code dir}, and it; best effort. */
  static void deleteTree(RunFiles files, Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        files.delete(p);
      }
    } catch (IOException | RuntimeException e) {
      // leaves a hidden .tmp- directory, which readers ignore
    }
  }
}
