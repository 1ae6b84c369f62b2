package engram.analysis.fixedpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.fakes.Fixtures;
import engram.api.Analyzer.Checkpoint;
import engram.models.leaky.LeakyRnnModel;
import engram.tasks.parity.NParityTask;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import engram.testkit.ModelRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code checkpoints: around-drop}: the roles chosen on hand-written drops and checkpoint lists
 * (the schedule of examples/geometry-dmts.yaml, {@code log:5,every:1000}), the tables read from a
 * hand-written run directory, and the analyzer end to end on a tiny network (no training).
 */
class AroundDropTest {

  /** Log-spaced then every 1,000 steps to 10,000 (the last one is {@code final}). */
  static final double[] DMTS_STEPS = {
    1, 10, 100, 158, 251, 398, 631, 1000, 1585, 2000, 2512, 3000, 3981, 4000, 5000, 6000, 6310,
    7000, 8000, 9000, 10000
  };

  /** The seed-1 run of the quick reproduction: plateau 60–2,275, drops at 2,440 and 5,400. */
  static final AroundDrop.Drop TWO_DROPS =
      new AroundDrop.Drop("drop", 60, 2275, 2440, 2800, 2, 5400);

  static double stepOf(List<AroundDrop.Choice> choices, String role, double[] steps) {
    return choices.stream()
        .filter(c -> c.role().equals(role))
        .mapToDouble(c -> steps[c.index()])
        .findFirst()
        .orElse(Double.NaN);
  }

  static List<String> roles(List<AroundDrop.Choice> choices) {
    return choices.stream().map(AroundDrop.Choice::role).toList();
  }

  @Test
  void aRunWithTwoDropsGetsPlateauBeforeAfterAfterLastAndEnd() {
    List<AroundDrop.Choice> c = AroundDrop.choose(TWO_DROPS, DMTS_STEPS);
    assertEquals(
        List.of("plateau", "before-drop", "after-drop", "after-last-drop", "end"), roles(c));
    // Middle 1,167.5: 1,000 is 167.5 away, 1,585 is 417.5 away.
    assertEquals(1000, stepOf(c, "plateau", DMTS_STEPS));
    assertEquals(2000, stepOf(c, "before-drop", DMTS_STEPS));
    // The fall ends at 2,800: 2,512 is after t_drop but still inside the fall.
    assertEquals(3000, stepOf(c, "after-drop", DMTS_STEPS));
    assertEquals(6000, stepOf(c, "after-last-drop", DMTS_STEPS));
    assertEquals(10000, stepOf(c, "end", DMTS_STEPS));
    assertEquals(List.of(7, 9, 11, 15, 20), AroundDrop.analysed(c));
    assertTrue(c.get(2).rule().contains("2800") && c.get(2).rule().contains("2440"));
  }

  @Test
  void withoutAnEndOfTheFallTheFirstCheckpointAfterTDropIsAfter() {
    AroundDrop.Drop drop = new AroundDrop.Drop("drop", 60, 2275, 2440, Double.NaN, 1, 2440);
    List<AroundDrop.Choice> c = AroundDrop.choose(drop, DMTS_STEPS);
    assertEquals(List.of("plateau", "before-drop", "after-drop", "end"), roles(c));
    assertEquals(2512, stepOf(c, "after-drop", DMTS_STEPS));
    assertTrue(c.get(2).rule().contains("no end of the fall"), c.get(2).rule());
  }

  @Test
  void withoutADropThePlateauMiddleAndTheEnd() {
    AroundDrop.Drop noDrop =
        new AroundDrop.Drop("no-drop", 60, 10000, Double.NaN, Double.NaN, 0, Double.NaN);
    List<AroundDrop.Choice> c = AroundDrop.choose(noDrop, DMTS_STEPS);
    assertEquals(List.of("plateau", "end"), roles(c));
    assertEquals(5000, stepOf(c, "plateau", DMTS_STEPS));
    AroundDrop.Drop noPlateau =
        new AroundDrop.Drop(
            "no-plateau", Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN);
    assertEquals(List.of("end"), roles(AroundDrop.choose(noPlateau, DMTS_STEPS)));
  }

  /** Coarse checkpoints: one checkpoint plays several roles and is analysed once. */
  @Test
  void rolesShareCheckpointsAndTiesGoToTheEarlier() {
    double[] steps = {1000, 5000, 10000};
    List<AroundDrop.Choice> c = AroundDrop.choose(TWO_DROPS, steps);
    assertEquals(
        List.of("plateau", "before-drop", "after-drop", "after-last-drop", "end"), roles(c));
    assertEquals(List.of(0, 1, 2), AroundDrop.analysed(c));
    assertEquals(10000, stepOf(c, "after-last-drop", steps));
    // Middle 150 between 100 and 200: the earlier.
    AroundDrop.Drop drop = new AroundDrop.Drop("drop", 50, 250, 280, 330, 1, 280);
    double[] tie = {100, 200, 300, 400, 500};
    List<AroundDrop.Choice> t = AroundDrop.choose(drop, tie);
    assertEquals(100, stepOf(t, "plateau", tie));
    assertEquals(200, stepOf(t, "before-drop", tie));
    assertEquals(400, stepOf(t, "after-drop", tie));
    // A drop before the first checkpoint: no before-drop row.
    AroundDrop.Drop early = new AroundDrop.Drop("drop", 1, 40, 60, 80, 1, 60);
    assertEquals(
        List.of("plateau", "after-drop", "end"),
        roles(AroundDrop.choose(early, new double[] {100, 200})));
  }

  static void writeAbrupt(Path run, String dir, double tDrop) throws Exception {
    Path d = Files.createDirectories(run.resolve("analysis").resolve(dir));
    Files.writeString(
        d.resolve("abrupt-learning.csv"),
        "source,verdict,plateau_start,plateau_end,plateau_loss,after_loss,t_drop,t_steepest,"
            + "final_loss,drops,t_last_drop\n"
            + "trace.csv,drop,50.0,250.0,0.1,0.05,"
            + tDrop
            + ",300.0,0.01,1,"
            + tDrop
            + "\n");
    StringBuilder loss = new StringBuilder("step,loss,smoothed\n");
    for (int step = 10; step <= 500; step += 10) {
      // 0.1 to step 260, then a linear fall to 0.05 at step 380: 90 % of the way (0.055) is
      // passed between 360 (0.0583) and 370 (0.0542).
      double y = step <= 260 ? 0.1 : step >= 380 ? 0.05 : 0.1 - 0.05 * (step - 260) / 120.0;
      loss.append(step).append(',').append(y).append(',').append(y).append('\n');
    }
    Files.writeString(d.resolve("abrupt-learning-loss.csv"), loss);
  }

  static void writeTrace(Path run) throws Exception {
    StringBuilder trace =
        new StringBuilder("step,epoch,level,loss,accuracy,grad_norm_rec,weight_norm_rec\n");
    for (int step = 10; step <= 500; step += 10) {
      trace.append(step).append(",1,2,0.1,0.5,0.1,3\n");
    }
    Files.writeString(run.resolve("trace.csv"), trace);
  }

  @Test
  void readsTheNewestAbruptLearningTablesAndTheEndOfTheFall(@TempDir Path run) throws Exception {
    writeAbrupt(run, "abrupt-learning", 9999);
    writeAbrupt(run, "abrupt-learning-2", 280);
    Files.createDirectories(run.resolve("analysis/abrupt-learning-3")); // left empty: skipped
    AroundDrop.Drop d = AroundDrop.read(run);
    assertEquals("drop", d.verdict());
    assertEquals(280, d.tDrop());
    assertEquals(370, d.fallEnd());
    assertEquals(1, d.drops());
    assertEquals(50, d.plateauStart());
  }

  @Test
  void aRunWithoutAbruptLearningIsRefusedNamingTheFix(@TempDir Path run) {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> AroundDrop.read(run));
    assertTrue(e.getMessage().contains("analysis/abrupt-learning/abrupt-learning.csv"));
    assertTrue(e.getMessage().contains("list abrupt-learning before fixed-points"), e.getMessage());
  }

  /**
   * End to end on five checkpoints of a 6-unit leaky RNN (step-00000100 … step-00000400 and {@code
   * final}, which the trace puts at step 500): plateau at 100, before at 200, after at 400 (the
   * fall ends at 370), end at final; 300 is not analysed.
   */
  @Test
  void theAnalyzerAnalysesTheChosenCheckpointsAndSaysWhy(@TempDir Path run) throws Exception {
    writeAbrupt(run, "abrupt-learning", 280);
    writeTrace(run);
    NParityTask parity = new NParityTask();
    ModelRun<LeakyRnnModel.Config, NParityTask.Config> model =
        new ModelRun<>(
            new LeakyRnnModel(),
            new LeakyRnnModel.Config(
                6,
                LeakyRnnModel.Nonlinearity.TANH,
                0.01,
                LeakyRnnModel.Phi.OUTSIDE,
                true,
                1.0,
                2.0,
                1.0,
                0.1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0),
            parity,
            parity.defaults(),
            3);
    List<Checkpoint> checkpoints =
        List.of(
            model.checkpoint("step-00000100", 1, new int[] {2}),
            model.checkpoint("step-00000200", 1, new int[] {2}),
            model.checkpoint("step-00000300", 1, new int[] {2}),
            model.checkpoint("step-00000400", 1, new int[] {2}),
            model.checkpoint("final", 1, new int[] {2}));
    Path out = Files.createDirectories(run.resolve("analysis/fixed-points"));
    FixedPointsAnalyzer analyzer = new FixedPointsAnalyzer();
    FixedPointsAnalyzer.Config d = analyzer.defaults();
    FixedPointsAnalyzer.Config c =
        new FixedPointsAnalyzer.Config(
            FixedPointsAnalyzer.Selection.AROUND_DROP,
            d.method(),
            2,
            d.input(),
            16,
            d.noise(),
            300,
            d.learningRate(),
            d.tolQ(),
            5,
            d.maxQ(),
            d.uniqueTol(),
            d.outlierScale(),
            d.projectionTol(),
            d.gradientTol(),
            d.hessianTol(),
            d.trackDistance(),
            8,
            List.of(),
            true);
    analyzer.analyze(c, new FakeAnalysisContext(checkpoints, out, model));
    AnalyzerTables.assertWrittenAsDeclared(analyzer, out);
    List<String[]> chosen = Fixtures.rows(out.resolve("checkpoints.csv"));
    assertEquals(4, chosen.size());
    String[][] expected = {
      {"plateau", "step-00000100", "100.0"},
      {"before-drop", "step-00000200", "200.0"},
      {"after-drop", "step-00000400", "400.0"},
      {"end", "final", "500.0"}
    };
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i][0], chosen.get(i)[0]);
      assertEquals(expected[i][1], chosen.get(i)[1]);
      assertEquals(expected[i][2], chosen.get(i)[3]);
    }
    List<String[]> summary = Fixtures.rows(out.resolve("fixed-points-summary.csv"));
    assertEquals(
        List.of("step-00000100", "step-00000200", "step-00000400", "final"),
        summary.stream().map(r -> r[0]).toList());
    assertTrue(Files.size(out.resolve(FixedPointsAnalyzer.LANDSCAPE_PNG)) > 0);

    // Without the abrupt-learning tables: one message, nothing analysed.
    Path bare = Files.createDirectories(run.resolve("bare/analysis/fixed-points"));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> analyzer.analyze(c, new FakeAnalysisContext(checkpoints, bare, model)));
    assertTrue(e.getMessage().contains("abrupt-learning before fixed-points"), e.getMessage());
  }
}
