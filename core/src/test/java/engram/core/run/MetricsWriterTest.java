package engram.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsWriterTest {
  @TempDir Path dir;

  @Test
  void headerAndRows() throws Exception {
    Path file = dir.resolve("metrics.csv");
    try (MetricsWriter metrics =
        new MetricsWriter(file, List.of("reg_activity-l2", "reg_weight-l2"))) {
      metrics.row(1, 100, 2, 0, 0.6931471805599453, 0.5, 1.25, 0.001, 1.0e-7);
      metrics.row(
          1, 100, 3, 1, Double.NaN, 0.0, 1.25, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
    }
    assertEquals(
        List.of(
            "epoch,step,N,head,loss,accuracy,wall_seconds,reg_activity-l2,reg_weight-l2",
            "1,100,2,0,0.6931471805599453,0.5,1.25,0.001,1.0E-7",
            "1,100,3,1,nan,0.0,1.25,inf,-inf"),
        Files.readAllLines(file));
  }

  @Test
  void aFullDiskLeavesOnlyWholeRowsAndTheRowsAreWrittenOnceSpaceIsFreed() throws Exception {
    Path file = dir.resolve("metrics.csv");
    String header = "epoch,step,N,head,loss,accuracy,wall_seconds\n";
    String row1 = "1,10,2,0,0.5,0.6,1.0\n";
    // room for the header, the first row and half of the second
    FakeDisk disk = new FakeDisk(header.length() + row1.length() + 10, FakeDisk.Fault.NONE);
    MetricsWriter metrics = new MetricsWriter(file, List.of(), disk);
    metrics.row(1, 10, 2, 0, 0.5, 0.6, 1.0);
    metrics.flush();
    metrics.row(2, 20, 2, 0, 0.5787605867412227, 0.7, 2.0);
    java.io.IOException full = assertThrows(java.io.IOException.class, metrics::flush);
    assertEquals("cannot write " + file + ": No space left on device", full.getMessage());
    assertEquals(header + row1, Files.readString(file), "the torn row is cut back");
    disk.free(1_000);
    metrics.row(3, 30, 2, 0, 0.25, 0.9, 3.0);
    metrics.close();
    assertEquals(
        header + row1 + "2,20,2,0,0.5787605867412227,0.7,2.0\n3,30,2,0,0.25,0.9,3.0\n",
        Files.readString(file));
  }

  @Test
  void decimalPointWhateverTheLocale() throws Exception {
    Locale saved = Locale.getDefault();
    Locale.setDefault(Locale.GERMANY);
    try (MetricsWriter metrics =
        MetricsWriter.create(RunDirectory.create(dir, "x", java.time.Instant.EPOCH), List.of())) {
      metrics.row(3, 12345678901L, 2, 0, 1234567.5, 0.25, 0.125);
      metrics.flush();
      Path file = dir.resolve("x-19700101-000000/metrics.csv");
      assertEquals("3,12345678901,2,0,1234567.5,0.25,0.125", Files.readAllLines(file).get(1));
    } finally {
      Locale.setDefault(saved);
    }
  }

  @Test
  void flushMakesRowsVisibleBeforeClose() throws Exception {
    Path file = dir.resolve("metrics.csv");
    try (MetricsWriter metrics = new MetricsWriter(file, List.of())) {
      metrics.row(1, 10, 2, 0, 0.5, 0.5, 0.1);
      metrics.flush();
      assertEquals(2, Files.readAllLines(file).size());
      metrics.row(2, 20, 2, 0, 0.4, 0.6, 0.2);
      metrics.flush();
      assertEquals("2,20,2,0,0.4,0.6,0.2", Files.readAllLines(file).get(2));
    }
  }

  @Test
  void refusesBadColumnsWrongExtrasAndExistingFiles() throws Exception {
    Path file = dir.resolve("metrics.csv");
    assertThrows(IllegalArgumentException.class, () -> new MetricsWriter(file, List.of("a,b")));
    assertThrows(IllegalArgumentException.class, () -> new MetricsWriter(file, List.of("loss")));
    assertThrows(IllegalArgumentException.class, () -> new MetricsWriter(file, List.of("x", "x")));
    try (MetricsWriter metrics = new MetricsWriter(file, List.of("reg_x"))) {
      assertThrows(IllegalArgumentException.class, () -> metrics.row(1, 1, 2, 0, 0, 0, 0));
    }
    assertThrows(FileAlreadyExistsException.class, () -> new MetricsWriter(file, List.of()));
  }
}
