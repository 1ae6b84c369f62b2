package engram.core.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A text file appended whole lines at a time: lines given with {@link #append} reach the file at
 * {@link #flush}, all or none. When a write fails (a full disk), the file is cut back to its last
 * whole line — truncating needs no free space — and the lines stay pending for the next flush. A
 * thread interrupt does not cut a write short: the interrupt flag is cleared for the write and set
 * again afterwards, and a channel that an interrupt closed anyway is reopened and the write
 * repeated. Not thread-safe.
 */
final class WholeLines implements AutoCloseable {
  private final Path file;
  private final RunFiles files;
  private final StringBuilder pending = new StringBuilder(1024);
  private FileChannel out;
  private long committed; // bytes of whole lines on disk
  private long lines; // whole lines on disk

  /**
   * @param file the file, opened through {@code files}
   * @param create true: the file must not exist; false: appended to (created if missing)
   */
  WholeLines(Path file, RunFiles files, boolean create) throws IOException {
    this.file = file;
    this.files = files;
    this.out =
        create
            ? files.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
            : files.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    this.committed = out.size();
    this.lines = create ? 0 : countLines(file);
  }

  private static long countLines(Path file) throws IOException {
    long count = 0;
    try (var in = java.nio.file.Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            count++;
          }
        }
      }
    }
    return count;
  }

  /** Bytes of whole lines in the file (what {@link #flush} has written). */
  long bytes() {
    return committed;
  }

  /** Whole lines in the file (what {@link #flush} has written). */
  long lines() {
    return lines;
  }

  /** Adds text ending in a line end; it reaches the file at the next {@link #flush}. */
  void append(CharSequence lines) {
    pending.append(lines);
  }

  /** Characters given but not yet on disk. */
  int pendingLength() {
    return pending.length();
  }

  /** Drops what is pending (a log that can never be written must not grow without bound). */
  void dropPending() {
    pending.setLength(0);
  }

  /**
   * Appends the pending lines, all or none.
   *
   * @throws IOException naming the file, with the cause's message; the file then ends at its last
   *     whole line and the lines stay pending
   */
  void flush() throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    byte[] bytes = pending.toString().getBytes(StandardCharsets.UTF_8);
    boolean interrupted = Thread.interrupted();
    try {
      try {
        write(bytes);
      } catch (ClosedChannelException closed) { // an interrupt arrived mid-write and closed it
        interrupted |= Thread.interrupted();
        out = files.open(file, StandardOpenOption.WRITE);
        write(bytes);
      }
    } catch (IOException e) {
      try {
        out.truncate(committed);
      } catch (IOException ignored) {
        // readers drop a last line without its line end (RunReader) in any case
      }
      throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      if (interrupted || Thread.interrupted()) {
        Thread.currentThread().interrupt();
      }
    }
    committed += bytes.length;
    for (byte b : bytes) {
      if (b == '\n') {
        lines++;
      }
    }
    pending.setLength(0);
  }

  private void write(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    out.truncate(committed); // a failed write's partial line, if the cut-back failed
    out.position(committed);
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      flush();
    } finally {
      out.close();
    }
  }
}
