package engram.models.vanilla;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.models.vanilla.VanillaRnnModel.Config;
import engram.models.vanilla.VanillaRnnModel.InitialState;
import engram.models.vanilla.VanillaRnnModel.Nonlinearity;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Helpers of the vanilla RNN tests (the model-independent ones are in the testkit's TestArrays).
 */
final class VanillaTestSupport {
  private VanillaTestSupport() {}

  /** h0-scale 0.1 (used with a random initial state only). */
  static Config config(int hidden, Nonlinearity nonlinearity, InitialState initialState) {
    return new Config(hidden, nonlinearity, initialState, 0.1);
  }

  /** The cell alone, as the model creates it. */
  static Cell cell(Config config, int inputs, DataType type, long seed) {
    return new VanillaRnnModel()
        .create(config, new NetworkSpec(inputs, type), new SplittableRandom(seed));
  }

  /** The live value of the cell's parameter {@code name}. */
  static INDArray param(Cell cell, String name) {
    return cell.parameters().stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no parameter " + name))
        .value();
  }

  /** The cell run step by step by the runtime (the vanilla RNN has no kernel). */
  static CellNetwork network(Config config, int inputs, DataType type, long seed) {
    return Networks.create(
        new VanillaRnnModel(),
        config,
        new NetworkSpec(inputs, type),
        new SplittableRandom(seed),
        Networks.Kernels.OFF);
  }
}
