package engram.core.run;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The file operations with which a run writes {@code metrics.csv}, {@code trace.csv}, {@code
 * run.log} and its checkpoints: {@link #SYSTEM}, the real file system, or in tests a stub that
 * fails (a disk that fills up, an interrupt in the middle of a write). The run's injector provides
 * it ({@code RunDirectoryModule}); a test rebinds it.
 */
public interface RunFiles {

  /** Opens a file as {@link FileChannel#open(Path, OpenOption...)} does. */
  FileChannel open(Path file, OpenOption... options) throws IOException;

  /** Renames {@code source} to {@code target} in one atomic step. */
  void move(Path source, Path target) throws IOException;

  /** Forces a file's or directory's content to the disk (fsync). */
  void force(Path path) throws IOException;

  /** Deletes a file or an empty directory, if it exists. */
  void delete(Path path) throws IOException;

  /** The real file system. */
  RunFiles SYSTEM =
      new RunFiles() {
        @Override
        public FileChannel open(Path file, OpenOption... options) throws IOException {
          return FileChannel.open(file, options);
        }

        @Override
        public void move(Path source, Path target) throws IOException {
          Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        }

        @Override
        public void force(Path path) throws IOException {
          try (FileChannel channel =
              FileChannel.open(path, java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
          }
        }

        @Override
        public void delete(Path path) throws IOException {
          Files.deleteIfExists(path);
        }
      };
}
