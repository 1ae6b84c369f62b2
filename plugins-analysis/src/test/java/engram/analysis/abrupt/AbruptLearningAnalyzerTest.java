package engram.analysis.abrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.api.table.Table;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analyzer on run directories written by hand: a metrics.csv of 100 epochs × 50 steps with a
 * sigmoid drop at epoch 60 (two heads per epoch, averaged), a trace.csv that takes precedence, and
 * a geometry table whose separation starts to rise at epoch 40.
 */
class AbruptLearningAnalyzerTest {

  static final AbruptLearningAnalyzer ANALYZER = new AbruptLearningAnalyzer();

  static double loss(double step, double dropAt) {
    return 2 * Math.exp(-step / 200) + LossCurveTest.sigmoid(step, dropAt, 60, 1.0, 0.02);
  }

  static void writeMetrics(Path run, double dropAt) throws Exception {
    StringBuilder csv = new StringBuilder("epoch,step,N,head,loss,accuracy,wall_seconds\n");
    for (int epoch = 1; epoch <= 100; epoch++) {
      int step = 50 * epoch;
      double l = loss(step, dropAt);
      // Two heads whose mean is l.
      csv.append(epoch).append(',').append(step).append(",2,0,").append(l * 0.9).append(",0.5,1\n");
      csv.append(epoch).append(',').append(step).append(",3,1,").append(l * 1.1).append(",0.5,1\n");
    }
    Files.writeString(run.resolve("metrics.csv"), csv);
  }

  static void writeGeometry(Path run, int onsetEpoch) throws Exception {
    Path dir = Files.createDirectories(run.resolve("analysis/geometry"));
    StringBuilder csv =
        new StringBuilder("checkpoint,epoch,separation,delay_speed,dw_effective_rank\n");
    for (int epoch = 0; epoch <= 100; epoch += 5) {
      double separation = 0.5 + 0.1 * Math.max(epoch - onsetEpoch, 0);
      csv.append("epoch-")
          .append(epoch)
          .append(',')
          .append(epoch)
          .append(',')
          .append(separation)
          .append(",0.3,NaN\n");
    }
    Files.writeString(dir.resolve("geometry.csv"), csv);
  }

  /** trace.csv every 10 steps up to {@code last}, the loss of {@link #loss} dropping at dropAt. */
  static void writeTrace(Path run, int last, double dropAt) throws Exception {
    StringBuilder trace =
        new StringBuilder("step,epoch,level,loss,accuracy,grad_norm_rec,weight_norm_rec\n");
    for (int step = 10; step <= last; step += 10) {
      trace.append(step).append(",1,2,").append(loss(step, dropAt)).append(",0.5,0.1,3\n");
    }
    Files.writeString(run.resolve("trace.csv"), trace);
  }

  /** geometry.csv of checkpoints step-NNNNNNNN every 200 steps up to {@code last} (one epoch). */
  static void writeStepGeometry(
      Path run, int last, java.util.function.IntToDoubleFunction separation) throws Exception {
    Path dir = Files.createDirectories(run.resolve("analysis/geometry"));
    StringBuilder csv = new StringBuilder("checkpoint,epoch,separation\n");
    for (int step = 200; step <= last; step += 200) {
      csv.append(String.format("step-%08d,1,%s%n", step, separation.applyAsDouble(step)));
    }
    Files.writeString(dir.resolve("geometry.csv"), csv);
  }

  static FakeAnalysisContext context(Path run) {
    return new FakeAnalysisContext(List.of(), run.resolve("analysis/abrupt-learning"));
  }

  @Test
  void dropFromMetricsAndOnsetFromGeometry(@TempDir Path run) throws Exception {
    writeMetrics(run, 3000);
    writeGeometry(run, 40);
    FakeAnalysisContext context = context(run);
    ANALYZER.analyze(ANALYZER.defaults(), context);
    Map<String, Table> tables =
        AnalyzerTables.assertWrittenAsDeclared(ANALYZER, context.outputDirectory());
    Table summary = tables.get("abrupt-learning.csv");
    assertEquals("metrics.csv", summary.rows().get(0).text("source"));
    assertEquals("drop", summary.rows().get(0).text("verdict"));
    assertEquals(3000, summary.number(0, "t_drop"), 50);
    Table onsets = tables.get("gr-onsets.csv");
    // separation is found; delay_speed is constant (its fit exists but explains nothing);
    // decoding_accuracy is not in the table and dw_effective_rank is NaN throughout (a model
    // without w_rec), so neither has a row.
    assertEquals(2, onsets.size());
    assertEquals("separation", onsets.rows().get(0).text("metric"));
    assertEquals("delay_speed", onsets.rows().get(1).text("metric"));
    assertEquals(2000, onsets.number(0, "onset"), 1e-9);
    assertEquals(1000, onsets.number(0, "lead"), 50);
    assertTrue(Files.size(context.outputDirectory().resolve(AbruptLearningAnalyzer.PNG)) > 0);
  }

  @Test
  void traceTakesPrecedenceAndNoGeometryMeansNoOnsetTable(@TempDir Path run) throws Exception {
    writeMetrics(run, 3000);
    StringBuilder trace =
        new StringBuilder("step,epoch,level,loss,accuracy,grad_norm_rec,weight_norm_rec\n");
    for (int step = 10; step <= 5000; step += 10) {
      trace
          .append(step)
          .append(',')
          .append((step - 1) / 50 + 1)
          .append(",2,")
          .append(loss(step, 4000))
          .append(",0.5,0.1,3\n");
    }
    Files.writeString(run.resolve("trace.csv"), trace);
    FakeAnalysisContext context = context(run);
    ANALYZER.analyze(ANALYZER.defaults(), context);
    Map<String, Table> tables =
        AnalyzerTables.assertWrittenAsDeclared(ANALYZER, context.outputDirectory());
    assertEquals("trace.csv", tables.get("abrupt-learning.csv").rows().get(0).text("source"));
    assertEquals(4000, tables.get("abrupt-learning.csv").number(0, "t_drop"), 20);
    assertFalse(Files.exists(context.outputDirectory().resolve("gr-onsets.csv")));
  }

  /**
   * Checkpoints named step-NNNN (log-spaced, several per epoch) sit at their own step, not at the
   * end of their epoch: separation rises from step 1,200; one epoch of 5,000 steps holds them all,
   * so the epoch rule would put all 25 at step 5,000.
   */
  @Test
  void stepNamedCheckpointsSitAtTheirStep(@TempDir Path run) throws Exception {
    writeTrace(run, 5000, 3000);
    writeStepGeometry(run, 5000, step -> 0.5 + 1e-3 * Math.max(step - 1200, 0));
    FakeAnalysisContext context = context(run);
    ANALYZER.analyze(ANALYZER.defaults(), context);
    Map<String, Table> tables =
        AnalyzerTables.assertWrittenAsDeclared(ANALYZER, context.outputDirectory());
    Table onsets = tables.get("gr-onsets.csv");
    assertEquals(1, onsets.size());
    assertEquals(25, onsets.number(0, "checkpoints"));
    assertEquals(1200, onsets.number(0, "onset"), 1e-9);
    assertEquals(3000 - 1200, onsets.number(0, "lead"), 30);
  }

  /**
   * A metric that leaves its plateau value at step 1,400 (small slope, during the plateau; the drop
   * is at 3,000) and bends far more at step 6,000 (long after the drop): over the whole run the fit
   * finds the large later bend, over the drop window the departure during the plateau.
   */
  @Test
  void theDropWindowFindsTheDepartureThatTheWholeRunFitMisses(@TempDir Path run) throws Exception {
    writeTrace(run, 10_000, 3000);
    writeStepGeometry(
        run,
        10_000,
        step ->
            0.5
                + 1e-4 * Math.min(Math.max(step - 1400, 0), 2000)
                + 2e-3 * Math.max(step - 6000, 0));
    FakeAnalysisContext context = context(run);
    ANALYZER.analyze(ANALYZER.defaults(), context);
    Table summary =
        AnalyzerTables.assertWrittenAsDeclared(ANALYZER, context.outputDirectory())
            .get("abrupt-learning.csv");
    Table onsets =
        AnalyzerTables.assertWrittenAsDeclared(ANALYZER, context.outputDirectory())
            .get("gr-onsets.csv");
    double tDrop = summary.number(0, "t_drop");
    assertEquals(3000, tDrop, 30);
    assertEquals(6000, onsets.number(0, "onset"), 1e-9, "the whole-run fit: the large later bend");
    assertTrue(onsets.number(0, "lead") < 0);
    // The window: from the plateau's start to the first checkpoint after the fall's 90 % mark.
    assertEquals(summary.number(0, "plateau_start"), onsets.number(0, "window_start"), 0);
    double windowEnd = onsets.number(0, "window_end");
    assertTrue(windowEnd > tDrop && windowEnd <= 3600, "window end " + windowEnd);
    assertEquals(1400, onsets.number(0, "drop_onset"), 1e-9);
    assertEquals(tDrop - 1400, onsets.number(0, "drop_lead"), 1e-9);
    assertEquals(1600, onsets.number(0, "drop_onset_next"), 1e-9); // checkpoints every 200
    assertEquals(6200, onsets.number(0, "onset_next"), 1e-9);
    assertTrue(onsets.number(0, "drop_sse_ratio") < 0.05);
  }

  /** Without a drop the window is empty: the whole-run onset remains, the drop columns are NaN. */
  @Test
  void withoutADropTheWindowIsEmpty(@TempDir Path run) throws Exception {
    writeTrace(run, 5000, 1e9);
    writeStepGeometry(run, 5000, step -> 0.5 + 1e-3 * Math.max(step - 2000, 0));
    FakeAnalysisContext context = context(run);
    ANALYZER.analyze(ANALYZER.defaults(), context);
    Table onsets =
        AnalyzerTables.assertWrittenAsDeclared(ANALYZER, context.outputDirectory())
            .get("gr-onsets.csv");
    assertEquals(2000, onsets.number(0, "onset"), 1e-9);
    assertTrue(Double.isNaN(onsets.number(0, "window_start")));
    assertTrue(Double.isNaN(onsets.number(0, "window_end")));
    assertTrue(Double.isNaN(onsets.number(0, "drop_onset")));
    assertEquals(0, onsets.number(0, "drop_checkpoints"));
    assertTrue(Double.isNaN(onsets.number(0, "drop_onset_next")));
    assertEquals(2200, onsets.number(0, "onset_next"), 1e-9);
  }

  @Test
  void aRunWithoutLossFilesIsRefusedAndNothingIsWritten(@TempDir Path run) {
    FakeAnalysisContext context = context(run);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> ANALYZER.analyze(ANALYZER.defaults(), context));
    assertTrue(e.getMessage().contains("trace.csv or metrics.csv"), e.getMessage());
    assertTrue(context.wroteNothing());
  }
}
