package engram.analysis.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.common.CheckpointSelection;
import engram.api.Analyzer.Checkpoint;
import engram.api.table.Table;
import engram.models.leaky.LeakyRnnModel;
import engram.tasks.dmts.DmtsTask;
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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code geometry} on delayed match-to-sample (a {@code FiniteConditions} task, 4 conditions, a
 * 10-step delay) with hand-set two-unit leaky RNNs (τ = 2, φ = tanh inside the leak, so fixed
 * points solve h = tanh(W h)): the sample sign enters both units through W_in = (3, 3).
 *
 * <ul>
 *   <li>W = [[0, 2], [2, 0]]: stable points ±(a, a), a = tanh(2a) ≈ 0.9575, a saddle at 0; the
 *       sample sign decides the basin, so both classes (s₁ = +1: conditions 0, 1; s₁ = −1: 2, 3)
 *       are captured by two attractors;
 *   <li>W = [[0, 0.5], [0.5, 0]]: contracting to 0 at input 0: one attractor, nothing captured.
 * </ul>
 */
class GeometryConditionsTest {

  static Checkpoint handSet(ModelRun<?, ?> run, String name, int epoch, double coupling) {
    Checkpoint random = run.checkpoint(name, epoch, new int[] {10});
    Map<String, INDArray> tensors = new LinkedHashMap<>(random.tensors());
    tensors.put(
        "w_rec",
        Nd4j.createFromArray(new float[][] {{0, (float) coupling}, {(float) coupling, 0}}));
    tensors.put("w_in", Nd4j.createFromArray(new float[][] {{3}, {3}}));
    tensors.put("b_in", Nd4j.zeros(tensors.get("b_in").dataType(), tensors.get("b_in").shape()));
    tensors.put("b_rec", Nd4j.zeros(tensors.get("b_rec").dataType(), tensors.get("b_rec").shape()));
    return new Checkpoint(
        random.name(), random.epoch(), random.levels(), tensors, random.assignments());
  }

  @Test
  void dmtsConditionsGiveTheSampleSignAndTheCensusFindsItsAttractors(@TempDir Path dir)
      throws Exception {
    ModelRun<LeakyRnnModel.Config, DmtsTask.Config> run =
        new ModelRun<>(
            new LeakyRnnModel(),
            new LeakyRnnModel.Config(
                2,
                LeakyRnnModel.Nonlinearity.TANH,
                0.01,
                LeakyRnnModel.Phi.INSIDE,
                false,
                1.0,
                2.0,
                2.0,
                0.1,
                LeakyRnnModel.RecurrentInit.UNIFORM,
                1.0),
            new DmtsTask(),
            DmtsTask.Config.defaults(),
            5);
    List<Checkpoint> checkpoints =
        List.of(handSet(run, "epoch-0001", 1, 0.5), handSet(run, "final", 2, 2.0));
    GeometryAnalyzer analyzer = new GeometryAnalyzer();
    analyzer.analyze(
        new GeometryAnalyzer.Config(
            CheckpointSelection.ALL, 10, 16, 2, "delay", 1e-3, 4, "w_rec", 300, 1e-5, 0.1, 50),
        new FakeAnalysisContext(checkpoints, dir, run));
    Map<String, Table> tables = AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);
    String probe = Files.readString(dir.resolve(GeometryAnalyzer.PROBE));
    assertTrue(probe.contains("the task's 4 conditions (FiniteConditions), 4 copies"), probe);
    assertTrue(probe.contains("0 = conditions 0 1; 1 = conditions 2 3"), probe);
    Table geometry = tables.get("geometry.csv");
    // Contracting: both memory states end at 0.
    assertEquals(1, geometry.number(0, "attractors"));
    assertEquals(0.0, geometry.number(0, "captured_fraction"));
    // Bistable: two attractors, each class its own.
    assertEquals(2, geometry.number(1, "attractors"));
    assertEquals(1.0, geometry.number(1, "captured_fraction"));
    assertTrue(geometry.number(1, "census_speed") <= 1e-5);
    assertEquals(0, geometry.number(1, "census_cycles"));
    // The sample sign is perfectly decodable from the bistable network's delay states.
    assertEquals(1.0, geometry.number(1, "decoding_accuracy"));
    // 2 classes × 10 delay steps × 2 checkpoints.
    assertEquals(40, tables.get("geometry-pca.csv").size());
  }
}
