package engram.core.run;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The lock of a run directory that a process is writing: an exclusive OS file lock ({@link
 * FileChannel#tryLock()}, {@code fcntl} on Linux) on {@code run.lock}, held while {@code engram
 * run} or {@code engram resume} trains the run. The operating system releases it when the process
 * ends in any way, {@code kill -9} included, so a killed run is never left locked; the file itself
 * stays, and its text ({@code pid <pid> on <host> since <time>}) only names the holder in messages.
 * On a shared file system the lock works across machines when the file system supports POSIX locks
 * (NFSv4, Lustre, BeeGFS, GPFS do; an NFSv3 mount needs its lock daemon).
 */
public final class RunLock implements AutoCloseable {
  /** The lock file inside a run directory. */
  public static final String FILE = "run.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Thrown when another process (or another run in this one) holds the lock. */
  public static final class HeldException extends IOException {
    private static final long serialVersionUID = 1L;

    HeldException(String message) {
      super(message);
    }
  }

  /**
   * Takes the lock of {@code run}, writing this process's pid, host and the time into the file.
   *
   * @throws HeldException when a live process holds it; the message names the holder as the file
   *     says
   * @throws IOException when the file cannot be created or locked
   */
  public static RunLock acquire(RunDirectory run) throws IOException {
    Path file = run.path().resolve(FILE);
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // this process holds it already
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new HeldException(run.path() + " is being written by " + holder(file));
    }
    try {
      String text =
          "pid "
              + ProcessHandle.current().pid()
              + " on "
              + host()
              + " since "
              + Instant.now()
              + "\n";
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
    } catch (IOException e) {
      // the lock holds without the text; messages then say less
    }
    return new RunLock(channel, lock);
  }

  /**
   * Who holds the lock of the run directory {@code run} ("pid 123 on node7 since ..."), or null
   * when nobody does (no lock file, or a lock that can be taken). Probing takes the lock for an
   * instant and writes nothing. Do not probe a run this process is training: closing the probe's
   * channel would release the process's POSIX lock on the file.
   */
  public static String heldBy(Path run) throws IOException {
    Path file = run.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        return "this process";
      }
      if (lock == null) {
        return holder(file);
      }
      lock.release();
      return null;
    }
  }

  private static String holder(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "another process" : text;
    } catch (IOException e) {
      return "another process";
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "an unknown host";
    }
  }

  /** Releases the lock; the file stays. */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
