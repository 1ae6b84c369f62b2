package engram.analysis.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.common.CheckpointSelection;
import engram.api.Analyzer.Checkpoint;
import engram.api.Model;
import engram.api.table.Table;
import engram.models.gru.GruModel;
import engram.models.leaky.LeakyRnnModel;
import engram.models.lstm.LstmModel;
import engram.models.plrnn.PlrnnModel;
import engram.models.rankone.RankOneRnnModel;
import engram.models.vanilla.VanillaRnnModel;
import engram.tasks.evidence.EvidenceAccumulationTask;
import engram.tasks.trial.Steps;
import engram.testkit.AnalyzerTables;
import engram.testkit.FakeAnalysisContext;
import engram.testkit.ModelRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The analyzer end to end on every built-in model (6 units, untrained, three checkpoints with
 * different weights) on evidence accumulation with a 4-step delay: tables as declared, metrics in
 * their ranges, CKA of the last checkpoint to itself 1, the w_rec columns filled exactly when the
 * model has a square w_rec, and the figures written.
 */
class GeometryAnalyzerTest {

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of(
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
  <M extends Record> void writesBoundedMetricsForEveryBuiltInModel(
      Model<M> model, M config, @TempDir Path dir) throws Exception {
    EvidenceAccumulationTask task = new EvidenceAccumulationTask();
    EvidenceAccumulationTask.Config taskConfig =
        new EvidenceAccumulationTask.Config(
            Steps.fixed(5), Steps.fixed(4), Steps.fixed(2), 0.5, 1.0, false);
    ModelRun<M, EvidenceAccumulationTask.Config> run =
        new ModelRun<>(model, config, task, taskConfig, 11);
    List<Checkpoint> checkpoints =
        List.of(
            run.checkpoint("epoch-0000", 0, new int[] {1}),
            run.checkpoint("epoch-0010", 10, new int[] {1}),
            run.checkpoint("final", 20, new int[] {1}));
    FakeAnalysisContext context = new FakeAnalysisContext(checkpoints, dir, run);
    GeometryAnalyzer analyzer = new GeometryAnalyzer();
    // The plrnn names its recurrent matrix w; the others that have one call it w_rec.
    String recurrent = checkpoints.get(0).tensors().containsKey("w") ? "w" : "w_rec";
    analyzer.analyze(
        new GeometryAnalyzer.Config(
            CheckpointSelection.ALL, 0, 40, 4, "delay", 1e-3, 4, recurrent, 200, 1e-4, 0.1, 50),
        context);
    Map<String, Table> tables = AnalyzerTables.assertWrittenAsDeclared(analyzer, dir);
    Table geometry = tables.get("geometry.csv");
    assertEquals(3, geometry.size());
    boolean hasWRec = checkpoints.get(0).tensors().containsKey(recurrent);
    for (int r = 0; r < 3; r++) {
      assertTrue(geometry.number(r, "separation") >= 0);
      double accuracy = geometry.number(r, "decoding_accuracy");
      assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
      assertTrue(geometry.number(r, "delay_speed") >= 0);
      double cka = geometry.number(r, "cka_final");
      assertTrue(cka > 0 && cka <= 1 + 1e-9, "cka " + cka);
      assertEquals(hasWRec, Double.isFinite(geometry.number(r, "w_eig1")), "w_eig1 row " + r);
      assertEquals(hasWRec && r > 0, Double.isFinite(geometry.number(r, "dw_effective_rank")));
    }
    assertTrue(Double.isNaN(geometry.number(0, "cka_previous")));
    assertEquals(1.0, geometry.number(2, "cka_final"), 1e-9);
    // 2 conditions × 4 delay steps × 3 checkpoints (both sides drawn among 40 trials).
    assertEquals(24, tables.get("geometry-pca.csv").size());
    String probe = Files.readString(dir.resolve(GeometryAnalyzer.PROBE));
    assertTrue(probe.contains("periods [delay]"), probe);
    assertTrue(Files.size(dir.resolve(GeometryAnalyzer.PNG)) > 0);
    assertTrue(Files.size(dir.resolve(GeometryAnalyzer.PCA_PNG)) > 0);
  }
}
