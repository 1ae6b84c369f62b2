package engram.models.rankone;

import engram.api.Network;
import engram.api.NetworkSpec;
import engram.models.rankone.RankOneRnnModel.Config;
import engram.models.rankone.RankOneRnnModel.InitialState;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/** Helpers of the rank-one RNN tests (the model-independent ones are in ModelTestSupport). */
final class RankOneTestSupport {
  private RankOneTestSupport() {}

  /** dt = 1, τ = 2.5: α = 0.4. */
  static Config config(int hidden) {
    return new Config(hidden, 1.0, 2.5, 1.0, InitialState.RANDOM, 0.1);
  }

  static Network network(Config config, int inputs, DataType type, long seed) {
    return new RankOneRnnModel().create(config, new NetworkSpec(inputs, type), new SplittableRandom(seed));
  }
}
