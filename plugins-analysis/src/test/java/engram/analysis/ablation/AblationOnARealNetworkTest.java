package engram.analysis.ablation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import engram.analysis.common.CheckpointSelection;
import engram.analysis.fakes.Fixtures;
import engram.api.Analyzer.Checkpoint;
import engram.models.leaky.LeakyRnnModel;
import engram.tasks.parity.NParityTask;
import engram.testkit.FakeAnalysisContext;
import engram.testkit.ModelRun;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ablation analyzer end to end on a real, tiny leaky RNN over N-parity (the testkit's {@link
 * ModelRun}): it restores the checkpoint through the runtime, ablates real units (the runtime's
 * state clamp) and scores real readout heads; the rows name the units with the smallest and largest
 * τ̃ of the checkpoint, and every accuracy is a fraction.
 */
class AblationOnARealNetworkTest {

  @Test
  void ablatesTheCheckpointsFastestAndSlowestUnitsOfARealNetwork(@TempDir Path dir)
      throws Exception {
    LeakyRnnModel.Config leaky =
        new LeakyRnnModel.Config(
            6,
            LeakyRnnModel.Nonlinearity.LEAKY_RELU,
            0.01,
            LeakyRnnModel.Phi.OUTSIDE,
            true,
            1.0,
            4.0,
            1.0,
            0.1,
            LeakyRnnModel.RecurrentInit.UNIFORM,
            1.0);
    NParityTask parity = new NParityTask();
    ModelRun<LeakyRnnModel.Config, NParityTask.Config> run =
        new ModelRun<>(new LeakyRnnModel(), leaky, parity, parity.defaults(), 5);
    Checkpoint checkpoint = run.checkpoint("final", 3, new int[] {2, 3});
    FakeAnalysisContext context = new FakeAnalysisContext(List.of(checkpoint), dir, run);
    new AblationAnalyzer()
        .analyze(
            new AblationAnalyzer.Config(2, 1, CheckpointSelection.LAST, 0, 10, 100, 2, 0.5),
            context);

    assertTrue(
        context.written().contains(dir.resolve(AblationAnalyzer.CSV)),
        context.written().toString());
    List<String[]> rows = Fixtures.rows(dir.resolve(AblationAnalyzer.CSV));
    assertEquals(1 + 2 + 1, rows.size(), "baseline, two fastest, one slowest");
    double[] taus = checkpoint.tensors().get("taus").toDoubleVector();
    Integer[] order = new Integer[taus.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(Math.max(taus[a], 1), Math.max(taus[b], 1)));
    assertEquals("baseline", rows.get(0)[4]);
    assertEquals(order[0], Integer.parseInt(rows.get(1)[5]), "the fastest unit first");
    assertEquals(order[1], Integer.parseInt(rows.get(2)[5]));
    assertEquals(order[order.length - 1], Integer.parseInt(rows.get(3)[5]), "the slowest unit");
    for (String[] row : rows) {
      double accuracy = Double.parseDouble(row[7]);
      assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
    }
  }
}
