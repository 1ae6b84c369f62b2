package engram.analysis.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.common.CheckpointSelection;
import engram.api.Analyzer.Checkpoint;
import engram.api.table.Table;
import engram.models.leaky.LeakyRnnModel;
import engram.models.lowrank.LowRankRnnModel;
import engram.models.rankone.RankOneRnnModel;
import engram.tasks.evidence.EvidenceAccumulationTask;
import engram.tasks.trial.Steps;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import engram.testkit.ModelRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The analyzer on a real rank-one-rnn whose loadings are set by hand (m = 1, n = g·1, b = 0, H =
 * 6): one stable zero at gain 0.5, the pair ±κ* around an unstable origin at gain 2; the probe
 * trajectories of a bistable network (noise-free evidence) settle on ±κ*. Another model is refused
 * in one line.
 */
class LowRankFlowAnalyzerTest {

  static final EvidenceAccumulationTask TASK = new EvidenceAccumulationTask();
  static final EvidenceAccumulationTask.Config TASK_CONFIG =
      new EvidenceAccumulationTask.Config(
          Steps.fixed(5), Steps.fixed(30), Steps.fixed(2), 0.5, 0.0, false);

  static Checkpoint withLoadings(Checkpoint c, String name, int epoch, double gain) {
    Map<String, INDArray> tensors = new LinkedHashMap<>(c.tensors());
    tensors.put("m", Nd4j.ones(DataType.FLOAT, 6));
    tensors.put("n", Nd4j.ones(DataType.FLOAT, 6).muli(gain));
    tensors.put("b", Nd4j.zeros(DataType.FLOAT, 6));
    return new Checkpoint(name, epoch, c.levels(), tensors, c.assignments());
  }

  @Test
  void zerosAndTrajectoriesOfHandSetLoadings(@TempDir Path dir) throws Exception {
    ModelRun<RankOneRnnModel.Config, EvidenceAccumulationTask.Config> run =
        new ModelRun<>(
            new RankOneRnnModel(),
            new RankOneRnnModel.Config(6, 1.0, 2.0, 1.0, RankOneRnnModel.InitialState.ZERO, 0.1),
            TASK,
            TASK_CONFIG,
            3);
    Checkpoint base = run.checkpoint("final", 10, new int[] {1});
    List<Checkpoint> checkpoints =
        List.of(withLoadings(base, "epoch-0001", 1, 0.5), withLoadings(base, "final", 10, 2));
    FakeAnalysisContext context = new FakeAnalysisContext(checkpoints, dir, run);
    LowRankFlowAnalyzer analyzer = new LowRankFlowAnalyzer();
    analyzer.analyze(
        new LowRankFlowAnalyzer.Config(CheckpointSelection.ALL, 2000, 0, 32, 0), context);
    Map<String, Table> tables = AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);
    Table points = tables.get("low-rank-points.csv");
    assertEquals(4, points.size());
    assertEquals("epoch-0001", points.rows().get(0).text("checkpoint"));
    assertEquals("stable", points.rows().get(0).text("kind"));
    assertEquals(0, points.number(0, "kappa"), 1e-9);
    assertEquals("unstable", points.rows().get(2).text("kind"));
    assertEquals(1.915008048182, points.number(3, "kappa"), 1e-6);
    assertEquals(2 * 2000, tables.get("low-rank-flow.csv").size());
    // At gain 2 the two evidence sides end the 30-step delay near −κ* and +κ*.
    Table trajectories = tables.get("low-rank-trajectories.csv");
    double[] last = new double[2];
    for (Table.Row row : trajectories.rows()) {
      if (row.text("checkpoint").equals("final") && row.integer("step") == 34) {
        last[row.integer("condition")] = row.number("kappa");
      }
    }
    assertEquals(1.915008048182, Math.abs(last[0]), 0.05);
    assertEquals(1.915008048182, Math.abs(last[1]), 0.05);
    assertTrue(last[0] * last[1] < 0, "the conditions end on opposite attractors");
    assertTrue(Files.size(dir.resolve(LowRankFlowAnalyzer.PNG)) > 0);
  }

  @Test
  void aModelWithoutLoadingsIsRefusedInOneLine(@TempDir Path dir) {
    LeakyRnnModel leaky = new LeakyRnnModel();
    ModelRun<LeakyRnnModel.Config, EvidenceAccumulationTask.Config> run =
        new ModelRun<>(leaky, leaky.defaults(), TASK, TASK_CONFIG, 3);
    FakeAnalysisContext context =
        new FakeAnalysisContext(List.of(run.checkpoint("final", 1, new int[] {1})), dir, run);
    LowRankFlowAnalyzer analyzer = new LowRankFlowAnalyzer();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> analyzer.analyze(analyzer.defaults(), context));
    assertTrue(e.getMessage().contains("model 'leaky-rnn'"), e.getMessage());
    assertTrue(e.getMessage().startsWith("low-rank-flow"), e.getMessage());
    assertTrue(context.wroteNothing());
  }

  static Checkpoint withPlaneLoadings(Checkpoint c, String name, int epoch) {
    // The decoupled flow of PlaneFlowTest (g = 2): M = [[1, 0], [1, 0], [0, 1], [0, 1]], N = 2g·M.
    Map<String, INDArray> tensors = new LinkedHashMap<>(c.tensors());
    double[][] m = {{1, 0}, {1, 0}, {0, 1}, {0, 1}};
    tensors.put("m", Nd4j.createFromArray(m).castTo(DataType.FLOAT));
    tensors.put("n", Nd4j.createFromArray(m).castTo(DataType.FLOAT).muli(4));
    tensors.put("b", Nd4j.zeros(DataType.FLOAT, 4));
    return new Checkpoint(name, epoch, c.levels(), tensors, c.assignments());
  }

  @Test
  void aRankTwoNetworkGetsItsPlaneZerosAndTrajectories(@TempDir Path dir) throws Exception {
    ModelRun<LowRankRnnModel.Config, EvidenceAccumulationTask.Config> run =
        new ModelRun<>(
            new LowRankRnnModel(),
            new LowRankRnnModel.Config(4, 2, 1.0, 2.0, 1.0, LowRankRnnModel.InitialState.ZERO, 0.1),
            TASK,
            TASK_CONFIG,
            3);
    Checkpoint base = run.checkpoint("final", 10, new int[] {1});
    List<Checkpoint> checkpoints =
        List.of(withPlaneLoadings(base, "epoch-0001", 1), withPlaneLoadings(base, "final", 10));
    FakeAnalysisContext context = new FakeAnalysisContext(checkpoints, dir, run);
    LowRankFlowAnalyzer analyzer = new LowRankFlowAnalyzer();
    analyzer.analyze(
        new LowRankFlowAnalyzer.Config(
            CheckpointSelection.ALL, 2000, 0, 32, 0, LowRankFlowAnalyzer.Source.LOADINGS, 0, 61),
        context);
    Map<String, Table> tables = AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);
    assertEquals(
        Set.of(
            "low-rank-plane.csv", "low-rank-plane-points.csv", "low-rank-plane-trajectories.csv"),
        tables.keySet());
    assertEquals(2 * 61 * 61, tables.get("low-rank-plane.csv").size());
    Table points = tables.get("low-rank-plane-points.csv");
    double a = PlaneFlowTest.root(0, 2);
    List<double[]> stable = new ArrayList<>();
    Map<String, Integer> kinds = new TreeMap<>();
    for (Table.Row row : points.rows()) {
      if (!row.text("checkpoint").equals("final")) {
        continue;
      }
      kinds.merge(row.text("kind"), 1, Integer::sum);
      // The float32 network's own step at x* = Mκ* + b: a fixed point to float rounding.
      assertTrue(row.number("step_residual") < 1e-5, "residual " + row.number("step_residual"));
      for (String axis : new String[] {"kappa_1", "kappa_2"}) {
        double k = Math.abs(row.number(axis));
        assertTrue(k < 1e-9 || Math.abs(k - a) < 1e-6, axis + " " + k);
      }
      if (row.text("kind").equals("stable")) {
        stable.add(new double[] {row.number("kappa_1"), row.number("kappa_2")});
      }
    }
    assertEquals(Map.of("saddle", 4, "stable", 4, "unstable", 1), kinds);
    // Each condition's mean κ ends (step 34, after the 30-step delay) near a stable corner.
    Table trajectories = tables.get("low-rank-plane-trajectories.csv");
    int ends = 0;
    for (Table.Row row : trajectories.rows()) {
      if (row.text("checkpoint").equals("final") && row.integer("step") == 34) {
        double[] end = {row.number("kappa_1"), row.number("kappa_2")};
        double nearest =
            stable.stream()
                .mapToDouble(p -> Math.hypot(p[0] - end[0], p[1] - end[1]))
                .min()
                .orElseThrow();
        assertTrue(nearest < 0.1, "condition end " + Arrays.toString(end));
        ends++;
      }
    }
    assertEquals(2, ends);
    assertTrue(Files.size(dir.resolve(LowRankFlowAnalyzer.PNG)) > 0);
  }

  static LeakyRnnModel.Config tanhInside() {
    return new LeakyRnnModel.Config(
        4,
        LeakyRnnModel.Nonlinearity.TANH,
        0.01,
        LeakyRnnModel.Phi.INSIDE,
        false,
        1.0,
        2.0,
        2.0,
        0.1,
        LeakyRnnModel.RecurrentInit.UNIFORM,
        1.0,
        LeakyRnnModel.InitialState.UNIFORM);
  }

  @Test
  void theSvdOfALeakyRnnWithTanhInsideIsAnalysedAndItsTruncationReported(@TempDir Path dir)
      throws Exception {
    ModelRun<LeakyRnnModel.Config, EvidenceAccumulationTask.Config> run =
        new ModelRun<>(new LeakyRnnModel(), tanhInside(), TASK, TASK_CONFIG, 3);
    Checkpoint base = run.checkpoint("epoch-0001", 1, new int[] {1});
    Map<String, INDArray> tensors = new LinkedHashMap<>(base.tensors());
    double c = 1.5;
    double d = 1.2;
    double[][] w = {{0, 0, c, c}, {0, 0, c, c}, {d, d, 0, 0}, {d, d, 0, 0}};
    tensors.put("w_rec", Nd4j.createFromArray(w).castTo(DataType.FLOAT));
    Checkpoint exact = new Checkpoint("final", 10, base.levels(), tensors, base.assignments());
    FakeAnalysisContext context = new FakeAnalysisContext(List.of(base, exact), dir, run);
    LowRankFlowAnalyzer analyzer = new LowRankFlowAnalyzer();
    analyzer.analyze(
        new LowRankFlowAnalyzer.Config(
            CheckpointSelection.LAST, 2000, 0, 16, 0, LowRankFlowAnalyzer.Source.SVD, 2, 81),
        context);
    Map<String, Table> tables = AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);
    Table svd = tables.get("low-rank-svd.csv");
    assertEquals(2, svd.size());
    assertEquals(
        Math.sqrt(4 * c * c + 4 * d * d),
        svd.number(0, "sigma") / svd.number(0, "sigma_over_frobenius"),
        1e-5);
    assertEquals(1, svd.number(1, "energy_kept"), 1e-6);
    Table points = tables.get("low-rank-plane-points.csv");
    int zeros = 0;
    for (Table.Row row : points.rows()) {
      if (!row.text("kind").equals("ghost")) {
        zeros++;
        assertTrue(row.number("step_residual") < 1e-5, "residual " + row.number("step_residual"));
      }
    }
    assertEquals(3, zeros);
  }

  @Test
  void theSvdOfALeakyRnnWithPhiOutsideIsRefusedInOneLine(@TempDir Path dir) {
    LeakyRnnModel leaky = new LeakyRnnModel();
    ModelRun<LeakyRnnModel.Config, EvidenceAccumulationTask.Config> run =
        new ModelRun<>(leaky, leaky.defaults(), TASK, TASK_CONFIG, 3);
    FakeAnalysisContext context =
        new FakeAnalysisContext(List.of(run.checkpoint("final", 1, new int[] {1})), dir, run);
    LowRankFlowAnalyzer analyzer = new LowRankFlowAnalyzer();
    LowRankFlowAnalyzer.Config config =
        new LowRankFlowAnalyzer.Config(
            CheckpointSelection.ALL, 2001, 0, 16, 0, LowRankFlowAnalyzer.Source.SVD, 0, 101);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> analyzer.analyze(config, context));
    assertTrue(e.getMessage().startsWith("low-rank-flow (source: svd)"), e.getMessage());
    assertTrue(e.getMessage().contains("model 'leaky-rnn'"), e.getMessage());
    assertTrue(context.wroteNothing());
    IllegalArgumentException rank =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new LowRankFlowAnalyzer.Config(
                    CheckpointSelection.ALL,
                    2001,
                    0,
                    16,
                    0,
                    LowRankFlowAnalyzer.Source.SVD,
                    3,
                    101));
    assertTrue(rank.getMessage().startsWith("rank"), rank.getMessage());
  }
}
