package engram.models.rankone;

import engram.api.Cell;
import engram.api.NetworkSpec;
import engram.models.rankone.RankOneRnnModel.Config;
import engram.models.rankone.RankOneRnnModel.InitialState;
import engram.runtime.CellNetwork;
import engram.runtime.Networks;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Helpers of the rank-one RNN tests (the model-independent ones are in the testkit's TestArrays).
 */
final class RankOneTestSupport {
  private RankOneTestSupport() {}

  /** dt = 1, τ = 2.5: α = 0.4. */
  static Config config(int hidden) {
    return config(hidden, InitialState.RANDOM);
  }

  /** dt = 1, τ = 2.5: α = 0.4, with the given kind of initial state. */
  static Config config(int hidden, InitialState initialState) {
    return new Config(hidden, 1.0, 2.5, 1.0, initialState, 0.1);
  }

  /** The cell alone, as the model creates it. */
  static Cell cell(Config config, int inputs, DataType type, long seed) {
    return new RankOneRnnModel()
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

  /** The cell run step by step by the runtime (kernels off: the reference). */
  static CellNetwork network(Config config, int inputs, DataType type, long seed) {
    return Networks.create(
        new RankOneRnnModel(),
        config,
        new NetworkSpec(inputs, type),
        new SplittableRandom(seed),
        Networks.Kernels.OFF);
  }
}
