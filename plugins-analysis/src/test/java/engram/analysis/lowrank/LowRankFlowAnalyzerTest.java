package engram.analysis.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.common.CheckpointSelection;
import engram.api.Analyzer.Checkpoint;
import engram.api.table.Table;
import engram.models.leaky.LeakyRnnModel;
import engram.models.rankone.RankOneRnnModel;
import engram.tasks.evidence.EvidenceAccumulationTask;
import engram.tasks.trial.Steps;
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
}
