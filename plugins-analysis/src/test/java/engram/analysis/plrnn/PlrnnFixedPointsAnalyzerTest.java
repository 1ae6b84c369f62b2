package engram.analysis.plrnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.common.CheckpointSelection;
import engram.api.Analyzer.Checkpoint;
import engram.api.Cell;
import engram.api.table.Table;
import engram.models.plrnn.PlrnnModel;
import engram.models.vanilla.VanillaRnnModel;
import engram.tasks.parity.NParityTask;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import engram.testkit.ModelRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The analyzer on real plrnn checkpoints (6 units, strong coupling so that several regions hold
 * points): tables as declared, the summary counts the points table, every point is a fixed point of
 * the real network's step; a vanilla RNN and too many units are refused in one line.
 */
class PlrnnFixedPointsAnalyzerTest {

  static final NParityTask PARITY = new NParityTask();

  /** A negative drive h: the all-inactive region then holds a point, others may. */
  static Checkpoint withBias(Checkpoint c) {
    Map<String, INDArray> tensors = new LinkedHashMap<>(c.tensors());
    tensors.put(
        "h", Nd4j.createFromArray(new float[] {-0.3f, -0.2f, -0.1f, -0.25f, -0.15f, -0.05f}));
    return new Checkpoint(c.name(), c.epoch(), c.levels(), tensors, c.assignments());
  }

  @Test
  void pointsOfRealCheckpointsAreFixedPointsOfTheirMap(@TempDir Path dir) throws Exception {
    ModelRun<PlrnnModel.Config, NParityTask.Config> run =
        new ModelRun<>(
            new PlrnnModel(),
            new PlrnnModel.Config(6, 0.5, 3.0, PlrnnModel.InitialState.ZERO, 0.1),
            PARITY,
            PARITY.defaults(),
            5);
    List<Checkpoint> checkpoints =
        List.of(
            withBias(run.checkpoint("epoch-0001", 1, new int[] {2})),
            withBias(run.checkpoint("final", 2, new int[] {2})));
    FakeAnalysisContext context = new FakeAnalysisContext(checkpoints, dir, run);
    PlrnnFixedPointsAnalyzer analyzer = new PlrnnFixedPointsAnalyzer();
    analyzer.analyze(analyzer.defaults(), context);
    Map<String, Table> tables = AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);
    Table summary = tables.get("plrnn-fixed-points-summary.csv");
    Table points = tables.get("plrnn-fixed-points.csv");
    int total = 0;
    for (int r = 0; r < summary.size(); r++) {
      total +=
          summary.integer(r, "stable")
              + summary.integer(r, "saddle")
              + summary.integer(r, "unstable");
    }
    assertEquals(points.size(), total);
    assertEquals(6 * points.size(), tables.get("plrnn-fixed-point-states.csv").size());
    // Each point is a fixed point of the real cell's step at zero input (checks w against wᵀ).
    int checked = 0;
    for (Checkpoint c : checkpoints) {
      PlrnnFixedPoints map = PlrnnFixedPointsAnalyzer.network(c, context);
      Cell cell = run.restore(c).network().cell();
      for (PlrnnFixedPoints.Point p : map.find(16).points()) {
        INDArray z = Nd4j.createFromArray(p.z()).castTo(DataType.FLOAT).reshape(1, 6);
        INDArray input = Nd4j.zeros(DataType.FLOAT, 1, c.tensors().get("c").columns());
        double[] next = cell.step(z, input, null).next().castTo(DataType.DOUBLE).toDoubleVector();
        for (int i = 0; i < next.length; i++) {
          assertEquals(p.z()[i], next[i], 1e-4 * (1 + Math.abs(p.z()[i])));
        }
        checked++;
      }
    }
    // h < 0 puts a stable point in the all-inactive region, z = h/(1 − a); gain 3 adds others.
    assertTrue(checked > checkpoints.size(), "only the all-inactive points: " + checked);
    assertTrue(Files.size(dir.resolve(PlrnnFixedPointsAnalyzer.PNG)) > 0);
  }

  @Test
  void otherModelsAndLargeNetworksAreRefused(@TempDir Path dir) {
    ModelRun<VanillaRnnModel.Config, NParityTask.Config> vanilla =
        new ModelRun<>(
            new VanillaRnnModel(),
            new VanillaRnnModel.Config(
                4, VanillaRnnModel.Nonlinearity.TANH, VanillaRnnModel.InitialState.ZERO, 0.1),
            PARITY,
            PARITY.defaults(),
            5);
    FakeAnalysisContext context =
        new FakeAnalysisContext(
            List.of(vanilla.checkpoint("final", 1, new int[] {2})), dir.resolve("a"), vanilla);
    PlrnnFixedPointsAnalyzer analyzer = new PlrnnFixedPointsAnalyzer();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> analyzer.analyze(analyzer.defaults(), context));
    assertTrue(e.getMessage().startsWith("plrnn-fixed-points analyses"), e.getMessage());
    assertTrue(e.getMessage().contains("model 'vanilla-rnn'"), e.getMessage());
    assertTrue(context.wroteNothing());

    ModelRun<PlrnnModel.Config, NParityTask.Config> plrnn =
        new ModelRun<>(
            new PlrnnModel(),
            new PlrnnModel.Config(6, 0.5, 1.0, PlrnnModel.InitialState.ZERO, 0.1),
            PARITY,
            PARITY.defaults(),
            5);
    FakeAnalysisContext big =
        new FakeAnalysisContext(
            List.of(plrnn.checkpoint("final", 1, new int[] {2})), dir.resolve("b"), plrnn);
    IllegalStateException tooBig =
        assertThrows(
            IllegalStateException.class,
            () ->
                analyzer.analyze(
                    new PlrnnFixedPointsAnalyzer.Config(CheckpointSelection.LAST, 5), big));
    assertTrue(
        tooBig.getMessage().contains("M = 6 units, above max-units = 5"), tooBig.getMessage());
    assertTrue(big.wroteNothing());
  }
}
