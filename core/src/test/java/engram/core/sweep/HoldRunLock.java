package engram.core.sweep;

import engram.core.run.RunDirectory;
import engram.core.run.RunLock;
import java.nio.file.Path;

/**
 * A process that holds a run's lock until its standard input closes ({@code java -cp ...
 * engram.core.sweep.HoldRunLock RUN-DIR}): another process, as a live trainer would be.
 */
final class HoldRunLock {
  private HoldRunLock() {}

  public static void main(String[] args) throws Exception {
    RunLock lock = RunLock.acquire(RunDirectory.open(Path.of(args[0])));
    try {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our input
      }
    } finally {
      lock.close();
    }
  }
}
