package engram.analysis.fixedpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.fakes.Fixtures;
import engram.api.Analyzer.Checkpoint;
import engram.api.Model;
import engram.models.gru.GruModel;
import engram.models.leaky.LeakyRnnModel;
import engram.models.lstm.LstmModel;
import engram.models.plrnn.PlrnnModel;
import engram.models.rankone.RankOneRnnModel;
import engram.models.vanilla.VanillaRnnModel;
import engram.tasks.parity.NParityTask;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import engram.testkit.ModelRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The analyzer end to end on every built-in model (6 units, untrained, N-parity): the table is
 * written as declared, every point is a local minimum with q ≤ max-q, classes agree with the count
 * of unstable eigenvalues, and the figure exists.
 */
@Tag("slow") // excluded by -Pfast; CI runs it (docs/perf/test-times.md)
class FixedPointsAnalyzerTest {

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of(
            new LeakyRnnModel(),
            new LeakyRnnModel.Config(
                6,
                LeakyRnnModel.Nonlinearity.LEAKY_RELU,
                0.01,
                LeakyRnnModel.Phi.OUTSIDE,
                true,
                1.0,
                2.0,
                1.0,
                0.1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0)),
        Arguments.of(
            new GruModel(),
            new GruModel.Config(6, false, 1.0, 2.0, true, 1.0, GruModel.InitialState.ZERO, 0.1)),
        Arguments.of(
            new LstmModel(),
            new LstmModel.Config(6, false, 1.0, 2.0, true, 1.0, LstmModel.InitialState.ZERO, 0.1)),
        Arguments.of(
            new VanillaRnnModel(),
            new VanillaRnnModel.Config(
                6, VanillaRnnModel.Nonlinearity.TANH, VanillaRnnModel.InitialState.ZERO, 0.1)),
        Arguments.of(
            new PlrnnModel(),
            new PlrnnModel.Config(6, 0.9, 1.0, PlrnnModel.InitialState.ZERO, 0.1)),
        Arguments.of(
            new RankOneRnnModel(),
            new RankOneRnnModel.Config(6, 1.0, 2.0, 1.0, RankOneRnnModel.InitialState.ZERO, 0.1)));
  }

  @ParameterizedTest
  @MethodSource("models")
  <M extends Record> void findsClassifiedPointsForEveryBuiltInModel(
      Model<M> model, M config, @TempDir Path dir) throws Exception {
    NParityTask parity = new NParityTask();
    ModelRun<M, NParityTask.Config> run =
        new ModelRun<>(model, config, parity, parity.defaults(), 7);
    Checkpoint checkpoint = run.checkpoint("final", 3, new int[] {2});
    FakeAnalysisContext context = new FakeAnalysisContext(List.of(checkpoint), dir, run);
    FixedPointsAnalyzer analyzer = new FixedPointsAnalyzer();
    FixedPointsAnalyzer.Config c =
        new FixedPointsAnalyzer.Config(
            FixedPointsAnalyzer.Selection.LAST,
            FixedPointsAnalyzer.Method.FIXED_POINTS,
            4,
            FixedPointsAnalyzer.InputChoice.ZERO,
            24,
            0.1,
            300,
            0.5,
            1e-12,
            5,
            1.0,
            1e-3,
            10,
            0.1,
            1e-2,
            0,
            0.5,
            8,
            List.of(),
            true);
    analyzer.analyze(c, context);

    AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);
    assertTrue(Files.size(dir.resolve(FixedPointsAnalyzer.PNG)) > 0);
    List<String[]> rows = Fixtures.rows(dir.resolve("fixed-points.csv"));
    assertFalse(rows.isEmpty(), model.info().id() + " found no point");
    for (String[] row : rows) {
      double q = Double.parseDouble(row[3]);
      assertTrue(q >= 0 && q <= 1.0, "q " + q);
      assertTrue(Set.of("fixed", "ghost", "slow").contains(row[4]), row[4]);
      int unstable = Integer.parseInt(row[6]);
      String expected = unstable == 0 ? "stable" : "saddle or unstable";
      assertTrue(expected.contains(row[5]), row[5] + " with " + unstable + " unstable");
      assertEquals(row[5].equals("stable"), Double.parseDouble(row[7]) <= 1.0);
    }
  }

  /**
   * The speed method on two checkpoints of a leaky RNN: both tables as declared, every track row
   * names an analysed checkpoint, every point of fixed-points.csv is on exactly one track row of
   * its checkpoint, and both figures exist.
   */
  @org.junit.jupiter.api.Test
  void speedMethodTracksPointsAcrossCheckpoints(@TempDir Path dir) throws Exception {
    NParityTask parity = new NParityTask();
    LeakyRnnModel model = new LeakyRnnModel();
    ModelRun<LeakyRnnModel.Config, NParityTask.Config> run =
        new ModelRun<>(
            model,
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
            11);
    List<Checkpoint> checkpoints =
        List.of(
            run.checkpoint("first", 1, new int[] {2}), run.checkpoint("second", 2, new int[] {2}));
    FakeAnalysisContext context = new FakeAnalysisContext(checkpoints, dir, run);
    FixedPointsAnalyzer analyzer = new FixedPointsAnalyzer();
    FixedPointsAnalyzer.Config c =
        new FixedPointsAnalyzer.Config(
            FixedPointsAnalyzer.Selection.ALL,
            FixedPointsAnalyzer.Method.SPEED,
            2,
            FixedPointsAnalyzer.InputChoice.ZERO,
            1,
            0,
            300,
            0.5,
            1e-12,
            0,
            1.0,
            1e-3,
            10,
            0.1,
            1e-2,
            0,
            0.5,
            6,
            List.of(),
            true);
    analyzer.analyze(c, context);
    AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);
    assertTrue(Files.size(dir.resolve(FixedPointsAnalyzer.PNG)) > 0);
    assertTrue(Files.size(dir.resolve(FixedPointsAnalyzer.LANDSCAPE_PNG)) > 0);
    List<String[]> points = Fixtures.rows(dir.resolve("fixed-points.csv"));
    List<String[]> tracks = Fixtures.rows(dir.resolve("ghost-tracks.csv"));
    assertFalse(points.isEmpty());
    for (String[] p : points) {
      long onTrack = tracks.stream().filter(t -> t[1].equals(p[0]) && t[6].equals(p[2])).count();
      assertEquals(1, onTrack, "point " + p[2] + " of " + p[0]);
    }
    for (String[] t : tracks) {
      assertTrue(Set.of("first", "second").contains(t[1]), t[1]);
      assertTrue(
          Set.of(
                  "appears",
                  "continues",
                  "becomes-fixed",
                  "becomes-ghost",
                  "becomes-slow",
                  "disappears")
              .contains(t[3]),
          t[3]);
    }
  }

  /**
   * {@code steps} picks checkpoints by optimizer step or name, {@code figures: false} draws
   * nothing, and {@code fixed-points-summary.csv} has one row per analysed checkpoint whose counts
   * are those of fixed-points.csv; a step the run lacks is refused naming it.
   */
  @org.junit.jupiter.api.Test
  void stepsChooseCheckpointsAndTheSummaryCountsThePoints(@TempDir Path dir) throws Exception {
    NParityTask parity = new NParityTask();
    LeakyRnnModel model = new LeakyRnnModel();
    ModelRun<LeakyRnnModel.Config, NParityTask.Config> run =
        new ModelRun<>(
            model,
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
            11);
    List<Checkpoint> checkpoints =
        List.of(
            run.checkpoint("step-00000010", 1, new int[] {2}),
            run.checkpoint("step-00000020", 2, new int[] {2}),
            run.checkpoint("final", 3, new int[] {2}));
    FixedPointsAnalyzer analyzer = new FixedPointsAnalyzer();
    FixedPointsAnalyzer.Config defaults = analyzer.defaults();
    FixedPointsAnalyzer.Config c =
        new FixedPointsAnalyzer.Config(
            FixedPointsAnalyzer.Selection.LAST,
            FixedPointsAnalyzer.Method.FIXED_POINTS,
            2,
            FixedPointsAnalyzer.InputChoice.ZERO,
            24,
            0.1,
            300,
            0.5,
            1e-12,
            5,
            1.0,
            1e-3,
            10,
            0.1,
            1e-2,
            0,
            0.5,
            8,
            List.of("10", "final"),
            false);
    analyzer.analyze(c, new FakeAnalysisContext(checkpoints, dir, run));
    AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);
    assertFalse(Files.exists(dir.resolve(FixedPointsAnalyzer.PNG)));
    assertFalse(Files.exists(dir.resolve(FixedPointsAnalyzer.LANDSCAPE_PNG)));
    List<String[]> points = Fixtures.rows(dir.resolve("fixed-points.csv"));
    List<String[]> summary = Fixtures.rows(dir.resolve("fixed-points-summary.csv"));
    assertEquals(2, summary.size());
    assertEquals("step-00000010", summary.get(0)[0]);
    assertEquals("final", summary.get(1)[0]);
    for (String[] row : summary) {
      List<String[]> mine = points.stream().filter(p -> p[0].equals(row[0])).toList();
      for (String cls : new String[] {"stable", "saddle", "unstable"}) {
        long n = mine.stream().filter(p -> p[4].equals("fixed") && p[5].equals(cls)).count();
        int column = List.of("stable", "saddle", "unstable").indexOf(cls) + 2;
        assertEquals(n, Long.parseLong(row[column]), cls + " of " + row[0]);
      }
      assertEquals(mine.stream().filter(p -> p[4].equals("ghost")).count(), Long.parseLong(row[5]));
      assertEquals(mine.stream().filter(p -> p[4].equals("slow")).count(), Long.parseLong(row[6]));
      assertEquals(mine.size(), Integer.parseInt(row[7]));
      assertTrue(mine.size() >= 1, "no point at " + row[0]);
    }
    assertTrue(points.stream().noneMatch(p -> p[0].equals("step-00000020")));
    assertTrue(defaults.steps().isEmpty() && defaults.figures());

    FixedPointsAnalyzer.Config missing =
        new FixedPointsAnalyzer.Config(
            c.checkpoints(),
            c.method(),
            c.trials(),
            c.input(),
            c.initialStates(),
            c.noise(),
            c.maxIterations(),
            c.learningRate(),
            c.tolQ(),
            c.newtonIterations(),
            c.maxQ(),
            c.uniqueTol(),
            c.outlierScale(),
            c.projectionTol(),
            c.gradientTol(),
            c.hessianTol(),
            c.trackDistance(),
            c.landscapeGrid(),
            List.of("30"),
            false);
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> FixedPointsAnalyzer.choose(missing, checkpoints));
    assertTrue(e.getMessage().contains("step-00000030"), e.getMessage());
  }
}
