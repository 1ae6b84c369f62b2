package engram.core.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * States read from synthetic run directories (states of real runs: SweepCommandTest). The run.log
 * lines have the layout RunLog writes.
 */
class RunStatesTest {
  @TempDir Path sweep;

  private static final SweepEntry ENTRY =
      new SweepEntry(0, "demo-a-s1", "a", 1, "configs/demo-a-s1.yaml", List.of("engram"));

  private static final String STARTED =
      "2026-12-07T10:00:00.000Z INFO  engram.core.cli.RunCommand - Run /x started: demo-a-s1\n";

  private Path run(String name, String log) throws Exception {
    Path run = Files.createDirectories(sweep.resolve("runs").resolve(name));
    Files.createDirectories(run.resolve("checkpoints"));
    Files.writeString(run.resolve("run.log"), log);
    // older than a start-up: without run.lock, a fresh directory counts as starting
    Files.setLastModifiedTime(
        run, FileTime.from(Instant.now().minus(RunStates.STARTING).minusSeconds(1)));
    return run;
  }

  @Test
  void noDirectoryIsPendingAndOneWithoutCheckpointIsAbandoned() throws Exception {
    assertEquals(RunStates.State.PENDING, RunStates.of(sweep, ENTRY).state());
    Path run = run("demo-a-s1-20261207-100000", STARTED);
    RunStates.Status s = RunStates.of(sweep, ENTRY);
    assertEquals(RunStates.State.ABANDONED, s.state());
    assertEquals(run, s.run());
  }

  @Test
  void aFreshDirectoryWithoutALockFileIsStartingNotAbandoned() throws Exception {
    Path run = Files.createDirectories(sweep.resolve("runs/demo-a-s1-20261207-100000"));
    RunStates.Status s = RunStates.of(sweep, ENTRY);
    assertEquals(RunStates.State.RUNNING, s.state());
    assertEquals("starting", s.detail());
    Files.setLastModifiedTime(
        run, FileTime.from(Instant.now().minus(RunStates.STARTING).minusSeconds(1)));
    assertEquals(RunStates.State.ABANDONED, RunStates.of(sweep, ENTRY).state());
  }

  @Test
  void anErrorAfterTheLastStartIsAFailureWithItsMessage() throws Exception {
    run(
        "demo-a-s1-20261207-100000",
        STARTED
            + "2026-12-07T10:00:01.000Z ERROR engram.core.cli.RunCommand - Run stopped: the loss"
            + " is NaN at epoch 3\n"
            + "java.lang.IllegalStateException: x\n\tat a.b.C(C.java:1)\n");
    RunStates.Status s = RunStates.of(sweep, ENTRY);
    assertEquals(RunStates.State.FAILED, s.state());
    assertEquals("Run stopped: the loss is NaN at epoch 3", s.detail());
  }

  @Test
  void anErrorBeforeALaterResumeDoesNotCount() throws Exception {
    run(
        "demo-a-s1-20261207-100000",
        STARTED
            + "2026-12-07T10:00:01.000Z ERROR engram.core.cli.RunCommand - Run stopped: disk"
            + " full\n"
            + "2026-12-07T10:05:00.000Z INFO  engram.core.cli.RunCommand - Run /x resumed from"
            + " resume/resume-s40 (epoch 4, step 40)\n");
    assertEquals(RunStates.State.ABANDONED, RunStates.of(sweep, ENTRY).state());
  }

  @Test
  void theNewestDirectoryOfTheEntryDecidesAndOtherNamesAreIgnored() throws Exception {
    run("demo-a-s1-20261207-100000", STARTED + "x ERROR y - old failure\n");
    Path newest = run("demo-a-s1-20261207-100000-2", STARTED);
    run("demo-a-s1-0-20261207-110000", STARTED + "x ERROR y - another entry\n");
    run("demo-a-s10-20261207-110000", STARTED + "x ERROR y - another seed\n");
    RunStates.Status s = RunStates.of(sweep, ENTRY);
    assertEquals(newest, s.run());
    assertEquals(RunStates.State.ABANDONED, s.state());
    assertEquals(newest, RunStates.newest(sweep.resolve("runs"), "demo-a-s1"));
    assertNull(RunStates.newest(sweep.resolve("runs"), "demo-b-s1"));
  }

  @Test
  void aRunLockedByAnotherLiveProcessIsRunningAndIsFreeOnceItEnds() throws Exception {
    Path run = run("demo-a-s1-20261207-100000", STARTED);
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                HoldRunLock.class.getName(),
                run.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("locked", out.readLine());
      RunStates.Status s = RunStates.of(sweep, ENTRY);
      assertEquals(RunStates.State.RUNNING, s.state());
      assertTrue(s.detail().startsWith("pid " + holder.pid()), s.detail());
      holder.getOutputStream().close();
      assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
    } finally {
      holder.destroyForcibly();
    }
    assertEquals(RunStates.State.ABANDONED, RunStates.of(sweep, ENTRY).state());
  }
}
