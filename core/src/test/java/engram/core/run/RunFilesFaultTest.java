package engram.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.Parameter;
import engram.core.train.TraceRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints, trace.csv and run.log on a disk that fills up and under faults at every operation of
 * a write: each file is complete or absent, and what was complete before stays so.
 */
class RunFilesFaultTest {
  @TempDir Path dir;

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  private static List<Parameter> tensors() {
    return List.of(
        new Parameter("w_in", Nd4j.rand(DataType.FLOAT, 3, 8), true),
        new Parameter("w_rec", Nd4j.rand(DataType.FLOAT, 8, 8), true),
        new Parameter("taus", Nd4j.rand(DataType.FLOAT, 8), false));
  }

  private static Path write(RunDirectory run, String name, RunFiles files) throws IOException {
    return Checkpoints.write(run, name, 1, 10, new int[] {2}, tensors(), Map.of(), files);
  }

  /** Every checkpoint complete, no temporary directory left; the names of the complete ones. */
  private static List<String> assertCompleteOrAbsent(RunDirectory run) throws IOException {
    Checkpoints.Scan scan = Checkpoints.scan(run.checkpoints());
    assertEquals(List.of(), scan.skipped(), "no incomplete checkpoint is visible");
    try (Stream<Path> children = Files.list(run.checkpoints())) {
      assertEquals(
          List.of(),
          children.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
          "no temporary directory is left");
    }
    return scan.complete().stream().map(c -> c.name()).toList();
  }

  @Test
  void aDiskThatFillsUpAtAnyByteOfACheckpointLeavesThePreviousOneAndNoHalfOne() throws IOException {
    // how many bytes one checkpoint takes
    FakeDisk measure = new FakeDisk(Long.MAX_VALUE, FakeDisk.Fault.NONE);
    RunDirectory probe = RunDirectory.create(dir.resolve("probe"), "run", Instant.EPOCH);
    write(probe, "first", measure);
    long size = measure.peakUsed();
    assertTrue(size > 1000, "three tensors and an index: " + size);
    for (long left = 0; left < size; left += 97) {
      RunDirectory run = RunDirectory.create(dir.resolve("full-" + left), "run", Instant.EPOCH);
      FakeDisk disk = new FakeDisk(size + left, FakeDisk.Fault.NONE); // room for one and `left`
      write(run, "first", disk);
      IOException full = assertThrows(IOException.class, () -> write(run, "second", disk));
      assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
      assertEquals(List.of("first"), assertCompleteOrAbsent(run), "at " + left + " bytes left");
    }
  }

  @Test
  void aFaultAtAnyOperationOfACheckpointWriteLeavesItCompleteOrAbsent() throws IOException {
    // count the operations of one write, then fail each in turn: thrown, or an interrupt
    AtomicInteger count = new AtomicInteger();
    RunDirectory probe = RunDirectory.create(dir.resolve("probe"), "run", Instant.EPOCH);
    List<String> operations = new ArrayList<>();
    write(
        probe,
        "first",
        new FakeDisk(
            Long.MAX_VALUE,
            (op, path) -> {
              count.incrementAndGet();
              operations.add(op + " " + path.getFileName());
            }));
    // every tensor file, index.json, their fsyncs and the rename are among them
    for (String expected :
        List.of(
            "OPEN w_in.npy",
            "WRITE w_rec.npy",
            "FORCE taus.npy",
            "WRITE index.json",
            "FORCE index.json")) {
      assertTrue(operations.contains(expected), expected + " in " + operations);
    }
    assertTrue(
        operations.stream().anyMatch(o -> o.startsWith("MOVE .tmp-first")), operations.toString());
    for (int failAt = 1; failAt <= count.get(); failAt++) {
      for (boolean interrupt : new boolean[] {false, true}) {
        String what = (interrupt ? "interrupt at " : "exception at ") + operations.get(failAt - 1);
        RunDirectory run =
            RunDirectory.create(
                dir.resolve("fault-" + failAt + "-" + interrupt), "run", Instant.EPOCH);
        AtomicInteger seen = new AtomicInteger();
        int n = failAt;
        FakeDisk disk =
            new FakeDisk(
                Long.MAX_VALUE,
                (op, path) -> {
                  if (seen.incrementAndGet() == n) {
                    if (interrupt) {
                      Thread.currentThread().interrupt();
                    } else {
                      throw new IOException("injected fault");
                    }
                  }
                });
        if (interrupt) {
          // an interrupt spoils no checkpoint: the write is repeated, and the flag is kept
          write(run, "first", disk);
          assertTrue(Thread.interrupted(), "the interrupt is passed on: " + what);
          assertEquals(List.of("first"), assertCompleteOrAbsent(run), what);
        } else {
          boolean written;
          try {
            write(run, "first", disk);
            written = true;
          } catch (IOException e) {
            assertEquals("injected fault", e.getMessage(), what);
            written = false;
          }
          // only a directory's fsync (best effort) may fail without failing the write
          assertEquals(written ? List.of("first") : List.of(), assertCompleteOrAbsent(run), what);
          assertTrue(
              !written || operations.get(failAt - 1).startsWith("FORCE "),
              "a failed file write must fail the checkpoint: " + what);
        }
      }
    }
  }

  @Test
  void traceRowsAreWholeOnAFullDiskAndWrittenOnceSpaceIsFreed() throws IOException {
    Path file = dir.resolve("trace.csv");
    FakeDisk disk = new FakeDisk(200, FakeDisk.Fault.NONE);
    TraceWriter trace = new TraceWriter(file, disk);
    String header = Files.readString(file);
    trace.row(new TraceRow(1, 1, 2, 0.5, 0.75, 1.25, 3.0));
    String afterOne = Files.readString(file);
    UncheckedIOException full = null;
    for (int step = 2; step < 20 && full == null; step++) {
      try {
        trace.row(new TraceRow(step, 1, 2, 0.123456789, 0.5, 1.0, 2.0));
      } catch (UncheckedIOException e) {
        full = e;
      }
    }
    assertTrue(full != null, "200 bytes must fill up");
    assertTrue(full.getCause().getMessage().contains("No space left on device"));
    String text = Files.readString(file);
    assertTrue(text.startsWith(afterOne) && text.endsWith("\n"), text);
    int columns = header.split(",").length;
    for (String line : text.split("\n")) {
      assertEquals(columns, line.split(",").length, "a whole row: " + line);
    }
    disk.free(1_000);
    trace.row(new TraceRow(99, 2, 2, 0.25, 1.0, 0.5, 2.5));
    trace.close();
    String after = Files.readString(file);
    assertTrue(after.endsWith("99,2,2,0.25,1.0,0.5,2.5\n"), after);
    assertEquals(text.split("\n").length + 2, after.split("\n").length, "the failed row, then 99");
  }

  @Test
  void runLogEndsWithWholeLinesAndRecordsTheLineAfterTheDiskFilledUp() throws IOException {
    Logger logger = LoggerFactory.getLogger("engram.core.run.RunFilesFaultTest");
    Path file = dir.resolve("run.log");
    // room for the reserve and a few lines; then "other files" take everything that is left
    FakeDisk disk = new FakeDisk(RunLog.RESERVE_BYTES + 300, FakeDisk.Fault.NONE);
    RunLog log = RunLog.attach(file, disk);
    Path reserve = dir.resolve(".run.log.reserve");
    assertEquals(RunLog.RESERVE_BYTES, Files.size(reserve));
    try (log) {
      logger.info("line one");
      disk.fill();
      logger.info("line two: {}", "x".repeat(200));
      logger.error("Run stopped: the disk is full");
    }
    assertFalse(Files.exists(reserve), "the reserve is given back");
    String text = Files.readString(file);
    assertTrue(text.endsWith("\n"), text);
    List<String> lines = Files.readAllLines(file);
    assertEquals(3, lines.size(), text);
    assertTrue(lines.get(2).endsWith("Run stopped: the disk is full"), text);
  }

  @Test
  void runLogWithoutAnyRoomLosesLinesButNeverEndsInsideOne() throws IOException {
    Logger logger = LoggerFactory.getLogger("engram.core.run.RunFilesFaultTest");
    Path file = dir.resolve("run.log");
    FakeDisk disk = new FakeDisk(90, FakeDisk.Fault.NONE); // no room for the reserve
    RunLog log = RunLog.attach(file, disk);
    try (log) {
      logger.info("short");
      logger.info("a line too long for what is left: {}", "y".repeat(100));
    }
    assertFalse(Files.exists(dir.resolve(".run.log.reserve")), "no partial reserve left");
    String text = Files.readString(file);
    assertTrue(text.isEmpty() || text.endsWith("\n"), text);
    assertFalse(text.contains("yyyy"), text);
  }
}
