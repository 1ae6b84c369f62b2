package engram.core.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A file channel on a disk with {@code free} bytes left: a write that does not fit writes what
 * fits, then fails as Linux does ("No space left on device"). Freeing space is {@link #free}.
 */
final class DiskFullChannel extends FileChannel {
  private final FileChannel file;
  private long free;

  DiskFullChannel(FileChannel file, long free) {
    this.file = file;
    this.free = free;
  }

  void free(long bytes) {
    free += bytes;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    long before = file.size();
    if (src.remaining() > free - Math.max(0, before - file.position())) {
      int fits = (int) Math.max(0, free);
      ByteBuffer part = src.duplicate();
      part.limit(part.position() + Math.min(fits, src.remaining()));
      int written = file.write(part);
      src.position(src.position() + written);
      free -= written;
      throw new IOException("No space left on device");
    }
    int written = file.write(src);
    free -= Math.max(0, file.size() - before);
    return written;
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    free += Math.max(0, file.size() - size);
    file.truncate(size);
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
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
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
