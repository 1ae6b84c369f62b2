package engram.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Module;
import engram.core.config.ResolvedExperiment;
import engram.core.inject.ExperimentModule;
import engram.core.inject.Invocation;
import engram.core.inject.RunDirectoryModule;
import engram.core.plugin.PluginRegistry;
import engram.core.run.Checkpoints;
import engram.core.run.FakeDisk;
import engram.core.step.StepObserver;
import engram.core.train.TrainingObserver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection through a whole {@code engram run} (RunCommand.train): an exception, an {@code
 * OutOfMemoryError}, a thread interrupt or Ctrl-C at every phase of a training step, and an
 * exception or an interrupt at every file operation of the metrics, trace and checkpoint writes,
 * and a disk that fills up at any point of the run. Afterwards every file of the run is complete or
 * absent: {@code Checkpoints.scan} finds only complete checkpoints and no temporary directory is
 * left, {@code metrics.csv} and {@code trace.csv} end with whole rows, {@code run.log} ends with a
 * whole line and records the stop, and the console has one line for a failure.
 */
class FaultInjectionTest {
  private static final String EXPERIMENT =
      """
      name: faults
      seed: 3
      task: {id: n-parity}
      model: {id: leaky-rnn, hidden-size: 8}
      curriculum: {id: multi-head}
      training: {batch-size: 8, steps-per-epoch: 2, max-epochs: 3}
      evaluation: {batches: 1, batch-size: 16}
      output: {checkpoint-every: 1, trace-every: 1}
      """;

  private static PluginRegistry registry;
  private static Invocation invocation;
  private static ResolvedExperiment experiment;

  @TempDir Path dir;

  @BeforeAll
  static void load(@TempDir Path shared) throws Exception {
    registry = PluginRegistry.discover(FaultInjectionTest.class.getClassLoader());
    invocation = new Invocation(registry);
    Path yaml = shared.resolve("faults.yaml");
    Files.writeString(yaml, EXPERIMENT);
    experiment = invocation.loader().load(yaml, List.of());
  }

  @AfterEach
  void clear() {
    Thread.interrupted();
  }

  /** What a run left: its outcome, console error text and directory. */
  private record Ran(RunCommand.Outcome outcome, String err, Path run) {}

  /** The run directory's files are complete or absent; returns the complete checkpoints' names. */
  private static List<String> assertCompleteOrAbsent(Ran ran, String what) throws IOException {
    Path run = ran.run();
    Path checkpoints = run.resolve("checkpoints");
    List<String> names = new ArrayList<>();
    if (Files.isDirectory(checkpoints)) {
      Checkpoints.Scan scan = Checkpoints.scan(checkpoints);
      assertEquals(List.of(), scan.skipped(), what + ": incomplete checkpoints");
      scan.complete().forEach(c -> names.add(c.name()));
      try (Stream<Path> children = Files.list(checkpoints)) {
        assertEquals(
            List.of(),
            children.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
            what + ": temporary directories left");
      }
    }
    for (String csv : List.of("metrics.csv", "trace.csv")) {
      Path file = run.resolve(csv);
      if (Files.exists(file)) {
        String text = Files.readString(file);
        assertTrue(text.isEmpty() || text.endsWith("\n"), what + ": " + csv + " ends mid-row");
        String[] lines = text.split("\n");
        int columns = lines[0].split(",", -1).length;
        for (String line : lines) {
          assertEquals(columns, line.split(",", -1).length, what + ": " + csv + " row " + line);
        }
      }
    }
    String log = Files.readString(run.resolve("run.log"));
    assertTrue(log.endsWith("\n"), what + ": run.log ends mid-line");
    assertFalse(Files.exists(run.resolve(".run.log.reserve")), what + ": reserve left");
    return names;
  }

  /** A failure: one console line, exit 1, run.log says why, no final checkpoint. */
  private static void assertFailed(Ran ran, String what, String logged) throws IOException {
    assertEquals(Main.SOFTWARE, ran.outcome().code(), what + ": " + ran.err());
    String[] lines = ran.err().strip().split("\n");
    assertEquals(1, lines.length, what + ": one line, no stack trace: " + ran.err());
    assertTrue(lines[0].startsWith("error: "), what + ": " + lines[0]);
    List<String> names = assertCompleteOrAbsent(ran, what);
    assertFalse(names.contains("final"), what + ": " + names);
    assertTrue(Files.readString(ran.run().resolve("run.log")).contains(logged), what);
  }

  /** A stop: exit 130, the final checkpoint complete, run.log records the stop. */
  private static void assertStopped(Ran ran, String what) throws IOException {
    assertEquals(Main.INTERRUPTED, ran.outcome().code(), what + ": " + ran.err());
    assertEquals("", ran.err(), what);
    List<String> names = assertCompleteOrAbsent(ran, what);
    assertTrue(names.contains("final"), what + ": " + names);
    String log = Files.readString(ran.run().resolve("run.log"));
    assertTrue(log.contains("Training ended") && log.contains("STOPPED"), what + ": " + log);
  }

  @Test
  void aFaultAtEveryPhaseOfATrainingStep() throws Exception {
    for (StepObserver.Phase phase : StepObserver.Phase.values()) {
      for (String kind : List.of("exception", "out-of-memory", "interrupt", "ctrl-c")) {
        String what = kind + " at " + phase + " of step 3";
        Invocation own = new Invocation(registry); // a stop signal of its own
        AtomicInteger steps = new AtomicInteger();
        StepObserver fault =
            (p, nanos) -> {
              if (p == StepObserver.Phase.INPUTS) {
                steps.incrementAndGet();
              }
              if (p == phase && steps.get() == 3) {
                switch (kind) {
                  case "exception" -> throw new IllegalStateException("injected in " + phase);
                  case "out-of-memory" -> throw new OutOfMemoryError("injected in " + phase);
                  case "interrupt" -> Thread.currentThread().interrupt();
                  default -> own.stop().request();
                }
              }
            };
        Ran ran = runWith(own, what, List.of(ExperimentModule.stepObserver(fault)));
        if (kind.equals("exception")) {
          assertFailed(ran, what, "Run failed");
          assertTrue(ran.err().contains("injected in " + phase), ran.err());
        } else if (kind.equals("out-of-memory")) {
          assertFailed(ran, what, "Run failed: out of memory");
          assertTrue(ran.err().contains("error: the run ran out of memory"), ran.err());
        } else {
          assertStopped(ran, what);
        }
      }
    }
  }

  @Test
  void aFaultAtEveryFileOperationOfMetricsTraceAndCheckpoints() throws Exception {
    // the operations of a whole run, in order
    List<String> operations = new ArrayList<>();
    Ran clean =
        runWith(
            invocation,
            "count",
            List.of(
                RunDirectoryModule.files(
                    new FakeDisk(
                        Long.MAX_VALUE,
                        (op, path) -> operations.add(op + " " + path.getFileName())))));
    assertEquals(Main.OK, clean.outcome().code(), clean.err());
    List<String> targets = new ArrayList<>();
    for (String prefix :
        List.of(
            "WRITE metrics.csv",
            "WRITE trace.csv",
            "OPEN w_in.npy",
            "WRITE w_in.npy",
            "FORCE w_in.npy",
            "WRITE w_rec.npy",
            "WRITE index.json",
            "FORCE index.json",
            "MOVE .tmp-epoch-0002")) {
      // the first such operation after the first epoch's checkpoint (the second one for rows)
      int first =
          operations.indexOf(
              operations.stream().filter(o -> o.startsWith("MOVE")).findFirst().orElseThrow());
      int at = -1;
      for (int i = first + 1; i < operations.size() && at < 0; i++) {
        if (operations.get(i).startsWith(prefix)) {
          at = i;
        }
      }
      assertTrue(at >= 0, prefix + " in " + operations);
      targets.add(at + ":" + prefix);
    }
    for (String target : targets) {
      int at = Integer.parseInt(target.substring(0, target.indexOf(':')));
      for (boolean interrupt : new boolean[] {false, true}) {
        String what = (interrupt ? "interrupt at " : "exception at ") + operations.get(at);
        AtomicInteger seen = new AtomicInteger();
        FakeDisk disk =
            new FakeDisk(
                Long.MAX_VALUE,
                (op, path) -> {
                  if (seen.getAndIncrement() == at) {
                    if (interrupt) {
                      Thread.currentThread().interrupt();
                    } else {
                      throw new IOException("injected fault at " + op + " " + path.getFileName());
                    }
                  }
                });
        Ran ran = runWith(invocation, what, List.of(RunDirectoryModule.files(disk)));
        if (interrupt) {
          assertStopped(ran, what);
        } else {
          assertFailed(ran, what, "Run failed");
          assertTrue(ran.err().contains("injected fault"), what + ": " + ran.err());
        }
      }
    }
  }

  @Test
  void aDiskThatFillsUpAnywhereInTheRunStopsItWithOneLineAndKeepsWhatWasComplete()
      throws Exception {
    FakeDisk measure = new FakeDisk(Long.MAX_VALUE, FakeDisk.Fault.NONE);
    Ran clean = runWith(invocation, "measure", List.of(RunDirectoryModule.files(measure)));
    assertEquals(Main.OK, clean.outcome().code(), clean.err());
    long reserve = engram.core.run.RunLog.RESERVE_BYTES;
    long needed = measure.peakUsed() - reserve; // what the run's files take
    for (int tenth = 0; tenth < 10; tenth++) {
      long free = reserve + needed * tenth / 10;
      String what = "disk full with " + free + " bytes free (" + tenth + "/10 of the run)";
      Ran ran =
          runWith(
              invocation,
              "full-" + tenth,
              List.of(RunDirectoryModule.files(new FakeDisk(free, FakeDisk.Fault.NONE))));
      assertFailed(ran, what, "the disk is full");
      assertTrue(ran.err().contains("error: the disk is full"), what + ": " + ran.err());
    }
  }

  private Ran runWith(Invocation own, String label, List<Module> modules) throws IOException {
    StringWriter err = new StringWriter();
    Path root = dir.resolve(label.replaceAll("[^A-Za-z0-9_-]", "_"));
    RunCommand.Outcome outcome =
        RunCommand.train(
            own,
            experiment,
            root,
            List.of("engram", "run"),
            new TrainingObserver() {},
            "",
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            modules);
    Thread.interrupted(); // a stopped trainer passes its interrupt on; not this test's concern
    try (Stream<Path> runs = Files.list(root)) {
      return new Ran(outcome, err.toString(), runs.findFirst().orElseThrow());
    }
  }
}
