package engram.core.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A {@link RunFiles} stub over the real file system for fault injection: a disk with a budget of
 * free bytes shared by every file written through it (a write that does not fit writes what fits,
 * then fails as Linux does, "No space left on device"; truncating and deleting give space back),
 * and a {@link Fault} called before every operation, which may throw or interrupt the thread.
 */
public final class FakeDisk implements RunFiles {

  /** The operations a fault can hit. */
  public enum Op {
    OPEN,
    WRITE,
    FORCE,
    MOVE,
    DELETE
  }

  /** Called before every operation on {@code path}; may throw, or interrupt the thread. */
  @FunctionalInterface
  public interface Fault {
    Fault NONE = (op, path) -> {};

    void before(Op op, Path path) throws IOException;
  }

  private final Fault fault;
  private long free;
  private long now; // bytes the files written through this disk hold now
  private long used; // the most they held at once

  /**
   * @param free bytes free on the disk; {@link Long#MAX_VALUE} for no limit
   */
  public FakeDisk(long free, Fault fault) {
    this.free = free;
    this.fault = fault;
  }

  /** The largest number of bytes that files written through this disk held at once. */
  public synchronized long peakUsed() {
    return used;
  }

  /** Takes all free space, as another program writing would. */
  public synchronized void fill() {
    free = 0;
  }

  /** Frees space, as deleting other files would. */
  public synchronized void free(long bytes) {
    free += bytes;
  }

  private synchronized long charge(long requested) {
    return Math.min(requested, Math.max(0, free));
  }

  private synchronized void grew(long bytes) {
    free -= bytes;
    now += bytes;
    used = Math.max(used, now);
  }

  private synchronized void shrank(long bytes) {
    free += bytes;
    now -= bytes;
  }

  @Override
  public FileChannel open(Path file, OpenOption... options) throws IOException {
    fault.before(Op.OPEN, file);
    return new Channel(file, FileChannel.open(file, options));
  }

  @Override
  public void move(Path source, Path target) throws IOException {
    fault.before(Op.MOVE, source);
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void force(Path path) throws IOException {
    fault.before(Op.FORCE, path);
    RunFiles.SYSTEM.force(path);
  }

  @Override
  public void delete(Path path) throws IOException {
    fault.before(Op.DELETE, path);
    long size = Files.isRegularFile(path) ? Files.size(path) : 0;
    if (Files.deleteIfExists(path)) {
      shrank(size);
    }
  }

  private final class Channel extends FileChannel {
    private final Path path;
    private final FileChannel file;

    Channel(Path path, FileChannel file) {
      this.path = path;
      this.file = file;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      fault.before(Op.WRITE, path);
      long before = file.size();
      long growth = Math.max(0, file.position() + src.remaining() - before);
      long fits = charge(growth);
      if (fits < growth) {
        // what fits is written (a torn line, a torn tensor), then the disk is full
        long room = Math.max(0, before - file.position()) + fits;
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + (int) Math.min(room, src.remaining()));
        int written = file.write(part);
        src.position(src.position() + written);
        grew(Math.max(0, file.size() - before));
        throw new IOException("No space left on device");
      }
      int written = file.write(src);
      grew(Math.max(0, file.size() - before));
      return written;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      long before = file.size();
      file.truncate(size);
      shrank(Math.max(0, before - file.size()));
      return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return file.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return file.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      file.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public void force(boolean metaData) throws IOException {
      fault.before(Op.FORCE, path);
      file.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return file.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) {
      throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected void implCloseChannel() throws IOException {
      file.close();
    }
  }
}
